"""root_trust's logic: read the certificates given, validate them, decide from the snapshot, ask the host at most once.

The action plugin only validates options, reads a ``path`` file and hands the host call in as a function, so this
module needs no Ansible object and is tested with plain tables. Every certificate is validated on the controller
before anything is decided (validate everything before changing anything, docs/security.md), and the host script
checks again before its first write (docs/architecture.md, "Operation results").
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from ._host_facts import TRUST_STORES, apply_store_changes, store_thumbprints
from ._x509 import (
    CertificateError,
    allows_certificate_signing,
    build_chain,
    is_ca,
    is_self_issued,
    is_self_signed,
    is_signed_by,
    iso_utc,
    load_certificates,
    not_after,
    not_before,
    path_length,
    thumbprint,
    to_der_base64,
    windows_name,
)

if t.TYPE_CHECKING:  # annotations only: ansible-test's import check runs without cryptography
    from cryptography import x509

__all__ = [
    "EMPTY_RESULT",
    "HostCall",
    "RootTrustError",
    "TrustOutcome",
    "classify",
    "ensure_trust",
    "planned_changes",
    "read_certificates",
    "validate",
]

# Every documented result key, with its value for a task that fails before it knows the value.
EMPTY_RESULT: dict[str, t.Any] = {"roots": [], "intermediates": [], "added": [], "removed": [], "chain": None}

Change = dict[str, str]
Stores = dict[str, list[str]]
HostCall = Callable[[Mapping[str, object]], Mapping[str, t.Any]]
_MAX_DEPTH = 10  # CA levels followed up a chain; more means a loop of names


class RootTrustError(Exception):
    """A certificate that must not be trusted as asked, or input without one; ``thumbprint`` names the certificate."""

    def __init__(self, message: str, *, reason: str, thumbprint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.thumbprint = thumbprint


@dataclass(frozen=True)
class TrustOutcome:
    """``result``: every RETURN key of root_trust (plus ``changed``, and ``diff``/``failed``/``msg`` when they apply);
    ``snapshot``: the ``exchange_um_host`` fact updated after a change, or None when there is none to return."""

    result: dict[str, t.Any]
    snapshot: dict[str, t.Any] | None


def _pem_texts(value: object) -> Iterable[str]:
    """PEM text from ca_certificate's result (whole, or its ``chain``), a list of PEMs, or one PEM string."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        if value.get("chain"):
            yield from _pem_texts(value["chain"])
        elif "pem" in value:
            yield from _pem_texts(value["pem"])
        else:
            for key in ("certificate", "root"):
                if value.get(key):
                    yield from _pem_texts(value[key])
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _pem_texts(item)
    elif value is not None:
        raise RootTrustError(f"certificates: cannot read a certificate from a {type(value).__name__}", reason="input")


def read_certificates(
    *, certificates: object = None, content: str | None = None, data: bytes | None = None
) -> dict[str, x509.Certificate]:
    """The certificates of whichever option was given (``data``: the bytes of ``path``), by thumbprint, first kept.

    Raises :class:`CertificateError` when there is none (``load_certificates`` never returns an empty list).
    """
    if data is not None:
        loaded = load_certificates(data)
    else:
        text = content if content else "".join(_pem_texts(certificates))
        loaded = load_certificates(text.encode("utf-8"))
    unique: dict[str, x509.Certificate] = {}
    for cert in loaded:
        unique.setdefault(thumbprint(cert), cert)
    return unique


def _name(cert: x509.Certificate) -> str:
    return f"{windows_name(cert.subject)} ({thumbprint(cert)})"


def _refuse(cert: x509.Certificate, message: str, *, reason: str) -> RootTrustError:
    return RootTrustError(f"{_name(cert)} {message}", reason=reason, thumbprint=thumbprint(cert))


def _kind(cert: x509.Certificate) -> str:
    """``root`` or ``intermediate``; refuses what belongs in no trust store, or whose store cannot be told."""
    if not is_ca(cert):
        raise _refuse(
            cert,
            "is not a CA certificate: it belongs in no trust store. Give the CA certificates (for example "
            "ca_certificate's chain), not a server certificate.",
            reason="not_ca",
        )
    if not allows_certificate_signing(cert):
        raise _refuse(
            cert,
            "is a CA certificate whose key usage lacks keyCertSign: Windows accepts no certificate it signs, so it "
            "belongs in no trust store. Give the CA's certificate that allows certificate signing.",
            reason="no_cert_sign",
        )
    if not is_self_issued(cert):
        return "intermediate"
    if not is_self_signed(cert):
        raise _refuse(
            cert,
            "names itself as its issuer, but its own key does not verify its signature: it is damaged or forged "
            "and is not trusted as a root. Fetch the CA certificate again (ca_certificate) and compare its "
            "thumbprint with the CA's out of band.",
            reason="bad_self_signature",
        )
    return "root"


