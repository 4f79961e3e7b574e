"""The fleet_report action: reads each host's fact and probe result from hostvars, writes three files, never
touches a host, keeps secrets of other host variables out, and writes nothing in check mode."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible_collections.exchange_um.certificates.plugins.action import fleet_report
from ansible_collections.exchange_um.certificates.plugins.action.fleet_report import ActionModule

from tests.unit.plugins.action.test_ca_certificate import RecordingConnection
from tests.unit.plugins.plugin_utils.test_fleet_report import CA_RESULT, NOW, TLS_OK, snapshot

PASSWORD = "Enroll-Pa55-that-must-not-leak"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fleet_report, "_now", lambda: NOW)


def hostvars() -> dict[str, dict[str, Any]]:
    return {
        "um001": {"ansible_facts": {"exchange_um_host": snapshot()}, "exchange_um_tls": TLS_OK},
        "um002": {"ansible_facts": {"exchange_um_host": snapshot(days_left=3, fqdn="um002.contoso.lab")}},
        "um003": {"ansible_facts": {}, "exchange_um_ca_password": PASSWORD},
    }


def run_action(args: dict[str, Any], basedir: Path, *, check: bool = False) -> dict[str, Any]:
    task = SimpleNamespace(args=args, check_mode=check, diff=False, async_val=0, action="fleet_report")
    loader = DataLoader()
    loader.set_basedir(str(basedir))
    connection = RecordingConnection()
    action = ActionModule(task, connection, SimpleNamespace(), loader=loader, templar=None, shared_loader_obj=None)
    action._load_name = "exchange_um.certificates.fleet_report"
    task_vars = {"hostvars": hostvars(), "ansible_play_hosts_all": ["um003", "um001", "um002"]}
    result = action.run(task_vars=task_vars)
    assert connection.used == [], "fleet_report must not use the host connection"
    assert PASSWORD not in json.dumps(result)
    return result


def test_writes_the_report_for_every_play_host(tmp_path: Path) -> None:
    result = run_action({"dest": "report", "ca": CA_RESULT}, tmp_path)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["ok"] is False
    assert [host["name"] for host in result["hosts"]] == ["um003", "um002", "um001"]
    assert [host["status"] for host in result["hosts"]] == ["no data", "failed", "ok"]
    assert result["counts"] == {"ok": 1, "renewal due": 0, "failed": 1, "no data": 1}
    assert result["summary"][1].startswith("um002: failed (Exchange 2010; certificate")
    assert "TLS not probed" in result["summary"][1]
    for kind, name in (("markdown", "report.md"), ("html", "report.html"), ("json", "report.json")):
        path = Path(result["files"][kind])
        assert path == tmp_path / "report" / name and path.is_file()
        text = path.read_text(encoding="utf-8")
        assert all(host in text for host in ("um001", "um002", "um003"))
        assert PASSWORD not in text
    again = run_action({"dest": "report", "ca": CA_RESULT}, tmp_path)
    assert again["changed"] is False


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    result = run_action({"dest": str(tmp_path / "out")}, tmp_path, check=True)
    assert result["changed"] is True and not (tmp_path / "out").exists()


def test_hosts_option_limits_the_report(tmp_path: Path) -> None:
    result = run_action({"dest": str(tmp_path), "hosts": ["um001"], "ca": CA_RESULT}, tmp_path)
    assert result["ok"] is True and [host["name"] for host in result["hosts"]] == ["um001"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({}, "missing required arguments: dest"),
        ({"dest": "x", "ca": 5}, "ca must be the result of exchange_um.certificates.ca_certificate"),
        ({"dest": "x", "min_days_left": -1}, "min_days_left"),
        ({"dest": "x", "hosts": []}, "hosts is empty"),
    ],
)
def test_bad_options_fail_clearly(tmp_path: Path, args: dict[str, Any], message: str) -> None:
    result = run_action(args, tmp_path)
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert not (tmp_path / "x").exists()
