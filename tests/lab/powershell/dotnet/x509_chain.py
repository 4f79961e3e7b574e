"""X509Chain, X509ChainPolicy and the chain status types (referencesource x509chain.cs, x509chainpolicy.cs).

Build runs the host's chain engine (tests/lab/hosts/chain.py: the machine engine for X509Chain($true), the logon
user's otherwise) and then CertVerifyCertificateChainPolicy(CERT_CHAIN_POLICY_BASE) with the VerificationFlags:
Build is true when every problem found is one the flags ignore; ChainStatus lists all problems either way.
"""

from __future__ import annotations

import datetime
from typing import Any

from ...hosts import chain as engine
from ...hosts.certs import thumbprint
from ..errors import NotModelled
from ..values import EnumValue, NetObject, PSArray, constructor, enum_type, enum_value, method, net_type, prop
from ..values import static as static_method
from ._runtime import argument_exception, argument_null, current_host, net_error
from .time import DateTime, TimeSpan, now
from .x509 import NS, X509Certificate2, X509Certificate2Collection, _user_name, certificate_object
from .x509_extensions import OidCollection

__all__ = ["X509Chain", "X509ChainPolicy", "verify_default"]

REVOCATION_MODE = enum_type(NS + "X509RevocationMode", {"NoCheck": 0, "Online": 1, "Offline": 2})
REVOCATION_FLAG = enum_type(NS + "X509RevocationFlag", {"EndCertificateOnly": 0, "EntireChain": 1, "ExcludeRoot": 2})
VERIFICATION_FLAGS = enum_type(
    NS + "X509VerificationFlags",
    {
        "NoFlag": 0, "IgnoreNotTimeValid": 0x1, "IgnoreCtlNotTimeValid": 0x2, "IgnoreNotTimeNested": 0x4,
        "IgnoreInvalidBasicConstraints": 0x8, "AllowUnknownCertificateAuthority": 0x10, "IgnoreWrongUsage": 0x20,
        "IgnoreInvalidName": 0x40, "IgnoreInvalidPolicy": 0x80, "IgnoreEndRevocationUnknown": 0x100,
        "IgnoreCtlSignerRevocationUnknown": 0x200, "IgnoreCertificateAuthorityRevocationUnknown": 0x400,
        "IgnoreRootRevocationUnknown": 0x800, "AllFlags": 0xFFF,
    },
    flags=True,
)  # fmt: skip
_STATUS_VALUES = {
    "NoError": 0, "NotTimeValid": 0x1, "NotTimeNested": 0x2, "Revoked": 0x4, "NotSignatureValid": 0x8,
    "NotValidForUsage": 0x10, "UntrustedRoot": 0x20, "RevocationStatusUnknown": 0x40, "Cyclic": 0x80,
    "InvalidExtension": 0x100, "InvalidPolicyConstraints": 0x200, "InvalidBasicConstraints": 0x400,
    "InvalidNameConstraints": 0x800, "HasNotSupportedNameConstraint": 0x1000, "HasNotDefinedNameConstraint": 0x2000,
    "HasNotPermittedNameConstraint": 0x4000, "HasExcludedNameConstraint": 0x8000, "PartialChain": 0x10000,
    "CtlNotTimeValid": 0x20000, "CtlNotSignatureValid": 0x40000, "CtlNotValidForUsage": 0x80000,
    "OfflineRevocation": 0x1000000, "NoIssuanceChainPolicy": 0x2000000,
}  # fmt: skip
CHAIN_STATUS_FLAGS = enum_type(NS + "X509ChainStatusFlags", _STATUS_VALUES, flags=True)

# FormatMessage texts of the HRESULTs GetChainStatusInformation maps each flag to (winerror.h), with the CRLF.
_STATUS_TEXT = {
    "NotSignatureValid": "The signature of the certificate cannot be verified.",
    "UntrustedRoot": "A certificate chain processed, but terminated in a root certificate which is not trusted by "
    "the trust provider.",
    "PartialChain": "A certificate chain could not be built to a trusted root authority.",
    "Revoked": "The certificate is revoked.",
    "NotValidForUsage": "The certificate is not valid for the requested usage.",
    "NotTimeValid": "A required certificate is not within its validity period when verifying against the current "
    "system clock or the timestamp in the signed file.",
    "InvalidBasicConstraints": "A certificate's basic constraint extension has not been observed.",
    "NotTimeNested": "The validity periods of the certification chain do not nest correctly.",
    "RevocationStatusUnknown": "The revocation function was unable to check revocation for the certificate.",
    "OfflineRevocation": "The revocation function was unable to check revocation because the revocation server was "
    "offline.",
    "ExplicitDistrust": "The certificate was explicitly marked as untrusted by the user.",
}
# Which problems each VerificationFlags bit lets the base policy ignore (CERT_CHAIN_POLICY_*_FLAG).
_IGNORED_BY = {
    0x1: {"NotTimeValid"},
    0x2: {"CtlNotTimeValid"},
    0x4: {"NotTimeNested"},
    0x8: {"InvalidBasicConstraints"},
    0x10: {"UntrustedRoot", "PartialChain"},
    0x20: {"NotValidForUsage", "CtlNotValidForUsage"},
    0x40: {"InvalidNameConstraints", "HasNotSupportedNameConstraint", "HasNotDefinedNameConstraint",
           "HasNotPermittedNameConstraint", "HasExcludedNameConstraint"},
    0x80: {"InvalidPolicyConstraints", "NoIssuanceChainPolicy"},
}  # fmt: skip
_REVOCATION = {"RevocationStatusUnknown", "OfflineRevocation"}


