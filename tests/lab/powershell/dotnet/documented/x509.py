"""Documented members of the X.509 types: certificates, their collection, stores, chains, extensions, OIDs and
names (namespace System.Security.Cryptography.X509Certificates unless named otherwise)."""

from __future__ import annotations

from ...values import CLR4, document_members

_NS = "System.Security.Cryptography.X509Certificates."

# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509certificate
document_members(
    _NS + "X509Certificate",
    instance="Handle Issuer Subject Equals Export GetCertHash GetCertHashString GetEffectiveDateString "
    "GetExpirationDateString GetFormat GetHashCode GetIssuerName GetKeyAlgorithm GetKeyAlgorithmParameters "
    "GetKeyAlgorithmParametersString GetName GetPublicKey GetPublicKeyString GetRawCertData GetRawCertDataString "
    "GetSerialNumber GetSerialNumberString Import Reset ToString",
    static="CreateFromCertFile CreateFromSignedFile",
)
document_members(_NS + "X509Certificate", instance="Dispose", since=CLR4)  # 4.6
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509certificate2
# DnsNameList, EnhancedKeyUsageList and SendAsTrustedIssuer: the ScriptProperties PowerShell's types.ps1xml gives
# it (3.0 and later; that 2.0 lacks them is not confirmed, so recorded for both).
document_members(
    _NS + "X509Certificate2",
    instance="Archived Extensions FriendlyName HasPrivateKey IssuerName NotAfter NotBefore PrivateKey PublicKey "
    "RawData SerialNumber SignatureAlgorithm SubjectName Thumbprint Version GetNameInfo Import Reset ToString Verify "
    "DnsNameList EnhancedKeyUsageList SendAsTrustedIssuer",
    static="GetCertContentType",
)
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509certificatecollection
# (its Count, Clear and RemoveAt are CollectionBase's)
document_members(
    _NS + "X509CertificateCollection",
    instance="Item Add AddRange Contains CopyTo GetEnumerator GetHashCode IndexOf Insert Remove",
)
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509certificate2collection
document_members(
    _NS + "X509Certificate2Collection",
    instance="Item Add AddRange Contains Export Find GetEnumerator Import Insert Remove RemoveRange",
)
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509store
document_members(
    _NS + "X509Store",
    instance="Certificates Location Name StoreHandle Add AddRange Close Open Remove RemoveRange",
)
document_members(_NS + "X509Store", instance="Dispose IsOpen", since=CLR4)  # 4.6, 4.7.2

# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509chain
document_members(
    _NS + "X509Chain",
    instance="ChainContext ChainElements ChainPolicy ChainStatus Build Reset",
    static="Create",
)
document_members(_NS + "X509Chain", instance="Dispose SafeHandle", since=CLR4)  # 4.6, 4.6.1
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509chainpolicy
document_members(
    _NS + "X509ChainPolicy",
    instance="ApplicationPolicy CertificatePolicy ExtraStore RevocationFlag RevocationMode UrlRetrievalTimeout "
    "VerificationFlags VerificationTime Reset",
)
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509chainstatus
document_members(_NS + "X509ChainStatus", instance="Status StatusInformation")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509chainelement
document_members(_NS + "X509ChainElement", instance="Certificate ChainElementStatus Information")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509chainelementcollection
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509extensioncollection
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.oidcollection
for _collection in (
    _NS + "X509ChainElementCollection",
    _NS + "X509ExtensionCollection",
    "System.Security.Cryptography.OidCollection",
):
    document_members(_collection, instance="Count IsSynchronized Item SyncRoot CopyTo GetEnumerator")
document_members(_NS + "X509ExtensionCollection", instance="Add")
document_members("System.Security.Cryptography.OidCollection", instance="Add")

# https://learn.microsoft.com/dotnet/api/system.security.cryptography.asnencodeddata
document_members("System.Security.Cryptography.AsnEncodedData", instance="Oid RawData CopyFrom Format")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509extension
document_members(_NS + "X509Extension", instance="Critical CopyFrom")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509basicconstraintsextension
document_members(
    _NS + "X509BasicConstraintsExtension",
    instance="CertificateAuthority HasPathLengthConstraint PathLengthConstraint CopyFrom",
)
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509keyusageextension
document_members(_NS + "X509KeyUsageExtension", instance="KeyUsages CopyFrom")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509enhancedkeyusageextension
document_members(_NS + "X509EnhancedKeyUsageExtension", instance="EnhancedKeyUsages CopyFrom")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x509subjectkeyidentifierextension
document_members(_NS + "X509SubjectKeyIdentifierExtension", instance="SubjectKeyIdentifier CopyFrom")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.oid
document_members("System.Security.Cryptography.Oid", instance="FriendlyName Value")
document_members("System.Security.Cryptography.Oid", static="FromFriendlyName FromOidValue", since=CLR4)  # 4.5.1
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.x500distinguishedname
document_members(_NS + "X500DistinguishedName", instance="Name Decode Format")
# https://learn.microsoft.com/dotnet/api/system.security.cryptography.x509certificates.publickey
document_members(_NS + "PublicKey", instance="EncodedKeyValue EncodedParameters Key Oid")
