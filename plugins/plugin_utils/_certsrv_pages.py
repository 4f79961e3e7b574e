"""Reading the HTML pages of AD CS web enrollment (/certsrv) by their structure, in any language.

certsrv pages are localized, so the reader keys off what translation leaves alone (certsrv-protocol.md): the
``certnew.cer?ReqID=N&`` link of the issued page (also in Internet Explorer's ``location="..."`` form),
``var nRenewals=N;``, the ``ID=loc...`` element ids of the ASP pages (``locPageTitle``, ``locDenied``,
``locInfoReqID``, ``locDispLabel``, ``locDispMsgLabel``, ``locLastStatLabel``), the numeric disposition, the
``0x........`` error codes and the ``Requests`` cookie that only the pending page sets. English wording is only a
fallback for pages without those anchors.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import unquote

__all__ = [
    "DISPOSITION_DENIED",
    "DISPOSITION_REVOKED",
    "DISPOSITION_UNDER_SUBMISSION",
    "Page",
    "read_page",
    "read_renewals",
    "request_id_from_cookie",
]

# certcli.h, as the ASP pages quote it: CR_DISP_DENIED, CR_DISP_UNDER_SUBMISSION, CR_DISP_REVOKED.
DISPOSITION_DENIED = 2
DISPOSITION_UNDER_SUBMISSION = 5
DISPOSITION_REVOKED = 6
# Codes that report a missing request or a stopped CA rather than a decision of the CA:
# CERTSRV_E_PROPERTY_EMPTY (unknown ReqID) and RPC_S_SERVER_UNAVAILABLE (CA service not running).
_NOT_A_DECISION = {"0x80094004", "0x800706ba"}

_FLAGS = re.IGNORECASE | re.DOTALL
_RENEWALS = re.compile(r"var\s+nRenewals\s*=\s*(\d+)\s*;")
_ISSUED = re.compile(r"certnew\.cer\?ReqID=(\d+)&", re.IGNORECASE)
_CODE = re.compile(r"\b0x([0-9a-f]{8})\b", re.IGNORECASE)
_SUCCESS = re.compile(r"\b0x0\b")
_PENDING_IDS = ("locInfoNewReq", "locInfoChkPnd", "locInfoReqID")
_DENIED_IDS = ("locDenied", "locIssRev")
_ENGLISH_PENDING = re.compile(r"Certificate Pending|Taken Under Submission", re.IGNORECASE)
_ENGLISH_REQUEST_ID = re.compile(r"Request Id is (\d+)", re.IGNORECASE)
_ANY_REQUEST_ID = re.compile(r"\bID\b[^0-9\r\n]{0,30}?(\d+)", re.IGNORECASE)
_OPEN_QUOTES = '"\u201c\u201e\u00ab'
_CLOSE_QUOTES = '"\u201d\u201c\u00bb'
_QUOTED_WITH_CODE = re.compile(
    rf"[{_OPEN_QUOTES}]([^{_OPEN_QUOTES}{_CLOSE_QUOTES}]*?0x[0-9a-f]{{8}}[^{_CLOSE_QUOTES}]*?)[{_CLOSE_QUOTES}]",
    re.IGNORECASE,
)
_BLOCK_END = re.compile(r"</?(?:p|table|tr|dt|dd|dl|div|h\d|li|form|title)\b[^>]*>|<br\s*/?>", re.IGNORECASE)
_DROP = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->", _FLAGS)
_TAG = re.compile(r"<[^>]*>")
_MAX_LINE = 240
_MAX_LINES = 5


@dataclass(frozen=True)
class Page:
    """What a certsrv HTML page says, independent of its language.

    ``kind`` is ``issued``, ``pending``, ``denied`` or ``unknown``; ``code`` is the first error code other than
    success (``0x80094800``, lower-case hex); ``status_lines`` are short lines for an error message.
    """

    kind: str
    request_id: int | None
    title: str | None
    disposition: int | None
    disposition_message: str | None
    last_status: str | None
    code: str | None
    status_lines: tuple[str, ...]


def read_renewals(page: str) -> int | None:
    """The index of the CA's current certificate from ``certcarc.asp`` (``var nRenewals=N;``), None when absent."""
    found = _RENEWALS.search(page)
    return int(found.group(1)) if found else None


def request_id_from_cookie(set_cookie: str | None) -> int | None:
    """The newest request id in certsrv's ``Requests=[id,...]`` cookie (ids grow, so the largest is the newest)."""
    if not set_cookie:
        return None
    found = re.search(r"\bRequests=([^;]*)", set_cookie)
    if not found:
        return None
    ids = [int(n) for n in re.findall(r"\[\s*(\d+)\s*,", unquote(found.group(1)))]
    return max(ids) if ids else None


