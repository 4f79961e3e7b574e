"""The exchange_um_host snapshot: entries read from the host and entries added on the controller look alike."""

from __future__ import annotations

import base64

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import (
    HostFactError,
    apply_store_changes,
    certificate_entry,
    fact_from_task_vars,
    normalize_snapshot,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import serial_hex, thumbprint
from cryptography.hazmat.primitives.serialization import Encoding

from .conftest import Pki


def host_entry(cert, *, subject: str, issuer: str) -> dict:
    """A store entry as exchange_info.ps1 prints it (architecture.md "Operation results")."""
    return {
        "thumbprint": thumbprint(cert),
        "subject": subject,
        "issuer": issuer,
        "serial_number": serial_hex(cert),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "has_private_key": False,
        "friendly_name": "",
        "der": base64.b64encode(cert.public_bytes(Encoding.DER)).decode(),
    }


@pytest.mark.parametrize(
    ("label", "subject", "issuer"),
    [
        ("root", "CN=Contoso Root CA, DC=contoso, DC=lab", "CN=Contoso Root CA, DC=contoso, DC=lab"),
        ("issuing", "CN=Contoso Issuing CA, DC=contoso, DC=lab", "CN=Contoso Root CA, DC=contoso, DC=lab"),
        ("ec_issuing", "CN=Fabrikam EC Issuing, DC=fabrikam, DC=lab", "CN=Fabrikam EC Root, DC=fabrikam, DC=lab"),
    ],
)
@pytest.mark.parametrize("printed", ["windows", "rfc4514", "garbled"])
def test_names_come_from_the_der(pki: Pki, label: str, subject: str, issuer: str, printed: str) -> None:
    cert = getattr(pki, label).cert
    shown = {
        "windows": (subject, issuer),
        "rfc4514": (cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()),
        "garbled": ("CN=?????", ""),
    }[printed]
    raw = {"stores": {"Root": [host_entry(cert, subject=shown[0], issuer=shown[1])], "CA": [], "My": []}}
    [entry] = normalize_snapshot(raw)["stores"]["Root"]
    assert entry["subject"] == subject and entry["issuer"] == issuer
    assert "der" not in entry
    # An entry the controller adds after a change is the same entry.
    assert certificate_entry(cert) == entry


def test_added_entries_join_host_entries(pki: Pki) -> None:
    root, issuing = pki.root.cert, pki.issuing.cert
    name = "CN=Contoso Root CA, DC=contoso, DC=lab"
    snapshot = normalize_snapshot({"stores": {"Root": [host_entry(root, subject=name, issuer=name)], "CA": []}})
    updated = apply_store_changes(
        snapshot,
        after={"Root": [thumbprint(root)], "CA": [thumbprint(issuing)]},
        known={thumbprint(issuing): issuing},
    )
    assert updated["stores"]["Root"] == snapshot["stores"]["Root"]
    [added] = updated["stores"]["CA"]
    assert added["subject"] == "CN=Contoso Issuing CA, DC=contoso, DC=lab"
    assert set(added) == set(snapshot["stores"]["Root"][0])
    assert snapshot["stores"]["CA"] == []  # the snapshot given is not changed


# -- a fact that is there must be the shape exchange_info leaves ----------------------------------------------------

GOOD_FACT = {
    "fqdn": "exch2010.contoso.lab",
    "exchange": {"installed": True, "version": "2010"},
    "stores": {"Root": [{"thumbprint": "A" * 40}], "CA": [], "My": []},
}


def test_a_good_fact_and_no_fact() -> None:
    assert fact_from_task_vars({"ansible_facts": {"exchange_um_host": GOOD_FACT}}) == GOOD_FACT
    assert fact_from_task_vars({"ansible_facts": {}}) is None
    assert fact_from_task_vars({}) is None


@pytest.mark.parametrize(
    ("fact", "path"),
    [
        ([], ""),
        ({**GOOD_FACT, "stores": None}, ".stores"),
        ({**GOOD_FACT, "stores": {"Root": {"a": 1}}}, ".stores.Root"),
        ({**GOOD_FACT, "stores": {"Root": ["x"]}}, ".stores.Root[0]"),
        ({**GOOD_FACT, "stores": {"Root": [{"thumbprint": "A" * 41}]}}, ".stores.Root[0].thumbprint"),
        ({**GOOD_FACT, "stores": {"Root": [{}]}}, ".stores.Root[0].thumbprint"),
        ({**GOOD_FACT, "stores": {"x" * 500: [1]}}, ".stores.<store>[0]"),
        ({**GOOD_FACT, "exchange": []}, ".exchange"),
        ({**GOOD_FACT, "exchange": {"installed": 1}}, ".exchange.installed"),
        ({**GOOD_FACT, "exchange": {"installed": True, "version": "5.5"}}, ".exchange.version"),
        ({**GOOD_FACT, "fqdn": "exch$(whoami).lab"}, ".fqdn"),
        ({**GOOD_FACT, "fqdn": 42}, ".fqdn"),
    ],
)
def test_a_malformed_fact_names_the_part_that_is_wrong(fact: object, path: str) -> None:
    with pytest.raises(HostFactError) as caught:
        fact_from_task_vars({"ansible_facts": {"exchange_um_host": fact}})
    assert caught.value.path == path
    assert str(caught.value).startswith(f"the fact ansible_facts.exchange_um_host{path} ")
    assert len(str(caught.value)) < 200
