"""The simulated X509 classes against their documented .NET Framework behaviour (sources cited per test:
referencesource System/security/system/security/cryptography/x509/*.cs, mscorlib x509certificate.cs, the Microsoft
Learn pages of the classes), over real certificates made here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.lab.hosts.certs import StoredCertificate, thumbprint
from tests.lab.powershell.context import Host
from tests.lab.powershell.dotnet import running_on
from tests.lab.powershell.dotnet._runtime import byte_array
from tests.lab.powershell.dotnet.time import DateTime
from tests.lab.powershell.dotnet.x509 import X509Certificate2, certificate_object
from tests.lab.powershell.errors import NetException, NotModelled
from tests.lab.powershell.tests.dotnet_calls import (
    call,
    construct,
    get,
    has_member,
    host_for,
    set_property,
    static_get,
)
from tests.lab.powershell.values import CLR2, EnumValue, PSArray, enum_value, find_type

NS = "System.Security.Cryptography.X509Certificates."
NOW = datetime.datetime.now(datetime.timezone.utc)


def enum(name: str, member: str) -> EnumValue:
    net = find_type(NS + name)
    assert net is not None and net.enum_members is not None
    return enum_value(net, net.enum_members[member])


@dataclass
class Pki:
    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: ec.EllipticCurvePrivateKey
    expired: x509.Certificate


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"), x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                      "Contoso"), x509.NameAttribute(NameOID.COMMON_NAME, common)])  # fmt: skip


def _certificate(
    subject: str, issuer: str, key: ec.EllipticCurvePrivateKey, signer: ec.EllipticCurvePrivateKey, *, ca: bool,
    serial: int, days: tuple[int, int] = (-1, 365), cdp: bool = False,
) -> x509.Certificate:  # fmt: skip
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOW + datetime.timedelta(days=days[0]))
        .not_valid_after(NOW + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = (
            builder.add_extension(
                x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName("a.contoso.lab"), x509.DNSName("b.contoso.lab")]),
                critical=False,
            )
        )
    if cdp:
        point = x509.DistributionPoint(
            [x509.UniformResourceIdentifier("http://pki.contoso.lab/ca.crl")], None, None, None
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture(scope="module")
def pki() -> Pki:
    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _key in range(3))
    root = _certificate("Lab Root", "Lab Root", root_key, root_key, ca=True, serial=0x0100)
    intermediate = _certificate("Lab Issuing", "Lab Root", inter_key, root_key, ca=True, serial=0x80, cdp=True)
    leaf = _certificate("host.contoso.lab", "Lab Issuing", leaf_key, inter_key, ca=False, serial=0x1234ABCD)
    expired = _certificate("old.contoso.lab", "Lab Issuing", leaf_key, inter_key, ca=False, serial=7, days=(-30, -1))
    return Pki(root, intermediate, leaf, leaf_key, expired)


def der(certificate: x509.Certificate) -> PSArray:
    return byte_array(certificate.public_bytes(serialization.Encoding.DER))


def load(certificate: x509.Certificate) -> X509Certificate2:
    return construct(None, NS + "X509Certificate2", der(certificate), types=("System.Byte[]",))


def open_store(name: str, location: str, flags: str = "ReadWrite") -> object:
    store = construct(None, NS + "X509Store", name, enum("StoreLocation", location),
                      types=("System.String", NS + "StoreLocation"))  # fmt: skip
    call(store, NS + "X509Store", "Open", enum("OpenFlags", flags), types=(NS + "OpenFlags",))
    return store


def thumbprints(store: object) -> list[str]:
    return [get(each, NS + "X509Certificate2", "Thumbprint") for each in get(store, NS + "X509Store", "Certificates")]


def add(store: object, certificate: X509Certificate2) -> None:
    call(store, NS + "X509Store", "Add", certificate, types=(NS + "X509Certificate2",))


# -- X509Store ------------------------------------------------------------------------------------------------------


def test_store_members_are_those_documented() -> None:
    """X509Store has no Import method and one Add(X509Certificate2) (Microsoft Learn X509Store members)."""
    assert not has_member(NS + "X509Store", "Import", None, runtime=CLR2)
    assert has_member(NS + "X509Store", "Add", NS + "X509Certificate2", runtime=CLR2)
    assert not has_member(NS + "X509Store", "Add", NS + "X509Certificate2", "System.Boolean", runtime=CLR2)


def test_a_store_never_opened_is_empty_and_refuses_add(pki: Pki) -> None:
    """x509store.cs: Certificates is a new empty collection while the handle is invalid; Add throws
    CryptographicException(Cryptography_X509_StoreNotOpen)."""
    host = host_for()
    with running_on(host):
        store = construct(None, NS + "X509Store", "Root", enum("StoreLocation", "LocalMachine"),
                          types=("System.String", NS + "StoreLocation"))  # fmt: skip
        assert len(get(store, NS + "X509Store", "Certificates")) == 0
        with pytest.raises(NetException) as raised:
            add(store, load(pki.root))
    assert raised.value.type_name == "System.Security.Cryptography.CryptographicException"
    assert raised.value.message == "The X509 certificate store has not been opened."
    assert thumbprint(pki.root) not in host.machine.stores["Root"]


def test_a_read_only_store_refuses_add_and_remove(pki: Pki) -> None:
    """X509Store.Add docs: CryptographicException "The certificate could not be added to the store"; the message is
    FormatMessage(ERROR_ACCESS_DENIED) (CryptographicException(Marshal.GetLastWin32Error()))."""
    host = host_for()
    with running_on(host):
        store = open_store("Root", "LocalMachine", "ReadOnly")
        with pytest.raises(NetException) as raised:
            add(store, load(pki.root))
        existing = get(store, NS + "X509Store", "Certificates")[0]
        with pytest.raises(NetException):
            call(store, NS + "X509Store", "Remove", existing, types=(NS + "X509Certificate2",))
    assert raised.value.message == "Access is denied.\r\n"
    assert thumbprint(pki.root) not in host.machine.stores["Root"]


def test_add_is_idempotent_and_certificates_is_a_new_collection_each_time(pki: Pki) -> None:
    """x509store.cs Add: CERT_STORE_ADD_REPLACE_EXISTING_INHERIT_PROPERTIES (no second copy); Certificates builds a
    new X509Certificate2Collection on every read (X509Utils.GetCertificates)."""
    host = host_for()
    with running_on(host):
        store = open_store("Root", "LocalMachine")
        before = len(host.machine.stores["Root"])
        add(store, load(pki.root))
        add(store, load(pki.root))
        first = get(store, NS + "X509Store", "Certificates")
        second = get(store, NS + "X509Store", "Certificates")
    assert len(host.machine.stores["Root"]) == before + 1
    assert first is not second
    assert [each.thumbprint for each in first].count(thumbprint(pki.root)) == 1


def test_remove_takes_the_certificate_out_and_ignores_one_not_there(pki: Pki) -> None:
    """x509store.cs RemoveCertificateFromStore: a certificate not in the store is simply not removed."""
    host = host_for()
    with running_on(host):
        store = open_store("CA", "LocalMachine")
        add(store, load(pki.intermediate))
        call(store, NS + "X509Store", "Remove", load(pki.intermediate), types=(NS + "X509Certificate2",))
        call(store, NS + "X509Store", "Remove", load(pki.leaf), types=(NS + "X509Certificate2",))
    assert thumbprint(pki.intermediate) not in host.machine.stores["CA"]


def test_current_user_is_another_store(pki: Pki) -> None:
    """Microsoft Learn "Local Machine and Current User Certificate Stores": a CurrentUser store is the user's own
    (HKCU) and also shows the machine's certificates, except Personal."""
    host = host_for()
    with running_on(host):
        user_ca = open_store("CA", "CurrentUser")
        add(user_ca, load(pki.intermediate))
        user_root = open_store("Root", "CurrentUser")
        shown = thumbprints(user_root)
    assert thumbprint(pki.intermediate) not in host.machine.stores["CA"]
    assert thumbprint(pki.intermediate) in host.machine.user_stores["administrator"]["CA"]
    assert [entry.thumbprint for entry in host.machine.stores["Root"].entries()] == shown
    assert "user_stores" in host.machine.to_dict()


