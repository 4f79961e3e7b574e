"""Per-connection authentication: the logon name forms Windows accepts over NTLM and Basic, and the ones it refuses;
Extended Protection (RFC 5929 tls-server-end-point bindings) over TLS."""

from __future__ import annotations

import base64
import datetime
import hashlib
import struct
from pathlib import Path
from typing import Union

import pytest
import spnego
import spnego._ntlm
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID, SignatureAlgorithmOID

from tests.lab.httpauth import (
    Account,
    AuthResult,
    ChannelBindingError,
    ConnectionAuth,
    tls_channel_bindings,
    tls_server_end_point,
)

PrivateKey = Union[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey]
DER = serialization.Encoding.DER

ACCEPTED = ["CONTOSO\\enroll", "contoso\\ENROLL", "enroll", "enroll@contoso.lab", "Enroll@CONTOSO.LAB"]
REFUSED = ["enroll@contoso", "enroll@fabrikam.lab", "FABRIKAM\\enroll", "administrator@contoso.lab", "nobody"]


def _fields(message: bytes, offset: int) -> str:
    """A UTF-16 string field of an NTLM message (MS-NLMP 2.2.1.3: length, max length, payload offset)."""
    length, _max_length, start = struct.unpack_from("<HHI", message, offset)
    return message[start : start + length].decode("utf-16-le")


def _ntlm_logon(auth: ConnectionAuth, logon: str, password: str) -> tuple[bool, str, str, str | None]:
    """Run the NTLM exchange; the AUTHENTICATE message's domain and user name as sent, and the outcome."""
    client = spnego.client(logon, password, protocol="ntlm")
    challenge = auth.check("NTLM " + base64.b64encode(client.step() or b"").decode())
    assert not challenge.ok
    (header,) = [value for name, value in challenge.headers if name == "WWW-Authenticate"]
    authenticate = client.step(base64.b64decode(header.split(" ", 1)[1])) or b""
    result = auth.check("NTLM " + base64.b64encode(authenticate).decode())
    return result.ok, _fields(authenticate, 28), _fields(authenticate, 36), result.principal


@pytest.mark.parametrize("logon", ACCEPTED + REFUSED)
def test_ntlm_logon_names(logon: str, lab_accounts: dict[str, Account], ntlm_users: Path) -> None:
    account = lab_accounts["enroll"]
    ok, domain, user, principal = _ntlm_logon(ConnectionAuth(lab_accounts, ["ntlm"]), logon, account.password)
    if "@" in logon:
        assert (domain, user) == ("", logon)  # a UPN travels whole as the user name, with an empty domain
    assert ok is (logon in ACCEPTED)
    assert principal == ("CONTOSO\\enroll" if logon in ACCEPTED else None)


def test_ntlm_upn_with_a_wrong_password_is_refused(lab_accounts: dict[str, Account], ntlm_users: Path) -> None:
    ok, _domain, _user, principal = _ntlm_logon(ConnectionAuth(lab_accounts, ["ntlm"]), "enroll@contoso.lab", "wrong")
    assert (ok, principal) == (False, None)


@pytest.mark.parametrize("logon", ACCEPTED + REFUSED)
def test_basic_logon_names(logon: str, lab_accounts: dict[str, Account]) -> None:
    token = base64.b64encode(f"{logon}:{lab_accounts['enroll'].password}".encode()).decode()
    result = ConnectionAuth(lab_accounts, ["basic"], realm="ca").check(f"Basic {token}")
    assert result.ok is (logon in ACCEPTED)
    assert result.principal == ("CONTOSO\\enroll" if logon in ACCEPTED else None)


def test_the_ntlm_user_file_has_a_upn_line_per_account(lab_ntlm_file: Path, lab_accounts: dict[str, Account]) -> None:
    lines = lab_ntlm_file.read_text(encoding="utf-8").splitlines()
    for account in lab_accounts.values():
        assert f":{account.user}@contoso.lab:{account.password}" in lines


