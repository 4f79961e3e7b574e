"""The second hop to Active Directory per Exchange version, through ansible-playbook (docs/connection-setup.md
"The double hop").

Exchange's cmdlets read the directory with the caller's rights; a WinRM logon made with NTLM or Basic holds no network
credentials to lend onward (Ansible's windows_winrm.rst, "Credential Delegation"). Under NTLM (``ntlm_lab``) the
2010 and 2013 snap-ins' cmdlets fail, and exchange_info returns what needs no directory (stores, services, the
registry's install data) with ``exchange_error`` and a warning naming the options that fix it. The documented ways
work: the remote Exchange shell with the WinRM account as its credential (still over NTLM) and CredSSP (the ``lab``).
Exchange 2007 SP1 (WinRM 1.1: no CredSSP) needs no Exchange cmdlet at all: UM's certificate comes from event 1112.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
import yaml

from .conftest import Lab, PlaybookRun, inventory_by_fqdn

pytestmark = pytest.mark.integration

DIRECTORY_HOSTS = ("exch2010", "exch2013")

INFO = """
- hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
"""

REMOTE = """
- hosts: exchange2010:exchange2013
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
        exchange_shell: remote
        exchange_shell_username: "{{ shell_user }}"
        exchange_shell_password: "{{ shell_password }}"
"""

# The wording the lab gives Exchange's AD-bound cmdlets without network credentials (assumed for every version from
# PowerShell/Win32-OpenSSH#1115; docs/lab.md "Cmdlets and programs").
SECOND_HOP_MESSAGE = "Value cannot be null.\r\nParameter name: parameters"

# UM names the certificate it took at service start in event 1112 of this source (host-facts.md "UM"); the text of
# the 2007 SP1 event is not documented, so the message below is an assumed one that carries the thumbprint.
UM_SOURCE = "MSExchange Unified Messaging"


def _host_vars(lab: Lab) -> dict[str, dict[str, Any]]:
    inventory = yaml.safe_load(lab.inventory.read_text(encoding="utf-8"))
    groups = inventory["all"]["children"]["exchange_um"]["children"].values()
    return {name: values for group in groups for name, values in group["hosts"].items()}


def _reset(lab: Lab, *hosts: str) -> None:
    for host in hosts:
        lab.control(f"hosts/{host}/reset-counters", {})


def _loads(lab: Lab, host: str) -> tuple[int, int]:
    counters = lab.dump(host)["counters"]
    return counters["commands"], counters["exchange_shell_loads"]


def _no_secret(lab: Lab, run: PlaybookRun) -> None:
    assert lab.info["winrm"]["password"] not in run.stdout + run.stderr


def _has_the_directory_part(info: dict[str, Any], version: str) -> None:
    assert info["_status"] == "ok", info
    assert info["exchange_error"] is None
    assert info["warnings"] == []
    assert info["um"]["startup_mode"] == "TCP"
    assert (info["um"]["call_router"] is not None) == (version == "2013")


def test_the_labs_connect_as_configured(lab: Lab, ntlm_lab: Lab) -> None:
    """``lab``: CredSSP on 2010 and 2013 (TLS 1.2), NTLM on 2007 SP1 (WinRM 1.1); ``ntlm_lab``: NTLM everywhere."""
    credssp, ntlm = _host_vars(lab), _host_vars(ntlm_lab)
    for name in DIRECTORY_HOSTS:
        assert lab.info["hosts"][name]["winrm_auth"] == ["ntlm", "credssp"]
        assert lab.info["hosts"][name]["credssp_max_tls"] == "1.2"
        assert credssp[name]["ansible_winrm_transport"] == "credssp"
        assert "ansible_winrm_credssp_disable_tlsv1_2" not in credssp[name]
    assert "ansible_winrm_transport" not in credssp["exch2007"]
    assert lab.info["hosts"]["exch2007"]["winrm_auth"] == ["ntlm"]
    assert all("ansible_winrm_transport" not in values for values in ntlm.values())
    assert all(spec["winrm_auth"] == ["ntlm"] for spec in ntlm_lab.info["hosts"].values())


def test_snap_in_under_ntlm_returns_the_rest_and_names_the_options(
    ntlm_lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]
) -> None:
    _reset(ntlm_lab, *DIRECTORY_HOSTS)
    run = playbook_runner(ntlm_lab)(INFO, extra_vars={"target": ":".join(DIRECTORY_HOSTS)})
    assert run.rc == 0, run.stdout
    for name in DIRECTORY_HOSTS:
        spec = ntlm_lab.info["hosts"][name]
        info = run.task(name, "info")
        assert info["_status"] == "ok", info
        assert info["changed"] is False
        error = info["exchange_error"]
        assert error["message"] == SECOND_HOP_MESSAGE
        assert error["fqid"].startswith("System.ArgumentNullException,Microsoft.Exchange."), error
        assert info["um"] is None
        assert info["ansible_facts"]["exchange_um_host"]["exchange_error"] == error
        # What needs no directory: the install data (registry), the services, the stores.
        assert info["exchange"]["installed"] is True
        assert info["exchange"]["version"] == spec["exchange_version"]
        assert info["exchange"]["build"] and info["exchange"]["install_path"]
        names = {service["name"] for service in info["services"]}
        assert "MSExchangeUM" in names
        assert ("MSExchangeUMCR" in names) == (spec["exchange_version"] == "2013")
        assert {"My", "Root", "CA"} <= set(info["stores"])
        assert info["stores"]["My"], "the setup certificate in LocalMachine\\My"
        [warning] = info["warnings"]
        for option in ("exchange_shell: remote", "exchange_shell_username", "exchange_shell_password", "CredSSP"):
            assert option in warning, warning
        assert SECOND_HOP_MESSAGE in warning
        # The snap-in loaded (one shell load); its cmdlets then failed in the logon.
        assert _loads(ntlm_lab, name) == (1, 1)
    _no_secret(ntlm_lab, run)


@pytest.fixture(scope="module")
def ntlm_fqdn_inventory(ntlm_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return inventory_by_fqdn(ntlm_lab, tmp_path_factory.mktemp("second-hop-remote"))


def test_remote_shell_with_a_credential_under_ntlm(
    ntlm_lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]], ntlm_fqdn_inventory: Path
) -> None:
    """The session opened with an explicit credential authenticates anew on the server: the directory is reached."""
    winrm = ntlm_lab.info["winrm"]
    _reset(ntlm_lab, *DIRECTORY_HOSTS)
    credential = {"shell_user": f"{winrm['domain']}\\{winrm['username']}", "shell_password": winrm["password"]}
    run = playbook_runner(ntlm_lab)(REMOTE, inventory=ntlm_fqdn_inventory, extra_vars=credential)
    assert run.rc == 0, run.stdout
    for name in DIRECTORY_HOSTS:
        spec = ntlm_lab.info["hosts"][name]
        _has_the_directory_part(run.task(spec["fqdn"], "info"), spec["exchange_version"])
        assert _loads(ntlm_lab, name) == (1, 1)
    _no_secret(ntlm_lab, run)


def test_snap_in_under_credssp(lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]) -> None:
    """A CredSSP logon holds the delegated credential: the snap-in's cmdlets reach the directory."""
    _reset(lab, *DIRECTORY_HOSTS)
    run = playbook_runner(lab)(INFO, extra_vars={"target": ":".join(DIRECTORY_HOSTS)})
    assert run.rc == 0, run.stdout
    for name in DIRECTORY_HOSTS:
        _has_the_directory_part(run.task(name, "info"), lab.info["hosts"][name]["exchange_version"])
        assert _loads(lab, name) == (1, 1)
    _no_secret(lab, run)


