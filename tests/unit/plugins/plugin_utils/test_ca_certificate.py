"""fetch_ca_certificate against a recording certsrv client, and against files (certificates from conftest's pki)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _ca_certificate
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import OptionError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._ca_certificate import (
    CaCertificateError,
    apply_mode,
    fetch_ca_certificate,
    file_mode,
    renewal_index,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import RenewalInfo
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import (
    CertificateError,
    fingerprint_sha256,
    thumbprint,
    to_pem,
    windows_name,
)
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from .conftest import NOW, Pki, make_cert, rsa_key

HTTP = "http://ca.contoso.lab/certsrv/"
HTTPS = "https://ca.contoso.lab/certsrv/"


class RecordingClient:
    """Stands in for CertsrvClient: serves renewals from a table and records every call."""

    renewals: dict[int, tuple[x509.Certificate, list[x509.Certificate]]] = {}
    current = RenewalInfo(index=0, found=True)
    calls: list[tuple[Any, ...]] = []
    warnings: tuple[str, ...] = ()

    def __init__(self, **options: Any) -> None:
        self.calls.append(("init", options))
        self.is_https = options["url"].startswith("https://")

    def __enter__(self) -> RecordingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append(("close",))

    def current_renewal(self) -> RenewalInfo:
        self.calls.append(("current_renewal",))
        return self.current

    def ca_certificate(self, renewal: int) -> x509.Certificate:
        self.calls.append(("ca_certificate", renewal))
        return self.renewals[renewal][0]

    def ca_chain(self, renewal: int) -> list[x509.Certificate]:
        self.calls.append(("ca_chain", renewal))
        return self.renewals[renewal][1]


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, pki: Pki) -> type[RecordingClient]:
    monkeypatch.setattr(RecordingClient, "calls", [])
    monkeypatch.setattr(RecordingClient, "warnings", ())
    monkeypatch.setattr(RecordingClient, "current", RenewalInfo(index=1, found=True))
    # certsrv-protocol.md: the .p7b order is not meaningful, so the chain is served root first.
    monkeypatch.setattr(
        RecordingClient,
        "renewals",
        {
            0: (pki.issuing.cert, [pki.root.cert, pki.issuing.cert]),
            1: (pki.issuing_renewed.cert, [pki.root.cert, pki.issuing_renewed.cert]),
        },
    )
    monkeypatch.setattr(_ca_certificate, "CertsrvClient", RecordingClient)
    return RecordingClient


def options(url: str = HTTP, *, validate_certs: bool = True) -> dict[str, Any]:
    return {
        "url": url,
        "auth": "ntlm",
        "username": "CONTOSO\\enroll",
        "password": "S3cret!",
        "validate_certs": validate_certs,
        "ca_path": None,
        "client_cert": None,
        "client_key": None,
        "timeout": 30,
        "retries": 3,
    }


def pin_of(pki: Pki, which: str, kind: str) -> str:
    cert = getattr(pki, which).cert
    return thumbprint(cert) if kind == "sha1" else fingerprint_sha256(cert)


@pytest.mark.parametrize(
    ("url", "validate_certs", "pins", "allow", "outcome"),
    [
        pytest.param(HTTP, True, [("issuing_renewed", "sha1")], False, "ok", id="http-pin-ca-sha1"),
        pytest.param(HTTP, True, [("issuing_renewed", "sha256")], False, "ok", id="http-pin-ca-sha256"),
        pytest.param(HTTP, True, [("root", "sha1")], False, "ok", id="http-pin-root-sha1"),
        pytest.param(HTTP, True, [("other_root", "sha1"), ("root", "sha256")], False, "ok", id="http-one-of-list"),
        pytest.param(HTTPS, True, [], False, "ok", id="https-validated"),
        pytest.param(HTTPS, True, [("issuing_renewed", "sha1")], False, "ok", id="https-and-pin"),
        pytest.param(HTTP, True, [], False, "unpinned_http", id="http-unpinned"),
        pytest.param(HTTPS, False, [], False, "unpinned_http", id="https-unvalidated-unpinned"),
        pytest.param(HTTP, True, [], True, "warn", id="http-allow-unpinned"),
        pytest.param(HTTP, True, [("issuing", "sha1")], False, "pin_mismatch", id="pin-of-old-renewal"),
        pytest.param(HTTP, True, [("other_root", "sha256")], False, "pin_mismatch", id="pin-of-same-name-root"),
        pytest.param(HTTPS, True, [("leaf", "sha1")], True, "pin_mismatch", id="pin-wins-over-https-and-allow"),
    ],
)
def test_authentication_rules(
    client: type[RecordingClient],
    pki: Pki,
    tmp_path: Path,
    url: str,
    validate_certs: bool,
    pins: Sequence[tuple[str, str]],
    allow: bool,
    outcome: str,
) -> None:
    dest = tmp_path / "ca.pem"
    expected = [pin_of(pki, which, kind) for which, kind in pins]
    call = {
        "client_options": options(url, validate_certs=validate_certs),
        "expected_thumbprint": expected,
        "allow_unpinned_http": allow,
        "dest": str(dest),
    }
    if outcome in ("ok", "warn"):
        result = fetch_ca_certificate(**call)
        assert result["thumbprint"] == thumbprint(pki.issuing_renewed.cert)
        assert result["root"]["thumbprint"] == thumbprint(pki.root.cert)
        assert dest.read_text() == to_pem(pki.issuing_renewed.cert)
        assert result["changed"] is True
        if outcome == "warn":
            assert any("allow_unpinned_http" in w and result["thumbprint"] in w for w in result["warnings"])
        else:
            assert result["warnings"] == []
        return
    with pytest.raises(CaCertificateError) as caught:
        fetch_ca_certificate(**call)
    error = caught.value
    assert error.reason == outcome
    assert not dest.exists()
    assert thumbprint(pki.issuing_renewed.cert) in error.message
    if outcome == "unpinned_http":
        assert "expected_thumbprint" in error.message and "allow_unpinned_http" in error.message
    else:
        assert all(pin in error.message for pin in expected)
        assert error.expected == tuple(expected)
        assert thumbprint(pki.root.cert) in error.actual


def test_current_renewal_and_chain(client: type[RecordingClient], pki: Pki) -> None:
    result = fetch_ca_certificate(client_options=options(HTTPS))
    assert client.calls[1:] == [("current_renewal",), ("ca_certificate", 1), ("ca_chain", 1), ("close",)]
    assert (result["renewal"], result["renewal_found"]) == (1, True)
    assert [(c["role"], c["thumbprint"]) for c in result["chain"]] == [
        ("intermediate", thumbprint(pki.issuing_renewed.cert)),
        ("root", thumbprint(pki.root.cert)),
    ]
    assert set(result["chain"][0]) == {"pem", "thumbprint", "subject", "issuer", "role", "not_after"}
    assert result["root"] == {
        "pem": to_pem(pki.root.cert),
        "thumbprint": thumbprint(pki.root.cert),
        "subject": windows_name(pki.root.cert.subject),
    }
    assert result["issuer"] == windows_name(pki.root.cert.subject)
    assert result["fingerprint_sha256"] == fingerprint_sha256(pki.issuing_renewed.cert)
    assert result["not_after"].endswith("Z") and result["dest"] is None and result["changed"] is False


def test_explicit_renewal_skips_certcarc(client: type[RecordingClient], pki: Pki) -> None:
    result = fetch_ca_certificate(client_options=options(HTTPS), renewal=0)
    assert ("current_renewal",) not in client.calls
    assert result["thumbprint"] == thumbprint(pki.issuing.cert)
    assert (result["renewal"], result["renewal_found"]) == (0, None)


def test_renewal_not_found_warns(client: type[RecordingClient], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RecordingClient, "current", RenewalInfo(index=0, found=False))
    result = fetch_ca_certificate(client_options=options(HTTPS))
    assert (result["renewal"], result["renewal_found"]) == (0, False)
    assert any("nRenewals" in warning for warning in result["warnings"])


def test_client_gets_the_options(client: type[RecordingClient]) -> None:
    given = options(HTTPS)
    fetch_ca_certificate(client_options=given)
    assert client.calls[0] == ("init", given)


def test_a_bundle_of_too_many_certificates_is_refused(pki: Pki) -> None:
    content = to_pem(pki.issuing.cert) * 65
    with pytest.raises(CaCertificateError, match="holds 65 certificates; a CA chain has at most 64"):
        fetch_ca_certificate(client_options=None, content=content)


@pytest.mark.parametrize(
    ("served", "pool", "reason"),
    [
        pytest.param("leaf", ["issuing", "root"], "not_ca", id="leaf-served-as-ca"),
        pytest.param("leaf", [], "not_ca", id="lone-leaf"),
        pytest.param("issuing", ["issuing"], "incomplete_chain", id="root-missing"),
        pytest.param("issuing", ["other_root"], "incomplete_chain", id="same-name-root-other-key"),
    ],
)
def test_refuses_what_is_not_a_ca_chain(
    client: type[RecordingClient], monkeypatch: pytest.MonkeyPatch, pki: Pki, served: str, pool: list[str], reason: str
) -> None:
    served_cert = getattr(pki, served).cert
    monkeypatch.setattr(RecordingClient, "renewals", {1: (served_cert, [getattr(pki, n).cert for n in pool])})
    with pytest.raises((CaCertificateError, CertificateError)) as caught:
        fetch_ca_certificate(client_options=options(HTTPS))
    assert caught.value.reason == reason


def test_refuses_an_expired_ca(client: type[RecordingClient], monkeypatch: pytest.MonkeyPatch, pki: Pki) -> None:
    expired = make_cert(
        "Contoso Issuing CA",
        key=rsa_key(),
        issuer=pki.root,
        ca=True,
        not_before=NOW - dt.timedelta(days=800),
        not_after=NOW - dt.timedelta(days=1),
    )
    monkeypatch.setattr(RecordingClient, "renewals", {1: (expired.cert, [pki.root.cert])})
    with pytest.raises(CaCertificateError) as caught:
        fetch_ca_certificate(client_options=options(HTTPS))
    assert caught.value.reason == "validity"
    assert thumbprint(expired.cert) in caught.value.message


def _bundle(pki: Pki, form: str) -> bytes:
    certs = [pki.root.cert, pki.issuing.cert]
    if form == "pem-chain":
        return "".join(to_pem(c) for c in certs).encode()
    if form == "der":
        return pki.issuing.cert.public_bytes(Encoding.DER)
    return pkcs7.serialize_certificates(certs, Encoding.DER)


@pytest.mark.parametrize("form", ["pem-chain", "der", "p7b"])
def test_path_sources(client: type[RecordingClient], pki: Pki, tmp_path: Path, form: str) -> None:
    source = tmp_path / f"ca.{form}"
    source.write_bytes(_bundle(pki, form))
    if form == "der":
        # A lone issuing CA certificate cannot reach its root: the chain must be complete.
        with pytest.raises(CertificateError):
            fetch_ca_certificate(client_options=None, path=str(source))
        return
    result = fetch_ca_certificate(client_options=None, path=str(source))
    assert result["thumbprint"] == thumbprint(pki.issuing.cert)
    assert [c["role"] for c in result["chain"]] == ["intermediate", "root"]
    assert (result["renewal"], result["renewal_found"]) == (None, None)
    assert client.calls == []


def test_content_source_of_a_root_ca(client: type[RecordingClient], pki: Pki) -> None:
    result = fetch_ca_certificate(client_options=None, content=to_pem(pki.root.cert))
    assert [c["role"] for c in result["chain"]] == ["root"]
    assert result["root"]["thumbprint"] == result["thumbprint"] == thumbprint(pki.root.cert)


def test_content_must_hold_one_chain(pki: Pki) -> None:
    with pytest.raises(CertificateError):
        fetch_ca_certificate(client_options=None, content=to_pem(pki.issuing.cert) + to_pem(pki.ec_issuing.cert))


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(OptionError) as caught:
        fetch_ca_certificate(client_options=None, path=str(tmp_path / "absent.pem"))
    assert caught.value.options == ("path",) and "absent.pem does not exist" in caught.value.message


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("directory", "is a directory, not a regular file"),
        ("fifo", "is a FIFO, not a regular file"),
        ("device", "is a character device, not a regular file"),
        ("huge", "is larger than 1048576 bytes"),
        ("unreadable", "cannot be read"),
    ],
)
def test_path_that_is_not_a_certificate_file(tmp_path: Path, kind: str, words: str) -> None:
    path = {"directory": tmp_path, "device": Path("/dev/zero")}.get(kind, tmp_path / "source")
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "huge":
        path.write_bytes(b"-" * (1024 * 1024 + 1))
    elif kind == "unreadable":
        path.write_text("x")
        path.chmod(0)
        if os.access(path, os.R_OK):
            pytest.skip("running as root: every file is readable")
    with pytest.raises(OptionError, match=words):
        fetch_ca_certificate(client_options=None, path=str(path))


def test_dest_idempotent_check_mode_and_diff(client: type[RecordingClient], pki: Pki, tmp_path: Path) -> None:
    dest = tmp_path / "chain.pem"
    chain_pem = to_pem(pki.issuing_renewed.cert) + to_pem(pki.root.cert)
    call = {"client_options": options(HTTPS), "chain": True, "dest": str(dest), "diff": True}

    checked = fetch_ca_certificate(**call, check_mode=True)
    assert checked["changed"] is True and not dest.exists()
    assert checked["diff"] == {"before_header": str(dest), "after_header": str(dest), "before": "", "after": chain_pem}

    first = fetch_ca_certificate(**call)
    assert first["changed"] is True and first["dest"] == str(dest)
    assert dest.read_text() == chain_pem
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644

    second = fetch_ca_certificate(**call)
    assert second["changed"] is False
    assert second["diff"]["before"] == second["diff"]["after"]

    mode_only = fetch_ca_certificate(**call, mode=0o600)
    assert mode_only["changed"] is True and stat.S_IMODE(dest.stat().st_mode) == 0o600

    symbolic = fetch_ca_certificate(**call, mode="g+r")
    assert symbolic["changed"] is True and stat.S_IMODE(dest.stat().st_mode) == 0o640
    assert fetch_ca_certificate(**call, mode="u=rw,g=r")["changed"] is False

    single = fetch_ca_certificate(**{**call, "chain": False}, mode=0o600, check_mode=True)
    assert single["changed"] is True and single["diff"]["before"] == chain_pem
    assert dest.read_text() == chain_pem
    assert [p.name for p in tmp_path.iterdir()] == ["chain.pem"]


def test_dest_directory_must_exist(client: type[RecordingClient], tmp_path: Path) -> None:
    with pytest.raises(CaCertificateError) as caught:
        fetch_ca_certificate(client_options=options(HTTPS), dest=str(tmp_path / "missing" / "ca.pem"))
    assert caught.value.reason == "dest"
    assert not os.path.exists(tmp_path / "missing")
    assert client.calls == [], "a dest that can never be written fails before anything is fetched"


def _special(tmp_path: Path, kind: str) -> Path:
    """A dest of ``kind`` that ca_certificate must never replace."""
    target = tmp_path / "special"
    if kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        return Path("/dev/null")
    elif kind in ("link-to-directory", "dangling-link"):
        if kind == "link-to-directory":
            (tmp_path / "dir").mkdir()
        target.symlink_to(tmp_path / "dir")
    elif kind == "link-to-device":
        target.symlink_to("/dev/null")
    return target


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("directory", "is a directory"),
        ("fifo", "is a FIFO"),
        ("device", "is a character device"),
        ("link-to-directory", "through the symbolic link"),
        ("link-to-device", r"^dest /dev/null \(through the symbolic link .*\) is a character device"),
        ("dangling-link", "is a symbolic link to"),
    ],
)
def test_dest_never_replaces_a_special_file(
    client: type[RecordingClient], tmp_path: Path, kind: str, words: str
) -> None:
    dest = _special(tmp_path, kind)
    before = os.lstat(dest)
    with pytest.raises(CaCertificateError, match=words) as caught:
        fetch_ca_certificate(client_options=options(HTTPS), dest=str(dest))
    assert caught.value.reason == "dest"
    after = os.lstat(dest)
    assert (after.st_mode, after.st_ino, after.st_mtime_ns) == (before.st_mode, before.st_ino, before.st_mtime_ns)
    assert client.calls == []


def test_dest_through_a_link_to_a_regular_file_writes_the_file(
    client: type[RecordingClient], pki: Pki, tmp_path: Path
) -> None:
    (tmp_path / "real.pem").write_text("old")
    (tmp_path / "link.pem").symlink_to(tmp_path / "real.pem")
    result = fetch_ca_certificate(client_options=options(HTTPS), dest=str(tmp_path / "link.pem"))
    assert result["changed"] is True and result["dest"] == str(tmp_path / "link.pem")
    assert (tmp_path / "link.pem").is_symlink()
    assert (tmp_path / "real.pem").read_text() == to_pem(pki.issuing_renewed.cert)


def test_a_mode_that_lets_others_write_warns(client: type[RecordingClient], tmp_path: Path) -> None:
    result = fetch_ca_certificate(client_options=options(HTTPS), dest=str(tmp_path / "ca.pem"), mode=0o666)
    assert any("0666" in w and "replace the CA certificate" in w for w in result["warnings"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [("current", None), ("Current ", None), (0, 0), ("3", 3), (2, 2)],
)
def test_renewal_index(value: object, expected: int | None) -> None:
    assert renewal_index(value) == expected


@pytest.mark.parametrize("value", ["latest", "-1", -2, True, "1.5", "10000", "9" * 5000, [1], None, 1.0])
def test_renewal_index_refuses(value: object) -> None:
    with pytest.raises((ValueError, TypeError)) as caught:
        renewal_index(value)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0644", 0o644), ("600", 0o600), ("0o640", 0o640), (0o640, 0o640), (420, 0o644), ("u=rw,g=r,o=r", "u=rw,g=r,o=r")],
)
def test_file_mode(value: object, expected: object) -> None:
    assert file_mode(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0999", "octal mode"),
        ("77777", "octal mode"),
        (-1, "not a file mode"),
        (None, "octal mode"),
        (True, "octal mode"),
        ("7777", "setuid, setgid or sticky"),
        (0o4755, "setuid, setgid or sticky"),
        (644, "decimal|octal 1204"),
        ("u+s", "setuid, setgid or sticky"),
        ("+t", "setuid, setgid or sticky"),
        ("u=rw;rm -rf", "octal mode"),
        ("\u2018u=rw\u2019", "octal mode"),
        ("0644\x00", "octal mode"),
        ("x" * 100000, "a 100000-character string"),
        ([0o644], "a list of 1 items"),
    ],
)
def test_file_mode_refuses(value: object, words: str) -> None:
    with pytest.raises((ValueError, TypeError), match=words) as caught:
        file_mode(value)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("mode", "current", "expected"),
    [
        (0o600, 0o644, 0o600),
        ("u=rw,g=r,o=r", None, 0o644),
        ("go-w", 0o666, 0o644),
        ("a+r", 0o600, 0o644),
        ("u+x", None, 0o100),
        ("a+X", 0o644, 0o644),
        ("a+X", 0o744, 0o755),
        ("=r", 0o777, 0o444),
        ("u=rw,go=", 0o644, 0o600),
    ],
)
def test_apply_mode(mode: object, current: int | None, expected: int) -> None:
    assert apply_mode(mode, current) == expected
