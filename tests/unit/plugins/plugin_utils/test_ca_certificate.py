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
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._ca_certificate import (
    CaCertificateError,
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
    with pytest.raises(CaCertificateError) as caught:
        fetch_ca_certificate(client_options=None, path=str(tmp_path / "absent.pem"))
    assert caught.value.reason == "source" and "absent.pem" in caught.value.message


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

    single = fetch_ca_certificate(**{**call, "chain": False}, mode=0o600, check_mode=True)
    assert single["changed"] is True and single["diff"]["before"] == chain_pem
    assert dest.read_text() == chain_pem
    assert [p.name for p in tmp_path.iterdir()] == ["chain.pem"]


def test_dest_directory_must_exist(client: type[RecordingClient], tmp_path: Path) -> None:
    with pytest.raises(CaCertificateError) as caught:
        fetch_ca_certificate(client_options=options(HTTPS), dest=str(tmp_path / "missing" / "ca.pem"))
    assert caught.value.reason == "dest"
    assert not os.path.exists(tmp_path / "missing")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("current", None), ("Current ", None), (0, 0), ("3", 3), (2, 2)],
)
def test_renewal_index(value: object, expected: int | None) -> None:
    assert renewal_index(value) == expected


@pytest.mark.parametrize("value", ["latest", "-1", -2, True, "1.5"])
def test_renewal_index_refuses(value: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        renewal_index(value)


@pytest.mark.parametrize(("value", "expected"), [("0644", 0o644), ("600", 0o600), (0o640, 0o640), (420, 0o644)])
def test_file_mode(value: object, expected: int) -> None:
    assert file_mode(value) == expected


@pytest.mark.parametrize("value", ["u+rw", "0999", "77777", -1, None, True])
def test_file_mode_refuses(value: object) -> None:
    with pytest.raises(CaCertificateError):
        file_mode(value)
