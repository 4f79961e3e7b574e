from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import random
import subprocess
import sys

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _x509 as x509h
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.conftest import COLLECTIONS_ROOT
from tests.unit.certs import with_damaged_signature

from .conftest import NOW, Pki, ec_key, make_cert

PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER


def _certsrv_b64_p7b(certs) -> bytes:
    """What ``certnew.p7b?...&Enc=b64`` returns: PKCS#7 DER in CERTIFICATE armour, 64 columns, CRLF."""
    body = base64.b64encode(pkcs7.serialize_certificates(certs, DER)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN CERTIFICATE-----\r\n" + "\r\n".join(lines) + "\r\n-----END CERTIFICATE-----\r\n").encode()


# -- loading ---------------------------------------------------------------------------------------------------------

LOAD_CASES = {
    "pem one": lambda p: (p.root.cert.public_bytes(PEM), [p.root]),
    "pem several crlf": lambda p: (
        (p.leaf.cert.public_bytes(PEM) + p.issuing.cert.public_bytes(PEM)).replace(b"\n", b"\r\n"),
        [p.leaf, p.issuing],
    ),
    "pem as str": lambda p: (p.issuing.cert.public_bytes(PEM).decode(), [p.issuing]),
    "pem with bom and text": lambda p: (
        b"\xef\xbb\xbfsubject=CN=x\n" + p.root.cert.public_bytes(PEM) + b"trailing words\n",
        [p.root],
    ),
    "pem key block skipped": lambda p: (
        p.leaf.key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + p.leaf.cert.public_bytes(PEM),
        [p.leaf],
    ),
    "der": lambda p: (p.ec_root.cert.public_bytes(DER), [p.ec_root]),
    "pkcs7 der": lambda p: (pkcs7.serialize_certificates([p.issuing.cert, p.root.cert], DER), [p.issuing, p.root]),
    "pkcs7 pem": lambda p: (pkcs7.serialize_certificates([p.issuing.cert, p.root.cert], PEM), [p.issuing, p.root]),
    "certsrv armoured pkcs7": lambda p: (_certsrv_b64_p7b([p.root.cert, p.issuing.cert]), [p.root, p.issuing]),
}


@pytest.mark.parametrize("case", LOAD_CASES)
def test_load_certificates(pki: Pki, case: str) -> None:
    data, expected = LOAD_CASES[case](pki)
    loaded = x509h.load_certificates(data)
    # PKCS#7 keeps certificates in a DER SET OF, whose order is not meaningful (certsrv-protocol.md)
    assert sorted(x509h.thumbprint(c) for c in loaded) == sorted(x509h.thumbprint(e.cert) for e in expected)


def test_pem_order_is_kept(pki: Pki) -> None:
    certs = [pki.root.cert, pki.leaf.cert, pki.issuing.cert]
    assert x509h.load_certificates(b"".join(c.public_bytes(PEM) for c in certs)) == certs


def test_certsrv_armour_is_rejected_by_plain_pem_loader(pki: Pki) -> None:
    """The reason the armoured form needs its own path (certsrv-protocol.md)."""
    from cryptography import x509

    with pytest.raises(ValueError):
        x509.load_pem_x509_certificate(_certsrv_b64_p7b([pki.root.cert]))


# ContentInfo { signedData, SignedData { 1, {}, { data }, {} } }: a valid PKCS#7 with no certificates.
EMPTY_SIGNED_DATA = "302306092a864886f70d010702a01630140201013100300b06092a864886f70d0107013100"

LOAD_ERRORS = {
    "empty": (b"", "no_certificate"),
    "garbage": (b"\x30\x03\x02\x01\x01", "unreadable"),
    "text": (b"hello world", "unreadable"),
    "bad base64": (b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "unreadable"),
    "only a csr": (b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "no_certificate"),
    "pkcs7 without certificates": (bytes.fromhex(EMPTY_SIGNED_DATA), "no_certificate"),
    "truncated certificate": (b"\x30\x82\x01\x00" + b"\x00" * 20, "unreadable"),
}


@pytest.mark.parametrize("case", LOAD_ERRORS)
def test_load_certificates_errors(case: str) -> None:
    data, reason = LOAD_ERRORS[case]
    with pytest.raises(x509h.CertificateError) as info:
        x509h.load_certificates(data)
    assert info.value.reason == reason
    assert str(info.value)


# -- thumbprints -----------------------------------------------------------------------------------------------------


def test_thumbprint_and_fingerprint_are_hashes_of_der(pki: Pki) -> None:
    der = pki.leaf.cert.public_bytes(DER)
    assert x509h.thumbprint(pki.leaf.cert) == hashlib.sha1(der).hexdigest().upper()
    assert x509h.fingerprint_sha256(pki.leaf.cert) == hashlib.sha256(der).hexdigest().upper()


SHA1 = "3B7E0AA1D2C2F1E5B8A4C6D7E8F9A0B1C2D3E4F5"
SHA256 = "0123456789ABCDEF" * 4

NORMALIZE_CASES = [
    (SHA1.lower(), SHA1),
    (" ".join(SHA1[i : i + 2] for i in range(0, 40, 2)), SHA1),
    (":".join(SHA1[i : i + 2] for i in range(0, 40, 2)).lower(), SHA1),
    ("\u200e" + " ".join(SHA1[i : i + 2] for i in range(0, 40, 2)).lower(), SHA1),  # Windows certificate dialog
    ("\t" + SHA1 + "\r\n", SHA1),
    (SHA1[:20] + "\u00a0" + SHA1[20:], SHA1),
    ("\ufeff" + SHA256.lower(), SHA256),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZE_CASES)
def test_normalize_thumbprint(text: str, expected: str) -> None:
    assert x509h.normalize_thumbprint(text) == expected


NORMALIZE_ERRORS = [
    (SHA1[:-1], "39 hex digits"),
    (SHA1 + "A", "41 hex digits"),
    ("", "0 hex digits"),
    (SHA1[:-1] + "G", "not hexadecimal"),
    (SHA1.replace("3B", "3-"), "not hexadecimal"),
    (12345, "must be a string"),
]


@pytest.mark.parametrize(("text", "message"), NORMALIZE_ERRORS)
def test_normalize_thumbprint_errors(text, message: str) -> None:
    with pytest.raises(x509h.CertificateError, match=message) as info:
        x509h.normalize_thumbprint(text)
    assert info.value.reason == "bad_thumbprint"


def test_matches_pin(pki: Pki) -> None:
    cert = pki.issuing.cert
    sha1, sha256 = x509h.thumbprint(cert), x509h.fingerprint_sha256(cert)
    spaced = "\u200e" + " ".join(sha1[i : i + 2] for i in range(0, 40, 2)).lower()
    assert x509h.matches_pin(cert, [spaced])
    assert x509h.matches_pin(cert, [x509h.thumbprint(pki.root.cert), sha256.lower()])
    assert not x509h.matches_pin(cert, [x509h.thumbprint(pki.root.cert), x509h.fingerprint_sha256(pki.root.cert)])
    assert not x509h.matches_pin(cert, [])
    with pytest.raises(x509h.CertificateError):
        x509h.matches_pin(cert, ["not a thumbprint"])


# -- signatures and roles --------------------------------------------------------------------------------------------

SIGNED_BY = [
    ("leaf", "issuing", True),
    ("leaf", "issuing_renewed", False),  # same name, other key
    ("renewed_leaf", "issuing_renewed", True),
    ("renewed_leaf", "issuing", False),
    ("issuing", "root", True),
    ("issuing", "other_root", False),
    ("pss_issuing", "root", True),
    ("pss_leaf", "pss_issuing", True),
    ("pss_leaf", "issuing", False),
    ("ec_issuing", "ec_root", True),
    ("ec_leaf", "ec_issuing", True),
    ("ec_leaf", "root", False),
    ("root", "root", True),
    ("other_root", "root", False),
]


@pytest.mark.parametrize(("subject", "issuer", "expected"), SIGNED_BY)
def test_is_signed_by(pki: Pki, subject: str, issuer: str, expected: bool) -> None:
    assert x509h.is_signed_by(getattr(pki, subject).cert, getattr(pki, issuer).cert) is expected


def test_forged_self_signed_name_is_not_self_signed(pki: Pki) -> None:
    """Subject == issuer is not enough: the signature must verify with the certificate's own key."""
    forged = make_cert("Contoso Root CA", key=ec_key(), issuer=pki.root, ca=True)
    assert forged.cert.subject == forged.cert.issuer
    assert not x509h.is_self_signed(forged.cert)
    assert x509h.role(forged.cert) == "intermediate"


ROLES = [
    ("root", True, True, "root"),
    ("ec_root", True, True, "root"),
    ("issuing", True, False, "intermediate"),
    ("pss_issuing", True, False, "intermediate"),
    ("leaf", False, False, "leaf"),
    ("pss_leaf", False, False, "leaf"),
]


@pytest.mark.parametrize(("name", "ca", "self_signed", "expected"), ROLES)
def test_roles(pki: Pki, name: str, ca: bool, self_signed: bool, expected: str) -> None:
    cert = getattr(pki, name).cert
    assert (x509h.is_ca(cert), x509h.is_self_signed(cert), x509h.role(cert)) == (ca, self_signed, expected)


def test_certificate_without_basic_constraints_is_not_a_ca() -> None:
    v1_style = make_cert("Old Root", key=ec_key(), basic_constraints=False).cert
    assert not x509h.is_ca(v1_style)
    assert x509h.is_self_signed(v1_style)
    assert x509h.role(v1_style) == "leaf"


def test_self_issued_is_a_claim_self_signed_the_proof(pki: Pki) -> None:
    damaged = with_damaged_signature(pki.root.cert)
    forged = make_cert("Contoso Root CA", key=ec_key(), issuer=pki.root, ca=True).cert
    assert [x509h.is_self_issued(c) for c in (pki.root.cert, damaged, forged, pki.issuing.cert)] == [
        True,
        True,
        True,
        False,
    ]
    assert [x509h.is_self_signed(c) for c in (pki.root.cert, damaged, forged)] == [True, False, False]


@pytest.mark.parametrize(("ca", "path_length", "expected"), [(True, None, None), (True, 0, 0), (True, 2, 2)])
def test_path_length(ca: bool, path_length: int | None, expected: int | None) -> None:
    assert x509h.path_length(make_cert("CA", key=ec_key(), ca=ca, path_length=path_length).cert) == expected


def test_path_length_without_basic_constraints() -> None:
    assert x509h.path_length(make_cert("v1", key=ec_key(), basic_constraints=False).cert) is None


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


@pytest.mark.parametrize(("usage", "expected"), [(None, True), (True, True), (False, False)])
def test_allows_certificate_signing(usage: bool | None, expected: bool) -> None:
    key_usage = None if usage is None else _key_usage(cert_sign=usage)
    cert = make_cert("CA", key=ec_key(), ca=True, key_usage=key_usage).cert
    assert x509h.allows_certificate_signing(cert) is expected


# -- chains ----------------------------------------------------------------------------------------------------------

CHAINS = [
    ("leaf", ["root", "issuing", "issuing_renewed", "other_root"], ["leaf", "issuing", "root"]),
    ("renewed_leaf", ["issuing", "issuing_renewed", "root"], ["renewed_leaf", "issuing_renewed", "root"]),
    ("pss_leaf", ["pss_issuing", "root"], ["pss_leaf", "pss_issuing", "root"]),
    ("ec_leaf", ["ec_root", "root", "ec_issuing"], ["ec_leaf", "ec_issuing", "ec_root"]),
    ("issuing", ["other_root", "root"], ["issuing", "root"]),
    ("root", [], ["root"]),
]


@pytest.mark.parametrize(("start", "pool", "expected"), CHAINS)
def test_build_chain(pki: Pki, start: str, pool: list[str], expected: list[str]) -> None:
    chain = x509h.build_chain(getattr(pki, start).cert, [getattr(pki, n).cert for n in pool])
    assert [x509h.thumbprint(c) for c in chain] == [x509h.thumbprint(getattr(pki, n).cert) for n in expected]


CHAIN_ERRORS = [
    ("leaf", ["root"], "Contoso Issuing CA"),
    ("leaf", ["issuing", "other_root"], "Contoso Root CA"),
    ("renewed_leaf", ["issuing", "root"], "Contoso Issuing CA"),
    ("ec_leaf", ["ec_issuing"], "Fabrikam EC Root"),
]


@pytest.mark.parametrize(("start", "pool", "missing"), CHAIN_ERRORS)
def test_build_chain_errors(pki: Pki, start: str, pool: list[str], missing: str) -> None:
    with pytest.raises(x509h.CertificateError) as info:
        x509h.build_chain(getattr(pki, start).cert, [getattr(pki, n).cert for n in pool])
    assert info.value.reason == "incomplete_chain"
    assert missing in str(info.value)
    assert info.value.subject == x509h.windows_name(getattr(pki, start).cert.subject)


def test_build_chain_refuses_a_leaf_as_issuer(pki: Pki) -> None:
    below_leaf = make_cert("below.contoso.lab", key=ec_key(), issuer=pki.leaf)
    assert x509h.is_signed_by(below_leaf.cert, pki.leaf.cert)
    with pytest.raises(x509h.CertificateError, match=r"exch2010\.contoso\.lab"):
        x509h.build_chain(below_leaf.cert, [pki.leaf.cert, pki.issuing.cert, pki.root.cert])


def test_build_chain_prefers_the_issuer_valid_now() -> None:
    root = make_cert("Root", key=ec_key(), ca=True)
    key = ec_key()
    expired = make_cert("Issuing", key=key, issuer=root, ca=True, not_after=NOW - dt.timedelta(days=1))
    current = make_cert("Issuing", key=key, issuer=root, ca=True)
    leaf = make_cert("leaf", key=ec_key(), issuer=current)
    for pool in ([expired.cert, current.cert, root.cert], [current.cert, expired.cert, root.cert]):
        assert x509h.build_chain(leaf.cert, pool)[1] == current.cert


def test_order_chain(pki: Pki) -> None:
    bundle = [pki.root.cert, pki.leaf.cert, pki.issuing.cert, pki.root.cert]
    random.Random(4).shuffle(bundle)
    assert x509h.order_chain(bundle) == [pki.leaf.cert, pki.issuing.cert, pki.root.cert]
    assert x509h.order_chain([pki.root.cert]) == [pki.root.cert]


ORDER_ERRORS = [
    (["leaf", "issuing", "root", "ec_root"], "ambiguous_chain"),
    (["leaf", "issuing"], "incomplete_chain"),
    ([], "no_certificate"),
]


@pytest.mark.parametrize(("names", "reason"), ORDER_ERRORS)
def test_order_chain_errors(pki: Pki, names: list[str], reason: str) -> None:
    with pytest.raises(x509h.CertificateError) as info:
        x509h.order_chain([getattr(pki, n).cert for n in names])
    assert info.value.reason == reason


# -- validity, extensions, description -------------------------------------------------------------------------------

VALIDITY = [
    (NOW - dt.timedelta(days=10), NOW + dt.timedelta(days=10), None, True),
    (NOW - dt.timedelta(days=10), NOW - dt.timedelta(days=1), None, False),
    (NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=10), None, False),
    (NOW - dt.timedelta(days=10), NOW - dt.timedelta(days=1), NOW - dt.timedelta(days=5), True),
]