def test_adding_to_current_user_root_under_winrm_is_canceled(pki: Pki) -> None:
    """dotnet/corefx#25306, PowerShell/PowerShell#7748: the CurrentUser\\Root add needs the user's confirmation and
    fails with ERROR_CANCELLED where no dialog can be shown (the lab's assumption for WinRM logons)."""
    host = host_for()
    with running_on(host), pytest.raises(NetException) as raised:
        add(open_store("Root", "CurrentUser"), load(pki.root))
    assert raised.value.message == "The operation was canceled by the user.\r\n"


def test_the_private_key_travels_only_with_a_certificate_that_has_one(pki: Pki) -> None:
    """X509Certificate2(byte[] pfx, password, PersistKeySet) has the key (HasPrivateKey); from DER it has none; the
    store entry made by Add keeps what the object had."""
    pfx = pkcs12.serialize_key_and_certificates(
        b"leaf", pki.leaf_key, pki.leaf, None, serialization.BestAvailableEncryption(b"pw-1")
    )
    host = host_for()
    with running_on(host):
        persist = enum("X509KeyStorageFlags", "PersistKeySet")
        pfx_types = ("System.Byte[]", "System.String", NS + "X509KeyStorageFlags")
        with_key = construct(None, NS + "X509Certificate2", byte_array(pfx), "pw-1", persist, types=pfx_types)
        assert get(with_key, NS + "X509Certificate2", "HasPrivateKey") is True
        assert get(load(pki.expired), NS + "X509Certificate2", "HasPrivateKey") is False
        my = open_store("My", "LocalMachine")
        add(my, with_key)
        add(my, load(pki.expired))
        with pytest.raises(NetException) as wrong:
            construct(None, NS + "X509Certificate2", byte_array(pfx), "nope", persist, types=pfx_types)
    assert host.machine.stores["My"].get(thumbprint(pki.leaf)).has_private_key  # type: ignore[union-attr]
    assert not host.machine.stores["My"].get(thumbprint(pki.expired)).has_private_key  # type: ignore[union-attr]
    assert wrong.value.message == "The specified network password is not correct.\r\n"


