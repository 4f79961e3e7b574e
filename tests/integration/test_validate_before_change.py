"""Validate everything before changing anything: a refused input leaves the host exactly as it was.

For root_trust, each refusal runs through ansible-playbook against the lab on every Exchange version (PowerShell 1.0,
2.0 and 4.0): the task fails with a message naming the certificate (subject and thumbprint), the host's state in the
lab's dump is the same before and after, and where the controller refused, no WinRM command was sent. The host
script's own checks are then driven without the controller (the task's connection plugin and the host channel, as
an action would call them, but with arguments the controller would never send), so a refusal leaves the stores as
they were even if the controller's checks were bypassed. exchange_info is read-only: it leaves the state as it was.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import (
    HostOperationError,
    run_operation,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import thumbprint, windows_name
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from tests.unit.certs import NOW, ec_key, make_cert, rsa_key, with_damaged_signature

pytestmark = pytest.mark.integration

HOSTS = ("exch2007", "exch2010", "exch2013")
DAY = dt.timedelta(days=1)

TRUST = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ bundle }}"
"""

INFO_THEN_TRUST = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ bundle }}"
"""

INFO = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
"""


def key_usage_without_cert_sign() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Bad:
    """Certificates no trust store may receive, and a good chain for the control cases."""

    expired_root: x509.Certificate
    future_root: x509.Certificate
    damaged_root: x509.Certificate
    leaf: x509.Certificate
    non_ca: x509.Certificate
    no_cert_sign: x509.Certificate
    limited_root: x509.Certificate
    under_limited: x509.Certificate
    orphan: x509.Certificate
    under_orphan: x509.Certificate
    good_root: x509.Certificate
    good_issuing: x509.Certificate


@pytest.fixture(scope="module")
def bad() -> Bad:
    unknown_root = make_cert("Unknown Root", key=rsa_key(), ca=True, dc=("vbc", "lab"))
    limited = make_cert("Limited Root", key=rsa_key(), ca=True, path_length=0, dc=("vbc", "lab"))
    good_root = make_cert("Good Root", key=rsa_key(), ca=True, dc=("vbc", "lab"))
    orphan = make_cert("Orphan Issuing", key=rsa_key(), issuer=unknown_root, ca=True, dc=("vbc", "lab"))
    return Bad(
        expired_root=make_cert(
            "Expired Root", key=rsa_key(), ca=True, not_before=NOW - 400 * DAY, not_after=NOW - DAY, dc=("vbc", "lab")
        ).cert,
        future_root=make_cert(
            "Future Root", key=rsa_key(), ca=True, not_before=NOW + DAY, not_after=NOW + 400 * DAY, dc=("vbc", "lab")
        ).cert,
        damaged_root=with_damaged_signature(make_cert("Damaged Root", key=rsa_key(), ca=True, dc=("vbc", "lab")).cert),
        leaf=make_cert("exch2010.contoso.lab", key=ec_key(), issuer=good_root, dns=["exch2010.contoso.lab"]).cert,
        non_ca=make_cert("Plain Self Signed", key=ec_key(), basic_constraints=False, dc=("vbc", "lab")).cert,
        no_cert_sign=make_cert(
            "No Signing CA", key=rsa_key(), ca=True, key_usage=key_usage_without_cert_sign(), dc=("vbc", "lab")
        ).cert,
        limited_root=limited.cert,
        under_limited=make_cert("Under Limited", key=rsa_key(), issuer=limited, ca=True, dc=("vbc", "lab")).cert,
        orphan=orphan.cert,
        under_orphan=make_cert("Under Orphan", key=rsa_key(), issuer=orphan, ca=True, dc=("vbc", "lab")).cert,
        good_root=good_root.cert,
        good_issuing=make_cert("Good Issuing", key=rsa_key(), issuer=good_root, ca=True, dc=("vbc", "lab")).cert,
    )


def named(cert: x509.Certificate) -> str:
    """How every refusal names a certificate: its subject as Windows shows it, and its thumbprint."""
    return f"{windows_name(cert.subject)} ({thumbprint(cert)})"


def state_of(lab: Any) -> dict[str, Any]:
    return {host: lab.dump(host)["state"] for host in HOSTS}


def commands(lab: Any) -> dict[str, int]:
    return {host: lab.dump(host)["counters"]["commands"] for host in HOSTS}


def reset(lab: Any) -> None:
    for host in HOSTS:
        lab.control(f"hosts/{host}/reset-counters", {})


def write_bundle(directory: Path, name: str, certificates: list[x509.Certificate]) -> Path:
    path = directory / f"{name}.pem"
    path.write_bytes(b"".join(cert.public_bytes(Encoding.PEM) for cert in certificates))
    return path


# -- through ansible-playbook: the controller refuses, nothing is sent -----------------------------------------------

