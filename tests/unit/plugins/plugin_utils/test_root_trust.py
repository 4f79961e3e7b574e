"""root_trust's controller logic without Ansible: reading input, classifying, deciding from the snapshot, the host call.

The host is a function that answers as root_trust.ps1 does (docs/architecture.md, "Operation results": ``before``,
``added``/``removed``, ``after`` equal to ``before`` in check mode, ``chain`` only when present and not in check mode).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._root_trust import (
    EMPTY_RESULT,
    RootTrustError,
    classify,
    ensure_trust,
    planned_changes,
    read_certificates,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import (
    CertificateError,
    load_certificates,
    thumbprint,
    to_pem,
)
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from .conftest import Pki, make_cert, rsa_key


@pytest.fixture(scope="module")
def certs(pki: Pki) -> SimpleNamespace:
    sub = make_cert("Contoso Sub CA", key=rsa_key(), issuer=pki.issuing, ca=True)
    return SimpleNamespace(
        root=pki.root.cert,
        issuing=pki.issuing.cert,
        sub=sub.cert,
        leaf=pki.leaf.cert,
        ec_root=pki.ec_root.cert,
        ec_issuing=pki.ec_issuing.cert,
        other_root=pki.other_root.cert,
    )


def by_print(*certificates: Any) -> dict[str, Any]:
    return {thumbprint(cert): cert for cert in certificates}


class Host:
    """Answers like root_trust.ps1 over a dict of stores, and records every call."""

    def __init__(self, stores: Mapping[str, list[str]], *, chain: dict[str, Any] | None = None) -> None:
        self.stores = {name: list(prints) for name, prints in stores.items()}
        self.chain = chain or {"built": True, "status": []}
        self.calls: list[dict[str, Any]] = []

    def __call__(self, arguments: Mapping[str, object]) -> dict[str, Any]:
        self.calls.append(dict(arguments))
        before = {name: list(prints) for name, prints in self.stores.items()}
        added, removed = [], []
        for store, key in (("Root", "Root"), ("CA", "Intermediate")):
            for der in arguments[key]:  # type: ignore[union-attr]
                [cert] = load_certificates(base64.b64decode(der))
                change = {"store": store, "thumbprint": thumbprint(cert)}
                present = change["thumbprint"] in self.stores[store]
                if arguments["State"] == "present" and not present:
                    added.append(change)
                    if not arguments["CheckMode"]:
                        self.stores[store].append(change["thumbprint"])
                if arguments["State"] == "absent" and present:
                    removed.append(change)
                    if not arguments["CheckMode"]:
                        self.stores[store].remove(change["thumbprint"])
        chain = self.chain if arguments["State"] == "present" and not arguments["CheckMode"] else None
        after = {name: list(prints) for name, prints in self.stores.items()}
        return {"changed": bool(added or removed), "added": added, "removed": removed, "before": before,
                "after": after, "chain": chain}  # fmt: skip


def snapshot_of(stores: Mapping[str, list[str]]) -> dict[str, Any]:
    return {
        "fqdn": "exch2010.contoso.lab",
        "stores": {
            name: [{"thumbprint": print_, "subject": "CN=x"} for print_ in prints] for name, prints in stores.items()
        },
        "pending_requests": [],
    }


# -- reading ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("content", ["issuing", "root"]),
        ("pem_list", ["root", "issuing"]),
        ("registered_result", ["issuing", "root"]),
        ("chain_dicts", ["issuing", "root"]),
        ("result_without_chain", ["issuing", "root"]),
        ("duplicates", ["root", "issuing"]),
        ("der_file", ["root"]),
        ("p7b_file", ["root", "issuing"]),
    ],
)
def test_read_certificates(certs: SimpleNamespace, given: str, expected: list[str]) -> None:
    chain = [{"pem": to_pem(certs.issuing), "role": "intermediate"}, {"pem": to_pem(certs.root), "role": "root"}]
    p7b = pkcs7.serialize_certificates([certs.root, certs.issuing], Encoding.DER)
    options: dict[str, Any] = {
        "content": {"content": to_pem(certs.issuing) + to_pem(certs.root)},
        "pem_list": {"certificates": [to_pem(certs.root), to_pem(certs.issuing)]},
        "registered_result": {"certificates": {"certificate": to_pem(certs.issuing), "chain": chain}},
        "chain_dicts": {"certificates": chain},
        "result_without_chain": {"certificates": {"certificate": to_pem(certs.issuing), "root": to_pem(certs.root)}},
        "duplicates": {"certificates": [to_pem(certs.root), to_pem(certs.issuing), to_pem(certs.root)]},
        "der_file": {"data": certs.root.public_bytes(Encoding.DER)},
        "p7b_file": {"data": p7b},
    }[given]
    found = read_certificates(**options)
    assert sorted(found) == sorted(thumbprint(getattr(certs, label)) for label in expected)
    assert len(found) == len(expected)


@pytest.mark.parametrize(
    ("options", "error", "reason"),
    [
        ({"certificates": 42}, RootTrustError, "input"),
        ({"certificates": [{"pem": 3}]}, RootTrustError, "input"),
        ({"certificates": []}, CertificateError, "no_certificate"),
        (
            {"content": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
            CertificateError,
            "no_certificate",
        ),
        ({"data": b""}, CertificateError, "no_certificate"),
        ({"data": b"\x30\x03\x02\x01\x01"}, CertificateError, "unreadable"),
    ],
)
def test_read_certificates_refuses(options: dict[str, Any], error: type[Exception], reason: str) -> None:
    with pytest.raises(error) as caught:
        read_certificates(**options)
    assert caught.value.reason == reason  # type: ignore[attr-defined]


# -- classifying -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "roots", "intermediates"),
    [
        (["root"], ["root"], []),
        (["issuing"], [], ["issuing"]),
        (["root", "issuing"], ["root"], ["issuing"]),
        (["root", "issuing", "sub"], ["root"], ["sub", "issuing"]),
        (["issuing", "sub", "root"], ["root"], ["sub", "issuing"]),
        (["sub", "issuing"], [], ["sub", "issuing"]),
        (["root", "other_root", "ec_root", "ec_issuing"], ["root", "other_root", "ec_root"], ["ec_issuing"]),
    ],
)
def test_classify(certs: SimpleNamespace, given: list[str], roots: list[str], intermediates: list[str]) -> None:
    found = classify(by_print(*(getattr(certs, label) for label in given)))
    assert found == (
        [thumbprint(getattr(certs, label)) for label in roots],
        [thumbprint(getattr(certs, label)) for label in intermediates],
    )


def test_classify_refuses_a_leaf(certs: SimpleNamespace) -> None:
    with pytest.raises(RootTrustError) as caught:
        classify(by_print(certs.root, certs.leaf))
    assert caught.value.reason == "not_ca"
    assert caught.value.thumbprint == thumbprint(certs.leaf)
    assert thumbprint(certs.leaf) in str(caught.value) and "exch2010.contoso.lab" in str(caught.value)


# -- deciding --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "state", "added", "removed"),
    [
        ({"Root": [], "CA": []}, "present", [("Root", "R"), ("CA", "I")], []),
        ({"Root": ["R"], "CA": []}, "present", [("CA", "I")], []),
        ({"Root": ["R"], "CA": ["I"]}, "present", [], []),
        ({"Root": ["R"], "CA": ["I"]}, "absent", [], [("Root", "R"), ("CA", "I")]),
        ({"Root": ["I"], "CA": ["R"]}, "absent", [], []),
        ({"Root": ["X"], "CA": []}, "absent", [], []),
    ],
)
def test_planned_changes(
    before: dict[str, list[str]], state: str, added: list[tuple[str, str]], removed: list[tuple[str, str]]
) -> None:
    found = planned_changes(before, {"Root": ["R"], "CA": ["I"]}, state=state)
    assert found == (
        [{"store": store, "thumbprint": print_} for store, print_ in added],
        [{"store": store, "thumbprint": print_} for store, print_ in removed],
    )


# -- the whole decision ----------------------------------------------------------------------------------------------

# Stores are written "<Root>|<CA>" with r = root, i = issuing, p = another root already trusted; changes as
# "<store>:<letter>" separated by blanks.
LABELS = {"r": "root", "i": "issuing", "p": "other_root"}


def parse_stores(text: str) -> dict[str, list[str]]:
    root, ca = text.split("|")
    return {"Root": [LABELS[letter] for letter in root], "CA": [LABELS[letter] for letter in ca]}


def parse_changes(text: str) -> list[tuple[str, str]]:
    return [(item.split(":")[0], LABELS[item.split(":")[1]]) for item in text.split()]


@pytest.mark.parametrize(
    ("fact", "host", "state", "check", "calls", "changed", "added", "removed", "after"),
    [
        # no fact: the host is asked once, in check mode read-only
        (None, "p|", "present", False, 1, True, "Root:r CA:i", "", "pr|i"),
        (None, "p|", "present", True, 1, True, "Root:r CA:i", "", "p|"),
        (None, "pr|i", "present", False, 1, False, "", "", "pr|i"),
        (None, "pr|i", "absent", False, 1, True, "", "Root:r CA:i", "p|"),
        (None, "pr|i", "absent", True, 1, True, "", "Root:r CA:i", "pr|i"),
        # a fact that shows the outcome: no call
        ("r|i", "r|i", "present", False, 0, False, "", "", "r|i"),
        ("r|i", "r|i", "present", True, 0, False, "", "", "r|i"),
        ("p|", "p|", "absent", False, 0, False, "", "", "p|"),
        # a fact that shows work: the change is made (one call), or predicted in check mode (no call)
        ("r|", "r|", "present", False, 1, True, "CA:i", "", "r|i"),
        ("r|", "r|", "present", True, 0, True, "CA:i", "", "r|"),
        ("r|i", "r|i", "absent", True, 0, True, "", "Root:r CA:i", "r|i"),
        # a stale fact: the host's answer wins
        ("|", "r|i", "present", False, 1, False, "", "", "r|i"),
    ],
)
def test_ensure_trust(
    certs: SimpleNamespace,
    fact: str | None,
    host: str,
    state: str,
    check: bool,
    calls: int,
    changed: bool,
    added: str,
    removed: str,
    after: str,
) -> None:
    def prints(text: str) -> dict[str, list[str]]:
        stores = parse_stores(text)
        return {name: [thumbprint(getattr(certs, label)) for label in labels] for name, labels in stores.items()}

    def changes(text: str) -> list[dict[str, str]]:
        return [
            {"store": store, "thumbprint": thumbprint(getattr(certs, label))} for store, label in parse_changes(text)
        ]

    fake = Host(prints(host))
    snapshot = snapshot_of(prints(fact)) if fact is not None else None
    outcome = ensure_trust(
        certificates=by_print(certs.issuing, certs.root),
        state=state,
        check_mode=check,
        diff=True,
        snapshot=snapshot,
        call_host=fake,
    )
    result = outcome.result
    assert len(fake.calls) == calls
    assert set(EMPTY_RESULT) <= set(result)
    assert result["changed"] is changed
    assert result["roots"] == [thumbprint(certs.root)] and result["intermediates"] == [thumbprint(certs.issuing)]
    assert result["added"] == changes(added)
    assert result["removed"] == changes(removed)
    assert fake.stores == prints(after)
    assert not result.get("failed")
    if calls:
        assert fake.calls[0]["CheckMode"] is check and fake.calls[0]["State"] == state
    # The diff shows the stores as they are (or would be) after the task, starting from what was decided from.
    expected = {name: list(values) for name, values in prints(fact if fact is not None and not calls else host).items()}
    assert result["diff"]["before"] == "".join(f"LocalMachine\\{s}\\{p}\n" for s in ("Root", "CA") for p in expected[s])
    for change in result["added"]:
        expected[change["store"]].append(change["thumbprint"])
    for change in result["removed"]:
        expected[change["store"]].remove(change["thumbprint"])
    assert result["diff"]["after"] == "".join(f"LocalMachine\\{s}\\{p}\n" for s in ("Root", "CA") for p in expected[s])
    if snapshot is not None and calls and not check:
        assert outcome.snapshot is not None
        updated = {name: [entry["thumbprint"] for entry in outcome.snapshot["stores"][name]] for name in ("Root", "CA")}
        assert updated == fake.stores
    else:
        assert outcome.snapshot is None


def test_ensure_trust_sends_der_lowest_first(certs: SimpleNamespace) -> None:
    fake = Host({"Root": [], "CA": []})
    ensure_trust(
        certificates=by_print(certs.root, certs.issuing, certs.sub),
        state="present",
        check_mode=False,
        diff=False,
        snapshot=None,
        call_host=fake,
    )
    [call] = fake.calls
    der = {label: base64.b64encode(getattr(certs, label).public_bytes(Encoding.DER)).decode() for label in vars(certs)}
    assert call["Root"] == [der["root"]]
    assert call["Intermediate"] == [der["sub"], der["issuing"]]


@pytest.mark.parametrize("status", [["PartialChain"], ["UntrustedRoot", "RevocationStatusUnknown"], []])
def test_ensure_trust_fails_when_the_chain_does_not_build(certs: SimpleNamespace, status: list[str]) -> None:
    fake = Host({"Root": [], "CA": []}, chain={"built": False, "status": status})
    outcome = ensure_trust(
        certificates=by_print(certs.issuing),
        state="present",
        check_mode=False,
        diff=False,
        snapshot=None,
        call_host=fake,
    )
    assert outcome.result["failed"] is True and outcome.result["changed"] is True
    assert thumbprint(certs.issuing) in outcome.result["msg"]
    assert ", ".join(status or ["unknown"]) in outcome.result["msg"]


def test_ensure_trust_refuses_a_leaf_before_any_call(certs: SimpleNamespace) -> None:
    fake = Host({"Root": [], "CA": []})
    with pytest.raises(RootTrustError):
        ensure_trust(
            certificates=by_print(certs.root, certs.leaf),
            state="present",
            check_mode=False,
            diff=False,
            snapshot=None,
            call_host=fake,
        )
    assert fake.calls == []