def test_friendly_name_set_on_a_store_certificate_persists(pki: Pki) -> None:
    """x509certificate2.cs FriendlyName setter: CERT_FRIENDLY_NAME_PROP_ID on the context, which belongs to the
    store for a certificate read from it."""
    host = host_for()
    with running_on(host):
        store = open_store("CA", "LocalMachine")
        add(store, load(pki.intermediate))
        found = [
            each
            for each in get(store, NS + "X509Store", "Certificates")
            if each.thumbprint == thumbprint(pki.intermediate)
        ]
        set_property(found[0], NS + "X509Certificate2", "FriendlyName", "Issuing")
        again = [
            each
            for each in get(store, NS + "X509Store", "Certificates")
            if each.thumbprint == thumbprint(pki.intermediate)
        ]
    assert get(again[0], NS + "X509Certificate2", "FriendlyName") == "Issuing"
    assert host.machine.stores["CA"].get(thumbprint(pki.intermediate)).friendly_name == "Issuing"  # type: ignore[union-attr]


# -- X509Certificate2 -----------------------------------------------------------------------------------------------


def test_certificate_properties(pki: Pki) -> None:
    """X509Certificate2: Subject most specific RDN first (X500DistinguishedNameFlags.Reversed), SerialNumber as
    big-endian hex, Thumbprint the SHA-1 hash, RawData the DER, SubjectName.RawData the encoded Name."""
    certificate = load(pki.leaf)
    assert get(certificate, NS + "X509Certificate2", "Subject") == "CN=host.contoso.lab, O=Contoso, C=US"
    assert get(certificate, NS + "X509Certificate2", "Issuer") == "CN=Lab Issuing, O=Contoso, C=US"
    assert get(certificate, NS + "X509Certificate2", "SerialNumber") == "1234ABCD"
    assert get(load(pki.intermediate), NS + "X509Certificate2", "SerialNumber") == "0080"
    assert get(certificate, NS + "X509Certificate2", "Thumbprint") == thumbprint(pki.leaf)
    assert bytes(get(certificate, NS + "X509Certificate2", "RawData")) == bytes(der(pki.leaf))
    assert get(certificate, NS + "X509Certificate2", "Version") == 3
    subject = get(certificate, NS + "X509Certificate2", "SubjectName")
    assert bytes(get(subject, NS + "X500DistinguishedName", "RawData")) == pki.leaf.subject.public_bytes()
    assert get(subject, NS + "X500DistinguishedName", "Name") == "CN=host.contoso.lab, O=Contoso, C=US"
    assert get(get(certificate, NS + "X509Certificate2", "SignatureAlgorithm"), "System.Security.Cryptography.Oid",
               "FriendlyName") == "sha256ECDSA"  # fmt: skip