def classify(certificates: Mapping[str, x509.Certificate]) -> tuple[list[str], list[str]]:
    """(roots, intermediates lowest first): a root is a self-issued CA certificate its own key verifies.

    Refuses a certificate that is not a CA, whose key usage forbids certificate signing, or that names itself as
    its issuer without its own key verifying it (whichever ``state`` is asked: its store cannot be told).
    """
    roots: list[str] = []
    intermediates: list[str] = []
    for print_, cert in certificates.items():
        (roots if _kind(cert) == "root" else intermediates).append(print_)

    def depth(print_: str) -> int:
        try:
            return len(build_chain(certificates[print_], certificates.values()))
        except CertificateError:
            return 0

    intermediates.sort(key=depth, reverse=True)
    return roots, intermediates


def _check_dates(cert: x509.Certificate, now: datetime) -> None:
    period = (
        f"(valid {iso_utc(not_before(cert))} to {iso_utc(not_after(cert))}; the controller's clock says {iso_utc(now)})"
    )
    if now < not_before(cert):
        raise _refuse(
            cert,
            f"is not valid before {iso_utc(not_before(cert))} {period}: a CA certificate is trusted only within its "
            "validity period. Check the clocks of the controller and the CA, or trust it once it is valid.",
            reason="not_yet_valid",
        )
    if now > not_after(cert):
        raise _refuse(
            cert,
            f"expired on {iso_utc(not_after(cert))} {period}: an expired CA certificate is not put into a trust "
            "store. Give the CA's current (renewed) certificate.",
            reason="expired",
        )


def _trusted_names(snapshot: Mapping[str, t.Any]) -> dict[str, dict[str, str]]:
    """Per store, subject -> issuer of what the host trusts, as the fact shows it (names as Windows writes them)."""
    names: dict[str, dict[str, str]] = {}
    for store in TRUST_STORES:
        entries = snapshot.get("stores", {}).get(store) or ()
        names[store] = {
            entry["subject"]: str(entry.get("issuer"))
            for entry in entries
            if isinstance(entry, Mapping) and isinstance(entry.get("subject"), str)
        }
    return names


def _trusted_by_name(issuer: str, trusted: Mapping[str, Mapping[str, str]]) -> bool:
    """The fact shows a certificate named ``issuer`` in Root, or in CA with its own issuers up to one in Root.

    The fact carries no DER, so this matches names only; the host script verifies the signatures (X509Chain).
    """
    name, seen = issuer, set[str]()
    while name not in seen and len(seen) < _MAX_DEPTH:
        if name in trusted["Root"]:
            return True
        if name not in trusted["CA"]:
            return False
        seen.add(name)
        name = trusted["CA"][name]
    return False


def _check_chain(
    cert: x509.Certificate, given: Sequence[x509.Certificate], trusted: Mapping[str, Mapping[str, str]] | None
) -> None:
    """The issuers of ``cert`` up to a root: among ``given`` by signature, else in the fact by name.

    Without the fact the host's stores are not known here: the chain is then left to the host script's check.
    Checks each given CA's path length against the CA certificates below it (RFC 5280 4.2.1.9).
    """
    chain = [cert]
    while not is_self_signed(chain[-1]) and len(chain) <= _MAX_DEPTH:
        current = chain[-1]
        issuer = next((c for c in given if c not in chain and is_ca(c) and is_signed_by(current, c)), None)
        if issuer is None:
            issuer_name = windows_name(current.issuer)
            if trusted is not None and not _trusted_by_name(issuer_name, trusted):
                unverified = any(c.subject == current.issuer for c in given)
                note = " (the certificate given under that name does not verify its signature)" if unverified else ""
                raise RootTrustError(
                    f"the issuer of {_name(current)}, {issuer_name!r}, is neither given{note} nor trusted on "
                    "the host (LocalMachine\\Root or CA in the exchange_um_host fact): give the whole chain up to "
                    "its root (for example ca_certificate's chain), or trust the root first.",
                    reason="issuer_missing",
                    thumbprint=thumbprint(current),
                )
            break
        chain.append(issuer)
    for below, ca in enumerate(chain):
        limit = path_length(ca)
        if limit is not None and below > limit:
            raise _refuse(
                ca,
                f"allows {limit} CA certificate(s) below it (basic constraints path length {limit}), but the chain "
                f"of {_name(cert)} puts {below} below it: Windows refuses such a chain. Give a chain within the "
                "CA's path length.",
                reason="path_length",
            )


