"""CertsrvClient against a loopback stub server (threads), with the lab's per-connection Basic/NTLM acceptor."""

from __future__ import annotations

import base64
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _certsrv as certsrv
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import (
    CertsrvAuthenticationError,
    CertsrvClient,
    CertsrvConfigurationError,
    CertsrvConnectionError,
    CertsrvDenied,
    CertsrvDependencyError,
    CertsrvPending,
    CertsrvUnexpectedPage,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.conftest import COLLECTIONS_ROOT
from tests.lab.httpauth import Account, ConnectionAuth, install_ntlm_users

from .conftest import Pki, ec_key, make_cert

DATA = Path(__file__).parent / "test_data" / "certsrv"
ACCOUNT = Account(domain="CONTOSO", user="enroll", password="Pa55-w0rd!unique")
WRONG = "Wr0ng-pa55!unique"
PEM = serialization.Encoding.PEM


def page(name: str) -> bytes:
    """Stored with LF (ansible-test's line-endings check), served with CRLF as IIS sends the ASP pages."""
    return (DATA / name).read_bytes().replace(b"\n", b"\r\n")


# -- stub server -----------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    content_type: str | None = "text/html"
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    drop: bool = False


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    headers: dict[str, str]
    connection: int


@dataclass
class Stub:
    """Routes ``(method, page)`` to replies; each reply is used once, the last one stays."""

    schemes: tuple[str, ...] = ()
    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    # Every request's headers as they arrived, before authentication, and every TCP connection accepted.
    received: list[dict[str, str]] = field(default_factory=list)
    connections: int = 0
    url: str = ""

    def on(self, method: str, page_name: str, *replies: Reply) -> None:
        self.routes[(method, page_name)] = list(replies)

    def reply(self, method: str, page_name: str) -> Reply:
        queue = self.routes.get((method, page_name))
        if not queue:
            return Reply(404, "text/html", b"<html><title>404 - File or directory not found.</title></html>")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def requests_to(self, page_name: str) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/" + page_name)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: NTLM authenticates the connection
    server: _Server

    def setup(self) -> None:
        super().setup()
        stub = self.server.stub
        stub.connections += 1
        self.auth = ConnectionAuth({"enroll": ACCOUNT}, stub.schemes, realm="ca.contoso.lab") if stub.schemes else None

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        self.server.stub.received.append(dict(self.headers.items()))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.auth is not None:
            result = self.auth.check(self.headers.get("Authorization"))
            if not result.ok:
                self.send_response(401)
                for name, value in [*result.headers, ("Content-Length", "0")]:
                    self.send_header(name, value)
                self.end_headers()
                return
        parts = urlsplit(self.path)
        stub = self.server.stub
        stub.seen.append(
            Seen(
                method,
                parts.path,
                parse_qs(parts.query),
                parse_qs(body.decode("utf-8")),
                dict(self.headers.items()),
                self.client_address[1],
            )
        )
        reply = stub.reply(method, parts.path.rsplit("/", 1)[-1])
        time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        # certsrv-protocol.md: what IIS adds to every certsrv answer
        self.send_header("Server", "Microsoft-IIS/8.5")
        self.send_header("Cache-Control", "private")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: Stub


@pytest.fixture(scope="module")
def ntlm_users(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    before = os.environ.get("NTLM_USER_FILE")
    install_ntlm_users(tmp_path_factory.mktemp("ntlm") / "users", [ACCOUNT])
    yield
    if before is None:
        os.environ.pop("NTLM_USER_FILE", None)
    else:
        os.environ["NTLM_USER_FILE"] = before


@pytest.fixture
def serve(ntlm_users: None) -> Iterator[Callable[..., Stub]]:
    servers: list[_Server] = []

    def start(*, schemes: tuple[str, ...] = (), tls: ssl.SSLContext | None = None) -> Stub:
        server = _Server(("127.0.0.1", 0), _Handler)
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        server.stub = Stub(schemes=schemes)
        scheme = "https" if tls else "http"
        server.stub.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/certsrv/"
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return server.stub

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def client(stub: Stub, **options: object) -> CertsrvClient:
    settings: dict[str, object] = {"url": stub.url, "auth": "none", "retries": 2, "backoff": 0.0, "timeout": 5}
    settings.update(options)
    return CertsrvClient(**settings)  # type: ignore[arg-type]


def cert_reply(cert, content_type: str = "application/pkix-cert") -> Reply:
    return Reply(body=cert.public_bytes(PEM).replace(b"\n", b"\r\n"), content_type=content_type)


def p7b_reply(certs) -> Reply:
    body = base64.b64encode(pkcs7.serialize_certificates(certs, serialization.Encoding.DER)).decode()
    armoured = "-----BEGIN CERTIFICATE-----\r\n" + "\r\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return Reply(
        body=(armoured + "\r\n-----END CERTIFICATE-----\r\n").encode(), content_type="application/x-pkcs7-certificates"
    )


CSR = "-----BEGIN NEW CERTIFICATE REQUEST-----\r\nMIIB\r\n-----END NEW CERTIFICATE REQUEST-----\r\n"


# -- URLs and options ------------------------------------------------------------------------------------------------

BASES = [
    ("http://ca.contoso.lab", "http://ca.contoso.lab/certsrv/"),
    ("http://ca.contoso.lab/", "http://ca.contoso.lab/certsrv/"),
    ("https://ca.contoso.lab/certsrv", "https://ca.contoso.lab/certsrv/"),
    ("HTTPS://ca.contoso.lab:8443/CertSrv/", "https://ca.contoso.lab:8443/CertSrv/"),
    ("http://ca.contoso.lab/pki/certsrv/", "http://ca.contoso.lab/pki/certsrv/"),
    ("  http://127.10.0.1:8080  ", "http://127.10.0.1:8080/certsrv/"),
]


@pytest.mark.parametrize(("given", "expected"), BASES)
def test_base_url(given: str, expected: str) -> None:
    assert certsrv.base_url(given) == expected


BAD_URLS = [
    ("", "empty"),
    ("ftp://ca.contoso.lab/certsrv", "must start with http:// or https://, not ftp://"),
    ("ca.contoso.lab/certsrv", "must start with http:// or https://, not no scheme"),
    ("http://enroll:Pa55-w0rd!unique@ca.contoso.lab/certsrv", "must not carry credentials"),
    ("http://ca.contoso.lab/certsrv/certcarc.asp?x=1", "query"),
    (f"http://ca.contoso.lab:99999/{ACCOUNT.password}/certsrv", "port of the AD CS URL, '99999', is not a number"),
    ("http://ca.contoso.lab:0/certsrv", "port .* '0'"),
    ("http://ca.contoso.lab:8o/certsrv", "port .* '8o'"),
    ("http://[::g]/certsrv", "cannot be read|not an IPv6 address"),
    ("http://[::1/certsrv", "cannot be read"),
    ("http://[::1]x/certsrv", "after its IPv6 address"),
    ("http://999.1.1.1/certsrv", "'999.1.1.1', is not a DNS name or an IP address"),
    ("http://-ca-/certsrv", "is not a DNS name"),
    ("http:///certsrv", "names no host"),
    ("http://ca contoso/certsrv", "white space or a control character"),
    ("http://ca.contoso.lab/cert\x00srv", "white space or a control character"),
    ("http://ca.contoso.lab/\ncertsrv", "white space or a control character"),
    ("http://ca.contoso.lab/" + "a" * 3000, "has 3022 characters; at most 2048"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(CertsrvConfigurationError, match=message) as info:
        CertsrvClient(url=url, auth="none")
    assert ACCOUNT.password not in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["https://[::1]:8443/certsrv", "http://[fe80::1%25eth0]/", "http://ca.münchen.lab/", "http://ca.contoso.lab.:80/"],
)
def test_unusual_urls_that_are_fine(url: str) -> None:
    assert certsrv.base_url(url).endswith("/certsrv/")


BAD_OPTIONS = [
    ({"auth": "ntlm", "username": "CONTOSO\\enroll"}, "needs both username and password"),
    ({"auth": "basic", "password": ACCOUNT.password}, "needs both username and password"),
    ({"auth": "kerberos", "password": ACCOUNT.password}, "needs the username"),
    ({"auth": "certificate"}, "needs client_cert"),
    ({"auth": "digest"}, "auth must be one of"),
    ({"auth": "none", "ca_path": "/nonexistent/ca.pem"}, "does not exist"),
    ({"auth": "none", "ca_path": "/dev/zero"}, "neither a PEM file nor a directory"),
    ({"auth": "none", "client_cert": "/nonexistent/cert.pem"}, "is not a file"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_bad_options(options: dict[str, str], message: str) -> None:
    with pytest.raises(CertsrvConfigurationError, match=message) as info:
        CertsrvClient(url="https://ca.contoso.lab", **options)  # type: ignore[arg-type]
    assert ACCOUNT.password not in str(info.value)


def test_kerberos_without_requests_kerberos(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "requests_kerberos", None)
    with pytest.raises(CertsrvDependencyError, match="pip install 'requests-kerberos") as info:
        CertsrvClient(url="http://ca.contoso.lab", auth="kerberos")
    assert info.value.package == "requests-kerberos"


def test_kerberos_without_gssapi(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests-kerberos imports without Kerberos support; the missing backend is named before any request."""
    import types

    fake = types.ModuleType("requests_kerberos")
    fake.OPTIONAL = 2  # type: ignore[attr-defined]
    fake.HTTPKerberosAuth = object  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "requests_kerberos", fake)
    monkeypatch.setitem(sys.modules, "gssapi", None)
    monkeypatch.setitem(sys.modules, "krb5", None)
    monkeypatch.setattr(certsrv.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CertsrvDependencyError, match=r"pyspnego\[kerberos\]") as info:
        CertsrvClient(url="http://ca.contoso.lab", auth="kerberos", username="enroll@CONTOSO.LAB")
    assert info.value.package == "pyspnego[kerberos]"


REQUEST_ERRORS = [
    (lambda c: c.ca_certificate(-1), "renewal index"),
    (lambda c: c.ca_chain(True), "renewal index"),
    (lambda c: c.retrieve(0), "positive integer"),
    (lambda c: c.submit(CSR, template="Web\r\nServer"), "template"),
    (lambda c: c.submit(CSR, template="Web:Server"), "template"),
    (lambda c: c.submit(CSR, template="WebServer", attributes={"SAN": "dns=a\r\nCertificateTemplate:Admin"}), "SAN"),
    (lambda c: c.submit(CSR, template="WebServer", attributes={"a:b": "c"}), "a:b"),
]


@pytest.mark.parametrize(("call", "message"), REQUEST_ERRORS)
def test_bad_requests_are_refused_before_sending(serve, call, message: str) -> None:
    stub = serve()
    with client(stub) as c, pytest.raises(CertsrvConfigurationError, match=message):
        call(c)
    assert stub.seen == []


# -- renewals and CA certificates ------------------------------------------------------------------------------------

RENEWAL_PAGES = [
    (page("certcarc_en.html"), certsrv.RenewalInfo(2, True)),
    (b"<script>var nRenewals = 4 ;</script>", certsrv.RenewalInfo(4, True)),
    (page("ca_down_en.html"), certsrv.RenewalInfo(0, False)),
]


@pytest.mark.parametrize(("body", "expected"), RENEWAL_PAGES)
def test_current_renewal(serve, body: bytes, expected) -> None:
    stub = serve()
    stub.on("GET", "certcarc.asp", Reply(body=body))
    with client(stub) as c:
        assert c.current_renewal() == expected


def test_current_renewal_404_is_an_unexpected_page(serve) -> None:
    stub = serve()
    with client(stub) as c, pytest.raises(CertsrvUnexpectedPage) as info:
        c.current_renewal()
    assert info.value.status == 404
    assert "404 - File or directory not found." in str(info.value)
    assert len(stub.seen) == 1  # a 4xx is never retried


def test_ca_certificate_and_chain(serve, pki: Pki) -> None:
    stub = serve()
    stub.on("GET", "certnew.cer", cert_reply(pki.issuing_renewed.cert))
    stub.on("GET", "certnew.p7b", p7b_reply([pki.root.cert, pki.issuing_renewed.cert]))
    with client(stub) as c:
        assert c.ca_certificate(1) == pki.issuing_renewed.cert
        assert sorted(x.serial_number for x in c.ca_chain(1)) == sorted(
            x.serial_number for x in (pki.root.cert, pki.issuing_renewed.cert)
        )
    cer, p7b = stub.requests_to("certnew.cer")[0], stub.requests_to("certnew.p7b")[0]
    assert cer.query == {"ReqID": ["CACert"], "Renewal": ["1"], "Enc": ["b64"]}
    assert p7b.query == {"ReqID": ["CACert"], "Renewal": ["1"], "Enc": ["b64"]}
    assert cer.headers["User-Agent"].startswith("Mozilla/5.0 (Windows NT")
    assert cer.connection == p7b.connection  # one keep-alive session for the whole run


CONTENT_TYPE_ERRORS = [
    (Reply(content_type="application/octet-stream", body=b"\x30\x00"), "expected application/pkix-cert"),
    (Reply(content_type=None, body=b"x"), "no Content-Type"),
    (Reply(content_type="application/pkix-cert", body=b"<html>oops</html>"), "body is not readable"),
    (Reply(body=page("login_proxy.html")), "Your session has expired"),
    (
        Reply(status=302, content_type="text/html", headers=(("Location", "https://sso.contoso.lab/login"),)),
        "(HTTP 302, text/html): redirected to https://sso.contoso.lab/login",
    ),
]


@pytest.mark.parametrize(("reply", "message"), CONTENT_TYPE_ERRORS)
def test_ca_certificate_content_checks(serve, reply: Reply, message: str) -> None:
    stub = serve()
    stub.on("GET", "certnew.cer", reply)
    with client(stub) as c, pytest.raises(CertsrvUnexpectedPage, match=re.escape(message)):
        c.ca_certificate(0)


def test_ca_certificate_with_two_certificates_is_unexpected(serve, pki: Pki) -> None:
    stub = serve()
    body = pki.root.cert.public_bytes(PEM) + pki.issuing.cert.public_bytes(PEM)
    stub.on("GET", "certnew.cer", Reply(content_type="application/pkix-cert", body=body))
    with client(stub) as c, pytest.raises(CertsrvUnexpectedPage, match="2 certificates instead of one"):
        c.ca_certificate(0)


# -- submit and retrieve ---------------------------------------------------------------------------------------------

ISSUED_PAGES = [("issued_en.html", 17), ("issued_ie.html", 18), ("issued_de.html", 19)]


@pytest.mark.parametrize(("name", "request_id"), ISSUED_PAGES)
def test_submit_issued(serve, pki: Pki, name: str, request_id: int) -> None:
    stub = serve()
    stub.on("POST", "certfnsh.asp", Reply(body=page(name)))
    stub.on("GET", "certnew.cer", cert_reply(pki.leaf.cert, "application/pkix-cert; charset=binary"))
    with client(stub) as c:
        enrollment = c.submit(CSR.encode(), template="WebServer", attributes={"SAN": "dns=exch2010&dns=exch2010.lab"})
    assert enrollment == certsrv.Enrollment(request_id, pki.leaf.cert)
    form = stub.requests_to("certfnsh.asp")[0].form
    assert form["Mode"] == ["newreq"]
    assert form["CertRequest"] == [CSR]
    assert form["CertAttrib"] == ["CertificateTemplate:WebServer\r\nSAN:dns=exch2010&dns=exch2010.lab\r\n"]
    assert form["TargetStoreFlags"] == ["0"] and form["SaveCert"] == ["yes"]
    assert form["FriendlyType"][0].startswith("Saved-Request Certificate")
    assert stub.requests_to("certnew.cer")[0].query == {"ReqID": [str(request_id)], "Enc": ["b64"]}


PENDING = [
    (Reply(body=page("pending_en.html")), 21),
    (Reply(body=page("pending_de.html"), content_type="text/html"), 22),
    (Reply(body=page("pending_en.html"), content_type="text/html; charset=utf-8"), 21),
    (
        Reply(
            body="<html><title>Zertifikat ausstehend</title><p>Bitte später wiederkommen.</p></html>".encode(),
            headers=(("Set-Cookie", "Requests=%5B40%2C0%2Cyes%2CSaved-Request+Certificate%5D; path=/certsrv"),),
        ),
        40,
    ),
]


@pytest.mark.parametrize(("reply", "request_id"), PENDING)
def test_submit_pending(serve, reply: Reply, request_id: int) -> None:
    stub = serve()
    stub.on("POST", "certfnsh.asp", reply)
    with client(stub) as c, pytest.raises(CertsrvPending) as info:
        c.submit(CSR, template="WebServer")
    assert info.value.request_id == request_id
    assert str(request_id) in str(info.value)
    assert len(stub.seen) == 1


DENIED = [
    ("denied_en.html", 23, "0x80094800", "NoSuchTemplate"),
    ("denied_de.html", 24, "0x80094800", "NoSuchTemplate"),
    ("denied_parse_en.html", 25, "0x8009310b", "Error Parsing Request"),
]


@pytest.mark.parametrize(("name", "request_id", "code", "words"), DENIED)
def test_submit_denied_is_not_retried(serve, name: str, request_id: int, code: str, words: str) -> None:
    stub = serve()
    stub.on("POST", "certfnsh.asp", Reply(body=page(name)))
    with client(stub, retries=3) as c, pytest.raises(CertsrvDenied) as info:
        c.submit(CSR, template="NoSuchTemplate")
    assert (info.value.request_id, info.value.code) == (request_id, code)
    assert words in (info.value.disposition_message or "")
    assert code in str(info.value)
    assert len(stub.seen) == 1


RETRIEVE = [
    ("fetch_pending_en.html", CertsrvPending, "holds request 77"),
    ("fetch_pending_plain.html", CertsrvPending, "holds request 77"),
    ("fetch_denied_en.html", CertsrvDenied, "Denied by CONTOSO\\caadmin"),
    ("fetch_denied_de.html", CertsrvDenied, "0x80094014"),
    ("fetch_unknown_en.html", CertsrvUnexpectedPage, "The requested property value is empty"),
]


@pytest.mark.parametrize(("name", "error", "message"), RETRIEVE)
def test_retrieve_error_pages(serve, name: str, error: type[Exception], message: str) -> None:
    stub = serve()
    stub.on("GET", "certnew.cer", Reply(body=page(name)))
    with client(stub) as c, pytest.raises(error) as info:
        c.retrieve(77)
    assert message in str(info.value)
    if isinstance(info.value, (CertsrvPending, CertsrvDenied)):
        assert info.value.request_id == 77
    if isinstance(info.value, CertsrvUnexpectedPage):
        assert info.value.status == 200 and info.value.status_lines[0] == "Error"


def test_retrieve_issued(serve, pki: Pki) -> None:
    stub = serve()
    stub.on("GET", "certnew.cer", cert_reply(pki.leaf.cert))
    with client(stub) as c:
        assert c.retrieve(5) == pki.leaf.cert


# -- retries, faults, timeouts ---------------------------------------------------------------------------------------


def test_5xx_is_retried_with_exponential_backoff(serve, pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(CertsrvClient, "_sleep", staticmethod(sleeps.append))
    stub = serve()
    error = Reply(status=500, body=b"<html><title>500 - Internal server error.</title></html>")
    stub.on("GET", "certnew.cer", error, Reply(status=503, content_type=None), cert_reply(pki.root.cert))
    with client(stub, retries=3, backoff=0.5) as c:
        assert c.ca_certificate(0) == pki.root.cert
    assert sleeps == [0.5, 1.0]
    assert len(stub.seen) == 3


def test_5xx_until_the_retries_run_out(serve) -> None:
    stub = serve()
    stub.on("GET", "certcarc.asp", Reply(status=500, body=b"<html><title>500 - Internal server error.</title></html>"))
    with client(stub, retries=2) as c, pytest.raises(CertsrvUnexpectedPage) as info:
        c.current_renewal()
    assert info.value.status == 500
    assert "500 - Internal server error." in str(info.value)
    assert len(stub.seen) == 3


def test_submit_5xx_is_retried(serve, pki: Pki) -> None:
    stub = serve()
    stub.on("POST", "certfnsh.asp", Reply(status=503, content_type=None), Reply(body=page("issued_en.html")))
    stub.on("GET", "certnew.cer", cert_reply(pki.leaf.cert))
    with client(stub) as c:
        assert c.submit(CSR, template="WebServer").request_id == 17
    assert len(stub.requests_to("certfnsh.asp")) == 2


def test_dropped_connection_is_retried(serve, pki: Pki) -> None:
    stub = serve()
    stub.on("GET", "certnew.cer", Reply(drop=True), cert_reply(pki.root.cert))
    with client(stub) as c:
        assert c.ca_certificate(0) == pki.root.cert
    assert len(stub.seen) == 2


def test_dropped_every_time(serve) -> None:
    stub = serve()
    stub.on("GET", "certcarc.asp", Reply(drop=True))
    with client(stub, retries=1) as c, pytest.raises(CertsrvConnectionError) as info:
        c.current_renewal()
    assert info.value.attempts == 2
    assert "closed the connection" in info.value.reason
    assert "(after 2 attempts)" in str(info.value)


def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the client connects
    c = CertsrvClient(url=f"http://127.0.0.1:{port}", auth="none", retries=2, backoff=0)
    with c, pytest.raises(CertsrvConnectionError) as info:
        c.current_renewal()
    assert info.value.attempts == 3
    assert "refused" in info.value.reason.lower()


def test_slow_get_is_retried_then_succeeds(serve, pki: Pki) -> None:
    stub = serve()
    stub.on("GET", "certnew.cer", Reply(delay=0.6, body=b""), cert_reply(pki.root.cert))
    with client(stub, timeout=0.2) as c:
        assert c.ca_certificate(0) == pki.root.cert


def test_slow_get_times_out(serve) -> None:
    stub = serve()
    stub.on("GET", "certcarc.asp", Reply(delay=0.5))
    with client(stub, timeout=0.15, retries=1) as c, pytest.raises(CertsrvConnectionError) as info:
        c.current_renewal()
    assert info.value.reason == "no answer within 0.15 seconds"
    assert info.value.attempts == 2


def test_slow_submit_is_not_resent(serve) -> None:
    """The CA may have filed the request: a second POST would file it twice."""
    stub = serve()
    stub.on("POST", "certfnsh.asp", Reply(delay=0.5, body=page("issued_en.html")))
    with client(stub, timeout=0.15, retries=3) as c, pytest.raises(CertsrvConnectionError) as info:
        c.submit(CSR, template="WebServer")
    assert info.value.attempts == 1
    assert len(stub.seen) == 1


# -- authentication --------------------------------------------------------------------------------------------------

GOOD_LOGINS = [
    ({"auth": "ntlm", "username": "CONTOSO\\enroll"}, ("ntlm",)),
    ({"auth": "ntlm", "username": "contoso\\ENROLL"}, ("ntlm", "basic")),
    ({"auth": "basic", "username": "CONTOSO\\enroll", "allow_insecure_basic": True}, ("basic",)),
    ({"auth": "basic", "username": "enroll", "allow_insecure_basic": True}, ("ntlm", "basic")),
]


@pytest.mark.parametrize(("options", "schemes"), GOOD_LOGINS)
def test_authentication(serve, pki: Pki, options: dict[str, str], schemes: tuple[str, ...]) -> None:
    stub = serve(schemes=schemes)
    stub.on("GET", "certnew.cer", cert_reply(pki.issuing.cert))
    stub.on("GET", "certcarc.asp", Reply(body=page("certcarc_en.html")))
    with client(stub, password=ACCOUNT.password, **options) as c:
        assert c.current_renewal().index == 2
        assert c.ca_certificate(2) == pki.issuing.cert
        assert c.ca_certificate(1) == pki.issuing.cert
    assert len({s.connection for s in stub.seen}) == 1
    if options["auth"] == "ntlm":
        # NTLM authenticated the connection once; later requests ride on it
        assert "Authorization" in stub.seen[0].headers
        assert all("Authorization" not in s.headers for s in stub.seen[1:])


BAD_LOGINS = [
    (
        {"auth": "ntlm", "username": "CONTOSO\\enroll", "password": WRONG},
        ("ntlm", "basic"),
        ("Negotiate", "NTLM", "Basic"),
    ),
    (
        {"auth": "basic", "username": "CONTOSO\\enroll", "password": WRONG, "allow_insecure_basic": True},
        ("basic",),
        ("Basic",),
    ),
    (
        {"auth": "basic", "username": "CONTOSO\\enroll", "password": ACCOUNT.password, "allow_insecure_basic": True},
        ("ntlm",),
        ("Negotiate", "NTLM"),
    ),
    ({"auth": "ntlm", "username": "CONTOSO\\enroll", "password": ACCOUNT.password}, ("basic",), ("Basic",)),
    ({"auth": "none"}, ("ntlm",), ("Negotiate", "NTLM")),
]


@pytest.mark.parametrize(("options", "schemes", "offered"), BAD_LOGINS)
def test_authentication_failures(serve, options: dict[str, str], schemes, offered) -> None:
    stub = serve(schemes=schemes)
    stub.on("GET", "certcarc.asp", Reply(body=page("certcarc_en.html")))
    c = client(stub, retries=3, **options)
    with c, pytest.raises(CertsrvAuthenticationError) as info:
        c.current_renewal()
    error = info.value
    assert (error.status, error.offered, error.auth) == (401, offered, options["auth"])
    assert ", ".join(offered) in str(error)
    for secret in (WRONG, ACCOUNT.password):
        assert secret not in str(error) and secret not in repr(error) and secret not in repr(c)
        assert secret not in repr(vars(error))
    assert stub.seen == []  # never served, never retried


# -- credentials never in the clear (docs/security.md) ---------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https-unvalidated"])
def test_basic_where_it_could_be_read_is_refused_before_any_request(
    serve, tls_files: dict[str, Path], scheme: str
) -> None:
    stub = serve(schemes=("basic",), tls=tls_context(tls_files) if scheme != "http" else None)
    stub.on("GET", "certcarc.asp", Reply(body=page("certcarc_en.html")))
    with pytest.raises(certsrv.CertsrvInsecureTransport) as info:
        client(stub, auth="basic", username="enroll", password=ACCOUNT.password, validate_certs=scheme == "http")
    message = str(info.value)
    assert "allow_insecure_basic" in message and "nothing was sent" in message
    assert ("plain http" if scheme == "http" else "validate_certs false") in message
    assert ACCOUNT.password not in message
    assert (stub.connections, stub.received) == (0, [])


def test_basic_over_validated_https_is_used_without_warning(serve, pki: Pki, tls_files: dict[str, Path]) -> None:
    stub = serve(schemes=("basic",), tls=tls_context(tls_files))
    stub.on("GET", "certnew.cer", cert_reply(pki.issuing.cert))
    options = {"auth": "basic", "username": "enroll", "password": ACCOUNT.password}
    with client(stub, ca_path=str(tls_files["bundle"]), **options) as c:
        assert c.warnings == ()
        assert c.ca_certificate(0) == pki.issuing.cert
    assert all(headers["Authorization"].startswith("Basic ") for headers in stub.received)


def test_allow_insecure_basic_sends_it_and_warns(serve, pki: Pki) -> None:
    stub = serve(schemes=("basic",))
    stub.on("GET", "certnew.cer", cert_reply(pki.issuing.cert))
    options = {"auth": "basic", "username": "enroll", "password": ACCOUNT.password, "allow_insecure_basic": True}
    with client(stub, **options) as c:
        [warning] = c.warnings
        assert c.ca_certificate(0) == pki.issuing.cert
    assert "allow_insecure_basic is true" in warning and "plain http" in warning
    assert ACCOUNT.password not in warning
    assert stub.received and all("Authorization" in headers for headers in stub.received)


@pytest.mark.parametrize(
    ("url", "warned"),
    [("http://ca.contoso.lab/certsrv", True), ("https://ca.contoso.lab/certsrv", False)],
)
def test_ntlm_over_plain_http_warns_that_it_can_be_relayed(url: str, warned: bool) -> None:
    with CertsrvClient(url=url, auth="ntlm", username="CONTOSO\\enroll", password=ACCOUNT.password) as c:
        warnings = c.warnings
    assert bool(warnings) is warned
    if warned:
        assert "relay" in warnings[0] and "Extended Protection" in warnings[0] and "https" in warnings[0]


def test_client_certificate_needs_https() -> None:
    with pytest.raises(certsrv.CertsrvInsecureTransport, match="https ca_url"):
        CertsrvClient(url="http://ca.contoso.lab", auth="certificate", client_cert="/nonexistent.pem")


def test_forbidden(serve) -> None:
    stub = serve()
    stub.on("GET", "certcarc.asp", Reply(status=403, body=b"<html><title>403 - Forbidden: Access is denied.</title>"))
    with client(stub) as c, pytest.raises(CertsrvAuthenticationError, match="HTTP 403") as info:
        c.current_renewal()
    assert info.value.status == 403 and info.value.offered == ()


# -- TLS -------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_files(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Server and client certificates issued by the fixture CA, written where ssl and requests read them."""
    directory = tmp_path_factory.mktemp("tls")
    server = make_cert(
        "ca.contoso.lab",
        key=ec_key(),
        issuer=pki.issuing,
        dns=["ca.contoso.lab"],
        ips=["127.0.0.1"],
        eku=[ExtendedKeyUsageOID.SERVER_AUTH],
    )
    user = make_cert("enroll", key=ec_key(), issuer=pki.issuing, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    files = {
        "bundle": pki.root.cert.public_bytes(PEM) + pki.issuing.cert.public_bytes(PEM),
        "server": server.cert.public_bytes(PEM) + pki.issuing.cert.public_bytes(PEM),
        "server_key": server.key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        "client": user.cert.public_bytes(PEM),
        "client_key": user.key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        "other_bundle": pki.ec_root.cert.public_bytes(PEM),
    }
    paths = {}
    for name, content in files.items():
        paths[name] = directory / f"{name}.pem"
        paths[name].write_bytes(content)
    return paths


def tls_context(files: dict[str, Path], *, client_certificates: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files["server"], files["server_key"])
    if client_certificates:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(files["bundle"])
    return context


def test_https_with_ca_path(serve, pki: Pki, tls_files: dict[str, Path]) -> None:
    stub = serve(schemes=("ntlm",), tls=tls_context(tls_files))
    stub.on("GET", "certnew.cer", cert_reply(pki.issuing.cert))
    options = {"auth": "ntlm", "username": "CONTOSO\\enroll", "password": ACCOUNT.password}
    with client(stub, ca_path=str(tls_files["bundle"]), **options) as c:
        assert c.is_https
        assert c.ca_certificate(0) == pki.issuing.cert


TLS_FAILURES = [
    ({}, "certificate verify failed"),  # the system store does not know the fixture CA
    ({"ca_path": "other_bundle"}, "certificate verify failed"),
]


@pytest.mark.parametrize(("options", "reason"), TLS_FAILURES)
def test_https_validation_failures_are_not_retried(serve, tls_files, options: dict[str, str], reason: str) -> None:
    stub = serve(tls=tls_context(tls_files))
    settings = {k: str(tls_files[v]) for k, v in options.items()}
    with client(stub, retries=3, **settings) as c, pytest.raises(CertsrvConnectionError) as info:
        c.current_renewal()
    assert reason in info.value.reason
    assert info.value.attempts == 1


def test_https_without_validation(serve, tls_files: dict[str, Path], recwarn: pytest.WarningsRecorder) -> None:
    stub = serve(tls=tls_context(tls_files))
    stub.on("GET", "certcarc.asp", Reply(body=page("certcarc_en.html")))
    with client(stub, validate_certs=False) as c:
        assert c.current_renewal().index == 2
    assert not [w for w in recwarn if "Unverified HTTPS" in str(w.message)]


def test_client_certificate(serve, pki: Pki, tls_files: dict[str, Path]) -> None:
    stub = serve(tls=tls_context(tls_files, client_certificates=True))
    stub.on("GET", "certnew.cer", cert_reply(pki.root.cert))
    options = {"client_cert": str(tls_files["client"]), "client_key": str(tls_files["client_key"])}
    with client(stub, auth="certificate", ca_path=str(tls_files["bundle"]), **options) as c:
        assert c.ca_certificate(0) == pki.root.cert
    c = client(stub, auth="none", ca_path=str(tls_files["bundle"]), retries=0)
    with c, pytest.raises(CertsrvConnectionError):
        c.ca_certificate(0)


def test_without_requests_the_message_says_what_to_install() -> None:
    """ansible-test imports plugins without requests; creating a client then names the packages."""
    code = (
        "import sys\n"
        "sys.modules['requests'] = None\n"
        "from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _certsrv\n"
        "try:\n"
        "    _certsrv.CertsrvClient(url='http://ca.contoso.lab', auth='none')\n"
        "except _certsrv.CertsrvDependencyError as error:\n"
        "    print(_certsrv.HAS_REQUESTS, error.package, error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(COLLECTIONS_ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.startswith("False requests "), done.stderr
    assert "pip install requests requests-ntlm" in done.stdout


@pytest.mark.parametrize(("username", "password"), [("enroll", "pw-\u2018quoted\u2019"), ("\u65e5\u672c", "pw")])
def test_basic_refuses_what_iso_8859_1_cannot_carry(username: str, password: str) -> None:
    with pytest.raises(CertsrvConfigurationError, match="Basic authentication names no character set") as info:
        CertsrvClient(url="https://ca.contoso.lab", auth="basic", username=username, password=password)
    assert password not in str(info.value)


def test_basic_sends_latin_1(serve, pki: Pki, tls_files: dict[str, Path]) -> None:
    stub = serve(tls=tls_context(tls_files))
    stub.on("GET", "certnew.cer", cert_reply(pki.issuing.cert))
    options = {"auth": "basic", "username": "m\u00fcller", "password": "caf\u00e9"}
    with client(stub, ca_path=str(tls_files["bundle"]), **options) as c:
        c.ca_certificate(0)
    assert (
        stub.received[0]["Authorization"]
        == "Basic " + base64.b64encode("m\u00fcller:caf\u00e9".encode("latin-1")).decode()
    )
