"""Client for AD CS web enrollment (``/certsrv``): CA certificates by renewal, CSR submission, issued certificates.

One :class:`requests.Session` per client, so NTLM (bound to the keep-alive connection) authenticates once per run
(certsrv-protocol.md). Retries cover connection failures and HTTP 5xx only; a denial, a 4xx or a page that makes no
sense is reported at once. Page reading lives in ``_certsrv_pages``; certificates are read by ``_x509``.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
import ssl
import time
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv_pages import (
    Page,
    read_page,
    read_renewals,
    request_id_from_cookie,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import CertificateError, load_certificates

try:
    import requests
    import requests.auth
    import urllib3
except ImportError:  # ansible-test's import check runs without it; CertsrvClient() says what to install
    HAS_REQUESTS = False
else:
    HAS_REQUESTS = True

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

__all__ = [
    "AUTH_SCHEMES",
    "HAS_REQUESTS",
    "CertsrvAuthenticationError",
    "CertsrvClient",
    "CertsrvConfigurationError",
    "CertsrvConnectionError",
    "CertsrvDenied",
    "CertsrvDependencyError",
    "CertsrvError",
    "CertsrvInsecureTransport",
    "CertsrvPending",
    "CertsrvUnexpectedPage",
    "Enrollment",
    "RenewalInfo",
    "base_url",
    "client_warnings",
    "transport_warnings",
]

AUTH_SCHEMES = ("ntlm", "basic", "kerberos", "certificate", "none")
# certsrv-protocol.md: without a browser-like User-Agent some servers send certificates with a wrong Content-Type.
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) exchange_um.certificates"
PKIX_CERT = "application/pkix-cert"
PKCS7_CERTS = "application/x-pkcs7-certificates"
_LINE_BREAK = re.compile(r"[\r\n]")
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
MAX_URL_CHARACTERS = 2048


# -- errors ----------------------------------------------------------------------------------------------------------


class CertsrvError(Exception):
    """Root of the AD CS enrollment errors; ``url`` is the page concerned (never carries credentials)."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class CertsrvConfigurationError(CertsrvError, ValueError):
    """The client's options cannot work (URL form, missing file, credentials the scheme does not take)."""


class CertsrvInsecureTransport(CertsrvConfigurationError):
    """A credential would travel where whoever answers could read or relay it; raised before any request."""


class CertsrvDependencyError(CertsrvError):
    """An optional Python package is missing; ``package`` is what to install."""

    def __init__(self, message: str, *, package: str) -> None:
        super().__init__(message)
        self.package = package


class CertsrvConnectionError(CertsrvError):
    """No HTTP answer: refused, reset, timed out, or TLS failed. ``attempts`` were made."""

    def __init__(self, message: str, *, url: str, reason: str, attempts: int) -> None:
        super().__init__(message, url=url)
        self.reason = reason
        self.attempts = attempts


class CertsrvAuthenticationError(CertsrvError):
    """The server refused the credentials (401) or the access (403); ``offered`` are its WWW-Authenticate schemes."""

    def __init__(self, message: str, *, url: str, status: int, offered: tuple[str, ...], auth: str) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.offered = offered
        self.auth = auth


class CertsrvUnexpectedPage(CertsrvError):
    """An answer that is neither what was asked for nor a known certsrv outcome."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int,
        status_lines: tuple[str, ...] = (),
        content_type: str | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.status_lines = status_lines
        self.content_type = content_type


class CertsrvPending(CertsrvError):
    """The CA holds the request for a certificate manager; fetch it later with ``retrieve(request_id)``."""

    def __init__(self, message: str, *, url: str, request_id: int) -> None:
        super().__init__(message, url=url)
        self.request_id = request_id


class CertsrvDenied(CertsrvError):
    """The CA refused the request; ``code`` is its error code (``0x80094800``) when the page shows one."""

    def __init__(
        self, message: str, *, url: str, request_id: int | None, disposition_message: str | None, code: str | None
    ) -> None:
        super().__init__(message, url=url)
        self.request_id = request_id
        self.disposition_message = disposition_message
        self.code = code


# -- results ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenewalInfo:
    """The CA's current certificate index; ``found`` is False when the page did not say and 0 was assumed."""

    index: int
    found: bool


