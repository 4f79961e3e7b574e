"""Cmdlet implementations, registered by importing their modules (tests/lab/powershell/commands.py)."""

from . import (
    content,
    credentials,
    eventlog,
    exchange,
    items,
    output,
    paths,
    pipeline,
    services,
    sessions,
    snapins,
    utility,
    wmi,
)

__all__ = [
    "content",
    "credentials",
    "eventlog",
    "exchange",
    "items",
    "output",
    "paths",
    "pipeline",
    "services",
    "sessions",
    "snapins",
    "utility",
    "wmi",
]
