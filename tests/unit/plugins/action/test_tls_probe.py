"""The tls_probe action through ExumActionBase.run(): where the host and the default ports come from, refused
options, fail_on_error. The handshakes are replaced by a recorder; the connection must never be used."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible_collections.exchange_um.certificates.plugins.action import tls_probe
from ansible_collections.exchange_um.certificates.plugins.action.tls_probe import ActionModule

RESULT_KEYS = {"ok", "host", "ports", "changed"}


class Connection:
    """Only the shell's tmpdir may be read (ActionBase.run() does); anything else is recorded."""

    def __init__(self) -> None:
        self._shell = SimpleNamespace(tmpdir=None)
        self.used: list[str] = []

    def get_option(self, name: str) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        self.used.append(name)
        raise AttributeError(name)


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def probe_tls(**options: Any) -> dict[str, Any]:
        calls.append(options)
        ports = [
            {"port": port, "ok": port != 5063, "findings": [] if port != 5063 else ["the certificate expired on x"]}
            for port in options["ports"]
        ]
        return {"ok": all(entry["ok"] for entry in ports), "host": options["host"], "ports": ports}

    monkeypatch.setattr(tls_probe, "probe_tls", probe_tls)
    return calls


def run(args: dict[str, Any], task_vars: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    task = SimpleNamespace(args=args, check_mode=False, diff=False, async_val=0, action="tls_probe", module_defaults=[])
    loader = DataLoader()
    loader.set_basedir(str(tmp_path))
    connection = Connection()
    action = ActionModule(task, connection, SimpleNamespace(), loader=loader, templar=None, shared_loader_obj=None)
    action._load_name = "exchange_um.certificates.tls_probe"
    result = action.run(task_vars={"inventory_hostname": "exch2013", **task_vars})
    assert connection.used == [], "tls_probe must not use the host connection"
    assert set(result) >= RESULT_KEYS
    return result


FACT_2013 = {"ansible_facts": {"exchange_um_host": {"stores": {}, "exchange": {"installed": True, "version": "2013"}}}}


@pytest.mark.parametrize(
    ("args", "task_vars", "ports"),
    [
        ({}, {"exchange_um_version": "2010"}, [5061]),
        ({}, {"exchange_um_version": "2007sp1"}, [5061]),
        ({}, FACT_2013, [5061, 5063]),
        ({"exchange_version": "2013"}, {"exchange_um_version": "2010"}, [5061, 5063]),
        ({"ports": [5061, "5061", 6001]}, {}, [5061, 6001]),
    ],
)
def test_default_ports(
    args: dict[str, Any], task_vars: dict[str, Any], ports: list[int], probes: list[dict[str, Any]], tmp_path: Path
) -> None:
    run({"fail_on_error": False, **args}, task_vars, tmp_path)
    assert probes[-1]["ports"] == ports


def test_the_host_is_ansible_host_then_the_inventory_name(probes: list[dict[str, Any]], tmp_path: Path) -> None:
    run({"ports": [5061]}, {"ansible_host": "192.0.2.15"}, tmp_path)
    run({"ports": [5061]}, {}, tmp_path)
    run({"ports": [5061], "host": "um.contoso.lab"}, {"ansible_host": "192.0.2.15"}, tmp_path)
    assert [call["host"] for call in probes] == ["192.0.2.15", "exch2013", "um.contoso.lab"]


def test_a_finding_fails_the_task_unless_fail_on_error_is_false(probes: list[dict[str, Any]], tmp_path: Path) -> None:
    failed = run({}, FACT_2013, tmp_path)
    assert failed["failed"] is True and failed["ok"] is False and failed["changed"] is False
    assert failed["msg"] == "TLS on exch2013 does not pass: port 5063: the certificate expired on x"
    reported = run({"fail_on_error": False}, FACT_2013, tmp_path)
    assert not reported.get("failed") and reported["ok"] is False


@pytest.mark.parametrize(
    ("args", "task_vars", "message"),
    [
        ({}, {}, "Exchange version is not known"),
        ({"ports": [5061], "exchange_version": "2010"}, {}, "exchange_version (it chooses the default ports"),
        ({"ports": [0]}, {}, "from 1 to 65535"),
        ({"ports": list(range(1, 18))}, {}, "1 to 16 ports"),
        ({"ports": [5061], "host": "a b"}, {}, "DNS name or IP address"),
        ({"ports": [5061], "expected_thumbprint": "xyz"}, {}, "not hexadecimal"),
        ({"ports": [5061], "client_cert_path": "missing.pem"}, {}, "client_cert_path"),
        ({"ports": [5061], "client_key_path": "key.pem"}, {}, "client_cert_path"),
        ({"ports": [5061], "timeout": 0}, {}, "from 1 to 600"),
        ({}, {"exchange_um_version": "2016"}, "2016"),
    ],
)
def test_bad_options_are_refused_before_any_handshake(
    args: dict[str, Any], task_vars: dict[str, Any], message: str, probes: list[dict[str, Any]], tmp_path: Path
) -> None:
    result = run(args, task_vars, tmp_path)
    assert result["failed"] is True and message in result["msg"]
    assert probes == []