@dataclass(frozen=True)
class Enrollment:
    """An issued request: its id in the CA database and the certificate."""

    request_id: int
    certificate: Certificate


# -- client ----------------------------------------------------------------------------------------------------------


class CertsrvClient:
    """A session with one AD CS web enrollment site; use it as a context manager."""

    _sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(
        self,
        *,
        url: str,
        auth: str = "ntlm",
        username: str | None = None,
        password: str | None = None,
        validate_certs: bool = True,
        allow_insecure_basic: bool = False,
        ca_path: str | None = None,
        client_cert: str | None = None,
        client_key: str | None = None,
        timeout: float = 30,
        retries: int = 3,
        backoff: float = 1.0,
        user_agent: str = USER_AGENT,
    ) -> None:
        if not HAS_REQUESTS:
            raise CertsrvDependencyError(
                "the AD CS client needs the Python packages requests and requests-ntlm on the controller: "
                "pip install requests requests-ntlm",
                package="requests",
            )
        self.base_url = base_url(url)
        # Before the session exists: a refused credential is never sent.
        self.warnings = transport_warnings(
            url=self.base_url, auth=auth, validate_certs=validate_certs, allow_insecure_basic=allow_insecure_basic
        )
        self.auth = auth
        self.username = username
        self._timeout = timeout
        self._retries = max(0, retries)
        self._backoff = max(0.0, backoff)
        self._verify = _verify_option(validate_certs, ca_path)
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._session.trust_env = False  # no .netrc credentials or proxy settings slipped in from the environment
        self._session.auth = _auth_handler(auth, username, password, client_cert)
        if client_cert:
            _require_file(client_cert, "client_cert")
            if client_key:
                _require_file(client_key, "client_key")
            self._session.cert = (client_cert, client_key) if client_key else client_cert

    def __repr__(self) -> str:
        return f"CertsrvClient(url={self.base_url!r}, auth={self.auth!r}, username={self.username!r})"

    def __enter__(self) -> CertsrvClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    @property
    def is_https(self) -> bool:
        return self.base_url.startswith("https://")

    # -- operations --------------------------------------------------------------------------------------------------

    def current_renewal(self) -> RenewalInfo:
        """``nRenewals`` of ``certcarc.asp``; 0 with ``found=False`` when the page does not carry it."""
        response = self._request("GET", "certcarc.asp")
        self._expect_ok(response)
        renewals = read_renewals(_text(response))
        return RenewalInfo(renewals, True) if renewals is not None else RenewalInfo(0, False)

    def ca_certificate(self, renewal: int) -> Certificate:
        """The CA's own certificate of renewal ``renewal`` (0 = the original)."""
        params = {"ReqID": "CACert", "Renewal": str(_renewal(renewal)), "Enc": "b64"}
        certificates = self._certificates("certnew.cer", params, PKIX_CERT)
        if len(certificates) != 1:
            raise CertsrvUnexpectedPage(
                f"{self.base_url}certnew.cer returned {len(certificates)} certificates instead of one",
                url=self.base_url + "certnew.cer",
                status=200,
                content_type=PKIX_CERT,
            )
        return certificates[0]

    def ca_chain(self, renewal: int) -> list[Certificate]:
        """The certificates of the CA's ``.p7b`` chain for ``renewal``, in no meaningful order (certsrv-protocol.md)."""
        params = {"ReqID": "CACert", "Renewal": str(_renewal(renewal)), "Enc": "b64"}
        return self._certificates("certnew.p7b", params, PKCS7_CERTS)

    def submit(self, csr_pem: str | bytes, *, template: str, attributes: Mapping[str, str] | None = None) -> Enrollment:
        """Submit a PEM CSR for ``template``; returns the issued certificate.

        Raises :class:`CertsrvPending` (with the request id to ``retrieve`` later) or :class:`CertsrvDenied`.
        """
        csr = csr_pem.decode("ascii") if isinstance(csr_pem, bytes) else csr_pem
        form = {
            "Mode": "newreq",
            "CertRequest": csr,
            "CertAttrib": _cert_attrib(template, attributes or {}),
            "FriendlyType": f"Saved-Request Certificate ({datetime.now(timezone.utc):%m/%d/%Y, %H:%M:%S})",
            "TargetStoreFlags": "0",
            "SaveCert": "yes",
        }
        # Not resent after a read timeout: the CA may have filed the request already.
        response = self._request("POST", "certfnsh.asp", data=form)
        self._expect_ok(response)
        page = read_page(_text(response), cookie_request_id=request_id_from_cookie(response.headers.get("Set-Cookie")))
        if page.kind == "issued" and page.request_id is not None:
            return Enrollment(page.request_id, self.retrieve(page.request_id))
        raise self._outcome_error(page, response, None)

    def retrieve(self, request_id: int) -> Certificate:
        """The certificate of request ``request_id``; raises CertsrvPending / CertsrvDenied while it has none."""
        if isinstance(request_id, bool) or not isinstance(request_id, int) or request_id <= 0:
            raise CertsrvConfigurationError(f"a request id is a positive integer, not {request_id!r}")
        certificates = self._certificates(
            "certnew.cer", {"ReqID": str(request_id), "Enc": "b64"}, PKIX_CERT, request_id=request_id
        )
        return certificates[0]

    # -- HTTP --------------------------------------------------------------------------------------------------------

    def _request(
        self, method: str, page: str, *, params: Mapping[str, str] | None = None, data: Mapping[str, str] | None = None
    ) -> requests.Response:
        url = self.base_url + page
        failure: str | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = self._send(method, url, params, data)
            except requests.exceptions.SSLError as exc:
                failure = _reason(exc)
                if failure.startswith("TLS certificate verify failed"):  # the same certificate fails every time
                    raise self._connection_error(url, failure, attempt + 1) from None
                continue
            except requests.exceptions.ReadTimeout as exc:
                if method != "GET":
                    raise self._connection_error(url, _reason(exc, self._timeout), attempt + 1) from None
                failure = _reason(exc, self._timeout)
                continue
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                failure = _reason(exc, self._timeout)
                continue
            if response.status_code >= 500 and attempt < self._retries:
                failure = f"HTTP {response.status_code} {response.reason or ''}".strip()
                response.close()
                continue
            return response
        raise self._connection_error(url, failure or "no answer", self._retries + 1)

    def _send(
        self, method: str, url: str, params: Mapping[str, str] | None, data: Mapping[str, str] | None
    ) -> requests.Response:
        with warnings.catch_warnings():
            if self._verify is False:  # the user chose validate_certs=false; the action reports it once
                warnings.simplefilter("ignore", category=urllib3.exceptions.InsecureRequestWarning)
            return self._session.request(
                method,
                url,
                params=params,
                data=data,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,  # certsrv does not redirect; a redirect is a gateway or login page to report
            )

    def _connection_error(self, url: str, reason: str, attempts: int) -> CertsrvConnectionError:
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        return CertsrvConnectionError(
            f"cannot reach AD CS web enrollment at {url}: {reason}{tries}", url=url, reason=reason, attempts=attempts
        )

    # -- answers -----------------------------------------------------------------------------------------------------

    def _certificates(
        self, page: str, params: Mapping[str, str], content_type: str, *, request_id: int | None = None
    ) -> list[Certificate]:
        response = self._request("GET", page, params=params)
        self._expect_ok(response)
        got = _media_type(response)
        if got == "text/html":
            # certsrv-protocol.md: a certificate answered with HTML is an error page (pending, denied, unknown id).
            raise self._outcome_error(read_page(_text(response)), response, request_id)
        if got != content_type:
            raise self._unexpected(response, f"expected {content_type}, got {got or 'no Content-Type'}")
        try:
            return load_certificates(response.content)
        except CertificateError as exc:
            raise self._unexpected(response, f"the {content_type} body is not readable: {exc}") from None

    def _expect_ok(self, response: requests.Response) -> None:
        if response.status_code in (401, 403):
            raise self._authentication_error(response)
        if response.status_code != 200:
            raise self._unexpected(response, None)

    def _outcome_error(self, page: Page, response: requests.Response, request_id: int | None) -> CertsrvError:
        url = _plain_url(response)
        number = request_id if request_id is not None else page.request_id
        if page.kind == "pending" and number is not None:
            return CertsrvPending(
                f"AD CS at {self.base_url} holds request {number} for approval by a certificate manager",
                url=url,
                request_id=number,
            )
        if page.kind == "denied":
            said = page.disposition_message or page.last_status or "; ".join(page.status_lines)
            code = f" ({page.code})" if page.code and page.code not in said else ""
            which = f"request {number}" if number is not None else "the request"
            return CertsrvDenied(
                f"AD CS at {self.base_url} denied {which}: {said}{code}",
                url=url,
                request_id=number,
                disposition_message=page.disposition_message,
                code=page.code,
            )
        return self._unexpected(response, None, page)

    def _unexpected(
        self, response: requests.Response, detail: str | None, page: Page | None = None
    ) -> CertsrvUnexpectedPage:
        content_type = _media_type(response)
        if page is None and content_type == "text/html":
            page = read_page(_text(response))
        lines = page.status_lines if page else ()
        parts = [f"HTTP {response.status_code}", content_type or "no Content-Type"]
        summary = f"unexpected answer from {_plain_url(response)} ({', '.join(parts)})"
        location = response.headers.get("Location")
        if location and 300 <= response.status_code < 400:
            detail = f"redirected to {_safe_url(location)}"
        if detail:
            summary += f": {detail}"
        if lines:
            summary += ": " + " | ".join(lines)
        return CertsrvUnexpectedPage(
            summary,
            url=_plain_url(response),
            status=response.status_code,
            status_lines=lines,
            content_type=content_type,
        )

    def _authentication_error(self, response: requests.Response) -> CertsrvAuthenticationError:
        offered = _offered_schemes(response)
        who = f"{self.username} " if self.username else ""
        if response.status_code == 403:
            problem = (
                f"refused access to {who}(HTTP 403: authenticated but not allowed, or a client certificate is required)"
            )
        elif self.auth == "none":
            problem = "requires authentication (HTTP 401)"
        else:
            problem = f"refused the {self.auth} credentials {who}(HTTP 401)"
        schemes = ", ".join(offered) if offered else "none"
        return CertsrvAuthenticationError(
            f"AD CS at {self.base_url} {problem}; the server offers: {schemes}",
            url=_plain_url(response),
            status=response.status_code,
            offered=offered,
            auth=self.auth,
        )