def test_not_before_is_local_time_of_the_host(pki: Pki) -> None:
    """x509certificate2.cs NotBefore: DateTime.FromFileTime, i.e. local time (Kind Local) of the host's zone."""
    machine = host_for().machine
    machine.utc_offset_minutes = 120
    with running_on(host_for(machine=machine)):
        not_before = get(load(pki.leaf), NS + "X509Certificate2", "NotBefore")
        assert isinstance(not_before, DateTime)
        assert not_before.kind == "Local"
        expected = pki.leaf.not_valid_before_utc.replace(tzinfo=None) + datetime.timedelta(hours=2)
        assert not_before.as_python() == expected
        assert not_before.to_universal().as_python() == pki.leaf.not_valid_before_utc.replace(tzinfo=None)


def test_get_name_info(pki: Pki) -> None:
    """x509certificate2.cs GetNameInfo: DnsName is the last DNS alternative name (the loop keeps overwriting), else
    the CN; SimpleName the CN."""
    certificate = load(pki.leaf)
    info = (NS + "X509NameType", "System.Boolean")
    assert (
        call(certificate, NS + "X509Certificate2", "GetNameInfo", enum("X509NameType", "DnsName"), False, types=info)
        == "b.contoso.lab"
    )
    assert (
        call(load(pki.root), NS + "X509Certificate2", "GetNameInfo", enum("X509NameType", "DnsName"), False, types=info)
        == "Lab Root"
    )
    assert (
        call(certificate, NS + "X509Certificate2", "GetNameInfo", enum("X509NameType", "SimpleName"), True, types=info)
        == "Lab Issuing"
    )


def test_import_overloads_and_bad_input(pki: Pki) -> None:
    """.NET 2.0 Import(byte[]) loads DER or Base64 (CryptQueryObject); unknown bytes: CRYPT_E_NOT_FOUND; an empty
    array: ArgumentException Arg_EmptyOrNullArray (mscorlib x509certificate.cs LoadCertificateFromBlob)."""
    certificate = construct(None, NS + "X509Certificate2", types=())
    with pytest.raises(NetException) as empty_handle:
        get(certificate, NS + "X509Certificate2", "Thumbprint")
    assert empty_handle.value.message == "m_safeCertContext is an invalid handle."
    pem = pki.leaf.public_bytes(serialization.Encoding.PEM)
    call(certificate, NS + "X509Certificate2", "Import", byte_array(pem), types=("System.Byte[]",), runtime=CLR2)
    assert certificate.thumbprint == thumbprint(pki.leaf)
    with pytest.raises(NetException) as garbage:
        call(certificate, NS + "X509Certificate2", "Import", byte_array(b"not a certificate"), types=("System.Byte[]",))
    assert garbage.value.message == "Cannot find the requested object.\r\n"
    with pytest.raises(NetException) as empty:
        call(certificate, NS + "X509Certificate2", "Import", byte_array(b""), types=("System.Byte[]",))
    assert empty.value.message == "Array may not be empty or null.\r\nParameter name: rawData"


