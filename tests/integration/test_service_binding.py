"""service_binding through ansible-playbook against the lab, per Exchange version, over real WinRM.

A lab of its own (the bindings change the hosts), connected as docs/connection-setup.md sets it up: CredSSP on the
2010 and 2013 hosts, NTLM on 2007 SP1. The certificate bound is each host's own in LocalMachine\\My (the
self-signed one Exchange setup made), read from the exchange_um_host fact. The lab's runtime follows the platform:
services start and stop in simulated time, UM takes its certificate at start (2007 SP1 logs event 1112), calls
end on their own or are dropped by a UM restart. Counters come from the lab's dump.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import winrm
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import CertsrvClient
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import thumbprint
from cryptography.hazmat.primitives.serialization import Encoding

from .conftest import CREDSSP_WHERE_POSSIBLE, Lab, PlaybookRun

pytestmark = pytest.mark.integration

HOSTS = ("exch2007", "exch2010", "exch2013")
DIRECTORY_HOSTS = ("exch2010", "exch2013")
SERVICES = {"exch2007": ["MSExchangeUM"], "exch2010": ["MSExchangeUM"], "exch2013": ["MSExchangeUM", "MSExchangeUMCR"]}

# The host's own certificate from the fact (the one Exchange setup made, the only one in My on a fresh lab host).
OWN = "{{ ansible_facts.exchange_um_host.stores.My[0].thumbprint }}"

BIND_TWICE = f"""
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: bind
      exchange_um.certificates.service_binding:
        thumbprint: "{OWN}"
        drain: "{{{{ drain | default(false) }}}}"
    - name: again
      exchange_um.certificates.service_binding:
        thumbprint: "{OWN}"
"""

BIND = f"""
- hosts: "{{{{ target | default('exchange_um') }}}}"
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: bind
      exchange_um.certificates.service_binding:
        thumbprint: "{OWN}"
        startup_mode: "{{{{ 'keep' if inventory_hostname == 'exch2007' else mode | default('keep') }}}}"
        drain: "{{{{ drain | default(false) }}}}"
        restart_timeout: 60
"""

# No exchange_info first: without the fact the module inspects for itself (one command).
BIND_WITHOUT_FACT = """
- hosts: "{{ target | default('exchange_um') }}"
  gather_facts: false
  tasks:
    - name: bind
      exchange_um.certificates.service_binding:
        thumbprint: "{{ wanted }}"
        startup_mode: "{{ 'keep' if inventory_hostname == 'exch2007' else mode | default('keep') }}"
        restart_timeout: 60