@pytest.mark.parametrize(("start", "end", "when", "expected"), VALIDITY)
def test_is_valid_at(start, end, when, expected: bool) -> None:
    cert = make_cert("x", key=ec_key(), not_before=start, not_after=end).cert
    assert x509h.is_valid_at(cert, when) is expected
    assert (x509h.not_before(cert), x509h.not_after(cert)) == (start, end)


def test_extensions(pki: Pki) -> None:
    leaf = pki.leaf.cert
    assert x509h.dns_names(leaf) == ["exch2010.contoso.lab", "exch2010"]
    assert x509h.ip_addresses(leaf) == ["127.10.0.12"]
    assert x509h.extended_key_usages(leaf) == ["1.3.6.1.5.5.7.3.1"]
    assert x509h.allows_server_auth(leaf)
    assert x509h.dns_names(pki.root.cert) == [] and x509h.ip_addresses(pki.root.cert) == []
    assert x509h.allows_server_auth(pki.root.cert)  # no EKU: every purpose
    client_only = make_cert("c", key=ec_key(), eku=[ExtendedKeyUsageOID.CLIENT_AUTH]).cert
    assert not x509h.allows_server_auth(client_only)
    any_purpose = make_cert("a", key=ec_key(), eku=[ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE]).cert
    assert x509h.allows_server_auth(any_purpose)


