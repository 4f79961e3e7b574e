"""The header every operation script starts with (docs/architecture.md, "Operation scripts")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import HeaderError

__all__ = ["ScriptHeader", "read_header"]

_FIELD = re.compile(r"^#\s*(operation|language|exchange|payload-functions)\s*:\s*(\S.*?)\s*(?:\(.*\))?$")
_LANGUAGES = ("1.0", "2.0")
_EXCHANGE = {"2007": "2007sp1", "2007sp1": "2007sp1", "2010": "2010", "2013": "2013"}


@dataclass(frozen=True)
class ScriptHeader:
    operation: str
    language: str
    exchange: tuple[str, ...]  # catalog version names; () for "none"
    payload_functions: tuple[str, ...] = ()  # functions the host channel defines around the script


def read_header(text: str) -> ScriptHeader:
    """Read the leading comment lines; raise HeaderError when a field is missing, repeated or invalid."""
    fields: dict[str, str] = {}
    for line in text.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _FIELD.match(stripped)
        if match is None:
            continue
        name, value = match.group(1), match.group(2)
        if name in fields:
            raise HeaderError(field=name, reason="given twice")
        fields[name] = value
    for name in ("operation", "language", "exchange"):
        if name not in fields:
            raise HeaderError(field=name, reason="missing")
    if not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9]+)?", fields["operation"]):
        raise HeaderError(field="operation", reason=f"{fields['operation']!r} is not an operation name")
    if fields["language"] not in _LANGUAGES:
        raise HeaderError(field="language", reason=f"{fields['language']!r} is not one of {', '.join(_LANGUAGES)}")
    functions = tuple(name.strip() for name in fields.get("payload-functions", "").split(",") if name.strip())
    return ScriptHeader(fields["operation"], fields["language"], _exchange_versions(fields["exchange"]), functions)


def _exchange_versions(value: str) -> tuple[str, ...]:
    if value.strip().lower() == "none":
        return ()
    versions = []
    for item in value.split(","):
        key = item.strip().lower()
        if key not in _EXCHANGE:
            raise HeaderError(field="exchange", reason=f"{item.strip()!r} is not none, 2007sp1, 2010 or 2013")
        versions.append(_EXCHANGE[key])
    return tuple(versions)
