"""certreq.exe and certutil.exe run from PowerShell scripts on the simulated hosts, against their documentation (the
"certreq" and "certutil" pages of Windows Commands; Windows Server 2003's "Appendix 3: Certreq.exe Syntax") and
published runs of the programs; facts the lab assumes are named as such (docs/lab.md "Programs").

The switches are mostly written quoted ('-new'): PowerShell hands a native command the same text either way
(test_switches_written_as_parameters_reach_the_program checks the unquoted form).
"""

from __future__ import annotations

import codecs
import datetime
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID, ObjectIdentifier

from tests.lab.hosts.specs import PRESETS, HostSpec
from tests.lab.hosts.state import HostState
from tests.lab.pki import LabPki
from tests.lab.powershell.programs.inf import parse_inf
from tests.lab.powershell.programs.x500 import parse_x500

from .cmdlet_host import Run, error_text, run

TEMP = "C:\\Windows\\Temp"
INF = TEMP + "\\req.inf"
REQ = TEMP + "\\req.req"
CER = TEMP + "\\req.cer"
NAME_VALUE_PAIR = ObjectIdentifier("1.3.6.1.4.1.311.13.2.1")
TEMPLATE_NAME = ObjectIdentifier("1.3.6.1.4.1.311.20.2")
# Windows Server 2003 R2 (NT 5.2), a host of the matrix ("2007 SP1 on 2003 SP2 / R2", host-facts.md).
WINDOWS_2003 = PRESETS["2007sp1"].configured(
    os_version="5.2.3790", os_caption="Microsoft Windows Server 2003 R2 Enterprise Edition"
)
MACHINE_INF = """[NewRequest]
Subject = "CN={fqdn}"
KeySpec = 1
KeyLength = 2048
Exportable = FALSE
MachineKeySet = TRUE
ProviderName = "Microsoft RSA SChannel Cryptographic Provider"
ProviderType = 12
RequestType = PKCS10
"""
SAN_2008 = """[Extensions]
2.5.29.17 = "{{text}}"
_continue_ = "dns={fqdn}&"
_continue_ = "dns=mail.contoso.lab&"
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPki:
    return LabPki.create(Path(tmp_path_factory.mktemp("pki")))


def spec_of(preset: str | HostSpec) -> HostSpec:
    return PRESETS[preset] if isinstance(preset, str) else preset


def write_inf(text: str) -> str:
    """PowerShell that writes the INF with Set-Content (ANSI, CRLF: the Set-Content help)."""
    return "$inf = @'\n" + text + "'@\nSet-Content -Path '" + INF + "' -Value $inf\n"


def new_request(
    preset: str | HostSpec, inf: str, *, switches: str = "'-q'", machine: HostState | None = None, method: str = "ntlm"
) -> Run:
    script = write_inf(inf) + f"certreq '-new' {switches} '{INF}' '{REQ}'\n'exit=' + $LASTEXITCODE\n"
    return run(script, preset, machine=machine, method=method)


def request_of(result: Run) -> x509.CertificateSigningRequest:
    data = result.machine.files.read(REQ)
    assert data is not None, result.lines
    return x509.load_pem_x509_csr(data)


def signature_valid(csr: x509.CertificateSigningRequest) -> bool:
    """RFC 2986's signature check, done directly: cryptography's is_signature_valid refuses SHA-1, certreq's default."""
    key = csr.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and csr.signature_hash_algorithm is not None
    try:
        key.verify(csr.signature, csr.tbs_certrequest_bytes, padding.PKCS1v15(), csr.signature_hash_algorithm)
    except InvalidSignature:
        return False
    return True


def pending(machine: HostState) -> list:
    store = machine.machine_store("REQUEST")
    return [] if store is None else store.entries()