SERIALS = [(0x01, "01"), (0x7F, "7F"), (0x80, "0080"), (0x1234ABCD, "1234ABCD"), (0xFF00, "00FF00")]


@pytest.mark.parametrize(("serial", "expected"), SERIALS)
def test_serial_hex_as_windows_shows_it(serial: int, expected: str) -> None:
    assert x509h.serial_hex(make_cert("s", key=ec_key(), serial=serial).cert) == expected


def test_describe(pki: Pki) -> None:
    start = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    issued = make_cert(
        "exch.contoso.lab",
        key=ec_key(),
        issuer=pki.issuing,
        dns=["exch.contoso.lab"],
        eku=[ExtendedKeyUsageOID.SERVER_AUTH],
        not_before=start,
        not_after=start + dt.timedelta(days=730),
        serial=0xABC,
    )
    facts = x509h.describe(issued.cert)
    assert facts == {
        "thumbprint": x509h.thumbprint(issued.cert),
        "fingerprint_sha256": x509h.fingerprint_sha256(issued.cert),
        "subject": "CN=exch.contoso.lab, DC=contoso, DC=lab",
        "issuer": "CN=Contoso Issuing CA, DC=contoso, DC=lab",
        "serial_number": "0ABC",
        "not_before": "2026-01-02T03:04:05Z",
        "not_after": "2028-01-02T03:04:05Z",
        "is_ca": False,
        "role": "leaf",
        "dns_names": ["exch.contoso.lab"],
        "eku": ["1.3.6.1.5.5.7.3.1"],
        "pem": issued.cert.public_bytes(PEM).decode(),
    }
    assert x509h.describe(pki.root.cert)["role"] == "root"
    assert x509h.load_certificates(x509h.to_pem(issued.cert)) == [issued.cert]
    assert base64.b64decode(x509h.to_der_base64(issued.cert)) == issued.cert.public_bytes(DER)


