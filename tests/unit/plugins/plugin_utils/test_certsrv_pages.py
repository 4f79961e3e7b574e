from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _certsrv_pages as pages

DATA = Path(__file__).parent / "test_data" / "certsrv"


def _page(name: str) -> str:
    """Stored with LF (ansible-test's line-endings check), read with CRLF as IIS sends the ASP pages."""
    return (DATA / name).read_bytes().decode("utf-8").replace("\n", "\r\n")


TEMPLATE_DENIAL = (
    "Denied by Policy Module  0x80094800, The request was for a certificate template that is not supported by the "
    "Active Directory Certificate Services policy: NoSuchTemplate."
)
ADMIN_DENIED = "The request was denied by a certificate manager or CA administrator. 0x80094014"

# page, kind, request id, code, title, disposition message (start), last status (start)
PAGES = [
    ("issued_en.html", "issued", 17, None, "Certificate Issued", None, None),
    ("issued_ie.html", "issued", 18, None, "Certificate Issued", None, None),
    ("issued_de.html", "issued", 19, None, "Zertifikat wurde ausgestellt", None, None),
    ("pending_en.html", "pending", 21, None, "Certificate Pending", None, None),
    ("pending_de.html", "pending", 22, None, "Zertifikat ausstehend", None, None),
    ("denied_en.html", "denied", 23, "0x80094800", "Certificate Request Denied", TEMPLATE_DENIAL, None),
    ("denied_de.html", "denied", 24, "0x80094800", "Zertifikatanforderung verweigert", "Von Richtlinienmodul", None),
    ("denied_parse_en.html", "denied", 25, "0x8009310b", "Certificate Request Denied", "Error Parsing Request", None),
    ("fetch_pending_en.html", "pending", None, None, "Error", "Taken Under Submission", "The operation completed"),
    ("fetch_denied_en.html", "denied", None, "0x80094014", "Error", "Denied by CONTOSO\\caadmin", ADMIN_DENIED),
    (
        "fetch_denied_de.html",
        "denied",
        None,
        "0x80094014",
        "Fehler",
        "Verweigert von CONTOSO\\caadmin",
        "Die Anforderung",
    ),
    (
        "fetch_unknown_en.html",
        "unknown",
        None,
        "0x80094004",
        "Error",
        "(none)",
        "The requested property value is empty",
    ),
    (
        "fetch_pending_plain.html",
        "pending",
        None,
        None,
        "Microsoft Active Directory Certificate Services",
        "Taken Under Submission",
        "The operation completed",
    ),
    (
        "fetch_denied_plain.html",
        "denied",
        None,
        "0x80094014",
        "Microsoft Active Directory Certificate Services",
        "Denied by Policy Module",
        ADMIN_DENIED,
    ),
    ("ca_down_en.html", "unknown", None, None, "Error", None, None),
    ("certcarc_en.html", "unknown", None, None, "Microsoft Active Directory Certificate Services", None, None),
    ("login_proxy.html", "unknown", None, None, "Sign in - Contoso Web Gateway", None, None),
]


@pytest.mark.parametrize(("name", "kind", "request_id", "code", "title", "message", "last_status"), PAGES)
def test_read_page(name, kind, request_id, code, title, message, last_status) -> None:
    page = pages.read_page(_page(name))
    assert (page.kind, page.request_id, page.code, page.title) == (kind, request_id, code, title)
    if message is None:
        assert page.disposition_message is None
    else:
        assert page.disposition_message is not None and page.disposition_message.startswith(message)
    if last_status is None:
        assert page.last_status is None
    else:
        assert page.last_status is not None and page.last_status.startswith(last_status)
    assert page.status_lines and page.status_lines[0] == title
    assert all(len(line) <= 240 for line in page.status_lines) and len(page.status_lines) <= 5


DISPOSITIONS = [
    ("fetch_pending_en.html", pages.DISPOSITION_UNDER_SUBMISSION),
    ("fetch_denied_de.html", pages.DISPOSITION_DENIED),
    ("fetch_unknown_en.html", None),
    ("denied_en.html", None),
]


@pytest.mark.parametrize(("name", "disposition"), DISPOSITIONS)
def test_numeric_disposition(name: str, disposition: int | None) -> None:
    assert pages.read_page(_page(name)).disposition == disposition


def test_typographic_quotes_around_the_disposition_message() -> None:
    text = _page("denied_de.html").replace('lautet "', "lautet \u201e").replace('." </P>', ".\u201c </P>")
    assert "\u201e" in text and "\u201c" in text
    page = pages.read_page(text)
    assert page.disposition_message is not None and page.disposition_message.endswith("NoSuchTemplate.")
    assert page.disposition_message.startswith("Von Richtlinienmodul verweigert  0x80094800")


