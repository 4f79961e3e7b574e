"""certificate_request through ansible-playbook against the lab, on 2007 SP1 (PowerShell 1.0), 2010 and 2013.

The lab's certreq.exe makes real keys on the simulated hosts, its CA issues real certificates, and every count
comes from the lab: WinRM commands from the host dump, AD CS submissions from ``GET /adcs/requests``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.integration

HOSTS = ("exch2007", "exch2010", "exch2013")
RECORDS = "HKLM\\SOFTWARE\\exchange_um\\certificates\\Requests"
FRIENDLY = 'UM\'s "cert" $(Get-Date) `n \u2018x\u2019'

SETUP = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: ca
      exchange_um.certificates.ca_certificate:
        ca_url: "{{ exchange_um_ca_url }}"
        username: "{{ exchange_um_ca_username }}"
        password: "{{ exchange_um_ca_password }}"
        expected_thumbprint: "{{ exchange_um_root_thumbprint }}"
        chain: true
      run_once: true
      register: ca
    - name: trust
      exchange_um.certificates.root_trust:
        certificates: "{{ ca }}"
"""

REQUEST = """
- hosts: exchange_um
  gather_facts: false
  module_defaults:
    group/exchange_um.certificates.certsrv:
      ca_url: "{{ exchange_um_ca_url }}"
      username: "{{ exchange_um_ca_username }}"
      password: "{{ exchange_um_ca_password }}"
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
      when: with_info | default(true)
    - name: request
      exchange_um.certificates.certificate_request:
        issuer: "{{ lookup('ansible.builtin.file', exchange_um_ca_bundle) }}"
        subject_alt_names: "{{ sans | default([]) }}"
        template: "{{ template | default('WebServer') }}"
        friendly_name: "{{ friendly | default('') }}"
        renew_before_days: "{{ renew | default(30) }}"
        use_facts: "{{ use_facts | default(true) }}"
        retries: 0
        pending_timeout: "{{ wait | default(0) }}"
        pending_poll_interval: 1
      ignore_errors: "{{ tolerate | default(false) }}"
    - name: unfacted
      exchange_um.certificates.certificate_request:
        issuer: "{{ lookup('ansible.builtin.file', exchange_um_ca_bundle) }}"
        subject_alt_names: "{{ sans | default([]) }}"
        use_facts: false
      when: unfacted | default(false)
    - name: reread
      exchange_um.certificates.exchange_info:
      when: reread | default(false)
"""

ABSENT = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: absent
      exchange_um.certificates.certificate_request:
        issuer: "{{ lookup('ansible.builtin.file', exchange_um_ca_bundle) }}"
        state: absent
