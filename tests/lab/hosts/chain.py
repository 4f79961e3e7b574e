"""The Windows chain engine (CertGetCertificateChain) as far as the lab's certificates exercise it.

Issuers are looked for among the engine's stores (the machine engine: ``LocalMachine`` ``CA``, ``Root``, ``My``; the
user engine adds the user's own stores, whose logical ``Root`` and ``CA`` include the machine's: "All current user
certificate stores except the Current User/Personal store inherit the contents of the local machine certificate
stores", Microsoft Learn "Local Machine and Current User Certificate Stores") and the caller's extra certificates;
a chain ends at a self-signed certificate, trusted only when it is in ``Root`` (or ``AuthRoot``). Per element the
engine records the problems as ``X509ChainStatusFlags`` names; the chain's status is their union, listed in the order
.NET's X509Chain.GetChainStatusInformation lists them (referencesource x509chain.cs, s_x509ChainErrorMappings).

Revocation: the lab publishes no CRL or OCSP responder a host could reach, so every certificate that is checked
("Online"/"Offline" modes, per X509RevocationFlag) gets RevocationStatusUnknown, and OfflineRevocation as well when
it names a CRL distribution point (what CryptoAPI reports when the CDP cannot be fetched): the pessimistic reading,
docs/lab.md. Time nesting (NotTimeNested) and name, policy and usage constraints are not evaluated.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509

from .certs import is_self_signed, signed_by, thumbprint
from .state import HostState

__all__ = ["STATUS_ORDER", "ChainBuild", "ChainElement", "build", "engine_stores"]

# referencesource System/security/.../x509chain.cs s_x509ChainErrorMappings: the order ChainStatus lists flags in.
STATUS_ORDER = (
    "NotSignatureValid", "CtlNotSignatureValid", "UntrustedRoot", "PartialChain", "Revoked", "NotValidForUsage",
    "CtlNotValidForUsage", "NotTimeValid", "CtlNotTimeValid", "InvalidNameConstraints", "HasNotSupportedNameConstraint",
    "HasNotDefinedNameConstraint", "HasNotPermittedNameConstraint", "HasExcludedNameConstraint",
    "InvalidPolicyConstraints", "NoIssuanceChainPolicy", "InvalidBasicConstraints", "NotTimeNested",
    "RevocationStatusUnknown", "OfflineRevocation", "ExplicitDistrust", "HasNotSupportedCriticalExtension",
    "HasWeakSignature",
)  # fmt: skip


def ordered(flags: set[str] | frozenset[str]) -> list[str]:
    return [flag for flag in STATUS_ORDER if flag in flags]


@dataclass(frozen=True)
class ChainElement:
    certificate: x509.Certificate
    status: tuple[str, ...]


@dataclass(frozen=True)
class ChainBuild:
    """What CertGetCertificateChain returns: the elements (leaf first) and the chain's combined status."""

    elements: tuple[ChainElement, ...]
    status: tuple[str, ...]


@dataclass(frozen=True)
class EngineStores:
    trusted: tuple[x509.Certificate, ...]
    candidates: tuple[x509.Certificate, ...]
    distrusted: frozenset[str]


def engine_stores(state: HostState, *, user: str | None = None) -> EngineStores:
    """The stores the machine engine (``user`` None) or a user's engine (X509Chain(false)) consults."""

    def entries(names: Sequence[str], *, of_user: bool) -> list[x509.Certificate]:
        found = []
        for name in names:
            store = state.user_store(user, name) if of_user and user is not None else state.machine_store(name)
            if store is not None:
                found += [entry.certificate for entry in store.entries()]
        return found

    trusted = entries(("Root", "AuthRoot"), of_user=False)
    candidates = entries(("CA", "Root", "My"), of_user=False)
    distrusted = entries(("Disallowed",), of_user=False)
    if user is not None:
        trusted += entries(("Root",), of_user=True)
        candidates = entries(("CA", "Root", "My"), of_user=True) + candidates
        distrusted += entries(("Disallowed",), of_user=True)
    return EngineStores(tuple(trusted), tuple(candidates), frozenset(thumbprint(each) for each in distrusted))


def _has_crl_distribution_point(certificate: x509.Certificate) -> bool:
    try:
        certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    except x509.ExtensionNotFound:
        return False
    return True


def _constraints(certificate: x509.Certificate) -> x509.BasicConstraints | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return None


def _find_issuer(
    current: x509.Certificate, pool: Sequence[x509.Certificate], seen: set[str]
) -> tuple[x509.Certificate | None, bool]:
    """The issuer: a certificate whose key verifies ``current``; else one with the issuer's name (signature bad)."""
    named = [each for each in pool if each.subject == current.issuer and thumbprint(each) not in seen]
    for candidate in named:
        if signed_by(current, candidate):
            return candidate, True
    return (named[0], False) if named else (None, False)


def build(
    certificate: x509.Certificate,
    stores: EngineStores,
    *,
    extra: Sequence[x509.Certificate] = (),
    at: datetime.datetime,
    revocation_mode: str = "NoCheck",
    revocation_flag: str = "ExcludeRoot",
) -> ChainBuild:
    pool = list(stores.candidates) + list(extra) + list(stores.trusted)
    trusted = {thumbprint(each) for each in stores.trusted}
    chain = [certificate]
    flags: list[set[str]] = [set()]
    seen = {thumbprint(certificate)}
    while True:
        current = chain[-1]
        if current.issuer == current.subject and is_self_signed(current):
            if thumbprint(current) not in trusted:
                flags[-1].add("UntrustedRoot")
            break
        issuer, valid = _find_issuer(current, pool, seen)
        if issuer is None:
            flags[-1].add("PartialChain")
            break
        if not valid:
            flags[-1].add("NotSignatureValid")
        chain.append(issuer)
        flags.append(set())
        seen.add(thumbprint(issuer))
    complete = "PartialChain" not in flags[-1]
    for index, element in enumerate(chain):
        if not element.not_valid_before_utc <= at <= element.not_valid_after_utc:
            flags[index].add("NotTimeValid")
        if thumbprint(element) in stores.distrusted:
            flags[index].add("ExplicitDistrust")
        if index > 0:
            constraints = _constraints(element)
            below_ca = index - 1  # CA certificates between this one and the leaf
            if (
                constraints is None
                or not constraints.ca
                or (constraints.path_length is not None and below_ca > constraints.path_length)
            ):
                flags[index].add("InvalidBasicConstraints")
    if revocation_mode != "NoCheck":
        for index, element in enumerate(chain):
            is_root = complete and index == len(chain) - 1
            checked = {"EndCertificateOnly": index == 0, "ExcludeRoot": not is_root}.get(revocation_flag, True)
            if checked:
                flags[index].add("RevocationStatusUnknown")
                if _has_crl_distribution_point(element):
                    flags[index].add("OfflineRevocation")
    elements = tuple(ChainElement(each, tuple(ordered(found))) for each, found in zip(chain, flags, strict=True))
    combined: set[str] = set().union(*flags)
    return ChainBuild(elements, tuple(ordered(combined)))