def test_without_cryptography_the_message_says_what_to_install() -> None:
    """ansible-test imports plugins without cryptography; using the helpers then names the package."""
    code = (
        "import sys\n"
        "sys.modules['cryptography'] = None\n"
        "from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _x509\n"
        "assert _x509.normalize_thumbprint('ab' * 20) == 'AB' * 20\n"
        "try:\n"
        "    _x509.load_certificates(b'x')\n"
        "except _x509.CertificateError as error:\n"
        "    print(_x509.HAS_CRYPTOGRAPHY, error.reason, error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(COLLECTIONS_ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.startswith("False missing_dependency "), done.stderr
    assert "pip install 'cryptography>=42'" in done.stdout


# -- names as Windows shows them -------------------------------------------------------------------------------------

_N = x509.NameOID


@pytest.mark.parametrize(
    ("rdns", "expected"),
    [
        ([[(_N.COMMON_NAME, "Contoso Root CA")]], "CN=Contoso Root CA"),
        (
            [[(_N.DOMAIN_COMPONENT, "lab")], [(_N.DOMAIN_COMPONENT, "contoso")], [(_N.COMMON_NAME, "Contoso CA")]],
            "CN=Contoso CA, DC=contoso, DC=lab",
        ),
        (
            [
                [(_N.COUNTRY_NAME, "US")],
                [(_N.STATE_OR_PROVINCE_NAME, "WA")],
                [(_N.LOCALITY_NAME, "Redmond")],
                [(_N.ORGANIZATION_NAME, "Contoso")],
                [(_N.ORGANIZATIONAL_UNIT_NAME, "PKI")],
                [(_N.STREET_ADDRESS, "1 Main St")],
                [(_N.EMAIL_ADDRESS, "pki@contoso.lab")],
                [(_N.SERIAL_NUMBER, "42")],
                [(_N.TITLE, "CA")],
                [(_N.GIVEN_NAME, "Kim")],
                [(_N.SURNAME, "Abercrombie")],
                [(_N.INITIALS, "K")],
            ],
            "I=K, SN=Abercrombie, G=Kim, T=CA, SERIALNUMBER=42, E=pki@contoso.lab, STREET=1 Main St, OU=PKI, "
            "O=Contoso, L=Redmond, S=WA, C=US",
        ),
        ([[(_N.ORGANIZATION_NAME, "Contoso, Ltd")]], 'O="Contoso, Ltd"'),
        ([[(_N.COMMON_NAME, 'The "best" CA')]], 'CN="The ""best"" CA"'),
        ([[(_N.COMMON_NAME, " padded")]], 'CN=" padded"'),
        ([[(_N.LOCALITY_NAME, "")]], 'L=""'),
        ([[(_N.COMMON_NAME, "a+b")]], 'CN="a+b"'),
        ([[(_N.COMMON_NAME, "a=b;c")]], 'CN="a=b;c"'),
        ([[(_N.COMMON_NAME, "#1 <CA>")]], 'CN="#1 <CA>"'),
        ([[(_N.COMMON_NAME, "two  spaces")]], "CN=two  spaces"),
        ([[(_N.COMMON_NAME, "Zertifizierungsstelle Köln")]], "CN=Zertifizierungsstelle Köln"),
        ([[(_N.COMMON_NAME, "a\\b")]], "CN=a\\b"),
        ([[(x509.ObjectIdentifier("2.5.4.97"), "VATDE-123")]], "OID.2.5.4.97=VATDE-123"),
        # CERT_NAME_STR_REVERSE_FLAG reverses the RDNs, not the attributes inside one (DER SET OF order).
        ([[(_N.ORGANIZATIONAL_UNIT_NAME, "PKI"), (_N.COMMON_NAME, "CA")]], "CN=CA + OU=PKI"),
    ],
)
def test_windows_name(rdns: list[list[tuple[x509.ObjectIdentifier, str]]], expected: str) -> None:
    """Names are read back from a certificate's DER, as the fact reads them."""
    name = x509.Name(
        [x509.RelativeDistinguishedName([x509.NameAttribute(oid, value) for oid, value in rdn]) for rdn in rdns]
    )
    key = ec_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW)
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    read = x509.load_der_x509_certificate(cert.public_bytes(DER))
    assert x509h.windows_name(read.subject) == expected
    assert x509h.windows_name(read.issuer) == expected


def test_iso_utc_round_trip() -> None:
    """Results and the fact carry times as UTC ISO 8601 with Z; a local time is written as UTC."""
    local = dt.datetime(2024, 1, 2, 5, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert x509h.iso_utc(local) == "2024-01-02T03:04:05Z"
    assert x509h.parse_iso_utc("2024-01-02T03:04:05Z") == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("value", [None, 20240102, "", "2024-01-02 03:04:05", "2024-01-02T03:04:05+00:00", "soon"])
def test_parse_iso_utc_refuses_other_values(value: object) -> None:
    assert x509h.parse_iso_utc(value) is None