# -- helpers ---------------------------------------------------------------------------------------------------------


def base_url(url: str) -> str:
    """``http(s)://host``, ``.../certsrv`` and ``.../certsrv/`` all name ``http(s)://host/certsrv/``.

    The host must be a DNS name, an IPv4 address or a bracketed IPv6 literal and the port 1-65535; messages name the
    part that is wrong, never the whole URL (it may carry something pasted by mistake).
    """
    if not isinstance(url, str) or not url.strip():
        raise CertsrvConfigurationError("the AD CS URL is empty; give http(s)://<ca>/certsrv")
    text = url.strip()
    if len(text) > MAX_URL_CHARACTERS:
        raise CertsrvConfigurationError(f"the AD CS URL has {len(text)} characters; at most {MAX_URL_CHARACTERS}")
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in text):
        raise CertsrvConfigurationError(
            "the AD CS URL contains white space or a control character (NUL, tab, line break); "
            "give http(s)://<ca>/certsrv"
        )
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # urllib refuses unbalanced brackets and bad IPv6 literals
        raise CertsrvConfigurationError(f"the AD CS URL cannot be read ({exc}); give http(s)://<ca>/certsrv") from None
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"{parts.scheme[:20]}://" if parts.scheme else "no scheme"
        raise CertsrvConfigurationError(f"the AD CS URL must start with http:// or https://, not {scheme}")
    if "@" in parts.netloc:
        raise CertsrvConfigurationError("the AD CS URL must not carry credentials; use username and password")
    _check_host_and_port(parts.netloc)
    if parts.query or parts.fragment:
        raise CertsrvConfigurationError("the AD CS URL must not carry a query (?...) or a fragment (#...)")
    path = parts.path.rstrip("/")
    if path.rsplit("/", 1)[-1].lower() != "certsrv":
        path += "/certsrv"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path + "/", "", ""))


