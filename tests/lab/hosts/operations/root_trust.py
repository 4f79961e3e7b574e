"""Model of host_scripts/root_trust.ps1: CA certificates into (or out of) ``LocalMachine\\Root`` and ``\\CA``.

The script decodes every certificate, refuses a wrong placement before touching any store (not a CA; a certificate
that is not self-issued for Root; a self-issued one for CA), then per store adds what is missing (``present``) or
removes what is there (``absent``), opening the stores read-only in check mode. It reports the thumbprints before and
after, and for ``present`` outside check mode the ``X509Chain.Build`` result (revocation NoCheck) of the first
intermediate given, else the first root.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

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


def _assert_placement(context: OperationContext, certificate: x509.Certificate, store_name: str) -> None:
    """Assert-ExumPlacement, with the script's error ids and messages."""
    name = f"{windows_name(certificate.subject)} ({thumbprint(certificate)})"
    if not basic_constraints_ca(certificate):
        raise context.stop(
            "ExumNotCertificateAuthority",
            name + " is not a CA certificate (no basic constraints CA:TRUE); it belongs in no trust store.",
        )
    # Self-issued: the subject and issuer names are the same bytes (SubjectName.RawData vs IssuerName.RawData).
    self_issued = certificate.subject.public_bytes() == certificate.issuer.public_bytes()
    if store_name == "Root" and not self_issued:
        raise context.stop(
            "ExumNotRootCertificate", name + " is not self-issued: an intermediate CA never goes into Root."
        )
    if store_name == "CA" and self_issued:
        raise context.stop("ExumNotIntermediateCertificate", name + " is a root CA: it goes into Root, not CA.")


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