# case: (certificates in the file, the certificate the message names, words of the message)
CONTROLLER_REFUSALS: dict[str, tuple[list[str], str, list[str]]] = {
    "expired root": (["expired_root"], "expired_root", ["expired on", "the controller's clock says"]),
    "not-yet-valid root": (["future_root"], "future_root", ["is not valid before", "the controller's clock says"]),
    "self-issued root with a bad signature": (
        ["damaged_root"],
        "damaged_root",
        ["names itself as its issuer, but its own key does not verify its signature"],
    ),
    "leaf": (["leaf", "good_root"], "leaf", ["is not a CA certificate"]),
    "non-CA": (["non_ca"], "non_ca", ["is not a CA certificate"]),
    "CA without keyCertSign": (["no_cert_sign"], "no_cert_sign", ["keyCertSign"]),
    "path length exceeded": (["under_limited", "limited_root"], "limited_root", ["path length 0"]),
}


@pytest.mark.parametrize("case", CONTROLLER_REFUSALS)
def test_controller_refusal_sends_nothing(
    lab: Any, run_playbook: Callable[..., Any], bad: Bad, tmp_path: Path, case: str
) -> None:
    labels, culprit, words = CONTROLLER_REFUSALS[case]
    bundle = write_bundle(tmp_path, "bundle", [getattr(bad, label) for label in labels])
    before = state_of(lab)
    reset(lab)
    result = run_playbook(TRUST, extra_vars={"bundle": str(bundle)})
    assert result.rc != 0
    for host in HOSTS:
        task = result.task(host, "trust")
        assert task["_status"] == "failed", task
        assert named(getattr(bad, culprit)) in task["msg"], task["msg"]
        for word in words:
            assert word in task["msg"]
        assert "Task failed" not in task["msg"] and "Traceback" not in task["msg"]
        assert task["added"] == [] and task["changed"] is False
    assert commands(lab) == dict.fromkeys(HOSTS, 0)
    assert state_of(lab) == before


def test_intermediate_without_its_issuer_refused_from_the_fact(
    lab: Any, run_playbook: Callable[..., Any], bad: Bad, tmp_path: Path
) -> None:
    """With the exchange_um_host fact the controller sees that the issuer is not trusted: no root_trust command."""
    bundle = write_bundle(tmp_path, "orphan", [bad.orphan])
    before = state_of(lab)
    reset(lab)
    result = run_playbook(INFO_THEN_TRUST, extra_vars={"bundle": str(bundle)})
    for host in HOSTS:
        task = result.task(host, "trust")
        assert task["_status"] == "failed", task
        assert f"the issuer of {named(bad.orphan)}, 'CN=Unknown Root, DC=vbc, DC=lab', is neither given" in task["msg"]
    assert commands(lab) == dict.fromkeys(HOSTS, 1)  # exchange_info's one command, none for root_trust
    assert state_of(lab) == before


def test_intermediate_without_its_issuer_refused_by_the_host(
    lab: Any, run_playbook: Callable[..., Any], bad: Bad, tmp_path: Path
) -> None:
    """Without the fact only the host knows its Root: its script refuses before it opens a store."""
    bundle = write_bundle(tmp_path, "orphan", [bad.orphan])
    before = state_of(lab)
    reset(lab)
    result = run_playbook(TRUST, extra_vars={"bundle": str(bundle)})
    for host in HOSTS:
        task = result.task(host, "trust")
        assert task["_status"] == "failed", task
        assert named(bad.orphan) in task["msg"] and "[ExumIssuerNotFound]" in task["msg"], task["msg"]
        issuer = "its issuer CN=Unknown Root, DC=vbc, DC=lab is neither given nor in LocalMachine\\Root or CA"
        assert f"{named(bad.orphan)}: {issuer}" in task["msg"]
    assert commands(lab) == dict.fromkeys(HOSTS, 1)
    assert state_of(lab) == before


def test_exchange_info_changes_nothing(lab: Any, run_playbook: Callable[..., Any]) -> None:
    before = state_of(lab)
    result = run_playbook(INFO)
    assert result.rc == 0, result.stdout
    assert state_of(lab) == before


# -- the host script on its own: the controller's checks bypassed ----------------------------------------------------


@pytest.fixture
def connections(lab: Any) -> Iterator[dict[str, Any]]:
    """The winrm connection plugin as each host's tasks get it from the lab's inventory."""
    winrm = lab.info["winrm"]
    opened = {}
    for host in HOSTS:
        spec = lab.info["hosts"][host]
        options: dict[str, Any] = {
            "ansible_host": spec["address"],
            "ansible_port": spec["port"],
            "ansible_user": winrm["username"],
            "ansible_password": winrm["password"],
            "ansible_winrm_scheme": winrm["scheme"],
            # The inventory's choice: CredSSP where the lab turned it on (2010 and 2013), else the lab's scheme.
            "ansible_winrm_transport": ["credssp" if "credssp" in spec["winrm_auth"] else winrm["auth"]],
            "ansible_winrm_server_cert_validation": "ignore",
        }
        options["_extras"] = {"ansible_winrm_server_cert_validation": "ignore"}
        connection = connection_loader.get("winrm", PlayContext())
        connection.set_options(var_options=options)
        opened[host] = connection
    yield opened
    for connection in opened.values():
        connection.close()


