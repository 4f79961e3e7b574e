"""The result line the host channel's prelude prints, byte for byte.

host_scripts/prelude.ps1: ``ConvertTo-ExumJson`` writes compact JSON with no blanks, escapes ``"`` and ``\\`` with a
backslash and every character below 32 or above 126 as ``\\uxxxx`` (lower-case hex, UTF-16 code units), so the line is
ASCII; ``Write-ExumResult`` and ``Write-ExumError`` prefix the marker. Dictionary keys come out in the order the model
gives them (a PowerShell hashtable has its own order; the channel reads JSON, so no consumer depends on it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["RESULT_MARKER", "ScriptError", "error_line", "result_line", "to_exum_json"]

RESULT_MARKER = "@@EXUM_RESULT@@"


class ScriptError(Exception):
    """A terminating error inside the payload, as the prelude's ``trap`` hands it to ``Write-ExumError``."""

    def __init__(self, message: str, *, fqid: str, category: str, exception: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fqid = fqid
        self.category = category
        self.exception = exception
        self.line = line

    def details(self) -> dict[str, object]:
        return {
            "message": self.message,
            "fqid": self.fqid,
            "category": self.category,
            "line": self.line,
            "exception": self.exception,
        }


def _json_string(text: str) -> str:
    parts = ['"']
    for character in text:
        code = ord(character)
        if code == 34:
            parts.append('\\"')
        elif code == 92:
            parts.append("\\\\")
        elif code < 32 or code > 126:
            if code > 0xFFFF:  # .NET strings hold UTF-16: one escape per surrogate
                high, low = divmod(code - 0x10000, 0x400)
                parts.append(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}")
            else:
                parts.append(f"\\u{code:04x}")
        else:
            parts.append(character)
    parts.append('"')
    return "".join(parts)


def to_exum_json(value: object) -> str:
    """``ConvertTo-ExumJson`` of the value a script would build (None, bool, int, str, list, dict)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(_json_string(str(key)) + ":" + to_exum_json(item) for key, item in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ",".join(to_exum_json(item) for item in value) + "]"
    raise TypeError(f"a script result cannot hold {type(value).__name__}")


def result_line(data: object) -> str:
    """``Write-ExumResult``: one stdout line (PowerShell ends console lines with CRLF)."""
    return RESULT_MARKER + '{"ok":true,"data":' + to_exum_json(data) + "}\r\n"


def error_line(error: ScriptError) -> str:
    """``Write-ExumError`` of the trapped record."""
    return RESULT_MARKER + '{"ok":false,"error":' + to_exum_json(error.details()) + "}\r\n"