def test_to_string_is_the_short_form(pki: Pki) -> None:
    """X509Certificate2.ToString() calls X509Certificate.ToString(true): subject, issuer, serial, dates, thumbprint."""
    with running_on(host_for()):
        text = load(pki.leaf).to_string()
    assert text.startswith("[Subject]\r\n  CN=host.contoso.lab, O=Contoso, C=US\r\n\r\n[Issuer]\r\n")
    assert text.endswith(f"[Thumbprint]\r\n  {thumbprint(pki.leaf)}\r\n")
    assert construct(None, NS + "X509Certificate2", types=()).to_string() == NS + "X509Certificate2"


def test_certificate_object_shares_the_store_entry(pki: Pki) -> None:
    entry = StoredCertificate(pki.leaf, pki.leaf_key, "")
    shown = certificate_object(entry)
    assert get(shown, NS + "X509Certificate2", "HasPrivateKey") is True
    set_property(shown, NS + "X509Certificate2", "FriendlyName", "Web")
    assert entry.friendly_name == "Web"


# -- extensions -------------------------------------------------------------------------------------------------


def test_extensions_are_of_their_specific_types(pki: Pki) -> None:
    """X509ExtensionCollection creates X509BasicConstraintsExtension / X509KeyUsageExtension /
    X509EnhancedKeyUsageExtension for their OIDs (CryptoConfig); Oid.Value and FriendlyName from the OID table."""
    extensions = get(load(pki.leaf), NS + "X509Certificate2", "Extensions")
    kinds = {each.oid.value: type(each).__name__ for each in extensions}
    assert kinds["2.5.29.19"] == "X509BasicConstraintsExtension"
    assert kinds["2.5.29.15"] == "X509KeyUsageExtension"
    assert kinds["2.5.29.37"] == "X509EnhancedKeyUsageExtension"
    usage = extensions["2.5.29.15"]
    assert get(usage, NS + "X509Extension", "Critical") is True
    assert str(get(usage, NS + "X509KeyUsageExtension", "KeyUsages")) == "KeyEncipherment, DigitalSignature"
    purposes = get(extensions["Enhanced Key Usage"], NS + "X509EnhancedKeyUsageExtension", "EnhancedKeyUsages")
    assert [get(each, "System.Security.Cryptography.Oid", "FriendlyName") for each in purposes] == [
        "Server Authentication"
    ]
    assert call(extensions["2.5.29.19"], NS + "X509Extension", "Format", False, types=("System.Boolean",)) == (
        "Subject Type=End Entity, Path Length Constraint=None"
    )


def test_basic_constraints_from_a_generic_extension(pki: Pki) -> None:
    """X509BasicConstraintsExtension(AsnEncodedData, bool) takes the raw bytes and decodes them on first use
    (x509extension.cs); bytes of another extension fail then with CRYPT_E_ASN1_BADTAG."""
    extensions = list(get(load(pki.root), NS + "X509Certificate2", "Extensions"))
    constraints = next(each for each in extensions if each.oid.value == "2.5.29.19")
    rebuilt = construct(None, NS + "X509BasicConstraintsExtension", constraints, True,
                        types=("System.Security.Cryptography.AsnEncodedData", "System.Boolean"))  # fmt: skip
    assert get(rebuilt, NS + "X509BasicConstraintsExtension", "CertificateAuthority") is True
    assert get(rebuilt, NS + "X509BasicConstraintsExtension", "HasPathLengthConstraint") is False
    usage = next(each for each in extensions if each.oid.value == "2.5.29.15")
    wrong = construct(None, NS + "X509BasicConstraintsExtension", usage, False,
                      types=("System.Security.Cryptography.AsnEncodedData", "System.Boolean"))  # fmt: skip
    with pytest.raises(NetException) as raised:
        get(wrong, NS + "X509BasicConstraintsExtension", "CertificateAuthority")
    assert raised.value.message == "ASN1 bad tag value met.\r\n"


