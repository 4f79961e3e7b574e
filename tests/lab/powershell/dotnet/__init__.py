"""The simulated .NET Framework: importing this package registers every type (tests/lab/powershell/values.py).

One module per concern: x509*.py (certificates, stores, chains), strings.py / text.py / formatting.py /
globalization.py / regex.py (text), numbers.py, collections.py, time.py, system.py (Object, Enum, Type,
Environment, Math, Guid, IO), automation.py (System.Management.Automation). Members are those the .NET Framework
2.0-4.x documentation lists, each marked with the runtime that has it (values.CLR2 / CLR4); documented/ records
every member the documentation lists, implemented or not.
"""

from __future__ import annotations

from . import (  # noqa: F401  (each module registers its types on import)
    automation,
    collections,
    documented,
    formatting,
    globalization,
    numbers,
    regex,
    strings,
    system,
    text,
    time,
    x509,
    x509_chain,
    x509_extensions,
    x509_find,
)
from ._runtime import current_host, running_on
from .x509 import certificate_object

__all__ = ["certificate_object", "current_host", "running_on"]
