"""Exchange version profiles and how a task's profile is chosen."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import (
    PROFILES,
    UnknownExchangeVersion,
    profile_for,
    select_profile,
)


@pytest.mark.parametrize(
    ("version", "key", "snapin", "services", "powershell"),
    [
        ("2007sp1", "2007sp1", "Microsoft.Exchange.Management.PowerShell.Admin", ("MSExchangeUM",), "1.0"),
        ("2007", "2007sp1", "Microsoft.Exchange.Management.PowerShell.Admin", ("MSExchangeUM",), "1.0"),
        ("2010", "2010", "Microsoft.Exchange.Management.PowerShell.E2010", ("MSExchangeUM",), "2.0"),
        (
            " 2013 ",
            "2013",
            "Microsoft.Exchange.Management.PowerShell.SnapIn",
            ("MSExchangeUM", "MSExchangeUMCR"),
            "3.0",
        ),
    ],
)
def test_profiles(version: str, key: str, snapin: str, services: tuple[str, ...], powershell: str) -> None:
    profile = profile_for(version)
    assert (profile.key, profile.snapin, profile.um_services, profile.powershell) == (key, snapin, services, powershell)


@pytest.mark.parametrize("version", ["2016", "", "2003", "exchange"])
def test_unknown_versions(version: str) -> None:
    with pytest.raises(UnknownExchangeVersion) as caught:
        profile_for(version)
    assert caught.value.version == version


def test_ports_follow_host_facts() -> None:
    assert PROFILES["2010"].sip_ports == {"um": 5060, "um_tls": 5061}
    assert PROFILES["2013"].sip_ports["um_tls"] == 5063
    assert PROFILES["2013"].sip_ports["call_router_tls"] == 5061


@pytest.mark.parametrize(
    ("snapshot", "host_version", "expected"),
    [
        ({"exchange": {"installed": True, "version": "2013"}}, "2010", "2013"),
        ({"exchange": {"installed": False, "version": None}}, "2010", None),
        (None, "2010", "2010"),
        (None, "2007sp1", "2007sp1"),
        (None, None, None),
        (None, "", None),
        ({"computer_name": "X"}, "2013", "2013"),
    ],
)
def test_select_profile(snapshot: dict[str, t.Any] | None, host_version: str | None, expected: str | None) -> None:
    profile = select_profile(snapshot=snapshot, host_version=host_version)
    assert (profile.key if profile else None) == expected