# -- Extended Protection: the tls-server-end-point value ----------------------------------------------------------

SIGNING_HASHES: dict[str, hashes.HashAlgorithm] = {
    "md5": hashes.MD5(),
    "sha1": hashes.SHA1(),
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def _self_signed(key: PrivateKey, hash_algorithm: hashes.HashAlgorithm | None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca.contoso.lab")])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    return builder.sign(key, hash_algorithm)


def _oid_der(oid: x509.ObjectIdentifier) -> bytes:
    """The DER encoding of an OBJECT IDENTIFIER (X.690 8.19)."""
    first, second, *rest = (int(part) for part in oid.dotted_string.split("."))
    body = bytes([40 * first + second])
    for arc in rest:
        groups = [arc & 0x7F]
        while arc := arc >> 7:
            groups.append(0x80 | (arc & 0x7F))
        body += bytes(reversed(groups))
    return bytes([0x06, len(body)]) + body


def _legacy_signed(key: rsa.RSAPrivateKey, hash_algorithm: hashes.HashAlgorithm) -> x509.Certificate:
    """A certificate really signed with RSA and MD5 or SHA-1, which cryptography's builder no longer makes: a SHA-256
    certificate whose signature algorithm OIDs (inside tbsCertificate and outside) and signature are replaced."""
    legacy_oids = {"md5": SignatureAlgorithmOID.RSA_WITH_MD5, "sha1": SignatureAlgorithmOID.RSA_WITH_SHA1}
    modern = _self_signed(key, hashes.SHA256())
    der = modern.public_bytes(serialization.Encoding.DER)
    der = der.replace(_oid_der(SignatureAlgorithmOID.RSA_WITH_SHA256), _oid_der(legacy_oids[hash_algorithm.name]))
    tbs = x509.load_der_x509_certificate(der).tbs_certificate_bytes
    signature = key.sign(tbs, padding.PKCS1v15(), hash_algorithm)
    assert der.endswith(modern.signature) and len(signature) == len(modern.signature)
    cert = x509.load_der_x509_certificate(der[: -len(signature)] + signature)
    key.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hash_algorithm)
    return cert


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    ("signature_hash", "end_point_hash"),
    [("md5", "sha256"), ("sha1", "sha256"), ("sha256", "sha256"), ("sha384", "sha384"), ("sha512", "sha512")],
)
def test_tls_server_end_point_hash_rule(rsa_key: rsa.RSAPrivateKey, signature_hash: str, end_point_hash: str) -> None:
    """RFC 5929 4.1: the hash of the certificate's signature algorithm; MD5 and SHA-1 become SHA-256."""
    algorithm = SIGNING_HASHES[signature_hash]
    legacy = signature_hash in ("md5", "sha1")
    cert = _legacy_signed(rsa_key, algorithm) if legacy else _self_signed(rsa_key, algorithm)
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name == signature_hash
    expected = b"tls-server-end-point:" + hashlib.new(end_point_hash, cert.public_bytes(DER)).digest()
    assert tls_server_end_point(cert) == expected
    assert tls_channel_bindings(cert).application_data == expected


def test_tls_server_end_point_of_an_ecdsa_certificate() -> None:
    cert = _self_signed(ec.generate_private_key(ec.SECP384R1()), hashes.SHA384())
    assert tls_server_end_point(cert) == b"tls-server-end-point:" + hashlib.sha384(cert.public_bytes(DER)).digest()


def test_tls_server_end_point_is_undefined_without_a_single_hash() -> None:
    cert = _self_signed(ed25519.Ed25519PrivateKey.generate(), None)
    with pytest.raises(ChannelBindingError) as refused:
        tls_server_end_point(cert)
    assert refused.value.signature_algorithm == "1.3.101.112"  # id-Ed25519 (RFC 8410)


