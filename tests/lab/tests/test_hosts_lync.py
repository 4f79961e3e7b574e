"""Lync/Skype front ends in the lab: ``--lync N`` hosts, their spec and their inventory group."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lab import cli
from tests.lab.daemon import LabOptions
from tests.lab.hosts import PRESETS, Fleet, HostSpecError, parse_host_specs
from tests.lab.httpauth import Account


def test_lync_hosts_follow_the_exchange_hosts() -> None:
    specs = parse_host_specs(hosts="2010", fleet=None, lync=2)
    assert [(spec.name, spec.exchange_version, spec.lync_frontend) for spec in specs] == [
        ("exch2010", "2010", False),
        ("lync01", None, True),
        ("lync02", None, True),
    ]
    assert [spec.name for spec in parse_host_specs(hosts=None, fleet=2, lync=1)] == ["um001", "um002", "lync01"]
    assert [spec.name for spec in parse_host_specs(hosts="none", fleet=None, lync=1)] == ["lync01"]
    assert len({spec.name for spec in parse_host_specs(hosts="none", fleet=None, lync=120)}) == 120


@pytest.mark.parametrize(
    ("preset", "windows"), [("lync", ("6.3.9600", "4.0", "3.0")), ("lync-2008r2", ("6.1.7601", "2.0", "2.0"))]
)
def test_a_lync_front_end_is_windows_without_exchange(preset: str, windows: tuple[str, str, str]) -> None:
    spec = PRESETS[preset]
    assert (spec.exchange_version, spec.um_role, spec.lync_frontend) == (None, False, True)
    assert (spec.os_version, spec.powershell_version, spec.winrm_version) == windows
    (named,) = parse_host_specs(hosts=f"fe1={preset}", fleet=None)
    assert named.lync_frontend and named.name == "fe1"


@pytest.mark.parametrize(
    ("hosts", "lync"),
    [("lync01=2010", 1), ("2010", -1)],
)
def test_lync_hosts_refused(hosts: str, lync: int) -> None:
    with pytest.raises(HostSpecError):
        parse_host_specs(hosts=hosts, fleet=None, lync=lync)


def test_inventory_has_a_lync_group_outside_exchange_um() -> None:
    fleet = Fleet(
        specs=parse_host_specs(hosts="2013,windows", fleet=None, lync=1),
        subnet="127.10.7",
        accounts={"Administrator": Account("CONTOSO", "Administrator", "unused")},
    )
    children = fleet.inventory()["all"]["children"]
    assert sorted(children) == ["exchange_um", "lync", "windows_without_exchange"]
    assert list(children["lync"]["hosts"]) == ["lync01"]
    assert children["lync"]["hosts"]["lync01"] == {"ansible_host": "127.10.7.13"}
    assert children["lync"]["vars"] == children["exchange_um"]["vars"]
    assert sorted(children["exchange_um"]["children"]) == ["exchange2013"]
    assert fleet.lab_json()["hosts"]["lync01"]["lync_frontend"] is True
    assert fleet.lab_json()["hosts"]["exch2013"]["lync_frontend"] is False


def test_cli_passes_lync_to_the_daemon(tmp_path: Path) -> None:
    args = cli._parser().parse_args(["up", "--state-dir", str(tmp_path), "--hosts", "2010", "--lync", "3"])
    options = cli._options(args)
    assert options.lync == 3 and options.wants_hosts
    served = cli._parser().parse_args(["serve", *cli._serve_arguments(options)])
    assert cli._options(served) == options
    assert LabOptions(state_dir=tmp_path, hosts="none", lync=1).wants_hosts


@pytest.mark.parametrize("value", ["-1", "two"])
def test_cli_refuses_a_bad_lync_count(tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["up", "--state-dir", str(tmp_path), "--lync", value])
    assert "a number of hosts is 0 or more" in capsys.readouterr().err