def issue(pki: LabPki, machine: HostState, csr: x509.CertificateSigningRequest, *, chain: bool = False) -> str:
    """Sign the request with the lab's CA (the WebServer template) and put the response file on the host."""
    certificate = pki.sign_csr(csr, template="WebServer")
    if chain:
        data = pkcs7.serialize_certificates([certificate, *pki.issuer_chain(certificate)], serialization.Encoding.DER)
    else:
        data = certificate.public_bytes(serialization.Encoding.PEM)
    machine.files.write(CER, data)
    return certificate.fingerprint(hashes.SHA1()).hex().upper()


def store_script(thumbprint: str) -> str:
    """X509Store (.NET 2.0): the certificate in LocalMachine\\My with its key, and what REQUEST still holds."""
    return (
        "$s = New-Object System.Security.Cryptography.X509Certificates.X509Store 'My', 'LocalMachine'\n"
        "$s.Open('ReadOnly')\n"
        f"$c = $s.Certificates | Where-Object {{ $_.Thumbprint -eq '{thumbprint}' }}\n"
        "'key=' + $c.HasPrivateKey\n"
        "$s.Close()\n"
        "$r = New-Object System.Security.Cryptography.X509Certificates.X509Store 'REQUEST', 'LocalMachine'\n"
        "$r.Open('ReadOnly')\n"
        "'pending=' + $r.Certificates.Count\n"
    )


def test_new_writes_the_request_and_keeps_the_key_pending(pki: LabPki) -> None:
    # certreq page: -new "Creates a new request from an .inf file"; the request file is Base64 with the
    # NEW CERTIFICATE REQUEST header (CryptBinaryToString CRYPT_STRING_BASE64REQUESTHEADER); "CertReq: Request
    # Created" (reports from 2008 R2 on). The key waits in the machine's REQUEST store (MachineKeySet = TRUE).
    spec = spec_of("2010")
    result = new_request("2010", MACHINE_INF.format(fqdn=spec.fqdn))
    assert result.lines == ["CertReq: Request Created", "exit=0"], error_text(result.stderr)
    text = result.machine.files.read(REQ)
    assert text is not None and text.startswith(b"-----BEGIN NEW CERTIFICATE REQUEST-----\r\n")
    assert text.endswith(b"-----END NEW CERTIFICATE REQUEST-----\r\n")
    assert max(len(line) for line in text.split(b"\r\n")) == 64
    csr = request_of(result)
    assert signature_valid(csr)
    assert csr.subject.rfc4514_string() == f"CN={spec.fqdn}"
    key = csr.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    assert csr.signature_hash_algorithm is not None and csr.signature_hash_algorithm.name == "sha1"  # the default
    [entry] = pending(result.machine)
    assert entry.has_private_key and not entry.key_exportable
    assert entry.key_provider == "Microsoft RSA SChannel Cryptographic Provider"
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    assert entry.certificate.public_key().public_bytes(serialization.Encoding.DER, public) == csr.public_key(
    ).public_bytes(serialization.Encoding.DER, public)  # fmt: skip
    assert entry.certificate.subject == entry.certificate.issuer == csr.subject  # the self-signed placeholder


@pytest.mark.parametrize("preset", ["2007sp1", "2010", "2013"])
def test_accept_machine_pairs_the_certificate_with_its_pending_key(pki: LabPki, preset: str) -> None:
    # certreq page: -accept "links the previously generated private key with the issued certificate and removes the
    # pending certificate request"; -machine names the machine context. X509Store then shows it in My with its key.
    spec = spec_of(preset)
    created = new_request(preset, MACHINE_INF.format(fqdn=spec.fqdn) + SAN_2008.format(fqdn=spec.fqdn))
    assert created.lines[-1] == "exit=0", created.lines
    machine = created.machine
    thumbprint = issue(pki, machine, request_of(created))
    accepted = run(f"certreq '-accept' '-machine' '-q' '{CER}'\n'exit=' + $LASTEXITCODE\n", preset, machine=machine)
    assert accepted.lines[0] == "Installed Certificate:", error_text(accepted.stderr)
    assert accepted.lines[2] == f"  Subject: CN={spec.fqdn}"
    assert accepted.lines[-1] == "exit=0"
    checked = run(store_script(thumbprint), preset, machine=machine)
    assert checked.lines == ["key=True", "pending=0"], error_text(checked.stderr)
    installed = machine.stores["My"].get(thumbprint)
    assert installed is not None and installed.private_key is not None
    assert (
        x509.DNSName("mail.contoso.lab")
        in installed.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    )