"""


@pytest.fixture(scope="module")
def certreq_lab(lab_factory: Callable[..., Any]) -> Any:
    # CredSSP where WinRM has it (docs/connection-setup.md): exchange_info then reads which services use which
    # certificate, which state=absent needs.
    return lab_factory(
        "certreq", hosts="2007sp1,2010,2013", auth="ntlm", extra=("--winrm-credssp", "all", "--credssp-tls12", "all")
    )


@pytest.fixture(scope="module")
def run(certreq_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]) -> Callable[..., Any]:
    play = playbook_runner(certreq_lab)
    assert play(SETUP).rc == 0
    return play


def state(lab: Any, host: str) -> dict[str, Any]:
    return lab.dump(host)["state"]


def my(lab: Any, host: str) -> dict[str, dict[str, Any]]:
    return {entry["thumbprint"]: entry for entry in state(lab, host)["stores"]["My"]}


def pending_keys(lab: Any, host: str) -> list[str]:
    return [entry["thumbprint"] for entry in state(lab, host)["stores"].get("REQUEST", [])]


def records(lab: Any, host: str) -> dict[str, Any]:
    return {key: value for key, value in state(lab, host)["registry"].items() if key.startswith(RECORDS + "\\")}


def commands(lab: Any, host: str) -> int:
    return lab.dump(host)["counters"]["commands"]


def submissions(lab: Any) -> list[dict[str, Any]]:
    return lab.get("adcs/requests")


def adcs_counters(lab: Any) -> dict[str, int]:
    """certsrv requests since the last reset, per kind (submit, check, fetch, ca, other; not most_at_once)."""
    return {kind: count for kind, count in lab.get("adcs/counters").items() if kind != "most_at_once"}


def fqdn(lab: Any, host: str) -> str:
    return lab.info["hosts"][host]["fqdn"]


def test_issue_converge_renew_remove(certreq_lab: Any, run: Callable[..., Any]) -> None:
    lab = certreq_lab
    lab.reset_counters(HOSTS, adcs=True)
    before = len(submissions(lab))
    check = run(REQUEST, check=True, diff=True)
    assert check.rc == 0, check.stdout
    for host in HOSTS:
        result = check.task(host, "request")
        assert result["changed"] is True and result["action"] == "issued", result
        assert pending_keys(lab, host) == [] and records(lab, host) == {}
    assert len(submissions(lab)) == before
    assert "a new certificate from AD CS" in check.stdout

    lab.reset_counters(HOSTS, adcs=True)
    fresh = run(REQUEST, diff=True, extra_vars={"sans": ["um-alias.contoso.lab"], "friendly": FRIENDLY})
    assert fresh.rc == 0, fresh.stdout
    issued: dict[str, str] = {}
    for host in HOSTS:
        result = fresh.task(host, "request")
        assert result["changed"] is True and result["action"] == "issued", result
        assert result["previous_thumbprint"] is None
        entry = my(lab, host)[result["thumbprint"]]
        assert entry["has_private_key"] is True and entry["friendly_name"] == FRIENDLY
        assert result["certificate"]["dns_names"] == [fqdn(lab, host), "um-alias.contoso.lab"]
        assert result["certificate"]["subject"] == f"CN={fqdn(lab, host)}"
        assert 700 <= result["certificate"]["days_left"] <= 730
        assert pending_keys(lab, host) == [] and records(lab, host) == {}
        fact_my = {e["thumbprint"] for e in result["ansible_facts"]["exchange_um_host"]["stores"]["My"]}
        assert result["thumbprint"] in fact_my
        # exchange_info 1 + certificate_request 2 (inspect and make the request; install).
        assert commands(lab, host) == 3
        issued[host] = result["thumbprint"]
    assert len(submissions(lab)) == before + 3
    # Per fresh host one submit and one fetch of the issued certificate (the issued page links it).
    assert {kind: n for kind, n in adcs_counters(lab).items() if n} == {"submit": 3, "fetch": 3}
    assert "PRIVATE KEY" not in fresh.stdout + fresh.stderr

    lab.reset_counters(HOSTS, adcs=True)
    converged = run(REQUEST, extra_vars={"sans": ["um-alias.contoso.lab"], "unfacted": True})
    assert converged.rc == 0, converged.stdout
    for host in HOSTS:
        result = converged.task(host, "request")
        assert result["changed"] is False and result["action"] == "none" and result["thumbprint"] == issued[host]
        unfacted = converged.task(host, "unfacted")
        assert unfacted["changed"] is False and unfacted["thumbprint"] == issued[host]
        # exchange_info 1, certificate_request with the fact 0, without it 1.
        assert commands(lab, host) == 2
    assert len(submissions(lab)) == before + 3
    assert not any(adcs_counters(lab).values())

    # The lab's template issues for 730 days: a window of 800 days renews now.
    renewed = run(REQUEST, extra_vars={"sans": ["um-alias.contoso.lab"], "renew": 800})
    assert renewed.rc == 0, renewed.stdout
    for host in HOSTS:
        result = renewed.task(host, "request")
        assert result["action"] == "renewed" and result["previous_thumbprint"] == issued[host], result
        assert {issued[host], result["thumbprint"]} <= set(my(lab, host))

    removed = run(ABSENT)
    assert removed.rc == 0, removed.stdout
    for host in HOSTS:
        result = removed.task(host, "absent")
        assert result["changed"] is True and result["action"] == "removed"
        assert issued[host] in result["removed"]
        assert issued[host] not in my(lab, host)
    # A certificate of 20 days is inside the default 30-day window: the next run renews it; the old one stays.
    lab.control("adcs/templates/WebServer", {"validity_days": 20})
    try:
        short = run(REQUEST)
    finally:
        lab.control("adcs/templates/WebServer", {"validity_days": 730})
    later = run(REQUEST)
    assert later.rc == 0, later.stdout
    for host in HOSTS:
        first = short.task(host, "request")
        assert first["action"] == "issued" and first["certificate"]["days_left"] in (19, 20), first
        result = later.task(host, "request")
        assert result["action"] == "renewed" and result["previous_thumbprint"] == first["thumbprint"], result
        assert {first["thumbprint"], result["thumbprint"]} <= set(my(lab, host))
    dumps = json.dumps([lab.dump(host) for host in HOSTS])
    assert "PRIVATE KEY" not in dumps


def test_pending_then_approved_and_denied(certreq_lab: Any, run: Callable[..., Any]) -> None:
    lab = certreq_lab
    lab.control("adcs/policy", {"policy": "pending"})
    try:
        first = run(REQUEST, extra_vars={"renew": 800, "tolerate": True, "reread": True})
        ids: dict[str, int] = {}
        for host in HOSTS:
            result = first.task(host, "request")
            assert result["_status"] == "failed" and result["action"] == "pending", result
            ids[host] = result["request_id"]
            assert f"request {ids[host]}" in result["msg"] and "approve" in result["msg"].lower()
            assert len(pending_keys(lab, host)) == 1
            [(key, values)] = records(lab, host).items()
            assert key.endswith(fqdn(lab, host)) and values["RequestId"] == str(ids[host])
            assert values["KeyThumbprint"] == pending_keys(lab, host)[0]
            reported = first.task(host, "reread")["request_records"]
            assert [r["request_id"] for r in reported] == [ids[host]]
        lab.control(f"adcs/requests/{ids['exch2010']}/approve", {})
        lab.control(f"adcs/requests/{ids['exch2013']}/approve", {})
        lab.control(f"adcs/requests/{ids['exch2007']}/deny", {})
        second = run(REQUEST, extra_vars={"renew": 800})
        for host in ("exch2010", "exch2013"):
            result = second.task(host, "request")
            assert result["action"] == "renewed" and result["request_id"] == ids[host], result
            assert records(lab, host) == {} and pending_keys(lab, host) == []
        denied = second.task("exch2007", "request")
        assert denied["_status"] == "failed" and "denied" in denied["msg"], denied
        assert "0x80094014" in denied["msg"] or "Denied by" in denied["msg"]
        assert records(lab, "exch2007") == {} and pending_keys(lab, "exch2007") == []
    finally:
        lab.control("adcs/policy", {"policy": "issue"})


BAD_INPUT = """
- hosts: exch2010
  gather_facts: false
  module_defaults:
    group/exchange_um.certificates.certsrv:
      ca_url: "{{ exchange_um_ca_url }}"
      username: "{{ exchange_um_ca_username }}"
      password: "{{ exchange_um_ca_password }}"
      issuer: "{{ exchange_um_ca_thumbprint }}"
      renew_before_days: 800
  tasks:
    - name: fqdn
      exchange_um.certificates.certificate_request:
        fqdn: "exch'$(Remove-Item C:\\\\x).contoso.lab"
      ignore_errors: true
    - name: empty
      exchange_um.certificates.certificate_request:
        fqdn: ""
      ignore_errors: true
    - name: display
      exchange_um.certificates.certificate_request:
        template: Web Server
      ignore_errors: true
    - name: wrong
      exchange_um.certificates.certificate_request:
        template: NoSuchTemplate
