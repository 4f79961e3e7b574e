"""Model of host_scripts/root_trust.ps1: CA certificates into (or out of) ``LocalMachine\\Root`` and ``\\CA``.

The script decodes every certificate and checks all of them before it opens any store: for every state, not a CA,
key usage without keyCertSign, a self-issued certificate whose chain (``X509Chain`` alone, no extra store) has more
than one element or reports ``NotSignatureValid`` or ``PartialChain``, a certificate for Root that is not self-issued,
a self-issued one for CA; for ``present`` also NotBefore/NotAfter against the host's clock, then each certificate's
chain with the given certificates as ``ExtraStore``: ``PartialChain`` is refused, and so is any other status but
``UntrustedRoot`` at a root that is itself given. Then per store it adds what is missing (``present``) or removes what
is there (``absent``), opening the stores read-only in check mode. It reports the thumbprints before and after, and
for ``present`` outside check mode the ``X509Chain.Build`` result (revocation NoCheck) of the first intermediate
given, else the first root.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Mapping, Sequence

from cryptography import x509

from ..certs import StoredCertificate, basic_constraints_ca, thumbprint, windows_name
from ..chain import build_chain
from ..pserrors import LabNoModel
from . import OperationContext
from ._binding import bool_parameter, string_list_parameter, string_parameter

__all__ = ["run"]

_STORES = ("Root", "CA")


def _decode(text: str) -> x509.Certificate:
    """ConvertFrom-ExumBase64Certificate; .NET's wording for undecodable input is not modelled."""
    try:
        return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError) as error:
        raise LabNoModel(f"root_trust with a value that is not a base64 DER certificate ({error})") from None


def _name(certificate: x509.Certificate) -> str:
    """Get-ExumName: ``Subject (Thumbprint)``."""
    return f"{windows_name(certificate.subject)} ({thumbprint(certificate)})"


def _time(moment: datetime.datetime) -> str:
    """Format-ExumTime: UTC, ``yyyy-MM-dd'T'HH:mm:ss'Z'``."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _allows_certificate_signing(certificate: x509.Certificate) -> bool:
    """Test-ExumCertificateSigning: ``X509KeyUsageExtension.KeyUsages`` has KeyCertSign, or there is no key usage."""
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign)
    except x509.ExtensionNotFound:
        return True


def _status_text(status: Sequence[str]) -> str:
    """Join-ExumList."""
    return ", ".join(status) if status else "no status"


def _assert_placement(context: OperationContext, certificate: x509.Certificate, store_name: str) -> None:
    """Assert-ExumPlacement (with Assert-ExumSelfSigned), with the script's error ids and messages."""
    name = _name(certificate)
    if not basic_constraints_ca(certificate):
        raise context.stop(
            "ExumNotCertificateAuthority",
            name + " is not a CA certificate (no basic constraints CA:TRUE); it belongs in no trust store.",
        )
    if not _allows_certificate_signing(certificate):
        raise context.stop(
            "ExumNoCertificateSigning",
            name + " is a CA certificate whose key usage lacks keyCertSign; it belongs in no trust store.",
        )
    # Self-issued: the subject and issuer names are the same bytes (SubjectName.RawData vs IssuerName.RawData).
    self_issued = certificate.subject.public_bytes() == certificate.issuer.public_bytes()
    if self_issued:
        chain = build_chain(context.state, certificate)
        broken = "NotSignatureValid" in chain.status or "PartialChain" in chain.status
        if broken or len(chain.elements) != 1:
            raise context.stop(
                "ExumRootSignatureNotValid",
                name
                + " names itself as its issuer, but its own key does not verify its signature (X509Chain: "
                + _status_text(chain.status)
                + "): it is damaged or forged and is not trusted as a root.",
            )
    if store_name == "Root" and not self_issued:
        raise context.stop(
            "ExumNotRootCertificate", name + " is not self-issued: an intermediate CA never goes into Root."
        )
    if store_name == "CA" and self_issued:
        raise context.stop("ExumNotIntermediateCertificate", name + " is a root CA: it goes into Root, not CA.")