def _check_host_and_port(netloc: str) -> None:
    """``host[:port]`` with a DNS name, an IPv4 address or ``[IPv6]``, and a port from 1 to 65535."""
    if netloc.startswith("["):
        literal, _bracket, rest = netloc[1:].partition("]")
        try:
            ipaddress.IPv6Address(literal.replace("%25", "%"))
        except ValueError:
            raise CertsrvConfigurationError(
                f"the host of the AD CS URL, [{literal[:60]}], is not an IPv6 address"
            ) from None
        if rest and not rest.startswith(":"):
            raise CertsrvConfigurationError("the AD CS URL has text after its IPv6 address that is not :port")
        host, port = None, rest[1:] if rest else ""
    else:
        host, _colon, port = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    if host is not None and not _valid_host(host):
        raise CertsrvConfigurationError(
            f"the host of the AD CS URL, {host[:60]!r}, is not a DNS name or an IP address"
            if host
            else "the AD CS URL names no host; give http(s)://<ca>/certsrv"
        )
    if port and not (port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535):
        raise CertsrvConfigurationError(f"the port of the AD CS URL, {port[:20]!r}, is not a number from 1 to 65535")


def _valid_host(host: str) -> bool:
    """An IPv4 address, or a DNS name (IDNA for non-ASCII) of labels of letters, digits, '-' and '_'."""
    if not host:
        return False
    if all(part.isdigit() for part in host.split(".")):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    name = ascii_host[:-1] if ascii_host.endswith(".") else ascii_host
    return len(name) <= 253 and all(_DNS_LABEL.match(label) for label in name.split("."))