def validate(
    certificates: Mapping[str, x509.Certificate],
    *,
    state: str,
    snapshot: Mapping[str, t.Any] | None = None,
    now: datetime | None = None,
) -> tuple[list[str], list[str]]:
    """(roots, intermediates lowest first), or :class:`RootTrustError` for the first certificate refused.

    Every state: :func:`classify`. To add (``present``), also every certificate valid ``now`` (default: the
    controller's clock) and each intermediate's chain: issuers that verify its signature, given or (with the fact)
    trusted on the host, and no CA's path length exceeded. Removing needs no more than knowing the store.
    """
    roots, intermediates = classify(certificates)
    if state != "present":
        return roots, intermediates
    moment = now or datetime.now(timezone.utc)
    for cert in certificates.values():
        _check_dates(cert, moment)
    trusted = _trusted_names(snapshot) if snapshot is not None else None
    for print_ in intermediates:
        _check_chain(certificates[print_], list(certificates.values()), trusted)
    return roots, intermediates


def planned_changes(
    before: Mapping[str, Iterable[str]], wanted: Mapping[str, Iterable[str]], *, state: str
) -> tuple[list[Change], list[Change]]:
    """(added, removed) that bring ``before`` to ``state`` for the ``wanted`` thumbprints of each store."""
    added: list[Change] = []
    removed: list[Change] = []
    for store, prints in wanted.items():
        present = set(before[store])
        for print_ in prints:
            if state == "present" and print_ not in present:
                added.append({"store": store, "thumbprint": print_})
            if state == "absent" and print_ in present:
                removed.append({"store": store, "thumbprint": print_})
    return added, removed


def _predicted(before: Mapping[str, list[str]], added: list[Change], removed: list[Change]) -> Stores:
    """The stores after the changes (check mode, where the host changed nothing)."""
    after = {store: list(before[store]) for store in TRUST_STORES}
    for change in added:
        if change["thumbprint"] not in after[change["store"]]:
            after[change["store"]].append(change["thumbprint"])
    for change in removed:
        after[change["store"]] = [print_ for print_ in after[change["store"]] if print_ != change["thumbprint"]]
    return after


def _upper(stores: Mapping[str, Iterable[str]]) -> Stores:
    return {store: [str(print_).upper() for print_ in stores[store]] for store in TRUST_STORES}


def _diff(before: Mapping[str, Iterable[str]], after: Mapping[str, Iterable[str]]) -> dict[str, str]:
    def text(stores: Mapping[str, Iterable[str]]) -> str:
        return "".join(f"LocalMachine\\{store}\\{print_}\n" for store in TRUST_STORES for print_ in stores[store])

    return {"before": text(before), "after": text(after)}


def _chain_failure(chain: Mapping[str, t.Any] | None, lowest: str) -> dict[str, t.Any]:
    if chain is None or chain.get("built"):
        return {}
    status = ", ".join(chain.get("status") or ()) or "unknown"
    return {
        "failed": True,
        "msg": f"the chain of {lowest} does not build on the host ({status}); give the whole chain up to its root, "
        "or trust the root first",
    }


def ensure_trust(
    *,
    certificates: Mapping[str, x509.Certificate],
    state: str,
    check_mode: bool,
    diff: bool,
    snapshot: Mapping[str, t.Any] | None,
    call_host: HostCall,
) -> TrustOutcome:
    """Bring the given CA certificates to ``state`` in LocalMachine\\Root and CA.

    With a ``snapshot`` the decision comes from it: no host call when nothing must change, and none in check mode.
    Otherwise ``call_host`` runs root_trust.ps1 once (read-only in check mode). Everything is validated first
    (:func:`validate`): a refused certificate raises :class:`RootTrustError` before any host call. Host failures
    (the script's own refusals included) come from ``call_host`` as they are.
    """
    roots, intermediates = validate(certificates, state=state, snapshot=snapshot)
    wanted = {"Root": roots, "CA": intermediates}
    result: dict[str, t.Any] = {"roots": roots, "intermediates": intermediates, "chain": None}
    ask = True
    if snapshot is not None:
        before = {store: store_thumbprints(snapshot, store) for store in TRUST_STORES}
        added, removed = planned_changes(before, wanted, state=state)
        ask = bool(added or removed) and not check_mode
    if ask:
        reply = call_host(
            {
                "Root": [to_der_base64(certificates[print_]) for print_ in roots],
                "Intermediate": [to_der_base64(certificates[print_]) for print_ in intermediates],
                "State": state,
                "CheckMode": check_mode,
            }
        )
        before = _upper(reply["before"])
        added, removed = list(reply["added"]), list(reply["removed"])
        result["chain"] = reply.get("chain")
    # In check mode the host's "after" equals "before" (architecture.md): the outcome is predicted from the changes.
    after = _upper(reply["after"]) if ask and not check_mode else _predicted(before, added, removed)
    result.update({"changed": bool(added or removed), "added": added, "removed": removed})
    if diff:
        result["diff"] = _diff(before, after)
    result.update(_chain_failure(result["chain"], (intermediates or roots)[0]))
    updated = apply_store_changes(snapshot, after=after, known=certificates) if snapshot is not None and ask else None
    return TrustOutcome(result, updated)
