"""The CA's templates (names, display names, a v2 template, validity periods) and the AD CS request counters,
through certsrv with NTLM and through the control API."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.lab.adcs import AdcsEmulator
from tests.lab.control import ControlApi, ControlError
from tests.lab.pki import OID_CERTIFICATE_TEMPLATE, OID_CERTIFICATE_TEMPLATE_NAME

from .test_adcs import FQDN, REQUEST_ID, make_csr, submit


@pytest.fixture
def csr_text() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return make_csr(key, [FQDN]).public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture
def api(adcs: AdcsEmulator) -> Iterator[ControlApi]:
    adcs.reset_counters()
    yield ControlApi(adcs=adcs, fleet=None, host_names=[], pid=1)
    for template in ("WebServer", "UMServer"):
        adcs.set_template_validity(template, 730)


def _issued(adcs: AdcsEmulator, session: requests.Session, csr: str, template: str) -> x509.Certificate:
    page = submit(session, adcs.url, csr, f"CertificateTemplate:{template}").text
    match = REQUEST_ID.search(page)
    assert match, page
    answer = session.get(adcs.url + f"certnew.cer?ReqID={match.group(1)}&Enc=bin", timeout=30)
    return x509.load_der_x509_certificate(answer.content)


def test_template_validity_control(adcs: AdcsEmulator, ntlm: requests.Session, csr_text: str, api: ControlApi) -> None:
    # AD CS: a template's validity period bounds the certificates it issues; the control API sets it so that a
    # renewal window is reached without waiting.
    answer = api.call("POST", "/adcs/templates/webserver", {"validity_days": 10})
    assert answer == {
        "name": "WebServer", "display_name": "Web Server", "schema_version": 1, "oid": None, "validity_days": 10,
    }  # fmt: skip
    certificate = _issued(adcs, ntlm, csr_text, "WebServer")
    lifetime = certificate.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=9) < lifetime <= datetime.timedelta(days=10)
    names = [entry["name"] for entry in api.call("GET", "/adcs/templates", {})]
    assert names == ["WebServer", "UMServer"]


@pytest.mark.parametrize(
    ("body", "status"),
    [({"validity_days": 0}, 400), ({"validity_days": "5"}, 400), ({"validity_days": 5, "x": 1}, 400)],
)
def test_template_validity_bad_input(api: ControlApi, body: dict[str, object], status: int) -> None:
    with pytest.raises(ControlError) as raised:
        api.call("POST", "/adcs/templates/WebServer", body)
    assert raised.value.status == status


def test_template_validity_by_display_name_is_unknown(api: ControlApi) -> None:
    with pytest.raises(ControlError) as raised:
        api.call("POST", "/adcs/templates/Web Server", {"validity_days": 5})
    assert raised.value.status == 404
    assert "names, not display names" in raised.value.message


def test_v2_template_carries_its_template_information(
    adcs: AdcsEmulator, ntlm: requests.Session, csr_text: str
) -> None:
    # certsrv-protocol.md: v2+ templates put 1.3.6.1.4.1.311.21.7 into the certificate, v1 templates 20.2.
    certificate = _issued(adcs, ntlm, csr_text, "UMServer")
    information = certificate.extensions.get_extension_for_oid(OID_CERTIFICATE_TEMPLATE).value
    assert isinstance(information, x509.MSCertificateTemplate)
    assert (information.template_id.dotted_string, information.major_version) == (
        "1.3.6.1.4.1.311.21.8.4242.1.1.1.1.100", 100,
    )  # fmt: skip
    with pytest.raises(x509.ExtensionNotFound):
        certificate.extensions.get_extension_for_oid(OID_CERTIFICATE_TEMPLATE_NAME)
    serverauth = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in serverauth


@pytest.mark.parametrize("template", ["Web Server", "Exchange UM Server", "NoSuchTemplate"])
def test_display_names_and_unknown_templates_are_denied(
    adcs: AdcsEmulator, ntlm: requests.Session, csr_text: str, template: str
) -> None:
    # certsrv-protocol.md: the policy module denies a template it does not offer with 0x80094800, naming what the
    # request gave; a display name is not a template's name.
    page = submit(ntlm, adcs.url, csr_text, f"CertificateTemplate:{template}").text
    assert "ID=locDenied" in page
    assert (
        'The disposition message is "Denied by Policy Module  0x80094800, The request was for a certificate '
        f'template that is not supported by the Active Directory Certificate Services policy: {template}."'
    ) in page


def test_counters_per_kind(adcs: AdcsEmulator, ntlm: requests.Session, csr_text: str, api: ControlApi) -> None:
    # One submit and one fetch for a fresh issue; CA certificate reads and pending checks apart.
    _issued(adcs, ntlm, csr_text, "WebServer")
    ntlm.get(adcs.url + "certnew.cer?ReqID=CACert&Renewal=0&Enc=b64", timeout=30)
    ntlm.post(adcs.url + "certfnsh.asp", data={"Mode": "chkpnd", "ReqID": "1"}, timeout=30)
    assert api.call("GET", "/adcs/counters", {}) == {
        "submit": 1,
        "check": 1,
        "fetch": 1,
        "ca": 1,
        "other": 0,
        "most_at_once": 1,
    }
    api.call("POST", "/adcs/reset-counters", {})
    assert adcs.counters() == {"submit": 0, "check": 0, "fetch": 0, "ca": 0, "other": 0, "most_at_once": 0}