def transport_warnings(*, url: str, auth: str, validate_certs: bool, allow_insecure_basic: bool) -> tuple[str, ...]:
    """Refuse a credential where whoever answers could read or reuse it; the warnings for what is let through.

    Basic sends the password itself (base64) on every request: over plain http anyone on the path reads it, and
    over https without validation any server can pose as the CA and read it. NTLM never sends the password, but
    over plain http its exchange can be relayed to another server; over https the client sends channel bindings,
    which a CA with Extended Protection checks. Called before any request, so a refusal sends nothing.
    """
    https = url.lower().startswith("https://")
    if auth == "certificate" and not https:
        raise CertsrvInsecureTransport(
            "auth=certificate presents client_cert in the TLS handshake, which plain http does not have; use an "
            "https ca_url"
        )
    if auth == "basic" and not (https and validate_certs):
        where = "https with validate_certs false" if https else "plain http"
        danger = "any server can pose as the CA and read it" if https else "anyone on the network path can read it"
        if not allow_insecure_basic:
            raise CertsrvInsecureTransport(
                f"auth=basic sends the password itself with every request, and over {where} {danger}; nothing was "
                "sent. Use https with validate_certs true (ca_path for a private CA), or auth=ntlm or kerberos; "
                "allow_insecure_basic: true sends it anyway"
            )
        return (
            f"allow_insecure_basic is true: the Basic credentials go to the CA over {where}, where {danger}. Use "
            "https with validate_certs true outside a lab.",
        )
    if auth == "ntlm" and not https:
        return (
            "auth=ntlm over plain http: anyone on the network path can relay this NTLM logon to another server. Use "
            "an https ca_url with validate_certs true; the client then sends channel bindings, and a CA with "
            "Extended Protection refuses a relayed logon.",
        )
    return ()


