"""The ``exchange_um_host`` snapshot: shaped from what exchange_info returns, kept true after a change.

Host scripts return each certificate's DER; the controller derives names, SANs and roles from it with
``cryptography`` (no localized ``Format()`` text, no ASN.1 parsing in PowerShell 1.0) and drops the DER, so the fact
stays small. Subjects and issuers are written as Windows shows them (``windows_name``) for entries read from the
host and for entries the controller adds after a change alike. Every host module reads this one shape
(docs/architecture.md, "Operation results").
"""

from __future__ import annotations

import base64
import copy
import re
import typing as t
from collections.abc import Iterable, Mapping

from ._argspec import kind_of
from ._exchange import PROFILES, dns_name_problem
from ._x509 import describe, load_certificates

if t.TYPE_CHECKING:  # annotations only: ansible-test's import check runs without cryptography
    from cryptography import x509

__all__ = [
    "FACT_NAME",
    "TRUST_STORES",
    "HostFactError",
    "apply_store_changes",
    "certificate_entry",
    "check_snapshot",
    "fact_from_task_vars",
    "normalize_snapshot",
    "store_thumbprints",
]

FACT_NAME = "exchange_um_host"
_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")
_VERSIONS = tuple(sorted({*PROFILES, "2007"}))
TRUST_STORES = ("Root", "CA")
_DERIVED = ("subject", "issuer", "is_ca", "role", "dns_names", "eku")


class HostFactError(ValueError):
    """The ``exchange_um_host`` fact is not the shape exchange_info leaves; ``path`` names the part that is wrong."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"the fact ansible_facts.{FACT_NAME}{path} {problem}")
        self.path = path
        self.problem = problem


def fact_from_task_vars(task_vars: Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """The snapshot a previous exchange_info (or host module) left in the host's facts, if any.

    A fact that is there but malformed (set by hand, or by something else) is refused rather than guessed at: the
    modules decide from it whether to touch the host at all.
    """
    facts = task_vars.get("ansible_facts")
    if not isinstance(facts, Mapping) or facts.get(FACT_NAME) is None:
        return None
    snapshot = facts[FACT_NAME]
    check_snapshot(snapshot)
    return dict(snapshot)


def check_snapshot(snapshot: object) -> None:
    """Raise :class:`HostFactError` unless ``snapshot`` has what the modules read: stores of thumbprinted entries,
    an ``exchange`` mapping with a known version, a DNS name as ``fqdn``."""
    if not isinstance(snapshot, Mapping):
        raise HostFactError("", f"is {_kind(snapshot)}, not the mapping exchange_info sets")
    stores = snapshot.get("stores")
    if not isinstance(stores, Mapping):
        raise HostFactError(".stores", f"is {_kind(stores)}, not a mapping of certificate stores")
    for name, entries in stores.items():
        if not isinstance(entries, list):
            raise HostFactError(f".stores.{_shown_key(name)}", f"is {_kind(entries)}, not a list of certificates")
        for index, entry in enumerate(entries):
            where = f".stores.{_shown_key(name)}[{index}]"
            if not isinstance(entry, Mapping):
                raise HostFactError(where, f"is {_kind(entry)}, not a certificate entry")
            print_ = entry.get("thumbprint")
            if not isinstance(print_, str) or not _THUMBPRINT.match(print_):
                raise HostFactError(f"{where}.thumbprint", "is not a SHA-1 thumbprint (40 hex digits)")
    exchange = snapshot.get("exchange")
    if exchange is not None:
        if not isinstance(exchange, Mapping):
            raise HostFactError(".exchange", f"is {_kind(exchange)}, not a mapping")
        if not isinstance(exchange.get("installed", False), bool):
            raise HostFactError(".exchange.installed", "is not true or false")
        version = exchange.get("version")
        if version is not None and str(version).strip().lower() not in _VERSIONS:
            raise HostFactError(".exchange.version", f"names no supported Exchange version ({', '.join(_VERSIONS)})")
    fqdn = snapshot.get("fqdn")
    if fqdn is not None:
        problem = dns_name_problem(fqdn)
        if problem is not None:
            raise HostFactError(".fqdn", problem)


def _kind(value: object) -> str:
    return "missing" if value is None else f"a {kind_of(value)}"


def _shown_key(name: object) -> str:
    text = str(name)
    return text if len(text) <= 20 and text.isidentifier() else "<store>"


def _derived(cert: x509.Certificate) -> dict[str, t.Any]:
    """What the controller reads from the DER: names as Windows shows them, whatever the host printed, and roles."""
    described = describe(cert)
    return {key: described[key] for key in _DERIVED}


def certificate_entry(cert: x509.Certificate, *, has_private_key: bool = False, friendly_name: str = "") -> dict:
    """A store entry for a certificate known on the controller (one the collection just added)."""
    described = describe(cert)
    entry = {key: described[key] for key in ("thumbprint", "serial_number", "not_before", "not_after")}
    entry.update(_derived(cert))
    entry.update({"has_private_key": has_private_key, "friendly_name": friendly_name})
    return entry


def _enrich(entry: Mapping[str, t.Any]) -> dict[str, t.Any]:
    result = {key: value for key, value in entry.items() if key != "der"}
    der = entry.get("der")
    if isinstance(der, str) and der:
        [cert] = load_certificates(base64.b64decode(der))
        result.update(_derived(cert))
    return result


def normalize_snapshot(raw: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Store entries get is_ca/role/dns_names (no DER); My entries get Exchange's services and status."""
    snapshot = {key: copy.deepcopy(value) for key, value in raw.items() if key != "exchange_certificates"}
    exchange_view = {
        str(item.get("thumbprint", "")).upper(): item for item in raw.get("exchange_certificates") or () if item
    }
    stores: dict[str, list[dict[str, t.Any]]] = {}
    for name, entries in (raw.get("stores") or {}).items():
        stores[name] = [_enrich(entry) for entry in entries or ()]
    for entry in stores.get("My", []):
        seen = exchange_view.get(str(entry.get("thumbprint", "")).upper())
        if seen is not None:
            entry["services"] = seen.get("services")
            entry["status"] = seen.get("status")
    snapshot["stores"] = stores
    return snapshot


def store_thumbprints(snapshot: Mapping[str, t.Any], store: str) -> list[str]:
    """Thumbprints in ``store`` as the snapshot records them (upper case)."""
    return [str(entry.get("thumbprint", "")).upper() for entry in snapshot.get("stores", {}).get(store) or ()]


def apply_store_changes(
    snapshot: Mapping[str, t.Any],
    *,
    after: Mapping[str, Iterable[str]],
    known: Mapping[str, x509.Certificate],
) -> dict[str, t.Any]:
    """A copy of ``snapshot`` whose trust stores hold exactly ``after`` (what the host reported).

    Entries the snapshot had are kept; certificates the collection just added are described from ``known``.
    """
    updated = copy.deepcopy(dict(snapshot))
    stores = updated.setdefault("stores", {})
    for store, thumbprints in after.items():
        previous = {str(entry.get("thumbprint", "")).upper(): entry for entry in stores.get(store) or ()}
        entries = []
        for thumbprint in thumbprints:
            key = thumbprint.upper()
            if key in previous:
                entries.append(previous[key])
            elif key in known:
                entries.append(certificate_entry(known[key]))
            else:
                entries.append({"thumbprint": key})
        stores[store] = entries
    return updated