def test_san_extension_by_the_2008_syntax() -> None:
    # certreq page / host-facts.md: on 2008 and later the SANs go in [Extensions] as 2.5.29.17 = "{text}" with
    # _continue_ lines of dns= entries joined by &.
    spec = spec_of("2013")
    result = new_request("2013", MACHINE_INF.format(fqdn=spec.fqdn) + SAN_2008.format(fqdn=spec.fqdn))
    san = request_of(result).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == [spec.fqdn, "mail.contoso.lab"]


def test_windows_2003_takes_the_san_request_attribute_and_not_the_extension_syntax() -> None:
    # host-facts.md: on 2003 SAN="dns=a&dns=b" in [RequestAttributes] (the CA applies it with
    # EDITF_ATTRIBUTESUBJECTALTNAME2); the {text} syntax is the 2008 certreq's ("the new {text} syntax").
    inf = (
        MACHINE_INF.format(fqdn="exch2007.contoso.lab")
        + '[RequestAttributes]\nSAN = "dns=exch2007.contoso.lab&dns=a"\n'
    )
    result = new_request(WINDOWS_2003, inf)
    assert result.lines == ["exit=0"], error_text(result.stderr)  # no "Request Created" line on 2003 (assumed)
    csr = request_of(result)
    pairs = csr.attributes.get_attribute_for_oid(NAME_VALUE_PAIR).value
    assert "SAN".encode("utf-16-be") in pairs and "dns=exch2007.contoso.lab&dns=a".encode("utf-16-be") in pairs
    refused = new_request(WINDOWS_2003, MACHINE_INF.format(fqdn="x") + SAN_2008.format(fqdn="x"))
    assert "[Extensions] section of Windows Server 2003" in error_text(refused.stderr)


def test_windows_2003_certreq_has_no_machine_option() -> None:
    # The -machine/-user options are the later certreq's (certreq page); Appendix 3 (2003) lists none: assumed
    # refused as an unknown argument, exit 1.
    result = run(f"certreq '-accept' '-machine' '{CER}'; 'exit=' + $LASTEXITCODE", WINDOWS_2003)
    assert result.lines == ["CertReq: Unknown arg: -machine", "exit=1"], error_text(result.stderr)


def test_existing_request_file_needs_f_and_the_failed_run_leaves_its_pending_key() -> None:
    # certreq page: -f "Force existing files to be overwritten". The error is ERROR_FILE_EXISTS as certutil's
    # measured EncodeToFile gives it, after the work is done (assumed for certreq: the pending key stays behind).
    inf = MACHINE_INF.format(fqdn="exch2010.contoso.lab")
    first = new_request("2010", inf)
    machine = first.machine
    second = new_request("2010", inf, machine=machine)
    assert second.lines == [
        "Certificate Request Processor: The file exists. 0x80070050 (WIN32: 80 ERROR_FILE_EXISTS)",
        "exit=-2147024816",
    ]
    third = new_request("2010", inf, switches="'-q' '-f'", machine=machine)
    assert third.lines == ["CertReq: Request Created", "exit=0"]
    assert len(pending(machine)) == 3


