"""The /certsrv/ application: routes, parameters and answers of certsrv-protocol.md, independent of HTTP plumbing."""

from __future__ import annotations

import base64
import contextlib
import re
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from ..pki import LabPki
from . import pages
from .messages import LOCALES, STATUSES, status_line
from .store import Disposition, Outcome, Request, RequestStore, parse_attributes

__all__ = ["CONTENT_TYPE_CERT", "CONTENT_TYPE_HTML", "CONTENT_TYPE_P7B", "CertsrvSite", "SiteRequest", "SiteResponse"]

# certsrv-protocol.md: exact content types of certificates and chains.
CONTENT_TYPE_CERT = "application/pkix-cert"
CONTENT_TYPE_P7B = "application/x-pkcs7-certificates"
CONTENT_TYPE_HTML = "text/html"
_IE = re.compile(r"MSIE |Trident/")
# What the site counts per authenticated request (the control API's AD CS counters): a submit (certfnsh.asp
# Mode=newreq), a pending check (Mode=chkpnd), a fetch of an issued request's certificate or chain (certnew.cer /
# certnew.p7b with a numeric ReqID), a CA certificate or renewal read (ReqID=CACert, certcarc.asp), and the rest;
# beside them, most_at_once: the most authenticated requests IIS was answering at the same time (how many clients
# talk to the CA at once, which a controller-side throttle bounds).
COUNTER_KINDS = ("submit", "check", "fetch", "ca", "other")


@dataclass(frozen=True)
class SiteRequest:
    """One authenticated request: ``path`` lower-cased (IIS paths are case-insensitive), parameter names too."""

    path: str
    params: Mapping[str, str]
    user_agent: str
    principal: str


@dataclass
class SiteResponse:
    status: int
    content_type: str
    body: bytes
    cookies: list[str] = field(default_factory=list)


def _armour(der: bytes) -> bytes:
    """``-----BEGIN CERTIFICATE-----`` armour with 64-character lines and CRLF (certsrv-protocol.md, Enc=b64)."""
    text = base64.b64encode(der).decode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return ("\r\n".join(["-----BEGIN CERTIFICATE-----", *lines, "-----END CERTIFICATE-----"]) + "\r\n").encode()


def _asp_cookie(name: str, value: str, path: str = "/") -> str:
    """A cookie as ASP's Response.Cookies writes it: the value URL-encoded."""
    return f"{name}={urllib.parse.quote_plus(value, safe='')}; path={path}"


