"""The INF files certreq reads (``certreq -new policy.inf``), parsed the way SetupAPI reads an INF.

"General Syntax Rules for INF Files" (Windows hardware docs): section names, keys and directives are case-insensitive;
sections of the same name merge; ``;`` starts a comment outside double quotes; a backslash ending a line continues it
on the next; ``%strkey%`` tokens take their value from the [Strings] section (``%%`` is a percent sign); a value in
double quotes keeps its blanks and commas, ``""`` inside quotes is one quote. A value is read whole, its fields
(split at unquoted commas) joined again with commas, as SetupGetLineText returns it.

Encoding: an INF is ANSI (the system code page) or UTF-16LE with a byte order mark. A UTF-8 byte order mark is not
recognised (assumed, the pessimistic reading; docs/lab.md): its bytes become characters of the first line, so a first
line ``[NewRequest]`` is no longer a section header. Lines before the first section belong to no section and are
ignored (assumed).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from ._native import ProgramError

__all__ = ["Inf", "InfEntry", "decode_inf", "parse_inf"]


@dataclass(frozen=True)
class InfEntry:
    key: str | None  # as written (None for a line without ``=``)
    value: str


@dataclass
class Inf:
    sections: dict[str, list[InfEntry]] = field(default_factory=dict)

    def section(self, name: str) -> list[InfEntry] | None:
        return self.sections.get(name.lower())

    def value(self, section: str, key: str) -> str | None:
        """SetupFindFirstLine: the first entry of ``key`` in ``section``."""
        for entry in self.section(section) or []:
            if entry.key is not None and entry.key.lower() == key.lower():
                return entry.value
        return None


def decode_inf(data: bytes, ansi_code_page: int) -> str:
    from ..dotnet.text import make_encoding

    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le", errors="replace")
    return make_encoding(ansi_code_page).decode(data)


def _strip_comment(line: str) -> str:
    quoted = False
    for index, character in enumerate(line):
        if character == '"':
            quoted = not quoted
        elif character == ";" and not quoted:
            return line[:index]
    return line


def _logical_lines(text: str) -> list[str]:
    lines: list[str] = []
    pending = ""
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _strip_comment(raw).rstrip()
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        lines.append(pending + line)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def _substitute(text: str, strings: dict[str, str]) -> str:
    """%strkey% from [Strings]; %% is a percent sign; an unknown key stays as written."""
    out: list[str] = []
    index = 0
    while index < len(text):
        start = text.find("%", index)
        if start < 0:
            out.append(text[index:])
            break
        end = text.find("%", start + 1)
        if end < 0:
            out.append(text[index:])
            break
        out.append(text[index:start])
        name = text[start + 1 : end]
        if not name:
            out.append("%")
        else:
            out.append(strings.get(name.lower(), text[start : end + 1]))
        index = end + 1
    return "".join(out)


def _split_unquoted(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    quoted = False
    current: list[str] = []
    for character in text:
        if character == '"':
            quoted = not quoted
        if character == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(character)
    parts.append("".join(current))
    return parts


def _field(text: str) -> str:
    """One field: unquoted blanks around it dropped, quotes removed (``""`` inside quotes is one quote)."""
    text = text.strip()
    out: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        character = text[index]
        if character == '"':
            if quoted and text[index + 1 : index + 2] == '"':
                out.append('"')
                index += 2
                continue
            quoted = not quoted
        else:
            out.append(character)
        index += 1
    if quoted:
        raise ProgramError("SPAPI_E_GENERAL_SYNTAX")
    return "".join(out)


def parse_inf(text: str) -> Inf:
    lines = _logical_lines(text)
    raw_sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            close = stripped.find("]")
            if close < 0 or stripped[close + 1 :].strip():
                raise ProgramError("SPAPI_E_GENERAL_SYNTAX")
            current = raw_sections.setdefault(stripped[1:close].strip().lower(), [])
        elif stripped and current is not None:
            current.append(stripped)
    strings: dict[str, str] = {}
    for line in raw_sections.get("strings", []):
        key, equals, value = line.partition("=")
        if equals:
            strings[_field(key).lower()] = _field(value)
    inf = Inf()
    for name, body in raw_sections.items():
        entries = inf.sections.setdefault(name, [])
        for line in body:
            line = _substitute(line, strings) if name != "strings" else line
            parts = _split_unquoted(line, "=")
            if len(parts) > 1:
                key_text, value_text = parts[0], "=".join(parts[1:])
                value = ",".join(_field(part) for part in _split_unquoted(value_text, ","))
                entries.append(InfEntry(_field(key_text), value))
            else:
                entries.append(InfEntry(None, ",".join(_field(part) for part in _split_unquoted(line, ","))))
    return inf