@pytest.mark.parametrize(
    ("inf", "line"),
    [
        # [NewRequest] is mandatory (certreq page); SetupAPI's SPAPI_E_SECTION_NOT_FOUND (code assumed).
        ("[Version]\nSignature = \"$Windows NT$\"\n",
         "The required section was not found in the INF. 0x800f0101 (-2146500351 SPAPI_E_SECTION_NOT_FOUND)"),
        # CryptAcquireContext: a provider name that is not installed, a type that is not the provider's.
        ("[NewRequest]\nSubject = \"CN=a\"\nProviderName = \"Contoso CSP\"\n",
         "The keyset is not defined. 0x80090019 (-2146893799 NTE_KEYSET_NOT_DEF)"),
        ("[NewRequest]\nSubject = \"CN=a\"\nProviderName = \"Microsoft RSA SChannel Cryptographic Provider\"\n"
         "ProviderType = 1\n",
         "Provider type does not match registered value. 0x8009001b (-2146893797 NTE_PROV_TYPE_NO_MATCH)"),
        # CryptGenKey: RSA CSP key lengths in steps of 8 bits.
        ("[NewRequest]\nSubject = \"CN=a\"\nKeyLength = 1030\nProviderType = 12\n",
         "Invalid flags specified. 0x80090009 (-2146893815 NTE_BAD_FLAGS)"),
        # CertStrToName: a key it does not know.
        ("[NewRequest]\nSubject = \"XX=a\"\nProviderType = 12\n",
         "The string contains an invalid X500 name attribute key, oid, value or delimiter. 0x80092023 "
         "(-2146885597 CRYPT_E_INVALID_X500_STRING)"),
    ],
)  # fmt: skip
def test_bad_inf_fails_with_the_error_certreq_reports(inf: str, line: str) -> None:
    result = new_request("2010", inf)
    assert result.lines[0] == "Certificate Request Processor: " + line, error_text(result.stderr)
    assert result.lines[1] != "exit=0" and result.lines[1].startswith("exit=-")
    assert pending(result.machine) == [] and not result.machine.files.is_file(REQ)


def test_missing_inf_file() -> None:
    result = run(f"certreq '-new' '-q' '{TEMP}\\none.inf' '{REQ}'; 'exit=' + $LASTEXITCODE", "2013")
    assert result.lines == [
        "Certificate Request Processor: The system cannot find the file specified. 0x80070002 "
        "(WIN32: 2 ERROR_FILE_NOT_FOUND)",
        "exit=-2147024894",
    ]


def test_utf8_inf_with_byte_order_mark_loses_its_first_section() -> None:
    # An INF is ANSI or UTF-16LE (SetupAPI); a UTF-8 byte order mark is assumed unrecognised (docs/lab.md), so the
    # first line is no section header. Out-File's default (Unicode, with BOM) works.
    inf = MACHINE_INF.format(fqdn="exch2010.contoso.lab")
    utf8 = run(
        write_inf(inf).replace("-Value $inf", "-Value $inf -Encoding UTF8")
        + f"certreq '-new' '-q' '{INF}' '{REQ}'; 'exit=' + $LASTEXITCODE",
        "2010",
    )
    assert utf8.machine.files.read(INF).startswith(codecs.BOM_UTF8)  # type: ignore[union-attr]
    assert "SPAPI_E_SECTION_NOT_FOUND" in utf8.lines[0]
    unicode = run(
        "$inf = @'\n" + inf + f"'@\n$inf | Out-File -FilePath '{INF}'\n"
        f"certreq '-new' '-q' '{INF}' '{REQ}'; 'exit=' + $LASTEXITCODE",
        "2010",
    )
    assert unicode.lines == ["CertReq: Request Created", "exit=0"], error_text(unicode.stderr)