class CertsrvSite:
    """Answers certsrv requests from the CA (:class:`LabPki`) and its request database."""

    def __init__(self, pki: LabPki, store: RequestStore, *, locale: str = "en") -> None:
        self._pki = pki
        self._store = store
        self.locale = locale
        self._counter_lock = threading.Lock()
        self._counters = dict.fromkeys(COUNTER_KINDS, 0)
        self._answering = 0
        self._most_at_once = 0

    def counters(self) -> dict[str, int]:
        with self._counter_lock:
            return {**self._counters, "most_at_once": self._most_at_once}

    def reset_counters(self) -> None:
        with self._counter_lock:
            self._counters = dict.fromkeys(COUNTER_KINDS, 0)
            self._most_at_once = self._answering

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Around IIS's answer to one authenticated request, from its arrival to the last byte sent."""
        with self._counter_lock:
            self._answering += 1
            self._most_at_once = max(self._most_at_once, self._answering)
        try:
            yield
        finally:
            with self._counter_lock:
                self._answering -= 1

    def _count(self, request: SiteRequest) -> None:
        mode = request.params.get("mode", "").lower()
        request_id = request.params.get("reqid", "")
        if request.path == "/certsrv/certfnsh.asp" and mode in ("newreq", "chkpnd"):
            kind = "submit" if mode == "newreq" else "check"
        elif request.path in ("/certsrv/certnew.cer", "/certsrv/certnew.p7b") and request_id.isdigit():
            kind = "fetch"
        elif request.path == "/certsrv/certcarc.asp" or request_id.lower() == "cacert":
            kind = "ca"
        else:
            kind = "other"
        with self._counter_lock:
            self._counters[kind] += 1

    @property
    def locale(self) -> str:
        return self._locale

    @locale.setter
    def locale(self, value: str) -> None:
        if value not in LOCALES:
            raise ValueError(f"locale must be one of {', '.join(LOCALES)}, not {value!r}")
        self._locale = value

    def handle(self, request: SiteRequest) -> SiteResponse:
        routes = {
            "/certsrv/": self._welcome,
            "/certsrv/default.asp": self._welcome,
            "/certsrv/certcarc.asp": self._certcarc,
            "/certsrv/certnew.cer": self._certnew_cer,
            "/certsrv/certnew.p7b": self._certnew_p7b,
            "/certsrv/certfnsh.asp": self._certfnsh,
        }
        self._count(request)
        route = routes.get(request.path)
        if route is None:
            return SiteResponse(404, CONTENT_TYPE_HTML, pages.iis_error_page(self.locale, "not_found").encode())
        return route(request)

    # -- pages ------------------------------------------------------------------------------------------------------

    def _html(self, text: str, cookies: list[str] | None = None) -> SiteResponse:
        return SiteResponse(200, CONTENT_TYPE_HTML, text.encode("utf-8"), cookies or [])

    def _welcome(self, request: SiteRequest) -> SiteResponse:
        return self._html(pages.welcome_page(self.locale, self._pki.ca_name))

    def _certcarc(self, request: SiteRequest) -> SiteResponse:
        return self._html(pages.carc_page(self.locale, self._pki.ca_name, len(self._pki.renewals) - 1))

    def _status_error(self, key: str) -> SiteResponse:
        """An error before any request was read: no disposition, no disposition message."""
        page = pages.error_page(
            self.locale,
            self._pki.ca_name,
            disposition=None,
            message=None,
            status=status_line(STATUSES[key], self.locale),
        )
        return self._html(page)

    def _request_error(self, request: Request) -> SiteResponse:
        """certnew.cer for a request that is not issued: its disposition message and LastStatus."""
        outcome = request.outcome
        if request.disposition is Disposition.PENDING:
            outcome = Outcome("disp_pending", "success")
        page = pages.error_page(
            self.locale,
            self._pki.ca_name,
            disposition=int(request.disposition),
            message=pages.disposition_message(outcome, self.locale),
            status=pages.last_status(outcome, self.locale),
        )
        return self._html(page)

    # -- certificates -----------------------------------------------------------------------------------------------

    def _resolve(self, params: Mapping[str, str]) -> list[x509.Certificate] | SiteResponse:
        """The certificate(s) a ``ReqID`` names: the CA's renewal + chain, or an issued certificate + its chain."""
        request_id = params.get("reqid", "")
        if request_id.lower() == "cacert":
            renewals = len(self._pki.renewals)
            renewal_text = params.get("renewal", "")
            if not renewal_text:
                return self._pki.chain(renewals - 1)
            if not renewal_text.isdigit() or int(renewal_text) >= renewals:
                return self._status_error("invalid_parameter")
            return self._pki.chain(int(renewal_text))
        if not request_id.isdigit():
            return self._status_error("invalid_parameter")
        request = self._store.get(int(request_id))
        if request is None:
            # certsrv-protocol.md: an unknown ReqID gives "The requested property value is empty".
            return self._status_error("property_empty")
        if request.disposition is not Disposition.ISSUED or request.certificate is None:
            return self._request_error(request)
        return [request.certificate, *self._pki.issuer_chain(request.certificate)]

    def _certnew_cer(self, request: SiteRequest) -> SiteResponse:
        resolved = self._resolve(request.params)
        if isinstance(resolved, SiteResponse):
            return resolved
        der = resolved[0].public_bytes(serialization.Encoding.DER)
        body = _armour(der) if request.params.get("enc", "").lower() == "b64" else der
        return SiteResponse(200, CONTENT_TYPE_CERT, body)

    def _certnew_p7b(self, request: SiteRequest) -> SiteResponse:
        resolved = self._resolve(request.params)
        if isinstance(resolved, SiteResponse):
            return resolved
        der = pkcs7.serialize_certificates(resolved, serialization.Encoding.DER)
        # certsrv-protocol.md: b64 wraps the PKCS#7 in CERTIFICATE armour, not PKCS7.
        body = _armour(der) if request.params.get("enc", "").lower() == "b64" else der
        return SiteResponse(200, CONTENT_TYPE_P7B, body)

    # -- enrollment -------------------------------------------------------------------------------------------------

    def _certfnsh(self, request: SiteRequest) -> SiteResponse:
        params = request.params
        mode = params.get("mode", "").lower()
        internet_explorer = bool(_IE.search(request.user_agent))
        if mode == "newreq":
            submitted = self._store.submit(
                csr_text=params.get("certrequest", ""),
                attributes=parse_attributes(params.get("certattrib", "")),
                requester=request.principal,
            )
            # certsrv-protocol.md: after a submit, Requests=[id,0,yes,Saved-Request Certificate (...)].
            remembered = (
                f"[{submitted.id},{params.get('targetstoreflags', '')},{params.get('savecert', '')},"
                f"{params.get('friendlytype', '')}]"
            )
            page = pages.page_for(self.locale, self._pki.ca_name, submitted, internet_explorer=internet_explorer)
            return self._html(page, [_asp_cookie("Requests", remembered)])
        if mode == "chkpnd":
            request_id = params.get("reqid", "")
            existing = self._store.get(int(request_id)) if request_id.isdigit() else None
            if existing is None:
                return self._status_error("property_empty")
            page = pages.page_for(
                self.locale, self._pki.ca_name, existing, internet_explorer=internet_explorer, check_pending=True
            )
            return self._html(page)
        return self._status_error("invalid_parameter")