@net_type(NS + "X509ChainStatus", base="System.ValueType", value_type=True)
class X509ChainStatus(NetObject):
    def __init__(self, flag: str) -> None:
        self.flag = flag

    @prop("Status")
    def _status(self) -> EnumValue:
        return enum_value(CHAIN_STATUS_FLAGS, _STATUS_VALUES.get(self.flag, 0))

    @prop("StatusInformation")
    def _information(self) -> str:
        text = _STATUS_TEXT.get(self.flag)
        return text + "\r\n" if text else "Unknown error."


def _status_array(flags: tuple[str, ...]) -> PSArray:
    return PSArray([X509ChainStatus(flag) for flag in flags], element_type=NS + "X509ChainStatus")


@net_type(NS + "X509ChainElement")
class X509ChainElement(NetObject):
    def __init__(self, certificate: X509Certificate2, status: tuple[str, ...]) -> None:
        self.certificate = certificate
        self.status = status

    @prop("Certificate")
    def _certificate(self) -> X509Certificate2:
        return self.certificate

    @prop("ChainElementStatus")
    def _status(self) -> PSArray:
        return _status_array(self.status)

    @prop("Information")
    def _information(self) -> str:
        return ""


@net_type(NS + "X509ChainElementCollection", interfaces=("System.Collections.ICollection",))
class X509ChainElementCollection(NetObject):
    def __init__(self, items: list[X509ChainElement] | None = None) -> None:
        self.items = list(items or [])

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Any:
        return iter(list(self.items))

    def __getitem__(self, index: int) -> X509ChainElement:
        if not 0 <= index < len(self.items):
            raise argument_exception(
                "Index was out of range. Must be non-negative and less than the size of the collection.",
                "index",
                "System.ArgumentOutOfRangeException",
            )
        return self.items[index]

    @prop("Count")
    def _count(self) -> int:
        return len(self.items)


def _illegal(value_name: str) -> Exception:
    return net_error("System.ArgumentException", f"Illegal enum value: {value_name}.")  # System.txt Arg_EnumIllegalVal


@net_type(NS + "X509ChainPolicy")
class X509ChainPolicy(NetObject):
    """The defaults of X509ChainPolicy.Reset: Online revocation, ExcludeRoot, NoFlag, VerificationTime = Now."""

    def __init__(self, host: Any) -> None:
        self.application_policy = OidCollection()
        self.certificate_policy = OidCollection()
        self.revocation_mode = 1
        self.revocation_flag = 2
        self.verification_flags = 0
        self.verification_time = now(host).to_local()
        self.timeout = TimeSpan(0)
        self.extra_store = X509Certificate2Collection()

    @staticmethod
    @constructor()
    def _new(host: Any) -> X509ChainPolicy:
        return X509ChainPolicy(host)

    @method("Reset")
    def _reset(self) -> None:
        self.__init__(current_host())  # type: ignore[misc]

    @prop("ApplicationPolicy")
    def _application(self) -> OidCollection:
        return self.application_policy

    @prop("CertificatePolicy")
    def _certificate(self) -> OidCollection:
        return self.certificate_policy

    @prop("ExtraStore")
    def _extra(self) -> X509Certificate2Collection:
        return self.extra_store

    @prop("RevocationMode", settable=True)
    def _revocation_mode(self, *new: EnumValue) -> EnumValue | None:
        if not new:
            return enum_value(REVOCATION_MODE, self.revocation_mode)
        if not 0 <= new[0].value <= 2:
            raise _illegal("value")
        self.revocation_mode = new[0].value
        return None

    @prop("RevocationFlag", settable=True)
    def _revocation_flag(self, *new: EnumValue) -> EnumValue | None:
        if not new:
            return enum_value(REVOCATION_FLAG, self.revocation_flag)
        if not 0 <= new[0].value <= 2:
            raise _illegal("value")
        self.revocation_flag = new[0].value
        return None

    @prop("VerificationFlags", settable=True)
    def _verification_flags(self, *new: EnumValue) -> EnumValue | None:
        if not new:
            return enum_value(VERIFICATION_FLAGS, self.verification_flags)
        if not 0 <= new[0].value <= 0xFFF:
            raise _illegal("value")
        self.verification_flags = new[0].value
        return None

    @prop("VerificationTime", settable=True)
    def _verification_time(self, *new: DateTime) -> DateTime | None:
        if not new:
            return self.verification_time
        self.verification_time = new[0]
        return None

    @prop("UrlRetrievalTimeout", settable=True)
    def _timeout(self, *new: TimeSpan) -> TimeSpan | None:
        if not new:
            return self.timeout
        self.timeout = new[0]
        return None