def test_template_lookup_needs_the_directory() -> None:
    # certreq -new looks up [RequestAttributes] CertificateTemplate (reports: "Template not found. Do you wish to
    # continue anyway?"; with -q no request, CertificateDsc#49). The directory is reached with the logon's rights:
    # NTLM has no network credentials, CredSSP has (host-facts.md "Second hop to AD"); the cache is a lab setting.
    inf = MACHINE_INF.format(fqdn="exch2010.contoso.lab") + '[RequestAttributes]\nCertificateTemplate = "WebServer"\n'
    denied = new_request("2010", inf)
    assert denied.lines == [
        "Certificate Request Processor: The operation was canceled by the user. 0x800704c7 "
        "(WIN32: 1223 ERROR_CANCELLED)",
        "exit=-2147023673",
    ]
    assert pending(denied.machine) == []
    prompt = new_request("2010", inf, switches="")
    assert "Template not found" in error_text(prompt.stderr) and "The lab has no model" in error_text(prompt.stderr)
    delegated = new_request("2010", inf, method="credssp")
    assert delegated.lines == ["CertReq: Request Created", "exit=0"], error_text(delegated.stderr)
    csr = request_of(delegated)
    template = csr.extensions.get_extension_for_oid(TEMPLATE_NAME).value
    assert isinstance(template, x509.UnrecognizedExtension) and template.value[2:].decode("utf-16-be") == "WebServer"
    assert "CertificateTemplate".encode("utf-16-be") in csr.attributes.get_attribute_for_oid(NAME_VALUE_PAIR).value
    cached = HostState.fresh(PRESETS["2010"])
    cached.certreq_template_cache = True
    assert new_request("2010", inf, machine=cached).lines[-1] == "exit=0"
    unknown = new_request("2010", inf.replace("WebServer", "NoSuchTemplate"), method="credssp")
    assert "ERROR_CANCELLED" in unknown.lines[0]


def test_accept_without_a_matching_request(pki: LabPki) -> None:
    # certreq page (-accept warning): without an outstanding request one of -user / -machine "must be specified";
    # then the certificate is installed in that context, without a key. Without either it fails (code assumed).
    created = new_request("2013", MACHINE_INF.format(fqdn="other.contoso.lab"))
    machine = created.machine
    csr = request_of(created)
    machine.machine_store("REQUEST").remove(pending(machine)[0].thumbprint)  # type: ignore[union-attr]
    thumbprint = issue(pki, machine, csr)
    failed = run(f"certreq '-accept' '-q' '{CER}'; 'exit=' + $LASTEXITCODE", "2013", machine=machine)
    assert failed.lines == [
        "Certificate Request Processor: Cannot find object or property. 0x80092004 (-2146885628 CRYPT_E_NOT_FOUND)",
        "exit=-2146885628",
    ]
    installed = run(f"certreq '-accept' '-machine' '-q' '{CER}'\n" + store_script(thumbprint), "2013", machine=machine)
    assert installed.lines[-2:] == ["key=False", "pending=0"], error_text(installed.stderr)


def test_accept_of_a_pkcs7_response_installs_the_issuing_ca_but_not_the_root(pki: LabPki) -> None:
    # certreq page: -accept takes certchainfilein (PKCS #7). The chain's CA certificates go to the CA store; adding
    # the root is left to the administrator (assumed, docs/lab.md).
    created = new_request("2010", MACHINE_INF.format(fqdn="exch2010.contoso.lab"))
    machine = created.machine
    thumbprint = issue(pki, machine, request_of(created), chain=True)
    accepted = run(f"certreq '-accept' '-machine' '{CER}'; 'exit=' + $LASTEXITCODE", "2010", machine=machine)
    assert accepted.lines[-1] == "exit=0", error_text(accepted.stderr)
    assert machine.machine_store("My").get(thumbprint).has_private_key  # type: ignore[union-attr]
    issuing = pki.issuing.fingerprint(hashes.SHA1()).hex().upper()
    root = pki.root.fingerprint(hashes.SHA1()).hex().upper()
    assert issuing in machine.stores["CA"] and root not in machine.stores["Root"]


def test_user_context_request_is_found_without_a_context_option(pki: LabPki) -> None:
    # certreq page: MachineKeySet defaults to FALSE (the user's context); "If there's an outstanding request in
    # either context that matches the public key being installed, then these options aren't needed."
    inf = MACHINE_INF.format(fqdn="user.contoso.lab").replace("MachineKeySet = TRUE", "MachineKeySet = FALSE")
    created = new_request("2013", inf)
    machine = created.machine
    assert pending(machine) == [] and len(machine.user_store("Administrator", "REQUEST").entries()) == 1  # type: ignore[union-attr]
    thumbprint = issue(pki, machine, request_of(created))
    accepted = run(f"certreq '-accept' '{CER}'; 'exit=' + $LASTEXITCODE", "2013", machine=machine)
    assert accepted.lines[-1] == "exit=0", error_text(accepted.stderr)
    mine = machine.user_store("Administrator", "My")
    assert mine is not None and mine.get(thumbprint).has_private_key  # type: ignore[union-attr]


