"""New-ExchangeCertificate -GenerateRequest, Import-ExchangeCertificate and Remove-ExchangeCertificate per Exchange
version, on real keys, against host-facts.md, the cmdlet help and Exchange 15.00.1497's certificate tasks."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import NameOID

from tests.lab.hosts.certs import StoredCertificate
from tests.lab.hosts.specs import PRESETS
from tests.lab.hosts.state import HostState
from tests.lab.pki import LabPki

from .cmdlet_host import Run, error_text, run
from .test_cmdlets_exchange import snapin
from .test_programs import signature_valid

TEMP = "C:\\Windows\\Temp"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> LabPki:
    return LabPki.create(Path(tmp_path_factory.mktemp("ca")))


def _exchange(script: str, version: str, machine: HostState | None = None, method: str = "credssp") -> Run:
    return run(snapin(version) + script, version, method=method, machine=machine)


def _request_2010(machine: HostState, extra: str = "") -> Run:
    script = (
        "$r = New-ExchangeCertificate -GenerateRequest -SubjectName 'C=US, O=Contoso, CN=exch2010.contoso.lab' "
        f"-DomainName 'exch2010.contoso.lab', 'um.contoso.lab' -FriendlyName 'UM 2010'{extra}; "
        "$r.GetType().FullName; $r"
    )
    return _exchange(script, "2010", machine)


def _csr(text: str) -> x509.CertificateSigningRequest:
    return x509.load_pem_x509_csr(text.encode("ascii"))


def _issue(pki: LabPki, csr: x509.CertificateSigningRequest, *, chain: bool = False) -> bytes:
    certificate = pki.sign_csr(csr, template="WebServer")
    if chain:
        return pkcs7.serialize_certificates([certificate, *pki.issuer_chain(certificate)], serialization.Encoding.DER)
    return certificate.public_bytes(serialization.Encoding.PEM)


# -- New-ExchangeCertificate -GenerateRequest ------------------------------------------------------------------------


def test_2010_request_is_the_output_string_and_a_pending_key() -> None:
    # host-facts.md: 2010 returns the request as the output string (no -Path, no -RequestFile); the key pair is
    # made in the machine context (RSA SChannel, AT_KEYEXCHANGE) and the pending request lands in REQUEST, shown by
    # Get-ExchangeCertificate as PendingRequest (help; GetCertificate).
    machine = HostState.fresh(PRESETS["2010"])
    result = _request_2010(machine, " -PrivateKeyExportable $true -KeySize 4096")
    assert result.lines[0] == "System.String", error_text(result.stderr)
    text = "\n".join(result.lines[1:])
    assert text.startswith("-----BEGIN NEW CERTIFICATE REQUEST-----")
    csr = _csr(text)
    assert signature_valid(csr)
    # The subject in the order written (the server re-encodes it without X500DistinguishedNameFlags.Reversed).
    assert [attribute.oid for attribute in csr.subject] == [
        NameOID.COUNTRY_NAME, NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME,
    ]  # fmt: skip
    assert csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    ) == ["exch2010.contoso.lab", "um.contoso.lab"]
    [pending] = machine.stores["REQUEST"].entries()
    assert pending.private_key is not None and pending.private_key.key_size == 4096
    assert isinstance(pending.private_key, rsa.RSAPrivateKey)
    assert pending.private_key.public_key().public_numbers() == csr.public_key().public_numbers()  # type: ignore[union-attr]
    assert (pending.key_provider, pending.key_spec, pending.key_exportable) == (
        "Microsoft RSA SChannel Cryptographic Provider", 1, True,
    )  # fmt: skip
    assert pending.friendly_name == "UM 2010"
    shown = _exchange(
        "Get-ExchangeCertificate | Where-Object { $_.Status -eq 'PendingRequest' } | ForEach-Object { "
        "$_.Thumbprint; $_.PrivateKeyExportable; $_.FriendlyName; $_.PublicKeySize }",
        "2010",
        machine,
    )
    assert shown.lines == [pending.thumbprint, "True", "UM 2010", "4096"], error_text(shown.stderr)


def test_request_defaults() -> None:
    # Defaults: KeySize 2048, not exportable, friendly name "Microsoft Exchange"; without -SubjectName the first
    # domain name is the CN; -IncludeServerFQDN adds the server's FQDN to the names.
    machine = HostState.fresh(PRESETS["2010"])
    result = _exchange(
        "New-ExchangeCertificate -GenerateRequest -DomainName 'um.contoso.lab' -IncludeServerFQDN", "2010", machine
    )
    csr = _csr("\n".join(result.lines))
    assert csr.subject.rfc4514_string() == "CN=um.contoso.lab"
    names = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["um.contoso.lab", "exch2010.contoso.lab"]
    [pending] = machine.stores["REQUEST"].entries()
    assert pending.private_key is not None and pending.private_key.key_size == 2048  # type: ignore[union-attr]
    assert (pending.key_exportable, pending.friendly_name) == (False, "Microsoft Exchange")


def test_2010_binary_encoded_gives_file_data() -> None:
    # NewExchangeCertificate.ProcessRequestResults: -BinaryEncoded writes a BinaryFileDataObject whose FileData is
    # the DER request (the 2010 help: Set-Content -Value $Data.FileData -Encoding Byte).
    machine = HostState.fresh(PRESETS["2010"])
    script = (
        "$d = New-ExchangeCertificate -GenerateRequest -BinaryEncoded -SubjectName 'CN=exch2010.contoso.lab'; "
        f"Set-Content -Path '{TEMP}\\r.req' -Value $d.FileData -Encoding Byte; $d.FileData.Length"
    )
    result = _exchange(script, "2010", machine)
    der = machine.files.read(f"{TEMP}\\r.req")
    assert der is not None and result.lines == [str(len(der))], error_text(result.stderr)
    assert x509.load_der_x509_csr(der).subject.rfc4514_string() == "CN=exch2010.contoso.lab"


def test_2010_has_no_path_and_no_request_file() -> None:
    # host-facts.md: 2010 has neither -Path nor -RequestFile.
    for parameter in ("Path", "RequestFile"):
        result = _exchange(f"New-ExchangeCertificate -GenerateRequest -{parameter} 'C:\\x.req'", "2010")
        assert f"A parameter cannot be found that matches parameter name '{parameter}'." in error_text(result.stderr)


def test_2013_request_file_and_string() -> None:
    # host-facts.md: 2013 adds -RequestFile (only with -GenerateRequest) and still writes the string.
    machine = HostState.fresh(PRESETS["2013"])
    path = f"{TEMP}\\um.req"
    result = _exchange(
        f"$r = New-ExchangeCertificate -GenerateRequest -SubjectName 'CN=exch2013.contoso.lab' -RequestFile '{path}'; "
        "$r.Length -gt 0",
        "2013",
        machine,
    )
    assert result.lines == ["True"], error_text(result.stderr)
    written = machine.files.read(path)
    assert written is not None and _csr(written.decode("ascii")).subject.rfc4514_string() == "CN=exch2013.contoso.lab"


def test_2013_existing_request_file_is_refused_before_any_key() -> None:
    # IsValidRequestFile runs in InternalValidate, before the server makes a key: no orphaned pending request.
    machine = HostState.fresh(PRESETS["2013"])
    machine.files.write(f"{TEMP}\\um.req", b"old")
    script = f"New-ExchangeCertificate -GenerateRequest -RequestFile '{TEMP}\\um.req'; 'next'"
    result = run(snapin("2013").replace("'Stop'", "'Continue'") + script, "2013", method="credssp", machine=machine)
    assert result.lines == ["next"]
    assert "A special Rpc error occurs on server EXCH2013: " in error_text(result.stderr)
    assert len(machine.stores["REQUEST"]) == 0
    assert machine.files.read(f"{TEMP}\\um.req") == b"old"


@pytest.mark.parametrize("version", ["2007sp1", "2010", "2013"])
def test_services_is_not_of_the_request_set(version: str) -> None:
    # host-facts.md (2013: -Services not with -GenerateRequest); the 2007 SP1 and later syntax put -Services in
    # the self-signed parameter set only: PowerShell cannot resolve the set.
    result = _exchange("New-ExchangeCertificate -GenerateRequest -Services UM", version)
    assert "Parameter set cannot be resolved using the specified named parameters." in error_text(result.stderr)
    assert result.machine.stores["REQUEST"].entries() == []


def test_2007_path_writes_the_file_binary_encoded() -> None:
    # host-facts.md: 2007 SP1 writes the request to -Path, DER with -BinaryEncoded; no -Server there.
    machine = HostState.fresh(PRESETS["2007sp1"])
    path = f"{TEMP}\\exch2007.req"
    script = (
        f"New-ExchangeCertificate -GenerateRequest -Path '{path}' -BinaryEncoded "
        "-SubjectName 'CN=exch2007.contoso.lab' "
        "-DomainName 'exch2007.contoso.lab'; 'done'"
    )
    result = _exchange(script, "2007sp1", machine)
    assert result.lines == ["done"], error_text(result.stderr)
    der = machine.files.read(path)
    assert der is not None and x509.load_der_x509_csr(der).subject.rfc4514_string() == "CN=exch2007.contoso.lab"
    assert len(machine.stores["REQUEST"]) == 1
    refused = _exchange(f"New-ExchangeCertificate -GenerateRequest -Path '{path}' -Server x", "2007sp1")
    assert "A parameter cannot be found that matches parameter name 'Server'." in error_text(refused.stderr)


def test_2007_existing_path_needs_force() -> None:
    # The 2007 SP1 help: -Force overwrites an existing request file; without it the write fails (the key exists
    # already then: assumed, the pessimistic order).
    machine = HostState.fresh(PRESETS["2007sp1"])
    path = f"{TEMP}\\exch2007.req"
    machine.files.write(path, b"old")
    script = f"New-ExchangeCertificate -GenerateRequest -Path '{path}' -SubjectName 'CN=exch2007.contoso.lab'"
    failed = run(snapin("2007sp1").replace("'Stop'", "'Continue'") + script, "2007sp1", method="credssp",
                 machine=machine)  # fmt: skip
    assert "The file exists." in error_text(failed.stderr)
    assert machine.files.read(path) == b"old"
    _exchange(script + " -Force", "2007sp1", machine)
    data = machine.files.read(path)
    assert data is not None and data.startswith(b"-----BEGIN NEW CERTIFICATE REQUEST-----")


@pytest.mark.parametrize("method", ["ntlm", "basic"])
def test_request_needs_the_directory(method: str) -> None:
    # host-facts.md "Second hop to AD": the task reads the server object with the caller's rights.
    result = _exchange("New-ExchangeCertificate -GenerateRequest -SubjectName 'CN=x'", "2010", method=method)
    assert "Value cannot be null." in error_text(result.stderr)
    assert result.machine.stores["REQUEST"].entries() == []


# -- Import-ExchangeCertificate --------------------------------------------------------------------------------------


def test_2010_import_file_data_pairs_with_the_pending_key(pki: LabPki) -> None:
    # ImportCertificate -> TryAcceptPkcs7: InstallResponse pairs the issued certificate with the pending key into My
    # and removes the REQUEST entry (as certreq -accept); a PKCS#7's CA certificates go to the CA store.
    machine = HostState.fresh(PRESETS["2010"])
    request = _request_2010(machine)
    [pending] = machine.stores["REQUEST"].entries()
    machine.files.write(f"{TEMP}\\issued.p7b", _issue(pki, _csr("\n".join(request.lines[1:])), chain=True))
    script = (
        f"$c = Import-ExchangeCertificate -FileData ([Byte[]](Get-Content -Path '{TEMP}\\issued.p7b' -Encoding Byte "
        "-ReadCount 0)) -FriendlyName 'UM issued'; $c.Thumbprint; $c.HasPrivateKey; [string]$c.Status; "
        "$c.FriendlyName; "
        "@(Get-ExchangeCertificate | Where-Object { $_.Status -eq 'PendingRequest' }).Length"
    )
    result = _exchange(script, "2010", machine)
    [issued] = [entry for entry in machine.stores["My"].entries() if entry.friendly_name == "UM issued"]
    assert result.lines == [issued.thumbprint, "True", "Untrusted", "UM issued", "0"], error_text(result.stderr)
    assert issued.private_key is pending.private_key
    assert machine.stores["REQUEST"].entries() == []
    assert pki.issuing.fingerprint(hashes.SHA1()).hex().upper() in machine.stores["CA"]


def test_2013_import_file_name_and_2010_has_none(pki: LabPki) -> None:
    # host-facts.md: 2013 adds -FileName; 2010 has only -FileData.
    machine = HostState.fresh(PRESETS["2013"])
    request = _exchange("New-ExchangeCertificate -GenerateRequest -SubjectName 'CN=exch2013.contoso.lab'", "2013",
                        machine)  # fmt: skip
    machine.files.write(f"{TEMP}\\issued.cer", _issue(pki, _csr("\n".join(request.lines))))
    result = _exchange(f"(Import-ExchangeCertificate -FileName '{TEMP}\\issued.cer').HasPrivateKey", "2013", machine)
    assert result.lines == ["True"], error_text(result.stderr)
    refused = _exchange(f"Import-ExchangeCertificate -FileName '{TEMP}\\issued.cer'", "2010")
    assert "A parameter cannot be found that matches parameter name 'FileName'." in error_text(refused.stderr)


def test_2007_import_path(pki: LabPki) -> None:
    # host-facts.md: 2007 SP1 imports from -Path; it has no -PrivateKeyExportable.
    machine = HostState.fresh(PRESETS["2007sp1"])
    _exchange(f"New-ExchangeCertificate -GenerateRequest -Path '{TEMP}\\r.req' -SubjectName 'CN=exch2007.contoso.lab'",
              "2007sp1", machine)  # fmt: skip
    data = machine.files.read(f"{TEMP}\\r.req")
    assert data is not None
    machine.files.write(f"{TEMP}\\issued.cer", _issue(pki, _csr(data.decode("ascii"))))
    result = _exchange(f"(Import-ExchangeCertificate -Path '{TEMP}\\issued.cer').HasPrivateKey", "2007sp1", machine)
    assert result.lines == ["True"], error_text(result.stderr)
    refused = _exchange(f"Import-ExchangeCertificate -Path '{TEMP}\\issued.cer' -PrivateKeyExportable $true", "2007sp1")
    assert "matches parameter name 'PrivateKeyExportable'" in error_text(refused.stderr)


def test_unrelated_certificate_imports_without_key_and_only_once(pki: LabPki) -> None:
    # ImportCertificate: no pending request matches -> X509Certificate2Collection.Import and My.Add as it is (no
    # key); Get-ExchangeCertificate then does not list it (ValidateExchangeCertificate: PrivateKeyMissing); a second
    # import is ImportCertificateAlreadyExists.
    machine = HostState.fresh(PRESETS["2010"])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "other.contoso.lab")]))
        .sign(key, hashes.SHA256())
    )
    machine.files.write(f"{TEMP}\\other.cer", _issue(pki, csr))
    import_script = (
        f"Import-ExchangeCertificate -FileData ([Byte[]](Get-Content '{TEMP}\\other.cer' -Encoding Byte -ReadCount 0))"
    )
    script = (
        f"$c = {import_script}; $c.HasPrivateKey; "
        "@(Get-ExchangeCertificate | Where-Object { $_.Thumbprint -eq $c.Thumbprint }).Length"
    )
    result = _exchange(script, "2010", machine)
    assert result.lines == ["False", "0"], error_text(result.stderr)
    again = run(snapin("2010").replace("'Stop'", "'Continue'") + import_script + "; 'next'", "2010",
                method="credssp", machine=machine)  # fmt: skip
    assert again.lines == ["next"]
    assert "A special Rpc error occurs on server EXCH2010: Cannot import certificate. A certificate with the " in (
        error_text(again.stderr)
    )


def test_import_of_data_that_is_no_certificate() -> None:
    # ImportCertificate: undecodable data -> ImportCertificateDataInvalid (ReadError); nothing changes.
    machine = HostState.fresh(PRESETS["2013"])
    before = len(machine.stores["My"])
    script = "Import-ExchangeCertificate -FileData ([Byte[]](200, 1, 2, 3)); 'next'"
    result = run(snapin("2013").replace("'Stop'", "'Continue'") + script, "2013", method="credssp", machine=machine)
    assert result.lines == ["next"]
    assert "A special Rpc error occurs on server EXCH2013: The certificate data is invalid." in error_text(
        result.stderr
    )
    assert len(machine.stores["My"]) == before


def test_import_pfx_with_password_and_exportable(pki: LabPki) -> None:
    # Import-ExchangeCertificate help (2010+): a PKCS #12 file with -Password; -PrivateKeyExportable marks the key
    # exportable (X509KeyStorageFlags.Exportable).
    machine = HostState.fresh(PRESETS["2010"])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pfx.contoso.lab")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256())
    )  # fmt: skip
    pfx = pkcs12.serialize_key_and_certificates(
        b"pfx", key, certificate, None, serialization.BestAvailableEncryption(b"Pfx-Passw0rd")
    )
    machine.files.write(f"{TEMP}\\c.pfx", pfx)
    script = (
        "$p = ConvertTo-SecureString -String 'Pfx-Passw0rd' -AsPlainText -Force; "
        f"$b = [Byte[]](Get-Content '{TEMP}\\c.pfx' -Encoding Byte -ReadCount 0); "
        "$c = Import-ExchangeCertificate -FileData $b "
        "-Password $p -PrivateKeyExportable $true; $c.HasPrivateKey; $c.PrivateKeyExportable"
    )
    result = _exchange(script, "2010", machine)
    assert result.lines == ["True", "True"], error_text(result.stderr)


# -- Remove-ExchangeCertificate --------------------------------------------------------------------------------------


def test_remove_pending_request_and_certificate() -> None:
    # RemoveCertificate: My first, then REQUEST; -Confirm:$false answers the Remove task's confirmation.
    machine = HostState.fresh(PRESETS["2010"])
    _request_2010(machine)
    [pending] = machine.stores["REQUEST"].entries()
    setup = next(iter(machine.exchange_services))
    script = (
        f"Remove-ExchangeCertificate -Thumbprint '{pending.thumbprint}' -Confirm:$false; "
        f"Remove-ExchangeCertificate -Thumbprint '{setup.lower()}' -Server $env:COMPUTERNAME -Confirm:$false; 'done'"
    )
    result = _exchange(script, "2010", machine)
    assert result.lines == ["done"], error_text(result.stderr)
    assert machine.stores["REQUEST"].entries() == [] and setup not in machine.stores["My"]


def test_remove_without_confirm_is_a_prompt() -> None:
    result = _exchange("Remove-ExchangeCertificate -Thumbprint AB", "2010")
    assert "The lab has no model for this script" in error_text(result.stderr)


def test_remove_unknown_thumbprint() -> None:
    # Strings.CertificateNotFound through the RPC (2010+); 2007 SP1 without the RPC prefix.
    for version, prefix in (("2010", "A special Rpc error occurs on server EXCH2010: "), ("2007sp1", "")):
        script = "Remove-ExchangeCertificate -Thumbprint 'ABCD' -Confirm:$false; 'next'"
        result = run(snapin(version).replace("'Stop'", "'Continue'") + script, version, method="credssp")
        assert result.lines == ["next"]
        assert f"{prefix}The certificate with thumbprint ABCD was not found." in error_text(result.stderr)


def test_2013_refuses_to_remove_the_um_certificate() -> None:
    # host-facts.md: 2013 refuses to remove the certificate UM uses (RemoveCertificate: CannotRemoveUMCertificate);
    # -Identity <server>\<thumbprint> from 2013.
    machine = HostState.fresh(PRESETS["2013"])
    setup = next(iter(machine.exchange_services))
    assert machine.um is not None
    machine.um.certificate_thumbprint = setup
    script = f"Remove-ExchangeCertificate -Identity ($env:COMPUTERNAME + '\\{setup}') -Confirm:$false; 'next'"
    result = run(snapin("2013").replace("'Stop'", "'Continue'") + script, "2013", method="credssp", machine=machine)
    assert result.lines == ["next"]
    assert "can't be removed because the UM service uses it." in error_text(result.stderr)
    assert setup in machine.stores["My"]


def test_remove_of_a_certificate_without_its_key() -> None:
    # EnsureValidExchangeCertificate: a My certificate without its private key is "not valid for use".
    machine = HostState.fresh(PRESETS["2010"])
    entry = StoredCertificate(next(iter(machine.stores["My"].entries())).certificate)
    machine.stores["My"].remove(entry.thumbprint)
    machine.stores["My"].add(entry)
    script = f"Remove-ExchangeCertificate -Thumbprint '{entry.thumbprint}' -Confirm:$false; 'next'"
    result = run(snapin("2010").replace("'Stop'", "'Continue'") + script, "2010", method="credssp", machine=machine)
    assert "was found but is not valid for use with Exchange Server (reason: PrivateKeyMissing)." in error_text(
        result.stderr
    )
    assert entry.thumbprint in machine.stores["My"]
