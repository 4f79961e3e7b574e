"""root_trust and exchange_info through ansible-playbook against the lab, over real WinRM.

Each Exchange version (2007 SP1 / PowerShell 1.0, 2010 / 2.0, 2013 / 4.0), over NTLM-encrypted http, Basic and
https, each a lab of its own (the ``lab`` of the other tests here connects to 2010 and 2013 with CredSSP). Counters
come from the lab's dump: one WinRM command per root_trust run, none when the fact shows it converged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

pytestmark = pytest.mark.integration

HOSTS = ("exch2007", "exch2010", "exch2013")

TRUST = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ exchange_um_ca_bundle }}"
        state: "{{ wanted | default('present') }}"
"""

INFO_THEN_TRUST = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ exchange_um_ca_bundle }}"
"""


@pytest.fixture(scope="module", params=["ntlm-http", "basic-http", "ntlm-https"])
def any_lab(request: pytest.FixtureRequest, lab_factory: Callable[..., Any]) -> Any:
    auth, scheme = request.param.split("-")
    return lab_factory(f"trust-{request.param}", hosts="2007sp1,2010,2013", auth=auth, https=scheme == "https")


@pytest.fixture(scope="module")
def run(any_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]) -> Callable[..., Any]:
    return playbook_runner(any_lab)


def stores(lab: Any, host: str) -> dict[str, set[str]]:
    state = lab.dump(host)["state"]["stores"]
    return {name: {entry["thumbprint"] for entry in state[name]} for name in ("Root", "CA")}


def commands(lab: Any, host: str) -> int:
    return lab.dump(host)["counters"]["commands"]


def reset(lab: Any) -> None:
    for host in HOSTS:
        lab.control(f"hosts/{host}/reset-counters", {})


def test_trust_lifecycle(any_lab: Any, run: Callable[..., Any]) -> None:
    root = any_lab.info["adcs"]["root_thumbprint"]
    issuing = any_lab.info["adcs"]["ca_thumbprint"]
    reset(any_lab)

    first = run(TRUST, diff=True)
    assert first.rc == 0, first.stdout
    for host in HOSTS:
        result = first.task(host, "trust")
        assert result["changed"] is True
        assert {"store": "Root", "thumbprint": root} in result["added"]
        assert {"store": "CA", "thumbprint": issuing} in result["added"]
        assert result["chain"] == {"built": True, "status": []}
        assert root in stores(any_lab, host)["Root"]
        assert issuing in stores(any_lab, host)["CA"] and issuing not in stores(any_lab, host)["Root"]
        assert commands(any_lab, host) == 1
    assert f"+LocalMachine\\Root\\{root}" in first.stdout

    second = run(TRUST)
    assert second.rc == 0
    for host in HOSTS:
        assert second.task(host, "trust")["changed"] is False
        assert commands(any_lab, host) == 2

    check = run(TRUST, check=True, diff=True, extra_vars={"wanted": "absent"})
    for host in HOSTS:
        assert check.task(host, "trust")["changed"] is True
        assert root in stores(any_lab, host)["Root"]
    assert f"-LocalMachine\\Root\\{root}" in check.stdout

    absent = run(TRUST, extra_vars={"wanted": "absent"})
    for host in HOSTS:
        result = absent.task(host, "trust")
        assert result["changed"] is True
        assert root not in stores(any_lab, host)["Root"] and issuing not in stores(any_lab, host)["CA"]


def test_fact_spares_the_host_call(lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]) -> None:
    run = playbook_runner(lab)
    run(TRUST)  # converge first
    reset(lab)
    converged = run(INFO_THEN_TRUST)
    assert converged.rc == 0, converged.stdout
    for host in HOSTS:
        assert converged.task(host, "trust")["changed"] is False
        info = converged.task(host, "info")
        assert info["exchange"]["installed"] is True
        assert lab.info["adcs"]["root_thumbprint"] in {entry["thumbprint"] for entry in info["stores"]["Root"]}
        # exchange_info: one command; root_trust decided from the fact: none.
        assert commands(lab, host) == 1


INFO_TRUST_INFO = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ exchange_um_ca_bundle }}"
    - name: reread
      exchange_um.certificates.exchange_info:
"""


def test_fact_after_a_change_reads_like_the_host(
    lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]
) -> None:
    """The entries root_trust adds to the fact equal what exchange_info then reads from the host, names included."""
    run = playbook_runner(lab)
    assert run(TRUST, extra_vars={"wanted": "absent"}).rc == 0
    result = run(INFO_TRUST_INFO)
    assert result.rc == 0, result.stdout
    added = {lab.info["adcs"]["root_thumbprint"]: "Root", lab.info["adcs"]["ca_thumbprint"]: "CA"}
    for host in HOSTS:
        trust = result.task(host, "trust")
        assert trust["changed"] is True
        fact = trust["ansible_facts"]["exchange_um_host"]["stores"]
        reread = result.task(host, "reread")["stores"]
        for thumbprint, store in added.items():
            [in_fact] = [entry for entry in fact[store] if entry["thumbprint"] == thumbprint]
            [on_host] = [entry for entry in reread[store] if entry["thumbprint"] == thumbprint]
            assert in_fact == on_host
            # Windows' own form: ", " between RDNs, most specific first.
            assert in_fact["subject"].startswith("CN=") and ", DC=" in in_fact["subject"]
        assert [entry["thumbprint"] for entry in fact["Root"]] == [entry["thumbprint"] for entry in reread["Root"]]


@pytest.fixture(scope="module")
def leaf_pem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    now = dt.datetime.now(dt.timezone.utc)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "exch2010.contoso.lab")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("leaf") / "leaf.pem"
    path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    return path


def test_leaf_is_refused(lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]], leaf_pem: Path) -> None:
    reset(lab)
    play = f"""
- hosts: exch2010
  gather_facts: false
  tasks:
    - name: leaf
      exchange_um.certificates.root_trust:
        path: {leaf_pem}
"""
    result = playbook_runner(lab)(play)
    task = result.task("exch2010", "leaf")
    assert task["_status"] == "failed", task
    assert "not a CA certificate" in task["msg"]
    assert commands(lab, "exch2010") == 0


def test_powershell_3_cmdlet_fails_on_the_2010_host(
    lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]
) -> None:
    play = """
- hosts: exch2010
  gather_facts: false
  tasks:
    - name: raw
      ansible.builtin.raw: "ConvertTo-Json @{a = 1}"
"""
    result = playbook_runner(lab)(play)
    task = result.task("exch2010", "raw")
    assert task["_status"] == "failed", task
    assert "ConvertTo-Json" in task["stderr"] and "is not recognized" in task["stderr"]
