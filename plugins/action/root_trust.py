"""Action of ``exchange_um.certificates.root_trust``: roots into LocalMachine\\Root, intermediates into CA.

Decides from the ``exchange_um_host`` fact when it is there (no host call when nothing must change); otherwise one
host call inspects and changes in the same script. Certificates are classified on the controller, and the host
script refuses a wrong placement again on its own.
"""

from __future__ import annotations

import typing as t
from collections.abc import Iterable, Mapping

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_action import (
    HOST_ARGUMENT_SPEC,
    HostActionBase,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import HostOperationError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import (
    TRUST_STORES,
    apply_store_changes,
    store_thumbprints,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import (
    CertificateError,
    build_chain,
    load_certificates,
    role,
    thumbprint,
    to_der_base64,
)

if t.TYPE_CHECKING:  # annotations only: ansible-test's import check runs without cryptography
    from cryptography import x509

_EMPTY: dict[str, t.Any] = {"roots": [], "intermediates": [], "added": [], "removed": [], "chain": None}


class RootTrustError(Exception):
    """A certificate that must not be trusted as asked; ``thumbprint`` names it."""

    def __init__(self, message: str, *, reason: str, thumbprint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.thumbprint = thumbprint


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


def _unique(certificates: Iterable[x509.Certificate]) -> dict[str, x509.Certificate]:
    return {thumbprint(cert): cert for cert in certificates}


def _classify(certificates: Mapping[str, x509.Certificate]) -> tuple[list[str], list[str]]:
    """(roots, intermediates lowest first); a certificate that is not a CA is refused."""
    roots, intermediates = [], []
    for print_, cert in certificates.items():
        kind = role(cert)
        if kind == "leaf":
            raise RootTrustError(
                f"{cert.subject.rfc4514_string()} ({print_}) is not a CA certificate: it belongs in no trust store. "
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


def _diff(before: Mapping[str, Iterable[str]], after: Mapping[str, Iterable[str]]) -> dict[str, str]:
    def text(stores: Mapping[str, Iterable[str]]) -> str:
        return "".join(f"LocalMachine\\{store}\\{print_}\n" for store in TRUST_STORES for print_ in stores[store])

    return {"before": text(before), "after": text(after)}


class ActionModule(HostActionBase):
    ARGUMENT_SPEC: t.ClassVar[dict[str, t.Any]] = {
        "argument_spec": {
            **HOST_ARGUMENT_SPEC,
            "certificates": {"type": "raw"},
            "content": {"type": "str"},
            "path": {"type": "path"},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        },
        "mutually_exclusive": [("certificates", "content", "path")],
        "required_one_of": [("certificates", "content", "path")],
    }
    RESULT_DEFAULTS = _EMPTY
    OWN_ERRORS = (HostOperationError, RootTrustError, CertificateError)
    OPERATION = "root_trust"

    def _load(self, args: Mapping[str, t.Any]) -> dict[str, x509.Certificate]:
        if args["path"]:
            with open(self._loader.path_dwim(args["path"]), "rb") as handle:
                certificates = load_certificates(handle.read())
        else:
            text = args["content"] if args["content"] else "".join(_pem_texts(args["certificates"]))
            certificates = load_certificates(text.encode("utf-8"))
        if not certificates:
            raise RootTrustError("no certificate found in the input", reason="input")
        return _unique(certificates)

    def run_host(
        self, args: dict[str, t.Any], task_vars: dict[str, t.Any], *, snapshot: dict[str, t.Any] | None
    ) -> dict[str, t.Any]:
        certificates = self._load(args)
        roots, intermediates = _classify(certificates)
        state = args["state"]
        wanted = {"Root": roots, "CA": intermediates}
        result: dict[str, t.Any] = {"roots": roots, "intermediates": intermediates, "chain": None}

        if snapshot is not None:
            before = {store: store_thumbprints(snapshot, store) for store in TRUST_STORES}
            added, removed = _changes(before, wanted, state)
            if not added and not removed:
                return {**result, "changed": False, "added": [], "removed": []}
        if snapshot is None or not self.check_mode:
            arguments = {
                "Root": [to_der_base64(certificates[print_]) for print_ in roots],
                "Intermediate": [to_der_base64(certificates[print_]) for print_ in intermediates],
                "State": state,
                "CheckMode": self.check_mode,
            }
            reply = self.call_host(arguments, exchange=None)
            before = {store: list(reply["before"][store]) for store in TRUST_STORES}
            added, removed = list(reply["added"]), list(reply["removed"])
            result["chain"] = reply.get("chain")
        after = _predicted(before, added, removed)
        result.update({"changed": bool(added or removed), "added": added, "removed": removed})
        if self.diff_mode:
            result["diff"] = _diff(before, after)
        if snapshot is not None and not self.check_mode:
            result.update(self.facts(apply_store_changes(snapshot, after=after, known=certificates)))
        chain = result["chain"]
        if chain is not None and not chain.get("built"):
            status = ", ".join(chain.get("status") or ()) or "unknown"
            lowest = (intermediates or roots)[0]
            result.update(
                failed=True,
                msg=f"the chain of {lowest} does not build on the host ({status}); give the whole chain up to its "
                "root, or trust the root first",
            )
        return result


def _changes(
    before: Mapping[str, list[str]], wanted: Mapping[str, list[str]], state: str
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    added, removed = [], []
    for store, prints in wanted.items():
        for print_ in prints:
            present = print_ in before[store]
            if state == "present" and not present:
                added.append({"store": store, "thumbprint": print_})
            if state == "absent" and present:
                removed.append({"store": store, "thumbprint": print_})
    return added, removed


def _predicted(
    before: Mapping[str, list[str]], added: list[dict[str, str]], removed: list[dict[str, str]]
) -> dict[str, list[str]]:
    """The stores after the change (also in check mode, where the host changed nothing)."""
    after = {store: list(before[store]) for store in TRUST_STORES}
    for change in added:
        if change["thumbprint"] not in after[change["store"]]:
            after[change["store"]].append(change["thumbprint"])
    for change in removed:
        after[change["store"]] = [print_ for print_ in after[change["store"]] if print_ != change["thumbprint"]]
    return after
