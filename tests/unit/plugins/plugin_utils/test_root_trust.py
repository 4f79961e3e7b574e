"""root_trust's controller logic without Ansible: reading input, classifying, deciding from the snapshot, the host call.

The host is a function that answers as root_trust.ps1 does (docs/architecture.md, "Operation results": ``before``,
``added``/``removed``, ``after`` equal to ``before`` in check mode, ``chain`` only when present and not in check mode).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import HostOperationError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import certificate_entry
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._root_trust import (
    EMPTY_RESULT,
    RootTrustError,
    classify,
    ensure_trust,
    planned_changes,
    read_certificates,
    validate,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import (
    CertificateError,
    load_certificates,
    thumbprint,
    to_pem,
    windows_name,
)
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from tests.unit.certs import with_damaged_signature

from .conftest import NOW, Pki, ec_key, make_cert, rsa_key


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


# -- validating ------------------------------------------------------------------------------------------------------

DAY = dt.timedelta(days=1)


def key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


@pytest.fixture(scope="module")
def bad(pki: Pki) -> SimpleNamespace:
    """Certificates that must not be trusted, and the chains that test path lengths."""
    key = rsa_key()
    limited_root = make_cert("Limited Root", key=rsa_key(), ca=True, path_length=0)
    one_level_root = make_cert("One Level Root", key=rsa_key(), ca=True, path_length=1)
    under_one = make_cert("Under One Level", key=rsa_key(), issuer=one_level_root, ca=True)
    last_issuing = make_cert("Last Issuing", key=rsa_key(), issuer=pki.root, ca=True, path_length=0)
    return SimpleNamespace(
        expired_root=make_cert("Expired Root", key=key, ca=True, not_before=NOW - 400 * DAY, not_after=NOW - DAY),
        future_root=make_cert("Future Root", key=key, ca=True, not_before=NOW + DAY, not_after=NOW + 400 * DAY),
        expired_issuing=make_cert("Old Issuing", key=key, issuer=pki.root, ca=True, not_after=NOW - DAY),
        damaged_root=with_damaged_signature(pki.root.cert),
        forged_root=make_cert("Contoso Root CA", key=ec_key(), issuer=pki.other_root, ca=True),
        v1_root=make_cert("Old Style Root", key=key, basic_constraints=False),
        no_cert_sign=make_cert("No Signing CA", key=key, ca=True, key_usage=key_usage(cert_sign=False)),
        cert_sign=make_cert("Signing CA", key=key, ca=True, key_usage=key_usage(cert_sign=True)),
        limited_root=limited_root,
        under_limited=make_cert("Under Limited", key=rsa_key(), issuer=limited_root, ca=True),
        one_level_root=one_level_root,
        under_one=under_one,
        under_under_one=make_cert("Under Under One Level", key=rsa_key(), issuer=under_one, ca=True),
        last_issuing=last_issuing,
        under_last=make_cert("Under Last Issuing", key=rsa_key(), issuer=last_issuing, ca=True),
    )


def cert_of(certs: SimpleNamespace, bad: SimpleNamespace, label: str) -> x509.Certificate:
    found = getattr(bad, label, None) or getattr(certs, label)
    return found.cert if hasattr(found, "cert") else found


def fact_with(trusted: Mapping[str, list[x509.Certificate]]) -> dict[str, Any]:
    """An exchange_um_host fact whose Root and CA hold ``trusted`` (entries as the controller writes them)."""
    return {"stores": {store: [certificate_entry(cert) for cert in trusted.get(store, [])] for store in ("Root", "CA")}}


@pytest.mark.parametrize(
    ("given", "state", "fact", "reason", "culprit", "words"),
    [
        (["expired_root"], "present", None, "expired", "expired_root", ["expired on", "the controller's clock says"]),
        (["future_root"], "present", None, "not_yet_valid", "future_root", ["is not valid before", "clocks"]),
        (["expired_issuing", "root"], "present", None, "expired", "expired_issuing", ["expired on"]),
        (["damaged_root"], "present", None, "bad_self_signature", "damaged_root", ["does not verify its signature"]),
        (["damaged_root"], "absent", None, "bad_self_signature", "damaged_root", ["damaged or forged"]),
        (["forged_root", "issuing"], "present", None, "bad_self_signature", "forged_root", ["names itself"]),
        (["leaf"], "present", None, "not_ca", "leaf", ["not a CA certificate"]),
        (["v1_root"], "absent", None, "not_ca", "v1_root", ["not a CA certificate"]),
        (["no_cert_sign"], "present", None, "no_cert_sign", "no_cert_sign", ["keyCertSign"]),
        (["no_cert_sign"], "absent", None, "no_cert_sign", "no_cert_sign", ["keyCertSign"]),
        (["issuing"], "present", {}, "issuer_missing", "issuing", ["'CN=Contoso Root CA, DC=contoso, DC=lab'"]),
        (["issuing"], "present", {"Root": ["ec_root"]}, "issuer_missing", "issuing", ["give the whole chain"]),
        (["issuing", "other_root"], "present", {}, "issuer_missing", "issuing", ["does not verify its signature"]),
        (["sub", "issuing"], "present", {}, "issuer_missing", "issuing", ["neither given"]),
        (["under_limited", "limited_root"], "present", None, "path_length", "limited_root", ["path length 0"]),
        (
            ["under_under_one", "under_one", "one_level_root"],
            "present",
            None,
            "path_length",
            "one_level_root",
            ["allows 1 CA certificate(s) below it", "puts 2 below it"],
        ),
        (["under_last", "last_issuing"], "present", {"Root": ["root"]}, "path_length", "last_issuing", ["path"]),
    ],
)
def test_validate_refuses(
    certs: SimpleNamespace,
    bad: SimpleNamespace,
    given: list[str],
    state: str,
    fact: dict[str, list[str]] | None,
    reason: str,
    culprit: str,
    words: list[str],
) -> None:
    snapshot = None
    if fact is not None:
        snapshot = fact_with(
            {store: [cert_of(certs, bad, label) for label in labels] for store, labels in fact.items()}
        )
    with pytest.raises(RootTrustError) as caught:
        validate(by_print(*(cert_of(certs, bad, label) for label in given)), state=state, snapshot=snapshot)
    refused = cert_of(certs, bad, culprit)
    assert caught.value.reason == reason
    assert caught.value.thumbprint == thumbprint(refused)
    # The message names the certificate as Windows shows it, with its thumbprint, and says what is wrong.
    assert f"{windows_name(refused.subject)} ({thumbprint(refused)})" in caught.value.message
    for word in words:
        assert word in caught.value.message


def test_validate_names_the_dates(bad: SimpleNamespace) -> None:
    for label, when in (("expired_root", "not_valid_after_utc"), ("future_root", "not_valid_before_utc")):
        cert = getattr(bad, label).cert
        with pytest.raises(RootTrustError) as caught:
            validate(by_print(cert), state="present")
        start, end = (
            f"{moment:%Y-%m-%dT%H:%M:%SZ}" for moment in (cert.not_valid_before_utc, cert.not_valid_after_utc)
        )
        assert f"(valid {start} to {end}; the controller's clock says 20" in caught.value.message
        assert f"{getattr(cert, when):%Y-%m-%dT%H:%M:%SZ}" in caught.value.message.split("(valid")[0]


@pytest.mark.parametrize(
    ("given", "state", "fact", "roots", "intermediates"),
    [
        (["root", "issuing"], "present", None, ["root"], ["issuing"]),
        (["expired_root"], "absent", None, ["expired_root"], []),  # removing needs only the store
        (["expired_issuing"], "absent", None, [], ["expired_issuing"]),
        (["issuing"], "present", None, [], ["issuing"]),  # no fact: the host checks the chain
        (["issuing"], "present", {"Root": ["root"]}, [], ["issuing"]),
        (["sub"], "present", {"Root": ["root"], "CA": ["issuing"]}, [], ["sub"]),
        (["sub", "issuing"], "present", {"Root": ["root"]}, [], ["sub", "issuing"]),
        (["cert_sign"], "present", None, ["cert_sign"], []),
        (["limited_root"], "present", None, ["limited_root"], []),
        (["under_one", "one_level_root"], "present", None, ["one_level_root"], ["under_one"]),
        (["last_issuing", "root"], "present", None, ["root"], ["last_issuing"]),
    ],
)
def test_validate_accepts(
    certs: SimpleNamespace,
    bad: SimpleNamespace,
    given: list[str],
    state: str,
    fact: dict[str, list[str]] | None,
    roots: list[str],
    intermediates: list[str],
) -> None:
    snapshot = None
    if fact is not None:
        snapshot = fact_with(
            {store: [cert_of(certs, bad, label) for label in labels] for store, labels in fact.items()}
        )
    found = validate(by_print(*(cert_of(certs, bad, label) for label in given)), state=state, snapshot=snapshot)
    assert found == (
        [thumbprint(cert_of(certs, bad, label)) for label in roots],
        [thumbprint(cert_of(certs, bad, label)) for label in intermediates],
    )


def test_validate_at_another_time(bad: SimpleNamespace) -> None:
    cert = bad.expired_root.cert
    assert validate(by_print(cert), state="present", now=NOW - 10 * DAY) == ([thumbprint(cert)], [])


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


@pytest.mark.parametrize("given", [["root", "leaf"], ["expired_root"], ["future_root"], ["damaged_root"], ["issuing"]])
@pytest.mark.parametrize("check", [False, True])
def test_ensure_trust_refuses_before_any_call(
    certs: SimpleNamespace, bad: SimpleNamespace, given: list[str], check: bool
) -> None:
    """With or without the fact, in check mode too: a refused input never reaches the host."""
    fake = Host({"Root": [], "CA": []})
    for snapshot in (snapshot_of({"Root": [], "CA": []}), None):
        if snapshot is None and given == ["issuing"]:
            continue  # without the fact the issuer may be trusted on the host: its script checks (test below)
        with pytest.raises(RootTrustError):
            ensure_trust(
                certificates=by_print(*(cert_of(certs, bad, label) for label in given)),
                state="present",
                check_mode=check,
                diff=False,
                snapshot=snapshot,
                call_host=fake,
            )
    assert fake.calls == []


def test_ensure_trust_leaves_an_unknown_issuer_to_the_host(certs: SimpleNamespace) -> None:
    """Without the fact the controller cannot see the host's Root: the host is asked, and its refusal passes."""

    def refusing(arguments: Mapping[str, object]) -> dict[str, Any]:
        raise HostOperationError("its chain ends at ...", operation="root_trust", fqid="ExumIssuerNotFound")

    with pytest.raises(HostOperationError) as caught:
        ensure_trust(
            certificates=by_print(certs.issuing),
            state="present",
            check_mode=False,
            diff=False,
            snapshot=None,
            call_host=refusing,
        )
    assert caught.value.fqid == "ExumIssuerNotFound"
