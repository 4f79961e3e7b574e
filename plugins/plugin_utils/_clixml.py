"""Decode PowerShell's CLIXML stderr and read the fields of a formatted error record.

``powershell.exe`` with redirected stderr writes errors as ``#< CLIXML`` followed by ``<Objs>`` documents whose
``<S S="Error">`` entries carry the formatted error text, with control characters and surrogates escaped as
``_xDDDD_`` UTF-16 code units (winrm-protocol.md). Some ansible-core versions reduce that to plain text before the
channel sees it, so plain text is accepted as it is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

__all__ = ["ErrorText", "decode_stderr", "parse_error_text"]

CLIXML_HEADER = "#< CLIXML"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_AT_LINE = re.compile(r"^At (?:[^\r\n]*?)line:(\d+) char:(\d+)", re.MULTILINE)
_CATEGORY = re.compile(r"^\s*\+\s*CategoryInfo\s*:\s*([^\r\n]*)", re.MULTILINE)
_FQID = re.compile(r"^\s*\+\s*FullyQualifiedErrorId\s*:\s*([^\r\n]*)", re.MULTILINE)
_DETAIL_LINE = re.compile(r"^\s*(\+|~+\s*$|At [^\r\n]*line:\d+ char:\d+)")


@dataclass(frozen=True)
class ErrorText:
    """What a formatted PowerShell error says: the message and, where printed, its id, category and line."""

    message: str
    fqid: str | None
    category: str | None
    line: int | None


def _unescape(text: str) -> str:
    """Replace ``_xDDDD_`` code units; pairs of surrogates are joined through UTF-16."""
    units = bytearray()
    out: list[str] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        if match.start() != position:
            if units:
                out.append(units.decode("utf-16-be", errors="replace"))
                units.clear()
            out.append(text[position : match.start()])
        units += int(match.group(1), 16).to_bytes(2, "big")
        position = match.end()
    if units:
        out.append(units.decode("utf-16-be", errors="replace"))
    out.append(text[position:])
    return "".join(out)


def decode_stderr(data: bytes | str, *, stream: str = "Error") -> str:
    """Return the error text of ``stream``; text that is not CLIXML is returned unchanged."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    if not text.lstrip().startswith(CLIXML_HEADER):
        return text
    messages: list[str] = []
    remaining = text
    while True:
        start = remaining.find("<Objs")
        end = remaining.find("</Objs>", start)
        if start == -1 or end == -1:
            break
        document = remaining[start : end + len("</Objs>")]
        remaining = remaining[end + len("</Objs>") :]
        try:
            root = ET.fromstring(document)
        except ET.ParseError:
            messages.append(document)
            continue
        namespace = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        messages.extend(
            _unescape(entry.text or "") for entry in root.findall(f"{namespace}S") if entry.get("S") == stream
        )
    return "".join(messages)


def _category_name(category_info: str) -> str:
    """``ObjectNotFound: (x:String) [], CommandNotFoundException`` -> ``ObjectNotFound``."""
    return category_info.split(":", 1)[0].strip()


def parse_error_text(text: str) -> ErrorText:
    """Split a formatted error record (PowerShell 1.0 to 5.1 layouts) into message, id, category and line."""
    at_line = _AT_LINE.search(text)
    category = _CATEGORY.search(text)
    fqid = _FQID.search(text)
    message_lines = [line.strip() for line in text.splitlines() if line.strip() and not _DETAIL_LINE.match(line)]
    return ErrorText(
        message=" ".join(message_lines),
        fqid=fqid.group(1).strip() if fqid else None,
        category=_category_name(category.group(1)) if category else None,
        line=int(at_line.group(1)) if at_line else None,
    )