def test_denial_message_keeps_its_wording() -> None:
    """The CA's message is quoted as it stands, double space included (certsrv-protocol.md)."""
    assert pages.read_page(_page("denied_en.html")).disposition_message == TEMPLATE_DENIAL


STATUS_LINES = [
    ("ca_down_en.html", "The Certification Authority Service has not been started."),
    (
        "fetch_unknown_en.html",
        "The requested property value is empty. 0x80094004 (-2146877436 CERTSRV_E_PROPERTY_EMPTY)",
    ),
    ("login_proxy.html", "Your session has expired. Please sign in again."),
]


@pytest.mark.parametrize(("name", "line"), STATUS_LINES)
def test_status_lines_quote_the_page(name: str, line: str) -> None:
    assert any(line in shown for shown in pages.read_page(_page(name)).status_lines)


def test_long_lines_are_shortened() -> None:
    page = pages.read_page("<p ID=locPageTitle>" + "x" * 1000 + "</p>")
    assert page.status_lines == ("x" * 237 + "...",)


def test_request_cookie_marks_a_page_without_anchors_as_pending() -> None:
    """certrspn.asp (pending) is the one result page that adds the request to the Requests cookie."""
    text = "<html><title>Zertifikat ausstehend</title><body><p>Bitte warten.</p></body></html>"
    assert (pages.read_page(text, cookie_request_id=31).kind, pages.read_page(text).kind) == ("pending", "unknown")
    assert pages.read_page(text, cookie_request_id=31).request_id == 31
    assert pages.read_page(_page("pending_de.html"), cookie_request_id=31).request_id == 22
    assert pages.read_page(_page("issued_de.html"), cookie_request_id=31).kind == "issued"
    assert pages.read_page(_page("denied_de.html"), cookie_request_id=31).kind == "denied"


SUCCESS_STATUS = [
    ("Der Vorgang wurde erfolgreich beendet. 0x0 (WIN32: 0 ERROR_SUCCESS)", "pending"),
    ("Die Anforderung wurde verweigert. 0x80094014 (-2146877420 CERTSRV_E_ADMIN_DENIED_REQUEST)", "denied"),
    ("Der Vorgang ist fehlgeschlagen. 0x0A", "unknown"),
]


@pytest.mark.parametrize(("status", "kind"), SUCCESS_STATUS)
def test_last_status_without_element_ids(status: str, kind: str) -> None:
    """A localized certnew.cer error page without ids: the LastStatus code decides."""
    text = "<html><title>Fehler</title><body>Dispositionsmeldung:\r\n\t\tZur Bearbeitung angenommen\r\n"
    text += f"LastStatus:\r\n\t\t{status}\r\n</body></html>"
    page = pages.read_page(text)
    assert (page.kind, page.disposition_message, page.last_status) == (kind, "Zur Bearbeitung angenommen", status)


TABBED_ROWS = [
    ("Dispositionsmeldung:\r\n\t\tA\r\nLetzter Status:\r\n\t\tB 0x0\r\n", "A", "B 0x0"),
    ("Letzter Status:\r\n\t\tB 0x0\r\n", None, "B 0x0"),
    ("LastStatus:\r\n\t\tB 0x0\r\nDisposition message:\r\n\t\tA\r\n", "A", "B 0x0"),
    ("Dispositionsmeldung: A\r\nLetzter Status: B\r\n", None, None),
]


@pytest.mark.parametrize(("body", "message", "last_status"), TABBED_ROWS)
def test_tabbed_rows_in_documented_order(body: str, message: str | None, last_status: str | None) -> None:
    page = pages.read_page(f"<html><title>Fehler</title><body>\r\n<TD>{body}</TD></body></html>")
    assert (page.disposition_message, page.last_status) == (message, last_status)


COOKIES = [
    ("Requests=%5B31%2C0%2Cyes%2CSaved-Request+Certificate+%2811%2F28%2F2026%29%5D; path=/certsrv", 31),
    ("Requests=[7,0,yes,Saved-Request Certificate (1)][12,0,yes,Saved-Request Certificate (2)]; path=/", 12),
    ("ASPSESSIONIDQQRTRBSA=ABCDEF; path=/", None),
    ("Requests=; path=/", None),
    (None, None),
]


@pytest.mark.parametrize(("header", "expected"), COOKIES)
def test_request_id_from_cookie(header: str | None, expected: int | None) -> None:
    assert pages.request_id_from_cookie(header) == expected


RENEWALS = [
    (_page("certcarc_en.html"), 2),
    ("<script>var nRenewals = 3 ;</script>", 3),
    ("<script>var nRenewals=0;</script>", 0),
    (_page("ca_down_en.html"), None),
    ("var nRenewals=;", None),
]


@pytest.mark.parametrize(("text", "expected"), RENEWALS)
def test_read_renewals(text: str, expected: int | None) -> None:
    assert pages.read_renewals(text) == expected