def der(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(Encoding.DER)).decode("ascii")


# case: (Root, Intermediate, State, the error id, the certificate named, words of the message)
HOST_REFUSALS: dict[str, tuple[list[str], list[str], str, str, str, list[str]]] = {
    "expired root": (["expired_root"], [], "present", "ExumCertificateExpired", "expired_root", ["has expired"]),
    "not-yet-valid root": (
        ["future_root"],
        [],
        "present",
        "ExumCertificateNotYetValid",
        "future_root",
        ["is not valid yet", "the host clock says"],
    ),
    "self-issued root with a bad signature": (
        ["damaged_root"],
        [],
        "present",
        "ExumRootSignatureNotValid",
        "damaged_root",
        ["its own key does not verify its signature"],
    ),
    "the same, given as an intermediate": (
        [],
        ["damaged_root"],
        "present",
        "ExumRootSignatureNotValid",
        "damaged_root",
        ["its own key does not verify its signature"],
    ),
    "the same, to remove": (
        ["damaged_root"],
        [],
        "absent",
        "ExumRootSignatureNotValid",
        "damaged_root",
        ["damaged or forged"],
    ),
    "leaf": ([], ["leaf"], "present", "ExumNotCertificateAuthority", "leaf", ["is not a CA certificate"]),
    "non-CA": (["non_ca"], [], "present", "ExumNotCertificateAuthority", "non_ca", ["is not a CA certificate"]),
    "CA without keyCertSign": (
        ["no_cert_sign"],
        [],
        "present",
        "ExumNoCertificateSigning",
        "no_cert_sign",
        ["keyCertSign"],
    ),
    "intermediate without its issuer": (
        [],
        ["orphan"],
        "present",
        "ExumIssuerNotFound",
        "orphan",
        ["is neither given nor in LocalMachine\\Root or CA"],
    ),
    "chain that stops below its root": (
        [],
        ["under_orphan", "orphan"],
        "present",
        "ExumIssuerNotFound",
        "under_orphan",
        ["its chain ends at CN=Orphan Issuing, DC=vbc, DC=lab (", "whose issuer CN=Unknown Root, DC=vbc, DC=lab is"],
    ),
    "intermediate for Root": (
        ["good_root", "good_issuing"],
        [],
        "present",
        "ExumNotRootCertificate",
        "good_issuing",
        ["never goes into Root"],
    ),
    "root for CA": (
        [],
        ["good_root"],
        "present",
        "ExumNotIntermediateCertificate",
        "good_root",
        ["is a root CA: it goes into Root, not CA"],
    ),
}


@pytest.mark.parametrize("case", HOST_REFUSALS)
def test_host_script_refuses_on_its_own(lab: Any, connections: dict[str, Any], bad: Bad, case: str) -> None:
    roots, intermediates, state, error_id, culprit, words = HOST_REFUSALS[case]
    arguments = {
        "Root": [der(getattr(bad, label)) for label in roots],
        "Intermediate": [der(getattr(bad, label)) for label in intermediates],
        "State": state,
        "CheckMode": False,
    }
    before = state_of(lab)
    reset(lab)
    for host, connection in connections.items():
        with pytest.raises(HostOperationError) as caught:
            run_operation(connection, "root_trust", arguments, exchange=None)
        assert caught.value.fqid == error_id, (host, caught.value)
        assert named(getattr(bad, culprit)) in caught.value.message, (host, caught.value.message)
        for word in words:
            assert word in caught.value.message
    assert commands(lab) == dict.fromkeys(HOSTS, 1)
    assert state_of(lab) == before


def test_host_script_changes_the_stores_for_a_good_chain(lab: Any, connections: dict[str, Any], bad: Bad) -> None:
    """The control: the same path, the same comparison, and a valid chain does change the host (then is removed)."""
    arguments: dict[str, object] = {"Root": [der(bad.good_root)], "Intermediate": [der(bad.good_issuing)]}
    before = state_of(lab)
    for connection in connections.values():
        data = run_operation(
            connection, "root_trust", {**arguments, "State": "present", "CheckMode": False}, exchange=None
        )
        assert data["chain"] == {"built": True, "status": []}
    assert state_of(lab) != before
    for connection in connections.values():
        run_operation(connection, "root_trust", {**arguments, "State": "absent", "CheckMode": False}, exchange=None)
    assert state_of(lab) == before