# -- Extended Protection: NTLM logons over a TLS channel ----------------------------------------------------------

CLIENTS = ["bindings", "no bindings", "other certificate", "zero bindings", "ntlmv1"]


@pytest.fixture(scope="module")
def server_cert(rsa_key: rsa.RSAPrivateKey) -> x509.Certificate:
    return _self_signed(rsa_key, hashes.SHA256())


def _client_logon(
    auth: ConnectionAuth, kind: str, account: Account, server_cert: x509.Certificate, monkeypatch: pytest.MonkeyPatch
) -> AuthResult:
    """An NTLM logon by a client of ``kind`` that sees ``server_cert`` on its TLS channel."""
    bindings = {"bindings": server_cert, "zero bindings": server_cert, "ntlmv1": server_cert}.get(kind)
    if kind == "other certificate":
        bindings = _self_signed(ec.generate_private_key(ec.SECP256R1()), hashes.SHA256())
    with monkeypatch.context() as env:
        if kind == "ntlmv1":
            env.setenv("LM_COMPAT_LEVEL", "2")  # the client sends NTLM (v1) responses only
        client = spnego.client(
            f"{account.domain}\\{account.user}",
            account.password,
            protocol="ntlm",
            channel_bindings=tls_channel_bindings(bindings) if bindings is not None else None,
            options=spnego.NegotiateOptions.use_ntlm,
        )
    challenge = auth.check("NTLM " + base64.b64encode(client.step() or b"").decode())
    (header,) = [value for name, value in challenge.headers if name == "WWW-Authenticate"]
    with monkeypatch.context() as patch:
        if kind == "zero bindings":  # MsvAvChannelBindings present, all zeroes
            patch.setattr(spnego._ntlm, "md5", lambda data: b"\x00" * 16)
        authenticate = client.step(base64.b64decode(header.split(" ", 1)[1])) or b""
    return auth.check("NTLM " + base64.b64encode(authenticate).decode())


@pytest.mark.parametrize(
    ("mode", "tls", "accepted"),
    [
        pytest.param("off", True, CLIENTS, id="off"),
        pytest.param("required", True, ["bindings"], id="required-over-tls"),
        pytest.param("required", False, CLIENTS, id="required-over-plain-http"),
    ],
)
@pytest.mark.parametrize("kind", CLIENTS)
def test_extended_protection_of_ntlm_logons(
    lab_accounts: dict[str, Account],
    ntlm_users: Path,
    server_cert: x509.Certificate,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    tls: bool,
    accepted: list[str],
    kind: str,
) -> None:
    bindings = tls_channel_bindings(server_cert) if tls else None
    auth = ConnectionAuth(lab_accounts, ["ntlm"], channel_bindings=bindings, extended_protection=mode)
    result = _client_logon(auth, kind, lab_accounts["enroll"], server_cert, monkeypatch)
    assert result.ok is (kind in accepted)
    assert result.principal == ("CONTOSO\\enroll" if kind in accepted else None)
    if not result.ok:
        assert ("WWW-Authenticate", "NTLM") in result.headers  # refused: 401 with a fresh challenge offer
        assert auth.check(None).ok is False  # and the connection stays unauthenticated


def test_extended_protection_leaves_basic_alone(
    lab_accounts: dict[str, Account], server_cert: x509.Certificate
) -> None:
    account = lab_accounts["enroll"]
    auth = ConnectionAuth(
        lab_accounts,
        ["ntlm", "basic"],
        channel_bindings=tls_channel_bindings(server_cert),
        extended_protection="required",
    )
    token = base64.b64encode(f"CONTOSO\\enroll:{account.password}".encode()).decode()
    assert auth.check(f"Basic {token}").ok


def test_unknown_extended_protection_mode(lab_accounts: dict[str, Account]) -> None:
    with pytest.raises(ValueError, match="off, required"):
        ConnectionAuth(lab_accounts, ["ntlm"], extended_protection="allow")
