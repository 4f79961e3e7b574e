"""root_trust's logic: read the certificates given, classify them, decide from the snapshot, ask the host at most once.

The action plugin only validates options, reads a ``path`` file and hands the host call in as a function, so this
module needs no Ansible object and is tested with plain tables. Certificates are classified on the controller, and
the host script refuses a wrong placement again on its own (docs/architecture.md, "Operation results").
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ._host_facts import TRUST_STORES, apply_store_changes, store_thumbprints
from ._x509 import CertificateError, build_chain, load_certificates, role, thumbprint, to_der_base64, windows_name

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
]

# Every documented result key, with its value for a task that fails before it knows the value.
EMPTY_RESULT: dict[str, t.Any] = {"roots": [], "intermediates": [], "added": [], "removed": [], "chain": None}

Change = dict[str, str]
Stores = dict[str, list[str]]
HostCall = Callable[[Mapping[str, object]], Mapping[str, t.Any]]


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


def classify(certificates: Mapping[str, x509.Certificate]) -> tuple[list[str], list[str]]:
    """(roots, intermediates lowest first); a certificate that is not a CA is refused."""
    roots: list[str] = []
    intermediates: list[str] = []
    for print_, cert in certificates.items():
        kind = role(cert)
        if kind == "leaf":
            raise RootTrustError(
                f"{windows_name(cert.subject)} ({print_}) is not a CA certificate: it belongs in no trust store. "
                "Give the CA certificates (for example ca_certificate's chain), not a server certificate.",
                reason="not_ca",
                thumbprint=print_,
            )
        (roots if kind == "root" else intermediates).append(print_)

    def depth(print_: str) -> int:
        try:
            return len(build_chain(certificates[print_], certificates.values()))
        except CertificateError:
            return 0

    intermediates.sort(key=depth, reverse=True)
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
    Otherwise ``call_host`` runs root_trust.ps1 once (read-only in check mode). Raises :class:`RootTrustError` for
    a certificate that is not a CA; host failures come from ``call_host`` as they are.
    """
    roots, intermediates = classify(certificates)
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