def read_page(page: str, *, cookie_request_id: int | None = None) -> Page:
    """Classify a certsrv answer page (submit result, pending check, or ``certnew.cer`` error page)."""
    issued = _ISSUED.search(page)
    title = _title(page)
    text = _text(page)
    disposition = _number(_labelled(page, "locDispLabel"))
    message = (
        _labelled(page, "locDispMsgLabel")
        or _quoted_with_code(text)
        or _tabbed(page, "Disposition message", first=True)
    )
    last_status = _labelled(page, "locLastStatLabel") or _tabbed(page, "LastStatus", first=False)
    code = _first_code([message, last_status, text])
    request_id = int(issued.group(1)) if issued else _request_id(page, text) or cookie_request_id
    if issued:
        kind = "issued"
    elif _has_id(page, _DENIED_IDS) or disposition in (DISPOSITION_DENIED, DISPOSITION_REVOKED):
        kind = "denied"
    elif disposition == DISPOSITION_UNDER_SUBMISSION or _has_id(page, _PENDING_IDS):
        kind = "pending"
    elif code is not None and code not in _NOT_A_DECISION:
        kind = "denied"
    elif code is None and (cookie_request_id is not None or _SUCCESS.search(last_status or "")):
        # Only the pending page (certrspn.asp, AddRequest) remembers the request in the Requests cookie; a
        # certnew.cer error page whose LastStatus is 0x0 (ERROR_SUCCESS) names a request that has not failed.
        kind = "pending"
    elif code is None and _ENGLISH_PENDING.search(text):
        kind = "pending"
    else:
        kind = "unknown"
    return Page(
        kind=kind,
        request_id=request_id,
        title=title,
        disposition=disposition,
        disposition_message=message,
        last_status=last_status,
        code=code,
        status_lines=_status_lines(title, message, last_status, text),
    )


# -- structure -------------------------------------------------------------------------------------------------------


def _id_pattern(element_id: str) -> str:
    return rf"<(\w+)\b[^>]*\bID\s*=\s*[\"']?{element_id}\b[^>]*>"


def _has_id(page: str, element_ids: tuple[str, ...]) -> bool:
    return any(re.search(_id_pattern(i), page, re.IGNORECASE) for i in element_ids)


def _element_text(page: str, element_id: str) -> str | None:
    """Text of an element up to its end tag or the next block (ASP pages leave ``<P>`` open)."""
    found = re.search(_id_pattern(element_id) + r"(.*?)(?:</\1\s*>|<p\b|<table\b|<dt\b|<dd\b|<!--)", page, _FLAGS)
    return _clean(found.group(2)) if found else None


def _labelled(page: str, label_id: str) -> str | None:
    """The ``<DD>`` value that follows a ``<DT ID=label>`` on certsrv's error page."""
    found = re.search(_id_pattern(label_id) + r".*?<dd\b[^>]*>(.*?)(?:</dd\s*>|<dt\b)", page, _FLAGS)
    return _clean(found.group(2)) if found else None


def _title(page: str) -> str | None:
    for element_id in ("locPageTitle", "locPageTitle1"):
        title = _element_text(page, element_id)
        if title:
            return title
    found = re.search(r"<title\b[^>]*>(.*?)</title\s*>", page, _FLAGS)
    return _clean(found.group(1)) if found else None


def _request_id(page: str, text: str) -> int | None:
    """The number in ``locInfoReqID`` (the only number there, in any language), else the sentence naming it."""
    found = re.search(r"\d+", _element_text(page, "locInfoReqID") or "")
    if found:
        return int(found.group(0))
    found = _ENGLISH_REQUEST_ID.search(text) or _ANY_REQUEST_ID.search(text)
    return int(found.group(1)) if found else None


def _number(value: str | None) -> int | None:
    """The disposition as ``HEX(nDisposition)`` prints it, followed by a localized name."""
    found = re.match(r"([0-9a-f]+)\b", value or "", re.IGNORECASE)
    return int(found.group(1), 16) if found else None


# -- text ------------------------------------------------------------------------------------------------------------


def _clean(fragment: str) -> str | None:
    value = " ".join(html.unescape(_TAG.sub(" ", fragment)).split())
    return value or None


def _text(page: str) -> str:
    """Readable lines of the page: scripts and comments dropped, block elements as line breaks."""
    body = _BLOCK_END.sub("\n", _DROP.sub("", page))
    lines = (html.unescape(_TAG.sub("", line)).strip() for line in body.splitlines())
    return "\n".join(line for line in lines if line)


def _tabbed(page: str, label: str, *, first: bool) -> str | None:
    """A ``Label:`` row whose value follows on the next line after two tabs (pages without element ids).

    The English label is used when present; otherwise the rows are taken in the documented order, disposition
    message first and LastStatus last (certsrv-protocol.md), whatever their labels say.
    """
    raw = html.unescape(_TAG.sub("", _DROP.sub("", page))).replace("\r\n", "\n")
    rows = re.findall(r"^[ \t]*([^\n:]{2,60}):[ \t]*\n\t\t[ \t]*(\S[^\n]*)", raw, re.MULTILINE)
    for name, value in rows:
        if name.strip().lower() == label.lower():
            return str(value).strip()
    if not rows or (first and len(rows) < 2):
        return None
    return str(rows[0][1] if first else rows[-1][1]).strip()


def _quoted_with_code(text: str) -> str | None:
    """The denied page quotes the disposition message, which carries the error code."""
    found = _QUOTED_WITH_CODE.search(text)
    return found.group(1).strip() if found else None


def _first_code(sources: list[str | None]) -> str | None:
    for source in sources:
        for found in _CODE.finditer(source or ""):
            if int(found.group(1), 16):
                return "0x" + found.group(1).lower()
    return None


def _status_lines(title: str | None, message: str | None, last_status: str | None, text: str) -> tuple[str, ...]:
    lines = [line for line in (title, message, last_status) if line]
    lines += [line for line in text.splitlines() if _CODE.search(line) and not any(line in kept for kept in lines)]
    if len(lines) <= 1:
        body = text.splitlines()
        if title in body:  # skip the banner above the title (CA name, Home link)
            body = body[body.index(title) + 1 :]
        lines += [line for line in body if line not in lines][:3]
    return tuple(_shorten(line) for line in lines[:_MAX_LINES])


def _shorten(line: str) -> str:
    return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 3] + "..."