def _policy_error(build: engine.ChainBuild, flags: int) -> bool:
    """CertVerifyCertificateChainPolicy(BASE): is any problem left that the flags do not ignore?"""
    ignored: set[str] = set()
    for bit, names in _IGNORED_BY.items():
        if flags & bit:
            ignored |= names
    last = len(build.elements) - 1
    complete = "PartialChain" not in build.status
    for index, element in enumerate(build.elements):
        for problem in element.status:
            if problem in ignored:
                continue
            if problem in _REVOCATION:
                if index == 0 and flags & 0x100:
                    continue
                if index == last and complete and index > 0 and flags & 0x800:
                    continue
                if index > 0 and not (index == last and complete) and flags & 0x400:
                    continue
            return True
    return False


@net_type(NS + "X509Chain")
class X509Chain(NetObject):
    def __init__(self, host: Any, machine: bool) -> None:
        self.machine = machine
        self.policy = X509ChainPolicy(host)
        self.result: engine.ChainBuild | None = None
        self.elements: list[X509ChainElement] = []

    @staticmethod
    @constructor()
    def _new(host: Any) -> X509Chain:
        return X509Chain(host, False)

    @staticmethod
    @constructor("System.Boolean")
    def _with_context(host: Any, machine: bool) -> X509Chain:
        return X509Chain(host, bool(machine))

    @staticmethod
    @static_method("Create")
    def _create(host: Any) -> X509Chain:
        return X509Chain(host, False)

    @prop("ChainPolicy", settable=True)
    def _policy(self, *new: X509ChainPolicy) -> X509ChainPolicy | None:
        if not new:
            return self.policy
        if new[0] is None:
            raise argument_null("value")
        self.policy = new[0]
        return None

    @prop("ChainStatus")
    def _status(self) -> PSArray:
        return _status_array(self.result.status if self.result else ())

    @prop("ChainElements")
    def _elements(self) -> X509ChainElementCollection:
        return X509ChainElementCollection(self.elements)

    @method("Reset")
    def _reset(self) -> None:
        self.result = None
        self.elements = []

    @method("Build", NS + "X509Certificate2")
    def _build(self, certificate: X509Certificate2) -> bool:
        if certificate is None or certificate.certificate is None:
            raise argument_exception("The chain context handle is invalid.", "certificate")
        host = current_host()
        if host is None:
            raise NotModelled("X509Chain.Build outside a command (no host)")
        return self.build(host, certificate)

    def build(self, host: Any, certificate: X509Certificate2) -> bool:
        policy = self.policy
        if len(policy.application_policy) or len(policy.certificate_policy):
            raise NotModelled("X509ChainPolicy.ApplicationPolicy / CertificatePolicy (usage matching)")
        user = None if self.machine else _user_name(host)
        stores = engine.engine_stores(host.machine, user=user)
        moment = policy.verification_time.to_universal().as_python().replace(tzinfo=datetime.timezone.utc)
        self.result = engine.build(
            certificate._context(),
            stores,
            extra=[each._context() for each in policy.extra_store if each.certificate is not None],
            at=moment,
            revocation_mode=("NoCheck", "Online", "Offline")[policy.revocation_mode],
            revocation_flag=("EndCertificateOnly", "EntireChain", "ExcludeRoot")[policy.revocation_flag],
        )
        self.elements = [
            X509ChainElement(
                certificate if index == 0 else _element_certificate(host, each.certificate, user), each.status
            )
            for index, each in enumerate(self.result.elements)
        ]
        return not _policy_error(self.result, policy.verification_flags)


def _element_certificate(host: Any, certificate: Any, user: str | None) -> X509Certificate2:
    """A chain element's certificate: the store element it was found in (with that element's properties)."""
    wanted = thumbprint(certificate)
    stores = [host.machine.machine_store(name) for name in ("CA", "Root", "AuthRoot", "My")]
    if user is not None:
        stores = [host.machine.user_store(user, name) for name in ("CA", "Root", "My")] + stores
    for store in stores:
        if store is not None and wanted in store:
            entry = store.get(wanted)
            assert entry is not None
            return certificate_object(entry)
    return X509Certificate2(certificate)


def verify_default(certificate: X509Certificate2) -> bool:
    """X509Certificate2.Verify and Find(validOnly): the user's engine, Online revocation, ExcludeRoot, no flags."""
    host = current_host()
    if host is None:
        raise NotModelled("certificate verification outside a command (no host)")
    return X509Chain(host, False).build(host, certificate)