def _assert_time_valid(context: OperationContext, certificate: x509.Certificate, now: datetime.datetime) -> None:
    """Assert-ExumTimeValid: NotBefore/NotAfter against the host's clock."""
    name = _name(certificate)
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    period = f" (valid {_time(start)} to {_time(end)}; the host clock says {_time(now)})"
    if now < start:
        raise context.stop(
            "ExumCertificateNotYetValid",
            name + " is not valid yet" + period + "; a CA certificate is trusted only within its validity period.",
        )
    if now > end:
        raise context.stop(
            "ExumCertificateExpired",
            name + " has expired" + period + "; an expired CA certificate is not put into a trust store.",
        )


def _assert_chain(
    context: OperationContext, certificate: x509.Certificate, given: Sequence[x509.Certificate], roots: set[str]
) -> None:
    """Assert-ExumChain: valid once the given roots are trusted (only UntrustedRoot at a given root allowed)."""
    name = _name(certificate)
    chain = build_chain(context.state, certificate, given)
    top = chain.elements[-1]
    if "PartialChain" in chain.status:
        where = ": its issuer "
        if thumbprint(top) != thumbprint(certificate):
            where = ": its chain ends at " + _name(top) + ", whose issuer "
        raise context.stop(
            "ExumIssuerNotFound",
            name
            + where
            + windows_name(top.issuer)
            + " is neither given nor in LocalMachine\\Root or CA; give the whole chain up to its root, or trust the"
            " root first.",
        )
    problems = [flag for flag in chain.status if flag != "UntrustedRoot" or thumbprint(top) not in roots]
    if problems:
        raise context.stop(
            "ExumChainNotValid",
            name
            + ": its chain up to "
            + _name(top)
            + " is not valid on this host (X509Chain: "
            + _status_text(problems)
            + ").",
        )


def run(context: OperationContext, arguments: Mapping[str, object]) -> dict[str, object]:
    state = context.state
    wanted = {
        "Root": [_decode(text) for text in string_list_parameter(arguments, "Root")],
        "CA": [_decode(text) for text in string_list_parameter(arguments, "Intermediate")],
    }
    desired = string_parameter(arguments, "State", "present").lower()  # PowerShell's -eq ignores case
    check_mode = bool_parameter(arguments, "CheckMode", False)
    for store_name in _STORES:
        for certificate in wanted[store_name]:
            _assert_placement(context, certificate, store_name)
    if desired == "present":
        given = [*wanted["Root"], *wanted["CA"]]
        roots = {thumbprint(certificate) for certificate in wanted["Root"]}
        now = datetime.datetime.now(datetime.timezone.utc)
        for certificate in given:
            _assert_time_valid(context, certificate, now)
        for certificate in given:
            _assert_chain(context, certificate, given, roots)

    added: list[dict[str, object]] = []
    removed: list[dict[str, object]] = []
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for store_name in _STORES:
        store = state.stores[store_name]
        before[store_name] = [entry.thumbprint for entry in store.entries()]
        for certificate in wanted[store_name]:
            given = thumbprint(certificate)
            present = given in store
            change = {"store": store_name, "thumbprint": given}
            if desired == "present" and not present:
                if not check_mode:
                    store.add(StoredCertificate(certificate))
                added.append(change)
            if desired == "absent" and present:
                if not check_mode:
                    store.remove(given)
                removed.append(change)
        after[store_name] = [entry.thumbprint for entry in store.entries()]

    chain: dict[str, object] | None = None
    if desired == "present" and not check_mode:
        lowest = (wanted["CA"] or wanted["Root"] or [None])[0]
        if lowest is not None:
            result = build_chain(state, lowest)
            chain = {"built": result.built, "status": result.status}
    return {
        "changed": bool(added or removed),
        "added": added,
        "removed": removed,
        "before": before,
        "after": after,
        "chain": chain,
    }
