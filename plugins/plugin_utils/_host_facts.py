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
import typing as t
from collections.abc import Iterable, Mapping

from ._x509 import describe, load_certificates

if t.TYPE_CHECKING:  # annotations only: ansible-test's import check runs without cryptography
    from cryptography import x509

__all__ = [
    "FACT_NAME",
    "TRUST_STORES",
    "apply_store_changes",
    "certificate_entry",
    "fact_from_task_vars",
    "normalize_snapshot",
    "store_thumbprints",
]

FACT_NAME = "exchange_um_host"
TRUST_STORES = ("Root", "CA")
_DERIVED = ("subject", "issuer", "is_ca", "role", "dns_names")


def fact_from_task_vars(task_vars: Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """The snapshot a previous exchange_info (or host module) left in the host's facts, if any."""
    facts = task_vars.get("ansible_facts")
    snapshot = facts.get(FACT_NAME) if isinstance(facts, Mapping) else None
    return dict(snapshot) if isinstance(snapshot, Mapping) and isinstance(snapshot.get("stores"), Mapping) else None


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