# -- Find -----------------------------------------------------------------------------------------------------------


def _collection(*certificates: x509.Certificate) -> object:
    collection = construct(None, NS + "X509Certificate2Collection", types=())
    for each in certificates:
        call(collection, NS + "X509Certificate2Collection", "Add", load(each), types=(NS + "X509Certificate2",))
    return collection


def _find(collection: object, kind: str, value: object) -> list[str]:
    found = call(collection, NS + "X509Certificate2Collection", "Find", enum("X509FindType", kind), value, False,
                 types=(NS + "X509FindType", "System.Object", "System.Boolean"))  # fmt: skip
    return [each.thumbprint for each in found]


def test_find(pki: Pki) -> None:
    """x509certificate2collection.cs FindCertInStore: thumbprint hex with white space dropped (DecodeHexString),
    subject name a case-insensitive substring, distinguished name whole, serial hex or decimal, FindByTimeValid;
    a value of the wrong type: Cryptography_X509_InvalidFindValue."""
    collection = _collection(pki.root, pki.leaf, pki.expired)
    spaced = " ".join(thumbprint(pki.leaf)[i : i + 2] for i in range(0, 40, 2)).lower()
    assert _find(collection, "FindByThumbprint", spaced) == [thumbprint(pki.leaf)]
    assert _find(collection, "FindBySubjectName", "CONTOSO.LAB") == [thumbprint(pki.leaf), thumbprint(pki.expired)]
    assert _find(collection, "FindBySubjectDistinguishedName", "cn=lab root, o=contoso, c=us") == [thumbprint(pki.root)]
    assert _find(collection, "FindBySerialNumber", "1234abcd") == [thumbprint(pki.leaf)]
    assert _find(collection, "FindBySerialNumber", "305441741") == [thumbprint(pki.leaf)]
    with running_on(host_for()):
        now = static_get(None, "System.DateTime", "Now")
    assert _find(collection, "FindByTimeValid", now) == [thumbprint(pki.root), thumbprint(pki.leaf)]
    assert _find(collection, "FindByTimeExpired", now) == [thumbprint(pki.expired)]
    with pytest.raises(NetException) as raised:
        _find(collection, "FindByTimeValid", "2020-01-01")
    assert raised.value.message == "Invalid find value."
    assert len(_find(_collection(), "FindByThumbprint", "00")) == 0


# -- X509Chain --------------------------------------------------------------------------------------------------


def _machine_with(pki: Pki, *, root: bool = True, intermediate: bool = True) -> Host:
    host = host_for()
    if root:
        host.machine.stores["Root"].add(StoredCertificate(pki.root))
    if intermediate:
        host.machine.stores["CA"].add(StoredCertificate(pki.intermediate))
    return host


def _build(
    host: Host, certificate: x509.Certificate, *, revocation: str = "NoCheck", flags: str = "NoFlag"
) -> tuple[bool, list[str], object]:
    with running_on(host):
        chain = construct(host, NS + "X509Chain", True, types=("System.Boolean",))
        policy = get(chain, NS + "X509Chain", "ChainPolicy")
        set_property(policy, NS + "X509ChainPolicy", "RevocationMode", enum("X509RevocationMode", revocation))
        set_property(policy, NS + "X509ChainPolicy", "VerificationFlags", enum("X509VerificationFlags", flags))
        built = call(chain, NS + "X509Chain", "Build", load(certificate), types=(NS + "X509Certificate2",))
    status = [str(get(each, NS + "X509ChainStatus", "Status")) for each in get(chain, NS + "X509Chain", "ChainStatus")]
    return built, status, chain