def client_warnings(client_options: Mapping[str, object]) -> tuple[str, ...]:
    """``transport_warnings`` for ``CertsrvClient`` keyword arguments (``certsrv_client_options``): what an action
    warns of, or is refused for, before the client exists and sends anything."""
    return transport_warnings(
        url=base_url(str(client_options["url"])),
        auth=str(client_options["auth"]),
        validate_certs=bool(client_options["validate_certs"]),
        allow_insecure_basic=bool(client_options["allow_insecure_basic"]),
    )


def _safe_url(url: str) -> str:
    """The URL with any user:password@ part removed, for messages."""
    return re.sub(r"//[^/@]*@", "//", url)


def _auth_handler(
    auth: str, username: str | None, password: str | None, client_cert: str | None
) -> requests.auth.AuthBase | None:
    if auth in ("ntlm", "basic"):
        if not username or not password:
            raise CertsrvConfigurationError(f"auth={auth} needs both username and password")
        if auth == "basic":
            _check_basic_charset(username, password)
            return requests.auth.HTTPBasicAuth(username, password)
        from requests_ntlm import HttpNtlmAuth

        return HttpNtlmAuth(username, password)
    if auth == "kerberos":
        if password and not username:
            raise CertsrvConfigurationError("auth=kerberos with a password needs the username (user@REALM)")
        return _kerberos_handler(username, password)
    if auth == "certificate":
        if not client_cert:
            raise CertsrvConfigurationError("auth=certificate needs client_cert (and client_key unless in that file)")
        return None
    if auth == "none":
        return None
    raise CertsrvConfigurationError(f"auth must be one of {', '.join(AUTH_SCHEMES)}, not {auth!r}")


def _check_basic_charset(username: str, password: str) -> None:
    """Basic names no character set (RFC 7617 2.1), and requests sends ISO-8859-1: anything beyond it cannot go."""
    for option, value in (("username", username), ("password", password)):
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise CertsrvConfigurationError(
                f"auth=basic cannot carry this {option}: Basic authentication names no character set and sends "
                "ISO-8859-1, which has no place for some of its characters (for example typographic quotes); use "
                "auth=ntlm or kerberos, which carry Unicode"
            ) from None


def _kerberos_handler(principal: str | None, password: str | None) -> requests.auth.AuthBase:
    """HTTP Negotiate with Kerberos via requests-kerberos (0.15+), whose pyspnego backend needs python-gssapi.

    Without a password the ticket cache (kinit) is used; with one, a ticket is obtained for ``principal``.
    """
    try:
        from requests_kerberos import OPTIONAL, HTTPKerberosAuth
    except ImportError:
        raise CertsrvDependencyError(
            "auth=kerberos needs the Python package requests-kerberos: pip install 'requests-kerberos>=0.15' "
            "'pyspnego[kerberos]' (the Kerberos development headers must be installed, see bindep.txt)",
            package="requests-kerberos",
        ) from None
    if importlib.util.find_spec("gssapi") is None and importlib.util.find_spec("krb5") is None:
        raise CertsrvDependencyError(
            "auth=kerberos needs pyspnego's Kerberos support: pip install 'pyspnego[kerberos]' "
            "(the Kerberos development headers must be installed, see bindep.txt)",
            package="pyspnego[kerberos]",
        )
    handler: requests.auth.AuthBase = HTTPKerberosAuth(
        mutual_authentication=OPTIONAL, principal=principal or None, password=password or None
    )
    return handler