"""


def test_bad_input(certreq_lab: Any, run: Callable[..., Any]) -> None:
    lab = certreq_lab
    lab.reset_counters(HOSTS, adcs=True)
    result = run(BAD_INPUT)
    bad = result.task("exch2010", "fqdn")
    assert bad["_status"] == "failed" and "fqdn" in bad["msg"] and "DNS name" in bad["msg"], bad
    empty = result.task("exch2010", "empty")
    assert empty["_status"] == "failed" and "must not be empty" in empty["msg"], empty
    display = result.task("exch2010", "display")
    assert display["_status"] == "failed" and "display name" in display["msg"], display
    wrong = result.task("exch2010", "wrong")
    assert wrong["_status"] == "failed" and "does not offer template 'NoSuchTemplate'" in wrong["msg"], wrong
    assert records(lab, "exch2010") == {} and pending_keys(lab, "exch2010") == []
    # The FQDN never reached the host; each template costs prepare and discard.
    assert commands(lab, "exch2010") == 4


def test_faults_then_converge(certreq_lab: Any, run: Callable[..., Any]) -> None:
    lab = certreq_lab
    lab.control("adcs/faults", {"kind": "drop", "count": 1})
    down = run(REQUEST, extra_vars={"renew": 800}, limit="exch2010")
    result = down.task("exch2010", "request")
    assert result["_status"] == "failed" and "run the task again" in result["msg"], result
    [key] = pending_keys(lab, "exch2010")
    again = run(REQUEST, extra_vars={"renew": 800}, limit="exch2010")
    result = again.task("exch2010", "request")
    assert result["action"] in ("issued", "renewed"), result
    assert pending_keys(lab, "exch2010") == [] and records(lab, "exch2010") == {}

    # The output of the command that made the key is lost after it ran: the next run resumes that key's request.
    old = set(my(lab, "exch2013"))
    lab.control("hosts/exch2013/faults", {"kind": "drop_after_run", "at": "Receive"})
    dropped = run(REQUEST, extra_vars={"renew": 800, "with_info": False}, limit="exch2013")
    assert dropped.task("exch2013", "request")["_status"] == "unreachable"
    [key] = pending_keys(lab, "exch2013")
    [(_path, record)] = records(lab, "exch2013").items()
    assert record["KeyThumbprint"] == key
    settled = run(REQUEST, extra_vars={"renew": 800, "with_info": False}, limit="exch2013")
    result = settled.task("exch2013", "request")
    assert result["_status"] == "changed" and result["action"] in ("issued", "renewed"), result
    assert result["thumbprint"] not in old and result["thumbprint"] in my(lab, "exch2013")
    assert pending_keys(lab, "exch2013") == [] and records(lab, "exch2013") == {}


EXCHANGE_METHOD = """
- hosts: exchange_um
  gather_facts: false
  module_defaults:
    group/exchange_um.certificates.certsrv:
      ca_url: "{{ exchange_um_ca_url }}"
      username: "{{ exchange_um_ca_username }}"
      password: "{{ exchange_um_ca_password }}"
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: request
      exchange_um.certificates.certificate_request:
        issuer: "{{ lookup('ansible.builtin.file', exchange_um_ca_bundle) }}"
        method: exchange
        key_exportable: true
        renew_before_days: 800