def test_a_chain_builds_to_a_trusted_root(pki: Pki) -> None:
    """X509Chain.Build: true when CertVerifyCertificateChainPolicy finds no error; ChainStatus is then an empty array
    (x509chain.cs); ChainElements runs from the certificate to the root."""
    built, status, chain = _build(_machine_with(pki), pki.leaf)
    assert built is True
    assert status == []
    elements = get(chain, NS + "X509Chain", "ChainElements")
    shown = [get(each, NS + "X509ChainElement", "Certificate") for each in elements]
    assert [each.thumbprint for each in shown] == [thumbprint(c) for c in (pki.leaf, pki.intermediate, pki.root)]


def test_a_chain_to_an_untrusted_root_or_without_its_issuer_fails(pki: Pki) -> None:
    """X509ChainStatusFlags UntrustedRoot (self-signed root not in Root) and PartialChain (no issuer found), with the
    FormatMessage texts of CERT_E_UNTRUSTEDROOT / CERT_E_CHAINING in StatusInformation."""
    known_but_untrusted = _machine_with(pki, root=False)
    known_but_untrusted.machine.stores["CA"].add(StoredCertificate(pki.root))
    built, status, chain = _build(known_but_untrusted, pki.leaf)
    assert (built, status) == (False, ["UntrustedRoot"])
    information = get(get(chain, NS + "X509Chain", "ChainStatus")[0], NS + "X509ChainStatus", "StatusInformation")
    assert information.startswith("A certificate chain processed, but terminated in a root certificate")
    assert _build(_machine_with(pki, intermediate=False), pki.leaf)[:2] == (False, ["PartialChain"])
    assert _build(_machine_with(pki), pki.expired)[:2] == (False, ["NotTimeValid"])


def test_flags_let_build_succeed_but_status_keeps_the_problem(pki: Pki) -> None:
    """X509VerificationFlags.AllowUnknownCertificateAuthority: the policy ignores a chain that ends at an unknown CA,
    ChainStatus still reports it."""
    assert _build(_machine_with(pki, root=False), pki.leaf, flags="AllowUnknownCertificateAuthority")[:2] == (
        True, ["PartialChain"]
    )  # fmt: skip


def test_online_revocation_cannot_be_checked_in_the_lab(pki: Pki) -> None:
    """The default RevocationMode is Online (X509ChainPolicy.Reset); the lab has no CRL to fetch: every checked
    element is RevocationStatusUnknown, OfflineRevocation where a CDP is named (docs/lab.md)."""
    built, status, _chain = _build(_machine_with(pki), pki.leaf, revocation="Online")
    assert built is False
    assert status == ["RevocationStatusUnknown", "OfflineRevocation"]
    with running_on(_machine_with(pki)):
        policy = get(construct(None, NS + "X509Chain", types=()), NS + "X509Chain", "ChainPolicy")
    assert str(get(policy, NS + "X509ChainPolicy", "RevocationMode")) == "Online"
    assert str(get(policy, NS + "X509ChainPolicy", "RevocationFlag")) == "ExcludeRoot"


def test_usage_policies_are_refused(pki: Pki) -> None:
    host = _machine_with(pki)
    with running_on(host):
        chain = construct(host, NS + "X509Chain", True, types=("System.Boolean",))
        policy = get(chain, NS + "X509Chain", "ChainPolicy")
        application = get(policy, NS + "X509ChainPolicy", "ApplicationPolicy")
        call(application, "System.Security.Cryptography.OidCollection", "Add",
             construct(None, "System.Security.Cryptography.Oid", "1.3.6.1.5.5.7.3.1", types=("System.String",)),
             types=("System.Security.Cryptography.Oid",))  # fmt: skip
        with pytest.raises(NotModelled):
            call(chain, NS + "X509Chain", "Build", load(pki.leaf), types=(NS + "X509Certificate2",))