def test_hash_algorithm_and_friendly_name_from_2008() -> None:
    # certreq page: HashAlgorithm (Sha256, sha384, sha512, sha1, md5) and FriendlyName, CertEnroll's keys (2008+);
    # not in Windows Server 2003's key list (refused as unknown there).
    inf = MACHINE_INF.format(fqdn="exch2013.contoso.lab") + 'HashAlgorithm = SHA256\nFriendlyName = "UM"\n'
    result = new_request("2013", inf.replace("[Extensions]", ""))
    assert request_of(result).signature_hash_algorithm.name == "sha256"  # type: ignore[union-attr]
    assert pending(result.machine)[0].friendly_name == "UM"
    refused = new_request(WINDOWS_2003, inf)
    assert "HashAlgorithm in [NewRequest] (Windows Server 2003's certreq)" in error_text(refused.stderr)


def test_default_provider_from_2008_is_the_key_storage_provider() -> None:
    # certreq page: its defaults select "Microsoft Software Key Storage Provider" (assumed for 2008 to 2012 R2,
    # docs/lab.md); certutil shows such a key "NOT plain text exportable".
    result = new_request("2010", '[NewRequest]\nSubject = "CN=cng.contoso.lab"\nMachineKeySet = TRUE\n')
    [entry] = pending(result.machine)
    assert entry.key_provider == "Microsoft Software Key Storage Provider"
    key = entry.certificate.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 1024  # the assumed pre-2012 default length
    shown = run("certutil '-store' 'REQUEST' 'cng.contoso.lab'", "2010", machine=result.machine)
    assert "Private key is NOT plain text exportable" in shown.lines


def test_switches_written_as_parameters_reach_the_program() -> None:
    # about_Parsing: a native command receives its arguments as text, `-new` as "-new".
    result = run(write_inf(MACHINE_INF.format(fqdn="a.contoso.lab")) + f"certreq -new -q {INF} {REQ}", "2010")
    assert result.lines == ["CertReq: Request Created"]


# -- certutil ------------------------------------------------------------------------------------------------------


def _root_file(pki: LabPki, machine: HostState) -> str:
    machine.files.write(TEMP + "\\root.cer", pki.root.public_bytes(serialization.Encoding.DER))
    return pki.root.fingerprint(hashes.SHA1()).hex().upper()


def test_addstore_adds_a_root_once(pki: LabPki) -> None:
    # certutil page: -addstore CertificateStoreName InFile, -f to overwrite; published runs print the store line,
    # "Signature matches Public Key" for a self-signed certificate, 'Certificate "X" added to store.' (the simple
    # name from 2012; the whole subject on 2008 R2). "already in store" without -f is assumed (docs/lab.md).
    machine = HostState.fresh(PRESETS["2013"])
    thumbprint = _root_file(pki, machine)
    script = f"certutil '-addstore' 'Root' '{TEMP}\\root.cer'; 'exit=' + $LASTEXITCODE\n"
    first = run(script, "2013", machine=machine)
    assert first.lines == [
        'Root "Trusted Root Certification Authorities"',
        "Signature matches Public Key",
        'Certificate "Contoso Root CA" added to store.',
        "CertUtil: -addstore command completed successfully.",
        "exit=0",
    ], error_text(first.stderr)
    assert thumbprint in machine.stores["Root"]
    again = run(script, "2013", machine=machine)
    assert again.lines[2] == 'Certificate "Contoso Root CA" already in store.'
    forced = run(script.replace("'-addstore'", "'-f' '-addstore'"), "2013", machine=machine)
    assert forced.lines[2] == 'Certificate "Contoso Root CA" added to store.'
    older = HostState.fresh(PRESETS["2010"])
    _root_file(pki, older)
    shown = run(script, "2010", machine=older).lines[2]
    assert shown == 'Certificate "CN=Contoso Root CA, DC=contoso, DC=lab" added to store.'