"""


def test_exchange_method(certreq_lab: Any, run: Callable[..., Any]) -> None:
    """New-ExchangeCertificate -GenerateRequest and Import-ExchangeCertificate with each version's parameters."""
    lab = certreq_lab
    lab.reset_counters(HOSTS, adcs=True)
    result = run(EXCHANGE_METHOD)
    for host in ("exch2010", "exch2013"):
        request = result.task(host, "request")
        assert request["_status"] == "changed" and request["action"] in ("issued", "renewed"), request
        entry = my(lab, host)[request["thumbprint"]]
        assert entry["has_private_key"] is True
        assert pending_keys(lab, host) == [] and records(lab, host) == {}
        counters = lab.dump(host)["counters"]
        # exchange_info 1 + prepare and install, each with the Exchange snap-in.
        assert counters["commands"] == 3 and counters["exchange_shell_loads"] == 3, counters
    # 2007 SP1's cmdlets read Active Directory, which its NTLM logon (WinRM 1.1, no CredSSP) cannot reach.
    failed = result.task("exch2007", "request")
    assert failed["_status"] == "failed" and "method=certreq" in failed["msg"], failed
    assert "New-ExchangeCertificate" in failed["msg"] and "Active Directory" in failed["msg"]
    assert pending_keys(lab, "exch2007") == [] and records(lab, "exch2007") == {}