def _verify_option(validate_certs: bool, ca_path: str | None) -> bool | str:
    """What requests verifies the server with: False, ``ca_path`` (file or directory), or the system store."""
    if not validate_certs:
        return False
    if ca_path:
        if not os.path.exists(ca_path):
            raise CertsrvConfigurationError(f"ca_path {ca_path} does not exist")
        if not (os.path.isfile(ca_path) or os.path.isdir(ca_path)):  # a FIFO or device would hang or never end
            raise CertsrvConfigurationError(f"ca_path {ca_path} is neither a PEM file nor a directory of them")
        return ca_path
    paths = ssl.get_default_verify_paths()
    if paths.cafile and os.path.isfile(paths.cafile):
        return paths.cafile
    if paths.capath and os.path.isdir(paths.capath):
        return paths.capath
    return True


def _require_file(path: str, option: str) -> None:
    if not os.path.isfile(path):
        raise CertsrvConfigurationError(f"{option} {path} is not a file")


def _renewal(renewal: int) -> int:
    if isinstance(renewal, bool) or not isinstance(renewal, int) or renewal < 0:
        raise CertsrvConfigurationError(f"a CA renewal index is an integer from 0, not {renewal!r}")
    return renewal


def _cert_attrib(template: str, attributes: Mapping[str, str]) -> str:
    """``CertificateTemplate:<name>`` and ``Name:Value`` lines; line breaks would smuggle in other attributes."""
    if not template or _LINE_BREAK.search(template) or ":" in template:
        raise CertsrvConfigurationError(f"invalid certificate template name {template!r}")
    lines = [f"CertificateTemplate:{template}"]
    for name, value in attributes.items():
        if not name or ":" in name or _LINE_BREAK.search(name) or _LINE_BREAK.search(str(value)):
            raise CertsrvConfigurationError(
                f"invalid request attribute {name!r}: names take no ':', values no line break"
            )
        lines.append(f"{name}:{value}")
    return "\r\n".join(lines) + "\r\n"


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _text(response: requests.Response) -> str:
    """certsrv's ASP pages are UTF-8 (CODEPAGE=65001) even when the header names no charset."""
    has_charset = "charset=" in response.headers.get("Content-Type", "").lower()
    return response.text if has_charset else response.content.decode("utf-8", errors="replace")


def _plain_url(response: requests.Response) -> str:
    return response.url.split("?", 1)[0]


def _offered_schemes(response: requests.Response) -> tuple[str, ...]:
    """The scheme names of every WWW-Authenticate challenge (several headers, or one comma-joined header)."""
    raw = response.raw.headers.getlist("WWW-Authenticate") if hasattr(response.raw, "headers") else []
    values = raw or [response.headers.get("WWW-Authenticate", "")]
    schemes: list[str] = []
    for value in values:
        for scheme in re.findall(r"(?:^|,)\s*([A-Za-z][\w.-]*)(?=\s+[^\s=,]|\s*,|\s*$)", value):
            if scheme not in schemes:
                schemes.append(scheme)
    return tuple(schemes)


def _reason(exc: BaseException, timeout: float | None = None) -> str:
    """A short cause from a requests/urllib3 exception chain, without its long repr."""
    if isinstance(exc, requests.exceptions.Timeout):
        return f"no answer within {timeout:g} seconds" if timeout is not None else "timed out"
    text = str(exc)
    verify = re.search(r"certificate verify failed: ([^'\")(]+)", text)
    if verify:
        return f"TLS certificate verify failed: {verify.group(1).strip()}"
    if isinstance(exc, requests.exceptions.SSLError):
        found = re.search(r"\[SSL[^\]]*\] ([^'\")(]+)", text)
        return f"TLS handshake failed: {found.group(1).strip()}" if found else "TLS handshake failed"
    errno = re.search(r"\[Errno -?\d+\] ([^'\")(]+)", text)
    if errno:
        return errno.group(1).strip()
    if "RemoteDisconnected" in text or "Connection aborted" in text or "ConnectionResetError" in text:
        return "the server closed the connection without an answer"
    return type(exc).__name__