def fixed_root() -> x509.Certificate:
    """A self-signed CA certificate with known dates and serial number."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fixed Root")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1A2B3C)
        .not_valid_before(datetime.datetime(2024, 1, 2, 9, 5, tzinfo=datetime.timezone.utc))
        .not_valid_after(datetime.datetime(2030, 7, 15, 13, 30, tzinfo=datetime.timezone.utc))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def test_store_prints_the_fields_scripts_parse() -> None:
    # certutil page: -store [CertificateStoreName [CertId]]; CertId may be the SHA-1 hash. Published output:
    # Serial Number, Issuer, NotBefore/NotAfter in the host's short date and time, Subject, Cert Hash(sha1) (bytes
    # spaced in certutil 6.x), and for a certificate without a key "No key provider information".
    machine = HostState.fresh(PRESETS["2010"])
    machine.utc_offset_minutes = 60
    root = fixed_root()
    machine.files.write(TEMP + "\\root.cer", root.public_bytes(serialization.Encoding.PEM))
    digest = root.fingerprint(hashes.SHA1())
    result = run(
        f"certutil '-addstore' 'Root' '{TEMP}\\root.cer' | Out-Null\ncertutil '-store' 'Root' '{digest.hex()}'",
        "2010",
        machine=machine,
    )
    assert result.lines == [
        'Root "Trusted Root Certification Authorities"',
        f"================ Certificate {len(machine.stores['Root']) - 1} ================",
        "Serial Number: 1a2b3c",
        "Issuer: CN=Fixed Root",
        " NotBefore: 1/2/2024 10:05 AM",
        " NotAfter: 7/15/2030 2:30 PM",
        "Subject: CN=Fixed Root",
        "Signature matches Public Key",
        "Root Certificate: Subject matches Issuer",
        "Cert Hash(sha1): " + " ".join(f"{byte:02x}" for byte in digest),
        "No key provider information",
        "Cannot find the certificate and private key for decryption.",
        "CertUtil: -store command completed successfully.",
    ], error_text(result.stderr)


def test_store_of_my_shows_the_key_container_after_accept(pki: LabPki) -> None:
    # certutil output for a certificate with a key: Key Container, Unique container name, Provider (indented), "Private
    # key is NOT exportable" for a non-exportable CSP key, "Encryption test passed" for an AT_KEYEXCHANGE key.
    created = new_request("2010", MACHINE_INF.format(fqdn="exch2010.contoso.lab"))
    machine = created.machine
    thumbprint = issue(pki, machine, request_of(created))
    run(f"certreq '-accept' '-machine' '{CER}'", "2010", machine=machine)
    entry = machine.stores["My"].get(thumbprint)
    assert entry is not None
    lines = run(f"certutil '-store' 'My' '{thumbprint}'", "2010", machine=machine).lines
    assert "Certificate Template Name (Certificate Type): WebServer" in lines
    assert lines[-6:] == [
        f"  Key Container = {entry.key_container}",
        lines[-5],
        "  Provider = Microsoft RSA SChannel Cryptographic Provider",
        "Private key is NOT exportable",
        "Encryption test passed",
        "CertUtil: -store command completed successfully.",
    ]
    assert lines[-5].startswith("  Unique container name: ") and lines[-5].endswith(
        "_" + str(uuid.uuid5(uuid.NAMESPACE_DNS, PRESETS["2010"].fqdn))
    )


def test_delstore_removes_the_matching_certificate(pki: LabPki) -> None:
    # certutil page: -delstore CertificateStoreName CertId.
    machine = HostState.fresh(PRESETS["2013"])
    thumbprint = _root_file(pki, machine)
    run(f"certutil '-addstore' 'Root' '{TEMP}\\root.cer'", "2013", machine=machine)
    result = run(f"certutil '-delstore' 'Root' '{thumbprint}'; 'exit=' + $LASTEXITCODE", "2013", machine=machine)
    assert result.lines[-2:] == ["CertUtil: -delstore command completed successfully.", "exit=0"]
    assert thumbprint not in machine.stores["Root"]


@pytest.mark.parametrize(
    ("arguments", "lines"),
    [
        # Measured: an unknown store fails with ERROR_FILE_NOT_FOUND after its name; an unmatched CertId with
        # NTE_NOT_FOUND; an option after a positional argument is a CertId (-store My -user).
        ("'-store' 'NoSuchStore'", ["NoSuchStore", "CertUtil: -store command FAILED: 0x80070002 (WIN32: 2 "
                                    "ERROR_FILE_NOT_FOUND)", "CertUtil: The system cannot find the file specified.",
                                    "exit=-2147024894"]),
        ("'-store' 'My' '-user'", ['My "Personal"', "CertUtil: -store command FAILED: 0x80090011 (-2146893807 "
                                   "NTE_NOT_FOUND)", "CertUtil: Object was not found.", "exit=-2146893807"]),
        ("'-addstore' 'Root'", ["Expected at least 2 args, received 1", "CertUtil: Missing argument", "exit=1"]),
        ("'-store:My'", ["CertUtil: Unknown arg: -store:My", "exit=1"]),
    ],
)  # fmt: skip
def test_certutil_failures_as_measured(arguments: str, lines: list[str]) -> None:
    assert run(f"certutil {arguments}; 'exit=' + $LASTEXITCODE", "2013").lines == lines


def test_trusted_publisher_is_an_empty_system_store_and_other_verbs_are_refused() -> None:
    # certutil page: the system stores exist on every machine; verbs the lab does not model fail loudly.
    assert run("certutil '-store' 'TrustedPublisher'", "2013").lines == [
        "TrustedPublisher",
        "CertUtil: -store command completed successfully.",
    ]
    assert "certutil -verifystore" in error_text(run("certutil '-verifystore' 'Root'", "2013").stderr)
    assert "certutil -dump" in error_text(run("certutil", "2013").stderr)


# -- the INF and Subject syntax -------------------------------------------------------------------------------------


def test_inf_syntax_as_setupapi_reads_it() -> None:
    # General Syntax Rules for INF Files: case-insensitive names, sections of one name merge, ';' comments outside
    # quotes, '\' continues a line, %strkey% from [Strings] (%% a percent sign), "" inside quotes is one quote.
    inf = parse_inf(
        "[strings]\nfqdn = a.contoso.lab\n[NewRequest] ; the request\n"
        'Subject = "CN=%FQDN%;x" ; not part of it\nFriendlyName = "100%% ""UM"""\n'
        "KeyLength = 20\\\n48\n[newrequest]\nExportable = TRUE\n"
    )
    assert inf.value("NEWREQUEST", "subject") == "CN=a.contoso.lab;x"
    assert inf.value("NewRequest", "FriendlyName") == '100% "UM"'
    assert inf.value("NewRequest", "KeyLength") == "2048"
    assert inf.value("NewRequest", "Exportable") == "TRUE"


def test_subject_string_is_written_most_specific_first() -> None:
    # CertStrToName: ',' or ';' between RDNs, '+' inside one, quotes keep commas; the string reads as CertNameToStr
    # shows a name, so the encoded RDNs run the other way.
    name = parse_x500('CN=exch01.contoso.lab, OU="UM, Voice"; O=Contoso + L=Seattle, C=US')
    assert [[(attribute.oid.dotted_string, attribute.value) for attribute in rdn] for rdn in name.rdns] == [
        [("2.5.4.6", "US")],
        [("2.5.4.10", "Contoso"), ("2.5.4.7", "Seattle")],
        [("2.5.4.11", "UM, Voice")],
        [("2.5.4.3", "exch01.contoso.lab")],
    ]
