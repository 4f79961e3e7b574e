"""A fleet of hundreds of hosts: addresses past one /24, per-host latency settings, the daemon's descriptor limit."""

from __future__ import annotations

import resource

import pytest

from tests.lab import cli
from tests.lab.hosts import Fleet, HostSpecError, SimulatedHost, parse_host_specs
from tests.lab.hosts.fleet import _address
from tests.lab.httpauth import Account


def test_addresses_go_on_in_the_next_subnet() -> None:
    network = ["127", "20"]
    assert _address(network, 0, 0) == "127.20.0.11"
    assert _address(network, 0, 243) == "127.20.0.254"
    assert _address(network, 0, 244) == "127.20.1.11"
    assert _address(network, 0, 499) == "127.20.2.22"
    assert len({_address(network, 0, index) for index in range(500)}) == 500


def test_a_fleet_larger_than_the_subnets_left_is_refused() -> None:
    specs = parse_host_specs(hosts=None, fleet=245)
    account = Account("contoso.lab", "Administrator", "Pa55-word")
    with pytest.raises(ValueError, match=r"at most 244 hosts fit from 127\.10\.255\.11 on"):
        Fleet(specs=specs, subnet="127.10.255", accounts={"Administrator": account})


def test_hosts_take_their_own_latency_settings() -> None:
    specs = parse_host_specs(
        hosts="a=2010:shell_load_seconds=12.5:process_start_seconds=0.8:service_restart_seconds=7,b=2013", fleet=None
    )
    assert (specs[0].process_start_seconds, specs[0].shell_load_seconds, specs[0].service_restart_seconds) == (
        0.8,
        12.5,
        7.0,
    )
    assert specs[1].shell_load_seconds == 15.0  # the preset's


@pytest.mark.parametrize("value", ["x", "-1", "nan", "inf", ""])
def test_a_latency_setting_takes_seconds(value: str) -> None:
    with pytest.raises(HostSpecError, match=r"shell_load_seconds takes simulated seconds \(0 or more\)"):
        parse_host_specs(hosts=f"2010:shell_load_seconds={value}", fleet=None)


def test_the_daemon_takes_its_hard_descriptor_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(soft, 256)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        cli._raise_file_limit()
        raised, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        assert raised == (hard if hard != resource.RLIM_INFINITY else 65536)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_each_winrm_request_costs_the_hosts_round_trip() -> None:
    (spec,) = parse_host_specs(hosts="2010:round_trip_seconds=0.25", fleet=None)
    host = SimulatedHost(spec)
    clock = host.state.clock
    for _request in range(4):
        host.record_traffic(bytes_in=100, bytes_out=50)
    assert host.counters.to_dict()["simulated_seconds"] == 1.0
    assert host.state.clock == clock + 1.0
    (loopback,) = parse_host_specs(hosts="2010", fleet=None)
    assert loopback.round_trip_seconds == 0.0
