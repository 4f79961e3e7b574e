"""service_binding's action through ExumActionBase.run(), with a connection that records each exec_command and
replays host output recorded from the lab's engine running the real payloads (test_data/service_binding_*.json;
``{own}`` is the host's certificate, ``{issued}`` a CA-issued one beside it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.action.service_binding import ActionModule
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._service_binding import (
    EMPTY_RESULT,
    certificate_thumbprint,
)

from tests.unit.plugins.action.test_host_actions import RecordingConnection, run

DATA = Path(__file__).parent / "test_data"
OWN = "AB" * 20
ISSUED = "CD" * 20
LOADER_2007 = "Microsoft.Exchange.Management.PowerShell.Admin"


def recorded(name: str) -> tuple[int, bytes, bytes]:
    document = json.loads((DATA / name).read_text())
    text = json.dumps(document).replace("{own}", OWN).replace("{issued}", ISSUED)
    document = json.loads(text)
    return document["rc"], document["stdout"].encode(), document["stderr"].encode()


def fact(version: str, *, thumbprint: str | None = None, mode: str = "TCP", status: str = "Running") -> dict:
    um: dict[str, Any] = {"startup_mode": None if version == "2007sp1" else mode, "certificate_thumbprint": thumbprint}
    services = [{"name": "MSExchangeUM", "status": status}]
    if version == "2013":
        um["call_router"] = {"startup_mode": mode, "certificate_thumbprint": thumbprint}
        services.append({"name": "MSExchangeUMCR", "status": status})
    return {
        "fqdn": f"exch{version[:4]}.contoso.lab",
        "exchange": {"installed": True, "version": version, "um_role": True},
        "um": um,
        "services": services,
        "stores": {
            "My": [
                {
                    "thumbprint": OWN,
                    "subject": "CN=EXCH",
                    "issuer": "CN=EXCH",
                    "has_private_key": True,
                    "not_before": "2020-01-01T00:00:00Z",
                    "not_after": "2099-01-01T00:00:00Z",
                    "services": "IMAP, POP, IIS, SMTP",
                }
            ],
            "Root": [],
            "CA": [],
        },
    }


def task_vars(snapshot: dict | None = None, **variables: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"inventory_hostname": "exch.contoso.lab", **variables}
    if snapshot is not None:
        values["ansible_facts"] = {"exchange_um_host": snapshot}
    return values


def test_the_thumbprint_option_takes_certificate_requests_result() -> None:
    assert certificate_thumbprint({"thumbprint": "ab:" * 19 + "ab", "changed": True}) == OWN
    assert certificate_thumbprint("ab " * 20) == OWN
    for bad in ("AB" * 32, "xyz", 12, {"changed": True}):
        with pytest.raises((TypeError, ValueError)):
            certificate_thumbprint(bad)


@pytest.mark.parametrize("version", ["2007sp1", "2010", "2013"])
def test_converged_from_the_fact_sends_nothing(version: str) -> None:
    connection = RecordingConnection([])
    mode = "Dual"
    result = run(ActionModule, {"thumbprint": OWN}, connection, task_vars=task_vars(fact(version, thumbprint=OWN,
                 mode=mode)), diff=True)  # fmt: skip
    assert connection.calls == []
    assert result["changed"] is False and "failed" not in result, result
    assert result["thumbprint"] == OWN and result["previous_thumbprint"] == OWN
    assert result["restarted"] == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert set(EMPTY_RESULT) <= set(result)


def test_check_mode_with_the_fact_predicts_without_a_call() -> None:
    connection = RecordingConnection([])
    result = run(ActionModule, {"thumbprint": OWN}, connection, task_vars=task_vars(fact("2013")), check=True,
                 diff=True)  # fmt: skip
    assert connection.calls == []
    assert result["changed"] is True
    assert result["startup_modes"] == {"UM": "Dual", "UMCallRouter": "Dual"}
    assert result["restarted"] == ["MSExchangeUM", "MSExchangeUMCR"]
    assert "UM: no certificate (startup mode TCP)" in result["diff"]["before"]
    assert f"UMCallRouter: {OWN} (startup mode Dual)" in result["diff"]["after"]


def test_a_2010_binding_in_one_call_updates_the_fact() -> None:
    connection = RecordingConnection([recorded("service_binding_2010_bind.json")])
    result = run(ActionModule, {"thumbprint": OWN.lower()}, connection, task_vars=task_vars(fact("2010")))
    assert len(connection.calls) == 1
    arguments = connection.arguments(0)
    assert arguments["Thumbprint"] == OWN and arguments["Services"] == ["MSExchangeUM"]
    assert arguments["CheckMode"] is False and arguments["StartupMode"] == "keep"
    assert "Microsoft.Exchange.Management.PowerShell.E2010" in connection.payload(0)
    assert result["changed"] is True and "failed" not in result, result
    assert result["previous_thumbprint"] is None and result["thumbprint"] == OWN
    assert result["startup_modes"] == {"UM": "Dual"} and result["restarted"] == ["MSExchangeUM"]
    snapshot = result["ansible_facts"]["exchange_um_host"]
    assert snapshot["um"]["certificate_thumbprint"] == OWN and snapshot["um"]["startup_mode"] == "Dual"
    assert snapshot["stores"]["My"][0]["services"] == "IMAP, POP, UM, IIS, SMTP"


def test_without_the_fact_one_call_finds_it_converged() -> None:
    connection = RecordingConnection([recorded("service_binding_2010_converged.json")])
    result = run(ActionModule, {"thumbprint": OWN}, connection, task_vars=task_vars(exchange_um_version="2010"))
    assert len(connection.calls) == 1
    assert result["changed"] is False and result["restarted"] == [], result
    assert "ansible_facts" not in result


def test_a_failed_restart_and_rollback_states_both_outcomes() -> None:
    connection = RecordingConnection([recorded("service_binding_2013_rollback_failed.json")])
    result = run(ActionModule, {"thumbprint": OWN}, connection, task_vars=task_vars(exchange_um_version="2013"))
    assert result["failed"] is True and result["rolled_back"] is False
    message = result["msg"]
    assert message.startswith("MSExchangeUMCR did not come back after the restart (restart_timeout 300 s)"), message
    assert "The rollback bound the previous certificate (none) again, but MSExchangeUMCR did not start" in message
    assert "MSExchangeUMCR: Stopped" in message and "UM: no certificate (startup mode TCP)" in message, message


def test_a_drain_that_times_out_changes_nothing() -> None:
    connection = RecordingConnection([recorded("service_binding_2013_drain_timeout.json")])
    args = {"thumbprint": OWN, "drain": True, "drain_timeout": 20}
    result = run(ActionModule, args, connection, task_vars=task_vars(exchange_um_version="2013"))
    assert result["failed"] is True, result
    assert result["msg"].startswith("draining UM before the restart did not finish: 2 call(s) still active after 20 s")
    assert "Nothing was bound or restarted" in result["msg"]
    assert result["restarted"] == [] and result["drained_calls"] == 2


def test_2007_says_which_certificate_um_took_and_why() -> None:
    connection = RecordingConnection([recorded("service_binding_2007_other_certificate.json")])
    result = run(ActionModule, {"thumbprint": OWN}, connection, task_vars=task_vars(exchange_um_version="2007sp1"))
    assert LOADER_2007 not in connection.payload(0), "binding on 2007 SP1 needs no snap-in"
    assert result["failed"] is True
    message = result["msg"]
    assert f"took CN=exch2007.contoso.lab, DC=contoso, DC=lab ({ISSUED}, issued by CN=Contoso Root CA" in message
    assert f"instead of CN=EXCH2007 ({OWN}, self-signed" in message, message
    assert "UM prefers a CA-issued certificate to a self-signed one" in message, message
    assert result["thumbprint"] == ISSUED and result["event"]["thumbprint"] == ISSUED


def test_2007_drain_loads_the_snap_in() -> None:
    connection = RecordingConnection([recorded("service_binding_2010_converged.json")])
    run(
        ActionModule, {"thumbprint": OWN, "drain": True}, connection, task_vars=task_vars(exchange_um_version="2007sp1")
    )
    assert LOADER_2007 in connection.payload(0)


@pytest.mark.parametrize(
    ("args", "snapshot", "expected"),
    [
        ({"thumbprint": OWN, "startup_mode": "TLS"}, fact("2007sp1"), "startup_mode=TLS needs Exchange 2010 or 2013"),
        ({"thumbprint": OWN, "restart": False}, fact("2007sp1"), "restart=false cannot bind on Exchange 2007 SP1"),
        ({"thumbprint": "EF" * 20}, fact("2010"), f"the certificate {'EF' * 20} is not in LocalMachine\\My"),
        ({"thumbprint": OWN, "drain_timeout": 5}, fact("2010"), "drain_timeout (drain is false)"),
        ({"thumbprint": OWN, "restart": False, "drain": True}, fact("2010"), "drain (calls are drained only"),
        ({"thumbprint": OWN, "exchange_version": "2013"}, fact("2010"), "exchange_version=2013, but the"),
        ({"thumbprint": OWN}, None, "service_binding needs the host's Exchange version"),
        ({"thumbprint": "12"}, fact("2010"), "thumbprint"),
        ({"thumbprint": OWN, "restart_timeout": 1}, fact("2010"), "from 10 to 86400"),
    ],
)
def test_refusals_send_nothing(args: dict, snapshot: dict | None, expected: str) -> None:
    connection = RecordingConnection([])
    result = run(ActionModule, args, connection, task_vars=task_vars(snapshot))
    assert connection.calls == []
    assert result["failed"] is True and expected in result["msg"], result["msg"]
    assert set(EMPTY_RESULT) <= set(result)


def test_a_2007_rollback_says_what_um_took_when_it_started_again() -> None:
    # Recorded with MSExchangeUM's first start failing (start_failures 1) after an event 1112 naming a certificate no
    # longer in My: nothing to rebind, UM chose its own certificate again at the rollback's start.
    connection = RecordingConnection([recorded("service_binding_2007_rolled_back.json")])
    result = run(ActionModule, {"thumbprint": OWN}, connection, task_vars=task_vars(exchange_um_version="2007sp1"))
    assert result["failed"] is True and result["rolled_back"] is True
    message = result["msg"]
    assert message.startswith("MSExchangeUM did not come back after the restart (restart_timeout 300 s)"), message
    assert (
        "Rolled back: nothing was bound (UM chooses its certificate itself) and MSExchangeUM started again, taking "
        f"{OWN}; the host is as it was (services: MSExchangeUM Running)." in message
    ), message
    assert "the previous certificate" not in message, message
    assert result["event"]["thumbprint"] == OWN


def test_restart_false_records_and_says_it_takes_effect_later() -> None:
    connection = RecordingConnection([recorded("service_binding_2010_no_restart.json")])
    result = run(ActionModule, {"thumbprint": OWN, "restart": False}, connection, task_vars=task_vars(fact("2010")))
    assert connection.arguments(0)["Restart"] is False
    assert result["changed"] is True and result["restarted"] == []
    assert result["startup_modes"] == {"UM": "Dual"}
    assert result["restart_pending"] == ["MSExchangeUM"]
    assert any("takes effect when MSExchangeUM next restart" in warning for warning in result["warnings"])


def test_a_rollback_that_worked_says_the_host_is_as_it_was() -> None:
    # Recorded with a start the lab's SCM refused once (the lab's fault start_failures 1).
    connection = RecordingConnection([recorded("service_binding_2010_rolled_back.json")])
    args = {"thumbprint": OWN, "startup_mode": "TLS"}
    result = run(ActionModule, args, connection, task_vars=task_vars(exchange_um_version="2010"))
    assert result["failed"] is True and result["rolled_back"] is True
    message = result["msg"]
    assert message.startswith("MSExchangeUM did not come back after the restart (restart_timeout 300 s)"), message
    assert "Rolled back: the previous certificate (none) and startup modes (UM TCP) are in place again" in message
    assert "the host is as it was (services: MSExchangeUM Running)" in message, message
    assert result["thumbprint"] is None and result["startup_modes"] == {"UM": "TCP"}