def test_2007sp1_under_ntlm_needs_no_exchange_cmdlet(
    ntlm_lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]
) -> None:
    [setup_certificate] = ntlm_lab.dump("exch2007")["state"]["stores"]["My"]
    thumbprint = setup_certificate["thumbprint"]
    # UM writes 1112 when its service starts and takes a certificate; the control API writes it as UM would.
    event = ntlm_lab.control(
        "hosts/exch2007/events",
        {
            "event_id": 1112,
            "source": UM_SOURCE,
            "entry_type": "Information",
            "message": f"The Unified Messaging server will use the certificate with thumbprint {thumbprint.lower()}.",
        },
    )
    _reset(ntlm_lab, "exch2007")
    run = playbook_runner(ntlm_lab)(INFO, extra_vars={"target": "exch2007"})
    assert run.rc == 0, run.stdout
    info = run.task("exch2007", "info")
    assert info["_status"] == "ok", info
    assert info["exchange"]["version"] == "2007sp1"
    assert info["exchange_error"] is None
    assert info["warnings"] == []
    assert info["um"]["certificate_thumbprint"] == thumbprint
    assert info["um"]["certificate_event_time"] == event["time_generated"]
    assert info["um"]["startup_mode"] is None  # 2007 SP1 has no startup-mode setting
    assert _loads(ntlm_lab, "exch2007") == (1, 0)
    _no_secret(ntlm_lab, run)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"event_id": 65536, "source": UM_SOURCE, "message": "m"}, "field 'event_id' must be 0 to 65535"),
        ({"event_id": 1112, "source": UM_SOURCE, "message": "m", "entry_type": "Info"}, "field 'entry_type'"),
        ({"event_id": 1112, "source": " ", "message": "m"}, "field 'source' must not be empty"),
        ({"event_id": 1112, "source": UM_SOURCE}, "field 'message' must be a str"),
    ],
)
def test_the_event_endpoint_refuses_what_eventlog_would(ntlm_lab: Lab, body: dict[str, Any], problem: str) -> None:
    before = ntlm_lab.dump("exch2007")["state"]["event_log"]
    with pytest.raises(HTTPError) as refused:
        ntlm_lab.control("hosts/exch2007/events", body)
    assert refused.value.code == 400
    assert problem in refused.value.read().decode("utf-8")
    assert ntlm_lab.dump("exch2007")["state"]["event_log"] == before
