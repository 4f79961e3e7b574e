"""The lab CA and the AD CS web enrollment emulator, driven by real clients (requests, requests_ntlm)."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from requests_ntlm import HttpNtlmAuth

from tests.lab.adcs import AdcsEmulator
from tests.lab.httpauth import Account
from tests.lab.pki import OID_CERTIFICATE_TEMPLATE_NAME, LabPki, SanAttributeError, UnknownTemplateError
from tests.lab.powershell.programs.csr import RequestContent, encode_request
from tests.lab.tests.conftest import ntlm_session

FQDN = "exch2010.contoso.lab"
INTERNET_EXPLORER = "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"
REQUEST_ID = re.compile(r"certnew\.cer\?ReqID=(\d+)&")


# -- helpers and fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def request_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_csr(key: rsa.RSAPrivateKey, names: list[str]) -> x509.CertificateSigningRequest:
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    )
    builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    return builder.sign(key, hashes.SHA256())


@pytest.fixture(scope="module")
def csr_pem(request_key: rsa.RSAPrivateKey) -> str:
    return make_csr(request_key, [FQDN, "exch2010"]).public_bytes(serialization.Encoding.PEM).decode()


def submit(
    session: requests.Session, url: str, csr: str, attributes: str = "CertificateTemplate:WebServer", **extra: str
) -> requests.Response:
    form = {
        "Mode": "newreq",
        "CertRequest": csr,
        "CertAttrib": attributes,
        "FriendlyType": "Saved-Request Certificate",
        "TargetStoreFlags": "0",
        "SaveCert": "yes",
        **extra,
    }
    return session.post(url + "certfnsh.asp", data=form, timeout=30)


def request_id_of(page: str) -> int:
    match = re.search(r"Your Request Id is (\d+)\.", page) or REQUEST_ID.search(page)
    assert match, page
    return int(match.group(1))


def error_rows(page: str) -> dict[str, str]:
    """``<DT ID=loc...Label>`` label ``<DD>`` CRLF, two tabs, value (certsrv-protocol.md, certrser.asp); no tags."""
    rows = re.findall(r"<DT ID=loc\w+Label><Font Size=-1><B>([^<]+:)</B></Font></DT><DD>\r\n\t\t([^\r\n]+)", page)
    return {label: re.sub(r"<[^>]+>", "", value) for label, value in rows}


def load_armoured_pkcs7(body: bytes) -> list[x509.Certificate]:
    text = body.decode("ascii")
    assert text.startswith("-----BEGIN CERTIFICATE-----\r\n")
    assert text.endswith("-----END CERTIFICATE-----\r\n")
    inner = "".join(text.splitlines()[1:-1])
    return pkcs7.load_der_pkcs7_certificates(base64.b64decode(inner))


# -- the CA -------------------------------------------------------------------------------------------------------


def test_root_and_issuing_ca(lab_pki: LabPki) -> None:
    root, issuing = lab_pki.root, lab_pki.issuing
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    issuing.verify_directly_issued_by(root)
    for cert in (root, issuing):
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert issuing.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == lab_pki.ca_name
    assert lab_pki.chain(0) == [issuing, root]


def test_pem_files(lab_pki: LabPki) -> None:
    bundle = x509.load_pem_x509_certificates(lab_pki.bundle_path.read_bytes())
    assert bundle[0] == lab_pki.root and lab_pki.issuing in bundle
    assert x509.load_pem_x509_certificate(lab_pki.ca_cert_path.read_bytes()) == lab_pki.issuing
    assert x509.load_pem_x509_certificate(lab_pki.root_cert_path.read_bytes()) == lab_pki.root


@pytest.mark.parametrize("intermediate", [True, False])
def test_renewal_makes_a_new_key_and_keeps_old_renewals(tmp_path: Path, intermediate: bool) -> None:
    pki = LabPki.create(tmp_path, intermediate=intermediate)
    first = pki.issuing
    second = pki.renew()
    assert pki.renewals == [first, second] and pki.issuing == second
    assert first.subject == second.subject
    assert first.public_key().public_numbers() != second.public_key().public_numbers()  # type: ignore[union-attr]
    if intermediate:
        second.verify_directly_issued_by(pki.root)
        assert pki.root not in pki.renewals
    else:
        second.verify_directly_issued_by(second)  # the enterprise root renews itself
        assert pki.root == second and pki.chain(0) == [first]
    assert (tmp_path / "issuing-ca-1.pem").exists()
    assert set(x509.load_pem_x509_certificates(pki.bundle_path.read_bytes())) >= {first, second}


def test_tls_server_certificate(lab_pki: LabPki) -> None:
    cert_pem, key_pem = lab_pki.issue_tls_server(["ca.contoso.lab", "localhost"], ["127.10.0.1"])
    leaf, issuing = x509.load_pem_x509_certificates(cert_pem)
    assert issuing == lab_pki.issuing
    leaf.verify_directly_issued_by(issuing)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["ca.contoso.lab", "localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.10.0.1")]
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert key.public_key().public_numbers() == leaf.public_key().public_numbers()  # type: ignore[union-attr]


def test_webserver_template(lab_pki: LabPki, request_key: rsa.RSAPrivateKey) -> None:
    csr = make_csr(request_key, [FQDN, "exch2010"])
    cert = lab_pki.sign_csr(csr, template="WebServer")
    cert.verify_directly_issued_by(lab_pki.issuing)
    assert cert.subject == csr.subject
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH
    ]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.key_encipherment
    assert not usage.value.key_cert_sign
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    lifetime = cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(days=729) < lifetime <= datetime.timedelta(days=730)
    template = cert.extensions.get_extension_for_oid(OID_CERTIFICATE_TEMPLATE_NAME).value
    assert template.value == b"\x1e\x12" + "WebServer".encode("utf-16-be")  # type: ignore[attr-defined]
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [FQDN, "exch2010"]


@pytest.mark.parametrize(
    ("flag", "attribute", "expected"),
    [
        (False, None, [FQDN]),
        (False, "dns=other.contoso.lab", [FQDN]),  # ignored without EDITF_ATTRIBUTESUBJECTALTNAME2
        (True, "dns=other.contoso.lab&dns=um.contoso.lab", ["other.contoso.lab", "um.contoso.lab"]),
        (True, None, [FQDN]),
    ],
)
def test_san_attribute_needs_the_ca_flag(
    tmp_path: Path, request_key: rsa.RSAPrivateKey, flag: bool, attribute: str | None, expected: list[str]
) -> None:
    pki = LabPki.create(tmp_path, intermediate=False)
    pki.editf_attribute_subject_alt_name2 = flag
    cert = pki.sign_csr(make_csr(request_key, [FQDN]), template="webserver", san_attribute=attribute)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == expected


def test_sign_csr_refusals(tmp_path: Path, request_key: rsa.RSAPrivateKey) -> None:
    pki = LabPki.create(tmp_path, intermediate=False)
    csr = make_csr(request_key, [FQDN])
    with pytest.raises(UnknownTemplateError) as unknown:
        pki.sign_csr(csr, template="User")
    assert unknown.value.template == "User"
    pki.editf_attribute_subject_alt_name2 = True
    with pytest.raises(SanAttributeError) as bad:
        pki.sign_csr(csr, template="WebServer", san_attribute="dns=a.lab&guid=1234")
    assert bad.value.entry == "guid=1234"


# -- authentication -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_ntlm_authenticates_the_connection_once(
    adcs: AdcsEmulator, ntlm: requests.Session, lab_pki: LabPki, scheme: str
) -> None:
    url = adcs.url if scheme == "http" else adcs.https_url
    first = ntlm.get(url, verify=str(lab_pki.bundle_path), timeout=30)
    assert first.status_code == 200
    assert [r.status_code for r in first.history] == [401, 401]  # anonymous, then the NTLM challenge
    second = ntlm.get(url + "certcarc.asp", verify=str(lab_pki.bundle_path), timeout=30)
    assert second.status_code == 200 and second.history == []  # same keep-alive connection: still authenticated


@pytest.mark.parametrize("user", ["CONTOSO\\enroll", "enroll@contoso.lab", "enroll"])
def test_basic_authentication(adcs: AdcsEmulator, lab_accounts: dict[str, Account], user: str) -> None:
    password = lab_accounts["enroll"].password
    answer = requests.get(adcs.https_url, auth=(user, password), verify=str(adcs.pki.bundle_path), timeout=30)
    assert answer.status_code == 200
    assert "Welcome" in answer.text


@pytest.mark.parametrize(
    "auth",
    [
        None,
        ("CONTOSO\\enroll", "wrong"),
        HttpNtlmAuth("CONTOSO\\enroll", "wrong"),
        HttpNtlmAuth("OTHERDOM\\enroll", "wrong"),
    ],
    ids=["anonymous", "basic-bad-password", "ntlm-bad-password", "ntlm-other-domain"],
)
def test_refused_credentials_get_401(adcs: AdcsEmulator, auth: object) -> None:
    answer = requests.get(adcs.url + "certcarc.asp", auth=auth, timeout=30)  # type: ignore[arg-type]
    assert answer.status_code == 401
    offered = answer.raw.headers.getlist("WWW-Authenticate")
    assert offered[:2] == ["Negotiate", "NTLM"] and offered[2].startswith("Basic realm=")
    assert "401 - Unauthorized" in answer.text


def test_iis_headers_and_session_cookie(adcs: AdcsEmulator, ntlm: requests.Session) -> None:
    answer = ntlm.get(adcs.url, timeout=30)
    assert answer.headers["Server"] == "Microsoft-IIS/7.5"
    assert answer.headers["Cache-Control"] == "private"
    assert re.fullmatch(r"ASPSESSIONID[A-Z]{8}=[A-Z]{24}; path=/", answer.headers["Set-Cookie"])
    again = ntlm.get(adcs.url + "certcarc.asp", timeout=30)  # the session cookie is sent back: no new one
    assert "Set-Cookie" not in again.headers


# -- CA certificate, chain, renewal -------------------------------------------------------------------------------


def test_certcarc_reports_the_current_renewal(adcs: AdcsEmulator, ntlm: requests.Session) -> None:
    page = ntlm.get(adcs.url + "certcarc.asp", timeout=30)
    assert page.headers["Content-Type"] == "text/html"
    assert f"var nRenewals={len(adcs.pki.renewals) - 1};" in page.text


@pytest.mark.parametrize(
    "query",
    ["ReqID=CACert&Renewal=0&Enc=b64", "reqid=cacert&RENEWAL=0&ENC=b64", "REQID=CACert&Enc=b64"],
)
def test_ca_certificate_b64(adcs: AdcsEmulator, ntlm: requests.Session, query: str) -> None:
    answer = ntlm.get(f"{adcs.url}certnew.cer?{query}", timeout=30)
    assert answer.headers["Content-Type"] == "application/pkix-cert"
    assert answer.content.startswith(b"-----BEGIN CERTIFICATE-----\r\n")
    assert all(line.endswith(b"\r") for line in answer.content.split(b"\n")[:-1])
    assert x509.load_pem_x509_certificate(answer.content) == adcs.pki.renewals[0]


def test_ca_certificate_bin(adcs: AdcsEmulator, ntlm: requests.Session) -> None:
    answer = ntlm.get(adcs.url + "certnew.cer?ReqID=CACert&Renewal=0&Enc=bin", timeout=30)
    assert answer.headers["Content-Type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(answer.content) == adcs.pki.renewals[0]


@pytest.mark.parametrize("path", ["certnew.cer", "certnew.p7b"])
@pytest.mark.parametrize("renewal", ["7", "x"])
def test_unknown_renewal_is_an_error_page(adcs: AdcsEmulator, ntlm: requests.Session, path: str, renewal: str) -> None:
    answer = ntlm.get(f"{adcs.url}{path}?ReqID=CACert&Renewal={renewal}&Enc=b64", timeout=30)
    assert answer.headers["Content-Type"] == "text/html"
    assert error_rows(answer.text) == {
        "Disposition:": "(never set)",
        "Disposition message:": "(none)",
        "LastStatus:": "The parameter is incorrect. 0x80070057 (WIN32: 87 ERROR_INVALID_PARAMETER)",
    }


@pytest.mark.parametrize("encoding", ["bin", "b64"])
def test_ca_chain(adcs: AdcsEmulator, ntlm: requests.Session, encoding: str) -> None:
    answer = ntlm.get(f"{adcs.url}certnew.p7b?ReqID=CACert&Renewal=0&Enc={encoding}", timeout=30)
    assert answer.headers["Content-Type"] == "application/x-pkcs7-certificates"
    if encoding == "b64":
        with pytest.raises(ValueError):
            pkcs7.load_pem_pkcs7_certificates(answer.content)  # CERTIFICATE armour, not PKCS7
        certs = load_armoured_pkcs7(answer.content)
    else:
        certs = pkcs7.load_der_pkcs7_certificates(answer.content)
    assert set(certs) == {adcs.pki.renewals[0], adcs.pki.root}


def test_renew_ca(tmp_path: Path, lab_accounts: dict[str, Account], ntlm_users: Path) -> None:
    pki = LabPki.create(tmp_path)
    emulator = AdcsEmulator(pki, lab_accounts, "127.0.0.1")
    emulator.start()
    try:
        account = lab_accounts["enroll"]
        session = requests.Session()
        session.auth = (f"{account.domain}\\{account.user}", account.password)
        assert "var nRenewals=0;" in session.get(emulator.url + "certcarc.asp", timeout=30).text
        renewed = emulator.renew_ca()
        assert renewed == {"renewal": 1, "thumbprint": pki.issuing.fingerprint(hashes.SHA1()).hex().upper()}
        assert "var nRenewals=1;" in session.get(emulator.url + "certcarc.asp", timeout=30).text
        certs = [
            x509.load_der_x509_certificate(
                session.get(f"{emulator.url}certnew.cer?ReqID=CACert&Renewal={n}&Enc=bin", timeout=30).content
            )
            for n in (0, 1)
        ]
        assert certs == pki.renewals and certs[0] != certs[1]
        chain = pkcs7.load_der_pkcs7_certificates(
            session.get(emulator.url + "certnew.p7b?ReqID=CACert&Renewal=1&Enc=bin", timeout=30).content
        )
        assert set(chain) == {certs[1], pki.root}
    finally:
        emulator.stop()


# -- enrollment ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["b64", "bin"])
def test_issued_request(adcs: AdcsEmulator, ntlm: requests.Session, csr_pem: str, encoding: str) -> None:
    page = submit(ntlm, adcs.url, csr_pem)
    assert page.status_code == 200
    assert "<B> Certificate Issued </B>" in page.text and "ID=locPageTitle" in page.text
    request_id = int(REQUEST_ID.search(page.text).group(1))  # type: ignore[union-attr]
    assert f'certnew.cer?ReqID={request_id}&amp;Enc=b64"' in page.text
    assert "location=" not in page.text
    cookies = page.raw.headers.getlist("Set-Cookie")
    assert f"Requests=%5B{request_id}%2C0%2Cyes%2CSaved-Request+Certificate%5D; path=/" in cookies
    answer = ntlm.get(f"{adcs.url}certnew.cer?ReqID={request_id}&Enc={encoding}", timeout=30)
    assert answer.headers["Content-Type"] == "application/pkix-cert"
    load = x509.load_pem_x509_certificate if encoding == "b64" else x509.load_der_x509_certificate
    cert = load(answer.content)
    assert cert.subject.rfc4514_string() == f"CN={FQDN}"
    cert.verify_directly_issued_by(adcs.pki.issuing)
    chain = pkcs7.load_der_pkcs7_certificates(
        ntlm.get(f"{adcs.url}certnew.p7b?ReqID={request_id}&Enc=bin", timeout=30).content
    )
    assert set(chain) == {cert, adcs.pki.issuing, adcs.pki.root}
    assert {"id": request_id, "disposition": 3, "requester": "CONTOSO\\enroll"}.items() <= next(
        r for r in adcs.requests() if r["id"] == request_id
    ).items()


def test_internet_explorer_gets_the_script_form(adcs: AdcsEmulator, ntlm: requests.Session, csr_pem: str) -> None:
    ntlm.headers["User-Agent"] = INTERNET_EXPLORER
    page = submit(ntlm, adcs.url, csr_pem).text
    request_id = int(REQUEST_ID.search(page).group(1))  # type: ignore[union-attr]
    assert f'location="certnew.cer?ReqID={request_id}&"+getEncoding();' in page
    assert "&amp;Enc=" not in page


def test_pending_then_approved(adcs: AdcsEmulator, ntlm: requests.Session, csr_pem: str) -> None:
    adcs.set_policy("pending")
    page = submit(ntlm, adcs.url, csr_pem).text
    assert "<B> Certificate Pending </B>" in page
    assert "you must wait for an administrator to issue the certificate you requested." in page
    # certrspn.asp after Mode=newreq: the id sits alone in locInfoReqID, right after locInfoNewReq.
    assert re.search(
        r"<P ID=locInfoNewReq> [^<]+</P>\r\n\r\n<P ID=locInfoReqID>\r\nYour Request Id is \d+\.\r\n</P>", page
    )
    assert not REQUEST_ID.search(page)
    request_id = request_id_of(page)
    waiting = ntlm.get(f"{adcs.url}certnew.cer?ReqID={request_id}&Enc=b64", timeout=30)
    assert waiting.headers["Content-Type"] == "text/html"
    assert "<P ID=locPageTitle> <B> Error </B>" in waiting.text
    assert error_rows(waiting.text) == {
        "Disposition:": "5 - (unknown)",  # certrser.asp: HEX(nDisposition), then a name only for 0 and 1
        "Disposition message:": "Taken Under Submission",
        "LastStatus:": "The operation completed successfully. 0x0 (WIN32: 0 ERROR_SUCCESS)",
    }
    check = ntlm.post(adcs.url + "certfnsh.asp", data={"Mode": "chkpnd", "ReqID": str(request_id)}, timeout=30)
    # certrspn.asp in Mode=chkpnd: locInfoChkPnd, no locInfoNewReq/locInfoReqID; the id is in the Remove form only.
    assert "<P ID=locInfoChkPnd> Your certificate request is still pending." in check.text
    assert "locInfoNewReq" not in check.text and "locInfoReqID" not in check.text
    assert f'<Input Type=Hidden Name=ReqID Value="{request_id}">' in check.text
    assert adcs.approve(request_id)["disposition"] == 3
    check = ntlm.post(adcs.url + "certfnsh.asp", data={"Mode": "chkpnd", "ReqID": str(request_id)}, timeout=30)
    assert int(REQUEST_ID.search(check.text).group(1)) == request_id  # type: ignore[union-attr]
    issued = ntlm.get(f"{adcs.url}certnew.cer?ReqID={request_id}&Enc=b64", timeout=30)
    assert issued.headers["Content-Type"] == "application/pkix-cert"


def test_pending_then_denied(adcs: AdcsEmulator, ntlm: requests.Session, csr_pem: str) -> None:
    adcs.set_policy("pending")
    request_id = request_id_of(submit(ntlm, adcs.url, csr_pem).text)
    assert adcs.deny(request_id)["disposition"] == 2
    answer = ntlm.get(f"{adcs.url}certnew.cer?ReqID={request_id}&Enc=b64", timeout=30)
    assert error_rows(answer.text) == {
        "Disposition:": "2 - (unknown)",
        "Disposition message:": "Denied by CONTOSO\\Administrator",
        "LastStatus:": "The request was denied by a certificate manager or CA administrator. "
        "0x80094014 (-2146877420 CERTSRV_E_ADMIN_DENIED_REQUEST)",
    }
    check = ntlm.post(adcs.url + "certfnsh.asp", data={"Mode": "chkpnd", "ReqID": str(request_id)}, timeout=30)
    assert "ID=locDenied" in check.text


@pytest.mark.parametrize(
    ("policy", "attributes", "csr", "disposition", "last_status"),
    [
        (
            "issue",
            "CertificateTemplate:NoSuchTemplate",
            "good",
            "Denied by Policy Module  0x80094800, The request was for a certificate template that is not supported "
            "by the Active Directory Certificate Services policy: NoSuchTemplate.",
            "0x80094800 (-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)",
        ),
        (
            "issue",
            "",
            "good",
            "Denied by Policy Module  0x80094801, The request contains no certificate template information.",
            "0x80094801 (-2146875391 CERTSRV_E_NO_CERT_TYPE)",
        ),
        (
            "deny",
            "CertificateTemplate:WebServer",
            "good",
            "Denied by Policy Module  0x80094012, The permissions on the certificate template do not allow the "
            "current user to enroll for this type of certificate.",
            "0x80094012 (-2146877422 CERTSRV_E_TEMPLATE_DENIED)",
        ),
        (
            "pending",
            "CertificateTemplate:NoSuchTemplate",  # the template check comes before the pending policy
            "good",
            "Denied by Policy Module  0x80094800, The request was for a certificate template that is not supported "
            "by the Active Directory Certificate Services policy: NoSuchTemplate.",
            "0x80094800 (-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)",
        ),
        (
            "issue",
            "CertificateTemplate:WebServer",
            "garbage",
            "Error Parsing Request  ASN1 bad tag value met. 0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)",
            "0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)",
        ),
        (
            "issue",
            "CertificateTemplate:WebServer",
            "bad-signature",
            "Error Verifying Request Signature or signing certificate  Invalid Signature. "
            "0x80090006 (-2146893818 NTE_BAD_SIGNATURE)",
            "0x80090006 (-2146893818 NTE_BAD_SIGNATURE)",
        ),
    ],
    ids=["unknown-template", "no-template", "deny-policy", "unknown-template-pending", "garbage", "bad-signature"],
)
def test_denied_requests(
    adcs: AdcsEmulator,
    ntlm: requests.Session,
    csr_pem: str,
    policy: str,
    attributes: str,
    csr: str,
    disposition: str,
    last_status: str,
) -> None:
    adcs.set_policy(policy)
    der = base64.b64decode("".join(csr_pem.splitlines()[1:-1]))
    if csr == "garbage":
        text = "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgcmVxdWVzdA==\n-----END CERTIFICATE REQUEST-----\n"
    elif csr == "bad-signature":
        text = base64.b64encode(der[:-1] + bytes([der[-1] ^ 1])).decode()
    else:
        text = csr_pem
    page = submit(ntlm, adcs.url, text, attributes).text
    assert "<B> Certificate Request Denied </B>" in page and "ID=locDenied" in page
    assert not REQUEST_ID.search(page)
    request_id = request_id_of(page)
    reason = (
        f'<P ID=locInfoReqIDandReason>\r\nYour Request Id is {request_id}. The disposition message is "{disposition}"'
    )
    assert reason in page
    answer = ntlm.get(f"{adcs.url}certnew.cer?ReqID={request_id}&Enc=b64", timeout=30)
    rows = error_rows(answer.text)
    assert rows["Disposition message:"] == disposition
    assert rows["LastStatus:"].endswith(last_status)


@pytest.mark.parametrize("tamper", [False, True])
def test_sha1_signed_request(adcs: AdcsEmulator, ntlm: requests.Session, tamper: bool) -> None:
    # AD CS takes SHA-1-signed requests (Windows Server 2003's certreq, Exchange 2007-2013's New-ExchangeCertificate
    # sign with SHA-1); a SHA-1 signature that does not verify is still NTE_BAD_SIGNATURE.
    adcs.set_policy("issue")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "exch2003.contoso.lab")])
    content = RequestContent(
        os_version="5.2.3790", key_spec=1, provider="Microsoft RSA SChannel Cryptographic Provider", extensions=[],
        name_value_pairs=(), client=None,
    )  # fmt: skip
    der = encode_request(name, key, "sha1", content).public_bytes(serialization.Encoding.DER)
    if tamper:
        der = der[:-1] + bytes([der[-1] ^ 1])
    page = submit(ntlm, adcs.url, base64.b64encode(der).decode()).text
    assert (REQUEST_ID.search(page) is None) is tamper
    assert ("NTE_BAD_SIGNATURE" in page) is tamper


@pytest.mark.parametrize("header", ["-----BEGIN NEW CERTIFICATE REQUEST-----", None])
def test_request_armour_variants(adcs: AdcsEmulator, ntlm: requests.Session, csr_pem: str, header: str | None) -> None:
    body = csr_pem.splitlines()[1:-1]
    text = "\r\n".join([header, *body, header.replace("BEGIN", "END")]) if header else "".join(body)
    assert REQUEST_ID.search(submit(ntlm, adcs.url, text).text)


@pytest.mark.parametrize("path", ["certnew.cer?ReqID=999999&Enc=b64", "certnew.p7b?ReqID=999999&Enc=bin"])
def test_unknown_request_id(adcs: AdcsEmulator, ntlm: requests.Session, path: str) -> None:
    answer = ntlm.get(adcs.url + path, timeout=30)
    assert answer.headers["Content-Type"] == "text/html"
    assert error_rows(answer.text) == {
        "Disposition:": "(never set)",
        "Disposition message:": "(none)",
        "LastStatus:": "The requested property value is empty. 0x80094004 (-2146877436 CERTSRV_E_PROPERTY_EMPTY)",
    }


@pytest.mark.parametrize(
    ("method", "path", "status", "text"),
    [
        ("GET", "", 200, "Welcome"),
        ("GET", "CERTCARC.ASP", 200, "nRenewals"),
        ("GET", "nosuch.asp", 404, "404 - File or directory not found."),
        ("POST", "certfnsh.asp", 200, "0x80070057"),  # no Mode
    ],
)
def test_routes(adcs: AdcsEmulator, ntlm: requests.Session, method: str, path: str, status: int, text: str) -> None:
    answer = ntlm.request(method, adcs.url + path, timeout=30)
    assert answer.status_code == status and text in answer.text


def test_german_pages_keep_the_anchors(adcs: AdcsEmulator, ntlm: requests.Session, csr_pem: str) -> None:
    adcs.set_locale("de")
    issued = submit(ntlm, adcs.url, csr_pem).content.decode("utf-8")
    assert "Zertifikat wurde ausgestellt" in issued and REQUEST_ID.search(issued)
    assert "Certificate" not in issued.replace("Certificate Services", "")
    denied = submit(ntlm, adcs.url, csr_pem, "CertificateTemplate:Nope").content.decode("utf-8")
    assert "ID=locDenied" in denied and "Ihre Zertifikatanforderung wurde verweigert." in denied
    assert '"Vom Richtlinienmodul verweigert  0x80094800, ' in denied
    request_id = int(re.search(r"Anforderungs-ID ist (\d+)\.", denied).group(1))  # type: ignore[union-attr]
    error = ntlm.get(f"{adcs.url}certnew.cer?ReqID={request_id}&Enc=b64", timeout=30).content.decode("utf-8")
    rows = error_rows(error)
    assert set(rows) == {"Disposition:", "Dispositionsmeldung:", "Letzter Status:"}
    assert rows["Disposition:"] == "2 - (unbekannt)"  # the number stays; only the name is localized
    assert rows["Letzter Status:"].endswith("0x80094800 (-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)")
    assert "var nRenewals=" in ntlm.get(adcs.url + "certcarc.asp", timeout=30).text


# -- faults -------------------------------------------------------------------------------------------------------


def test_status_500_fault(adcs: AdcsEmulator, ntlm: requests.Session) -> None:
    ntlm.get(adcs.url, timeout=30)  # authenticate the connection first: faults hit authenticated requests
    adcs.inject_fault("status_500", 2)
    statuses = [ntlm.get(adcs.url + "certcarc.asp", timeout=30).status_code for _attempt in range(3)]
    assert statuses == [500, 500, 200]


def test_slow_fault(adcs: AdcsEmulator, ntlm: requests.Session) -> None:
    ntlm.get(adcs.url, timeout=30)
    adcs.inject_fault("slow", 2, seconds=0.4)
    with pytest.raises(requests.Timeout):
        ntlm.get(adcs.url + "certcarc.asp", timeout=0.2)
    started = time.monotonic()
    assert ntlm.get(adcs.url + "certcarc.asp", timeout=30).status_code == 200
    assert time.monotonic() - started >= 0.4


def test_most_at_once_counts_answers_that_overlap(adcs: AdcsEmulator, lab_accounts: dict[str, Account]) -> None:
    """Two clients whose answers overlap (each slowed down by a fault) count 2; one after the other, 1."""
    sessions = [ntlm_session(lab_accounts["enroll"]) for _client in range(2)]
    for session in sessions:
        session.get(adcs.url, timeout=30)  # authenticated connections: faults hit authenticated requests
    adcs.reset_counters()
    for session in sessions:
        assert session.get(adcs.url + "certcarc.asp", timeout=30).status_code == 200
    assert adcs.counters()["most_at_once"] == 1
    adcs.inject_fault("slow", 2, seconds=0.5)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda session: session.get(adcs.url + "certcarc.asp", timeout=30), sessions))
    assert [answer.status_code for answer in answers] == [200, 200]
    assert adcs.counters()["most_at_once"] == 2
    adcs.reset_counters()
    assert adcs.counters()["most_at_once"] == 0
    for session in sessions:
        session.close()


def test_drop_fault(adcs: AdcsEmulator, ntlm: requests.Session) -> None:
    ntlm.get(adcs.url, timeout=30)
    adcs.inject_fault("drop", 1)
    with pytest.raises(requests.ConnectionError):
        ntlm.get(adcs.url + "certcarc.asp", timeout=30)
    assert ntlm.get(adcs.url + "certcarc.asp", timeout=30).status_code == 200  # a new connection, new handshake


@pytest.mark.parametrize(("kind", "count", "seconds"), [("teapot", 1, 0.0), ("status_500", 0, 0.0), ("slow", 1, -1.0)])
def test_bad_fault_requests(adcs: AdcsEmulator, kind: str, count: int, seconds: float) -> None:
    with pytest.raises(ValueError):
        adcs.inject_fault(kind, count, seconds)


@pytest.mark.parametrize(("setter", "value"), [("set_policy", "maybe"), ("set_locale", "fr")])
def test_bad_settings(adcs: AdcsEmulator, setter: str, value: str) -> None:
    with pytest.raises(ValueError):
        getattr(adcs, setter)(value)


# -- Extended Protection -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def epa_adcs_server(lab_pki: LabPki, lab_accounts: dict[str, Account]) -> Iterator[AdcsEmulator]:
    emulator = AdcsEmulator(lab_pki, lab_accounts, "127.0.0.1", extended_protection="required")
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.mark.parametrize(
    ("extended_protection", "scheme", "client", "status"),
    [
        pytest.param("required", "https", "ntlm", 200, id="required-https-ntlm-with-bindings"),
        pytest.param("required", "https", "ntlm-without-cbt", 401, id="required-https-ntlm-without-bindings"),
        pytest.param("required", "http", "ntlm-without-cbt", 200, id="required-http-has-no-channel"),
        pytest.param("required", "https", "basic", 200, id="required-https-basic"),
        pytest.param("off", "https", "ntlm-without-cbt", 200, id="off-https-ntlm-without-bindings"),
    ],
)
def test_extended_protection(
    adcs: AdcsEmulator,
    epa_adcs_server: AdcsEmulator,
    lab_accounts: dict[str, Account],
    extended_protection: str,
    scheme: str,
    client: str,
    status: int,
) -> None:
    """requests_ntlm sends the tls-server-end-point bindings of the certificate the server presented (hashed by its
    own RFC 5929 rule) over https, unless told not to (send_cbt=False)."""
    emulator = epa_adcs_server if extended_protection == "required" else adcs
    assert emulator.extended_protection == extended_protection
    account = lab_accounts["enroll"]
    user = f"{account.domain}\\{account.user}"
    auth: object = (user, account.password)
    if client != "basic":
        auth = HttpNtlmAuth(user, account.password, send_cbt=client == "ntlm")
    url = emulator.url if scheme == "http" else emulator.https_url
    with requests.Session() as session:
        session.trust_env = False
        answer = session.get(url, auth=auth, verify=str(emulator.pki.bundle_path), timeout=30)  # type: ignore[arg-type]
    assert answer.status_code == status
    if status == 401:
        assert "401 - Unauthorized" in answer.text
        assert answer.raw.headers.getlist("WWW-Authenticate")[:2] == ["Negotiate", "NTLM"]


def test_unknown_extended_protection_mode(lab_pki: LabPki, lab_accounts: dict[str, Account]) -> None:
    with pytest.raises(ValueError, match="off, required"):
        AdcsEmulator(lab_pki, lab_accounts, "127.0.0.1", extended_protection="allow")
