"""The control API's UM runtime routes (docs/lab.md "Control API"): a service's lab settings, UM's lab settings and
arriving calls, on a simulated host, with their refusals of bad input."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.lab.control import ControlApi, ControlError
from tests.lab.hosts.host import SimulatedHost
from tests.lab.hosts.specs import PRESETS


@pytest.fixture
def api_and_host() -> tuple[ControlApi, SimulatedHost]:
    host = SimulatedHost(PRESETS["2010"])
    fleet: Any = SimpleNamespace(host=lambda name: host, dump=lambda name: host.dump(), endpoints={})
    adcs: Any = SimpleNamespace(url="http://adcs")
    return ControlApi(adcs=adcs, fleet=fleet, host_names=["exch2010"], pid=1), host


def test_service_settings(api_and_host: tuple[ControlApi, SimulatedHost]) -> None:
    api, host = api_and_host
    answer = api.call("POST", "/hosts/exch2010/services/msexchangeum", {"start_failures": 2, "start_seconds": 7})
    assert answer["name"] == "MSExchangeUM" and answer["start_failures"] == 2 and answer["start_seconds"] == 7.0
    service = host.state.services["MSExchangeUM"]
    assert service.start_failures == 2 and service.start_seconds == 7.0
    api.call("POST", "/hosts/exch2010/services/MSExchangeUM", {"start_seconds": None, "start_failures": 0})
    assert service.start_seconds is None and service.start_failures == 0
    bad = ({"start_failures": True}, {"start_failures": -1}, {"start_failures": 1.5}, {"start_fails": True})
    for body in (*bad, {"start_hangs": "yes"}, {"start_seconds": -1}, {"start_seconds": True}, {"colour": "red"}):
        with pytest.raises(ControlError) as refused:
            api.call("POST", "/hosts/exch2010/services/MSExchangeUM", body)
        assert refused.value.status == 400
    with pytest.raises(ControlError) as missing:
        api.call("POST", "/hosts/exch2010/services/Spooler", {"start_failures": 1})
    assert missing.value.status == 404


def test_um_settings(api_and_host: tuple[ControlApi, SimulatedHost]) -> None:
    api, host = api_and_host
    answer = api.call("POST", "/hosts/exch2010/um", {"tie_break": "latest_not_after", "secured": False})
    assert answer["tie_break"] == "latest_not_after" and answer["secured"] is False
    assert host.state.um_settings.tie_break == "latest_not_after"
    bad_texts = ({"event_1112_text": "no placeholder"}, {"event_1112_text": "{thumbprint} {x}"})
    for body in ({"tie_break": "random"}, {"secured": 1}, *bad_texts):
        with pytest.raises(ControlError) as refused:
            api.call("POST", "/hosts/exch2010/um", body)
        assert refused.value.status == 400


def test_calls(api_and_host: tuple[ControlApi, SimulatedHost]) -> None:
    api, host = api_and_host
    answer = api.call("POST", "/hosts/exch2010/calls", {"count": 3, "ends_after_seconds": 60})
    assert answer == {"accepted": 3, "refused": 0, "calls": {"active": 3, "ended": 0, "dropped_calls": 0, "refused": 0}}
    host.state.um_status = "Disabled"
    answer = api.call("POST", "/hosts/exch2010/calls", {"count": 2, "ends_after_seconds": 60})
    assert answer["accepted"] == 0 and answer["refused"] == 2
    assert host.dump()["state"]["calls"]["refused"] == 2  # type: ignore[index]
    for body in ({"count": 0, "ends_after_seconds": 1}, {"count": 1}, {"count": 1, "ends_after_seconds": "5"}):
        with pytest.raises(ControlError) as refused:
            api.call("POST", "/hosts/exch2010/calls", body)
        assert refused.value.status == 400
