"""CertsrvClient against the lab's AD CS emulator: NTLM and Basic, http and https, policies, locales, faults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _x509 as x509h
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import (
    CertsrvAuthenticationError,
    CertsrvClient,
    CertsrvConnectionError,
    CertsrvDenied,
    CertsrvPending,
    CertsrvUnexpectedPage,
    RenewalInfo,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.lab.adcs import AdcsEmulator
from tests.lab.httpauth import Account, install_ntlm_users
from tests.lab.pki import LabPki

ACCOUNT = Account("CONTOSO", "enroll", "Enr-" + secrets.token_urlsafe(12))
FQDN = "exch2013.contoso.lab"
IE = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdcsEmulator]:
    before = os.environ.get("NTLM_USER_FILE")
    install_ntlm_users(tmp_path_factory.mktemp("ntlm") / "users", [ACCOUNT])
    emulator = AdcsEmulator(LabPki.create(tmp_path_factory.mktemp("pki")), {"enroll": ACCOUNT}, "127.0.0.1")
    emulator.start()
    yield emulator
    emulator.stop()
    if before is None:
        os.environ.pop("NTLM_USER_FILE", None)
    else:
        os.environ["NTLM_USER_FILE"] = before


@pytest.fixture
def adcs(lab: AdcsEmulator) -> AdcsEmulator:
    lab.set_policy("issue")
    lab.set_locale("en")
    return lab


@pytest.fixture(scope="module")
def csr() -> tuple[str, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, FQDN)]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(FQDN), x509.DNSName("exch2013")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode(), key


def connect(adcs: AdcsEmulator, *, https: bool = False, auth: str = "ntlm", **options: object) -> CertsrvClient:
    settings: dict[str, object] = {
        "url": adcs.https_url if https else adcs.url,
        "auth": auth,
        "username": f"{ACCOUNT.domain}\\{ACCOUNT.user}",
        "password": ACCOUNT.password,
        "ca_path": str(adcs.pki.bundle_path),
        "retries": 2,
        "backoff": 0.0,
        "timeout": 10,
    }
    settings.update(options)
    return CertsrvClient(**settings)  # type: ignore[arg-type]


TRANSPORTS = [(False, "ntlm"), (True, "ntlm"), (False, "basic"), (True, "basic")]


@pytest.mark.parametrize(("https", "auth"), TRANSPORTS)
def test_ca_certificate_and_enrollment(adcs: AdcsEmulator, csr, https: bool, auth: str) -> None:
    csr_pem, key = csr
    # Basic over plain http is refused unless asked for explicitly (docs/security.md); the lab asks for it here.
    with connect(adcs, https=https, auth=auth, allow_insecure_basic=not https) as client:
        assert client.is_https is https
        assert client.current_renewal() == RenewalInfo(0, True)
        ca = client.ca_certificate(0)
        assert ca == adcs.pki.issuing
        assert x509h.order_chain(client.ca_chain(0)) == [adcs.pki.issuing, adcs.pki.root]
        enrollment = client.submit(csr_pem, template="WebServer")
        assert client.retrieve(enrollment.request_id) == enrollment.certificate
    issued = enrollment.certificate
    assert issued.public_key().public_numbers() == key.public_key().public_numbers()
    assert set(x509h.dns_names(issued)) == {FQDN, "exch2013"}
    assert ExtendedKeyUsageOID.SERVER_AUTH.dotted_string in x509h.extended_key_usages(issued)
    assert x509h.build_chain(issued, [adcs.pki.issuing, adcs.pki.root])[-1] == adcs.pki.root


@pytest.mark.parametrize("locale", ["en", "de"])
def test_pending_then_approved(adcs: AdcsEmulator, csr, locale: str) -> None:
    adcs.set_policy("pending")
    adcs.set_locale(locale)
    with connect(adcs) as client:
        with pytest.raises(CertsrvPending) as info:
            client.submit(csr[0], template="WebServer")
        request_id = info.value.request_id
        with pytest.raises(CertsrvPending) as again:
            client.retrieve(request_id)
        assert again.value.request_id == request_id
        adcs.approve(request_id)
        issued = client.retrieve(request_id)
    assert set(x509h.dns_names(issued)) == {FQDN, "exch2013"}


@pytest.mark.parametrize("locale", ["en", "de"])
def test_pending_then_denied(adcs: AdcsEmulator, csr, locale: str) -> None:
    adcs.set_policy("pending")
    adcs.set_locale(locale)
    with connect(adcs) as client:
        with pytest.raises(CertsrvPending) as info:
            client.submit(csr[0], template="WebServer")
        adcs.deny(info.value.request_id)
        with pytest.raises(CertsrvDenied) as denied:
            client.retrieve(info.value.request_id)
    assert denied.value.request_id == info.value.request_id
    assert denied.value.code == "0x80094014"  # CERTSRV_E_ADMIN_DENIED_REQUEST


DENIALS = [
    ("en", "issue", "NoSuchTemplate", True),
    ("de", "issue", "NoSuchTemplate", True),
    ("en", "issue", "WebServer", False),  # an unparsable request
    ("de", "deny", "WebServer", True),
]


@pytest.mark.parametrize(("locale", "policy", "template", "good_csr"), DENIALS)
def test_denied(adcs: AdcsEmulator, csr, locale: str, policy: str, template: str, good_csr: bool) -> None:
    adcs.set_locale(locale)
    adcs.set_policy(policy)
    request = (
        csr[0] if good_csr else "-----BEGIN NEW CERTIFICATE REQUEST-----\nAAAA\n-----END NEW CERTIFICATE REQUEST-----\n"
    )
    with connect(adcs, retries=3) as client, pytest.raises(CertsrvDenied) as info:
        client.submit(request, template=template)
    error = info.value
    assert error.request_id is not None and error.code is not None and error.code.startswith("0x800")
    assert error.disposition_message and error.code in str(error)
    if template == "NoSuchTemplate":
        assert error.code == "0x80094800" and "NoSuchTemplate" in error.disposition_message


def test_internet_explorer_page(adcs: AdcsEmulator, csr) -> None:
    with connect(adcs, user_agent=IE) as client:
        enrollment = client.submit(csr[0], template="WebServer")
    assert x509h.dns_names(enrollment.certificate)


def test_unknown_request(adcs: AdcsEmulator) -> None:
    with connect(adcs) as client, pytest.raises(CertsrvUnexpectedPage) as info:
        client.retrieve(999999)
    assert info.value.status == 200
    assert any("0x80094004" in line for line in info.value.status_lines)


FAULTS = [
    ("status_500", 2, 0.0, {}),
    ("drop", 2, 0.0, {}),
    ("drop", 2, 0.0, {"https": True}),
    ("slow", 1, 1.0, {"timeout": 0.3}),
    ("slow", 1, 1.0, {"timeout": 0.3, "https": True}),
]


@pytest.mark.parametrize(("kind", "count", "seconds", "options"), FAULTS)
def test_faults_are_retried(adcs: AdcsEmulator, kind: str, count: int, seconds: float, options) -> None:
    with connect(adcs, **options) as client:
        client.current_renewal()  # an established keep-alive (and NTLM) connection meets the fault
        adcs.inject_fault(kind, count, seconds)
        assert client.ca_certificate(0) == adcs.pki.issuing


def test_faults_beyond_the_retries(adcs: AdcsEmulator) -> None:
    with connect(adcs, retries=1) as client:
        adcs.inject_fault("status_500", 2)
        with pytest.raises(CertsrvUnexpectedPage) as info:
            client.ca_certificate(0)
        adcs.inject_fault("drop", 2)
        with pytest.raises(CertsrvConnectionError) as dropped:
            client.current_renewal()
        assert client.ca_certificate(0) == adcs.pki.issuing  # the session recovers
    assert adcs.faults.take() is None
    assert info.value.status == 500
    assert dropped.value.attempts == 2


@pytest.mark.parametrize("auth", ["ntlm", "basic"])
def test_wrong_password(adcs: AdcsEmulator, auth: str) -> None:
    wrong = "Wrong-" + secrets.token_urlsafe(8)
    client = connect(adcs, auth=auth, password=wrong, allow_insecure_basic=True)
    with client, pytest.raises(CertsrvAuthenticationError) as info:
        client.current_renewal()
    assert info.value.status == 401
    assert {"NTLM", "Negotiate", "Basic"} <= set(info.value.offered)
    assert wrong not in str(info.value) and wrong not in repr(client)


def test_https_needs_the_lab_ca(adcs: AdcsEmulator) -> None:
    with connect(adcs, https=True, ca_path=None) as client, pytest.raises(CertsrvConnectionError) as info:
        client.current_renewal()
    assert "certificate verify failed" in info.value.reason
    with connect(adcs, https=True, ca_path=None, validate_certs=False) as client:
        assert client.current_renewal().found


def test_renewals(tmp_path: Path, lab: AdcsEmulator) -> None:
    """A renewed CA (new key) is served per renewal index; each chain builds to the same root."""
    pki = LabPki.create(tmp_path)
    emulator = AdcsEmulator(pki, {"enroll": ACCOUNT}, "127.0.0.1")
    emulator.start()
    try:
        emulator.renew_ca()
        with connect(emulator) as client:
            assert client.current_renewal() == RenewalInfo(1, True)
            first, second = client.ca_certificate(0), client.ca_certificate(1)
            chains = [x509h.order_chain(client.ca_chain(n)) for n in (0, 1)]
    finally:
        emulator.stop()
    assert first.subject == second.subject and first.public_key() != second.public_key()
    assert [chain[0] for chain in chains] == [first, second]
    assert chains[0][-1] == chains[1][-1] == pki.root