"""


BIND_OWN_WITHOUT_FACT = BIND_WITHOUT_FACT.replace("{{ wanted }}", "{{ wanted[inventory_hostname] }}")


@pytest.fixture(scope="module")
def binding_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("binding", hosts="2007sp1,2010,2013", auth="ntlm", extra=CREDSSP_WHERE_POSSIBLE)


@pytest.fixture(scope="module")
def run(binding_lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]) -> Callable[..., PlaybookRun]:
    return playbook_runner(binding_lab)


def _counters(lab: Lab, host: str) -> tuple[int, int]:
    counters = lab.dump(host)["counters"]
    return counters["commands"], counters["exchange_shell_loads"]


def _state(lab: Lab, host: str) -> dict[str, Any]:
    return lab.dump(host)["state"]


def _binding(lab: Lab, host: str) -> tuple[Any, ...]:
    """What the host has recorded and what its running services took (the lab's UM runtime)."""
    state = _state(lab, host)
    um, router = state["um"], state["call_router"]
    services = {service["name"]: service["status"] for service in state["services"]}
    return (
        um and (um["startup_mode"], um["certificate_thumbprint"]),
        router and (router["startup_mode"], router["certificate_thumbprint"]),
        tuple(sorted(services.items())),
        tuple(sorted(state.get("presented", {}).items())),
    )


def _own(lab: Lab, host: str) -> str:
    return _state(lab, host)["stores"]["My"][0]["thumbprint"]


def _owns(lab: Lab) -> dict[str, str]:
    return {host: _own(lab, host) for host in HOSTS}


def _ok(result: dict[str, Any]) -> None:
    assert result["_status"] in ("ok", "changed"), result


def test_check_mode_changes_nothing_and_shows_the_diff(binding_lab: Lab, run: Callable[..., PlaybookRun]) -> None:
    before = {host: _binding(binding_lab, host) for host in HOSTS}
    done = run(BIND, check=True, diff=True)
    assert done.rc == 0, done.stdout
    for host in HOSTS:
        result = done.task(host, "bind")
        _ok(result)
        assert result["changed"] is True
        assert result["restarted"] == SERVICES[host]
        assert result["thumbprint"] == _own(binding_lab, host)
        diff = result["diff"]
        assert _own(binding_lab, host) in diff["after"] and _own(binding_lab, host) not in diff["before"]
        assert _binding(binding_lab, host) == before[host]
    for host in DIRECTORY_HOSTS:
        diff = done.task(host, "bind")["diff"]
        assert "(startup mode TCP)" in diff["before"] and "(startup mode Dual)" in diff["after"]
        assert done.task(host, "bind")["startup_modes"]["UM"] == "Dual"


def test_drain_on_2007_needs_the_directory(binding_lab: Lab, run: Callable[..., PlaybookRun]) -> None:
    """2007 SP1's drain cmdlets read Active Directory, which its NTLM logon (WinRM 1.1: no CredSSP) cannot reach:
    the task fails before anything is restarted, and the call in progress goes on. (The fresh host has logged no
    event 1112 yet, so a restart is due.)"""
    binding_lab.control("hosts/exch2007/calls", {"count": 1, "ends_after_seconds": 1000})
    before = _binding(binding_lab, "exch2007")
    done = run(BIND, extra_vars={"target": "exch2007", "drain": True})
    result = done.task("exch2007", "bind")
    assert result["_status"] == "failed", result
    assert "draining UM before the restart did not finish" in result["msg"], result["msg"]
    assert "Active Directory" in result["msg"], result["msg"]
    assert result["restarted"] == []
    assert _binding(binding_lab, "exch2007") == before
    assert _state(binding_lab, "exch2007")["calls"]["active"] == 1, "the call in progress goes on"


def test_bind_then_converged(binding_lab: Lab, run: Callable[..., PlaybookRun]) -> None:
    binding_lab.reset_counters(HOSTS)
    done = run(BIND_TWICE)
    assert done.rc == 0, done.stdout
    for host in HOSTS:
        own = _own(binding_lab, host)
        bind, again = done.task(host, "bind"), done.task(host, "again")
        _ok(bind)
        assert bind["changed"] is True
        assert bind["previous_thumbprint"] is None
        assert bind["thumbprint"] == own
        assert bind["services"] == SERVICES[host]
        assert bind["restarted"] == SERVICES[host]
        assert bind["rolled_back"] is False
        _ok(again)
        assert again["changed"] is False and again["restarted"] == []
        # The running services took the certificate when they started (the lab's runtime).
        presented = _state(binding_lab, host)["presented"]
        assert presented == dict.fromkeys(SERVICES[host], own), presented
        fact = bind["ansible_facts"]["exchange_um_host"]
        assert fact["um"]["certificate_thumbprint"] == own
        commands, loads = _counters(binding_lab, host)
        # exchange_info, one command for the change, none for the converged task.
        assert commands == 2, (host, commands)
        assert loads == (0 if host == "exch2007" else 2), (host, loads)
    first_2007 = done.task("exch2007", "bind")
    assert first_2007["event"]["thumbprint"] == _own(binding_lab, "exch2007")
    assert first_2007["startup_modes"] == {}
    assert done.task("exch2010", "bind")["startup_modes"] == {"UM": "Dual"}
    assert done.task("exch2013", "bind")["startup_modes"] == {"UM": "Dual", "UMCallRouter": "Dual"}

    # Without the fact: one command that finds it converged.
    binding_lab.reset_counters(HOSTS)
    for host in HOSTS:
        rerun = run(BIND_WITHOUT_FACT, extra_vars={"target": host, "wanted": _own(binding_lab, host)})
        assert rerun.rc == 0, rerun.stdout
        result = rerun.task(host, "bind")
        _ok(result)
        assert result["changed"] is False
        assert _counters(binding_lab, host)[0] == 1


def _old_1112(lab: Lab) -> None:
    """An event 1112 as UM writes it (control API ``events``), naming a certificate no longer in My: UM's newest
    choice is not the one wanted, so a restart is due on 2007 SP1."""
    lab.control(
        "hosts/exch2007/events",
        {
            "event_id": 1112,
            "source": "MSExchange Unified Messaging",
            "entry_type": "Information",
            "message": f"The Unified Messaging server will use the certificate with thumbprint {'0' * 40}.",
        },
    )


def test_winrm_drop_during_the_restart_then_a_converging_rerun(
    binding_lab: Lab, run: Callable[..., PlaybookRun]
) -> None:
    _old_1112(binding_lab)
    for host in HOSTS:
        binding_lab.control(f"hosts/{host}/faults", {"kind": "drop_after_run", "at": "Receive", "count": 1})
    dropped = run(BIND_OWN_WITHOUT_FACT, extra_vars={"mode": "TLS", "wanted": _owns(binding_lab)})
    for host in HOSTS:
        assert dropped.task(host, "bind")["_status"] == "unreachable", dropped.stdout
    # The command ran to its end (the lab's drop_after_run): the services restarted with the binding.
    for host in HOSTS:
        assert _state(binding_lab, host)["presented"] == dict.fromkeys(SERVICES[host], _own(binding_lab, host))
    binding_lab.reset_counters(HOSTS)
    again = run(BIND, extra_vars={"mode": "TLS"})
    assert again.rc == 0, again.stdout
    for host in HOSTS:
        result = again.task(host, "bind")
        _ok(result)
        assert result["changed"] is False and result["thumbprint"] == _own(binding_lab, host), result
        assert _counters(binding_lab, host)[0] == 1, "exchange_info only"
    assert again.task("exch2013", "bind")["startup_modes"] == {"UM": "TLS", "UMCallRouter": "TLS"}


# A machine key and request made on the host with certreq (host-facts.md "certreq / certutil"; SHA-256, which
# CertEnroll's certreq of Server 2008 takes as HashAlgorithm), submitted to the lab's AD CS from here, and the issued
# certificate paired with the key by certreq -accept: how a CA-issued certificate reaches a host's My store.
_REQUEST_INF = "\r\n".join(
    [
        "[NewRequest]",
        'Subject = "CN={fqdn}"',
        "KeySpec = 1",
        "KeyLength = 2048",
        "Exportable = FALSE",
        "MachineKeySet = TRUE",
        'ProviderName = "Microsoft RSA SChannel Cryptographic Provider"',
        "ProviderType = 12",
        "RequestType = PKCS10",
        "HashAlgorithm = sha256",
    ]
)


def _powershell(lab: Lab, host: str, script: str) -> str:
    """One powershell.exe -EncodedCommand on the host over WinRM (pywinrm's run_ps sends no -ExecutionPolicy)."""
    spec, account = lab.info["hosts"][host], lab.info["winrm"]
    session = winrm.Session(
        f"http://{spec['address']}:{spec['port']}/wsman",
        auth=(f"{account['domain']}\\{account['username']}", account["password"]),
        transport="ntlm",
        ca_trust_path=lab.info["adcs"]["ca_bundle_path"],
    )
    answer = session.run_ps(script)
    assert answer.status_code == 0, answer.std_err.decode(errors="replace")
    return answer.std_out.decode("utf-8", errors="replace")


def _enroll(lab: Lab, host: str) -> str:
    """A CA-issued certificate with its machine key in the host's My; its thumbprint."""
    inf = _REQUEST_INF.format(fqdn=lab.info["hosts"][host]["fqdn"])
    csr = _powershell(
        lab,
        host,
        f"$inf = @'\r\n{inf}\r\n'@\r\nSet-Content -Path 'C:\\Windows\\Temp\\um.inf' -Value $inf\r\n"
        "certreq -new -q -f -machine 'C:\\Windows\\Temp\\um.inf' 'C:\\Windows\\Temp\\um.req' | Out-Null\r\n"
        "Get-Content -Path 'C:\\Windows\\Temp\\um.req'\r\n",
    )
    adcs = lab.info["adcs"]
    with CertsrvClient(url=adcs["url"], auth="ntlm", username=adcs["username"], password=adcs["password"]) as ca:
        issued = ca.submit(csr, template="WebServer").certificate
    pem = issued.public_bytes(Encoding.PEM).decode("ascii").strip().replace("\n", "\r\n")
    _powershell(
        lab,
        host,
        f"$pem = @'\r\n{pem}\r\n'@\r\nSet-Content -Path 'C:\\Windows\\Temp\\um.cer' -Value $pem\r\n"
        "certreq -accept -machine 'C:\\Windows\\Temp\\um.cer' | Out-Null\r\n",
    )
    return thumbprint(issued)


# The fault the lab injects: the next start of one service fails (control API start_failures; the SCM's 1053 and
# UM's event 1038). On 2013 it is the Call Router's, which starts after MSExchangeUM has taken the new certificate.
FAILING = {"exch2007": "MSExchangeUM", "exch2010": "MSExchangeUM", "exch2013": "MSExchangeUMCR"}

BIND_AND_AGAIN = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: bind
      exchange_um.certificates.service_binding:
        thumbprint: "{{ wanted[inventory_hostname] }}"
        restart_timeout: 60
    - name: again
      exchange_um.certificates.service_binding:
        thumbprint: "{{ wanted[inventory_hostname] }}"
"""


def _as_it_is(lab: Lab, host: str) -> dict[str, Any]:
    """What a rollback puts back: UM's settings and status, Exchange's service assignments, the certificate each
    running service presents, the services' states and the certificate stores."""
    state = _state(lab, host)
    return {
        "um": state["um"],
        "call_router": state["call_router"],
        "um_status": state["um_status"],
        "server_components": state["server_components"],
        # A certificate without services is "None", whether Exchange ever enabled it or not.
        "exchange_certificates": {
            thumbprint: services
            for thumbprint, services in state["exchange_certificates"].items()
            if services != "None"
        },
        "presented": state["presented"],
        "services": {service["name"]: service["status"] for service in state["services"]},
        "stores": state["stores"],
    }


def test_a_failed_first_restart_rolls_back_and_the_host_is_as_it_was(
    binding_lab: Lab, run: Callable[..., PlaybookRun]
) -> None:
    """The binding's first restart fails once, per version: the rollback rebinds the previous certificate (2010,
    2013; 2007 SP1 has nothing to rebind) and restarts, the host ends exactly as it was, the task fails stating both
    outcomes; the fault used up, a re-run binds and a second task finds it converged."""
    # 2010 and 2013 move to another certificate (CA-issued, made on the host); 2007 SP1 keeps its own and restarts
    # because its newest event 1112 names another.
    wanted = {"exch2007": _own(binding_lab, "exch2007")}
    for host in DIRECTORY_HOSTS:
        wanted[host] = _enroll(binding_lab, host)
    _old_1112(binding_lab)
    before = {host: _as_it_is(binding_lab, host) for host in HOSTS}
    for host in HOSTS:
        assert set(before[host]["services"].values()) == {"Running"}, before[host]
    for host, service in FAILING.items():
        answer = binding_lab.control(f"hosts/{host}/services/{service}", {"start_failures": 1})
        assert answer["start_failures"] == 1
    done = run(BIND_AND_AGAIN, extra_vars={"wanted": wanted})
    for host, service in FAILING.items():
        result = done.task(host, "bind")
        assert result["_status"] == "failed", result
        assert result["rolled_back"] is True, result
        message = result["msg"]
        assert message.startswith(f"{service} did not come back after the restart (restart_timeout 60 s)"), message
        assert "the host is as it was" in message, message
        assert _as_it_is(binding_lab, host) == before[host], host
        dumped = {item["name"]: item for item in _state(binding_lab, host)["services"]}
        assert dumped[service]["start_failures"] == 0, "one failed start used the fault up"
        events = [event["event_id"] for event in _state(binding_lab, host)["event_log"]["Application"]]
        assert 1038 in events, events
    for host in DIRECTORY_HOSTS:
        message = done.task(host, "bind")["msg"]
        previous = before[host]["um"]["certificate_thumbprint"]
        assert previous != wanted[host]
        assert f"Rolled back: the previous certificate {previous} and startup modes" in message, message
        assert "are in place again and the services restarted" in message, message
    # 2007 SP1: UM chose again at the rollback's start and took the certificate it presented before.
    assert before["exch2007"]["presented"] == {"MSExchangeUM": wanted["exch2007"]}
    message = done.task("exch2007", "bind")["msg"]
    taken = f"MSExchangeUM started again, taking {wanted['exch2007']}; the host is as it was"
    assert "Rolled back: nothing was bound (UM chooses its certificate itself)" in message and taken in message, message

    again = run(BIND_AND_AGAIN, extra_vars={"wanted": wanted})
    assert again.rc == 0, again.stdout
    for host in HOSTS:
        bind, converged = again.task(host, "bind"), again.task(host, "again")
        _ok(bind)
        _ok(converged)
        assert bind["thumbprint"] == wanted[host] and bind["rolled_back"] is False, bind
        assert converged["changed"] is False and converged["restarted"] == [], converged
        assert _state(binding_lab, host)["presented"] == dict.fromkeys(SERVICES[host], wanted[host])
    for host in DIRECTORY_HOSTS:
        bind = again.task(host, "bind")
        assert bind["changed"] is True and bind["restarted"] == SERVICES[host], bind
    # 2007 SP1: the rollback's start logged a new 1112 naming its certificate, so nothing is left to do.
    assert again.task("exch2007", "bind")["changed"] is False


def test_startup_mode_change_and_drain_with_active_calls(binding_lab: Lab, run: Callable[..., PlaybookRun]) -> None:
    for host in DIRECTORY_HOSTS:
        binding_lab.control(f"hosts/{host}/calls", {"count": 2, "ends_after_seconds": 40})
    done = run(BIND, extra_vars={"target": ":".join(DIRECTORY_HOSTS), "mode": "TLS", "drain": True})
    assert done.rc == 0, done.stdout
    for host in DIRECTORY_HOSTS:
        result = done.task(host, "bind")
        _ok(result)
        assert result["changed"] is True
        assert result["drained_calls"] == 2
        assert set(result["startup_modes"].values()) == {"TLS"}
        calls = _state(binding_lab, host)["calls"]
        assert calls["active"] == 0 and calls["dropped_calls"] == 0 and calls["ended"] >= 2, calls
        assert _state(binding_lab, host)["um"]["startup_mode"] == "TLS"


TAKE_ISSUED_THEN_OWN = """
- hosts: exch2007
  gather_facts: false
  tasks:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ exchange_um_ca_bundle }}"
    - name: info
      exchange_um.certificates.exchange_info:
    - name: issued
      exchange_um.certificates.service_binding:
        thumbprint: "{{ issued }}"
    - name: own
      exchange_um.certificates.service_binding:
        thumbprint: "{{ own }}"
      ignore_errors: true
"""


def test_2007_um_prefers_the_ca_issued_certificate(binding_lab: Lab, run: Callable[..., PlaybookRun]) -> None:
    own = _own(binding_lab, "exch2007")
    issued = _enroll(binding_lab, "exch2007")
    assert issued in {entry["thumbprint"] for entry in _state(binding_lab, "exch2007")["stores"]["My"]}
    done = run(TAKE_ISSUED_THEN_OWN, extra_vars={"issued": issued, "own": own})
    taken = done.task("exch2007", "issued")
    _ok(taken)
    assert taken["changed"] is True and taken["previous_thumbprint"] == own, taken
    assert taken["thumbprint"] == issued and taken["event"]["thumbprint"] == issued
    refused = done.task("exch2007", "own")
    assert refused["_status"] == "failed", refused
    message = refused["msg"]
    assert message.startswith(f"MSExchangeUM restarted and took CN=exch2007.contoso.lab ({issued}, issued by "), message
    assert f"instead of CN=EXCH2007 ({own}, self-signed" in message, message
    assert "UM prefers a CA-issued certificate to a self-signed one" in message, message
    assert refused["thumbprint"] == issued and refused["previous_thumbprint"] == issued
    assert _state(binding_lab, "exch2007")["presented"] == {"MSExchangeUM": issued}
