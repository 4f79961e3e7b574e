"""Proof that the lab runs the host scripts rather than mirroring them: valid PowerShell that is wrong on Windows fails.

Each mutation edits one host script the way a plausible mistake would (the stores opened for the current user, a
.NET member that does not exist on the host's runtime, a check removed, a condition inverted ...). The scenario it
belongs to runs the collection's payload (the controller's own payload builder and result parser) on a fresh lab host
through the command line powershell.exe receives; with the scripts as they are the scenario passes, and with each
mutation it must fail. docs/lab.md lists the table.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import profile_for

from tests.lab.hosts import PRESETS, SimulatedHost
from tests.lab.hosts.certs import thumbprint
from tests.lab.httpauth import DelegatedCredential, Logon
from tests.lab.tests.test_hosts_payloads import TestCa, b64der, make_ca

UM_SERVICES = ["MSExchangeUM", "MSExchangeUMCR"]
DELEGATING_LOGON = Logon(
    "Administrator", "CONTOSO", "credssp",
    DelegatedCredential(domain="CONTOSO", user="Administrator", password="mutation-suite"),
)  # fmt: skip


@dataclass(frozen=True)
class Mutation:
    script: str
    name: str
    old: str
    new: str
    scenario: str


MUTATIONS = (
    Mutation("root_trust.ps1", "stores opened in CurrentUser", "$storeName, 'LocalMachine'",
             "$storeName, 'CurrentUser'", "trust_root"),
    Mutation("root_trust.ps1", "X509Store.Add with an overload that does not exist", "$store.Add($certificate)",
             "$store.Add($certificate, $true)", "trust_root"),
    Mutation("root_trust.ps1", "X509Store.Import instead of Add", "$store.Add($certificate)",
             "$store.Import($certificate)", "trust_root"),
    Mutation("root_trust.ps1", "the store never opened", "    $store.Open($openFlags)\n", "", "trust_root"),
    Mutation("root_trust.ps1", "the add condition inverted", "-not $present) {", "$present) {", "trust_root"),
    Mutation("root_trust.ps1", "the placement check removed",
             "foreach ($certificate in $wanted[$storeName]) { Assert-ExumPlacement $certificate $storeName }",
             "", "refuse_intermediate_in_root"),
    Mutation("root_trust.ps1", "the check-mode guard of Add removed",
             "if (-not $CheckMode) { $store.Add($certificate) }", "$store.Add($certificate)", "check_mode"),
    Mutation("root_trust.ps1", "a 2.0 operator (-split) in a 1.0 script", "$Certificate.Subject + ' ('",
             "($Certificate.Subject -split ',')[0] + ' ('", "refuse_intermediate_in_root_on_1"),
    Mutation("prelude.ps1", "the result marker changed", "'@@EXUM_RESULT@@'", "'@@EXUM-RESULT@@'", "trust_root"),
    Mutation("exchange_info.ps1", "$env:USERNAME for the computer name", "'computer_name' = $env:COMPUTERNAME",
             "'computer_name' = $env:USERNAME", "snapshot_2010"),
    Mutation("exchange_info.ps1", "[string]::IsNullOrWhiteSpace (.NET 4) on a CLR 2 host",
             "if (-not $hostName) {", "if ([string]::IsNullOrWhiteSpace($hostName)) {", "snapshot_2010"),
    Mutation("exchange_info.ps1", "a method call on an array on a 2.0 host",
             "$fqdn = $hostName.ToLower()", "$fqdn = @($hostName).ToLower()", "snapshot_2010"),
    Mutation("exchange_info.ps1", "foreach over a filtered, empty result on a 2.0 host (runs once with $null)",
             "foreach ($request in (Get-ExumStoreCertificates 'REQUEST')) {",
             "foreach ($request in (Get-ExumStoreCertificates 'REQUEST' | Where-Object { $_ })) {", "snapshot_2010"),
    Mutation("exchange_info.2010.ps1", "the 2010 fragment reading the wrong service name",
             "$service.Trim() -eq 'UM'", "$service.Trim() -eq 'UMCallRouter'", "snapshot_2010_bound"),
    Mutation("exchange_info.2007sp1.ps1", "member enumeration (3.0) on a 1.0 host",
             "$events[0].Message -match", "$events.Message -match", "snapshot_2007"),
    Mutation("exchange_info.2007sp1.ps1", "an empty event log not tolerated (Get-EventLog: No matches found)",
             " -Newest 2000 -ErrorAction SilentlyContinue", " -Newest 2000", "snapshot_2007_empty_log"),
)  # fmt: skip


def _command_line() -> str:
    encoded = base64.b64encode(channel.BOOTSTRAP.encode("utf-16-le")).decode("ascii")
    return f"{channel.POWERSHELL} {encoded}"


class Runner:
    """Run an operation's payload, built by the controller, on a lab host; scripts may be replaced."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, mutation: Mutation | None) -> None:
        original = channel._script
        if mutation is not None:

            def mutated(name: str) -> str:
                text = original(name).replace("\r\n", "\n")
                return text.replace(mutation.old, mutation.new) if name == mutation.script else text

            monkeypatch.setattr(channel, "_script", mutated)

    def run(self, host: SimulatedHost, operation: str, arguments: dict[str, Any], *, exchange: str | None = None):
        """Under a CredSSP logon, whose network credentials the Exchange cmdlets need to reach the directory."""
        profile = profile_for(exchange) if exchange else None
        payload = channel.build_payload(operation=operation, arguments=arguments, exchange=profile)
        stdin = channel.encode_stdin(payload)
        out, err, rc = host.run_command(_command_line(), stdin, 65001, logon=DELEGATING_LOGON)
        return channel.parse_result(operation=operation, rc=rc, stdout=out, stderr=err, payload=payload)


def _thumbprints(host: SimulatedHost, store: str) -> set[str]:
    return {entry.thumbprint for entry in host.state.stores[store].entries()}


def _trust_root(runner: Runner, ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2010"])
    data = runner.run(host, "root_trust", {"Root": [b64der(ca.root)], "Intermediate": [b64der(ca.intermediate)],
                                           "State": "present", "CheckMode": False})  # fmt: skip
    assert [change["store"] for change in data["added"]] == ["Root", "CA"]
    assert data["chain"]["built"] is True
    assert thumbprint(ca.root) in _thumbprints(host, "Root")
    assert thumbprint(ca.intermediate) in _thumbprints(host, "CA")


def _refusal(runner: Runner, ca: TestCa, preset: str) -> None:
    host = SimulatedHost(PRESETS[preset])
    before = _thumbprints(host, "Root")
    with pytest.raises(channel.HostOperationError) as refused:
        runner.run(host, "root_trust", {"Root": [b64der(ca.intermediate)], "State": "present", "CheckMode": False})
    assert refused.value.fqid == "ExumNotRootCertificate"
    assert _thumbprints(host, "Root") == before


def _check_mode(runner: Runner, ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2010"])
    before = {name: _thumbprints(host, name) for name in ("Root", "CA")}
    data = runner.run(host, "root_trust", {"Root": [b64der(ca.root)], "State": "present", "CheckMode": True})
    assert [change["store"] for change in data["added"]] == ["Root"]
    assert {name: _thumbprints(host, name) for name in ("Root", "CA")} == before


def _snapshot(runner: Runner, preset: str, *, bind_um: bool = False, event_1112: bool = False) -> None:
    host = SimulatedHost(PRESETS[preset])
    state = host.state
    setup = next(iter(state.exchange_services))
    if event_1112:
        # host-facts.md "UM": the 2007 UM service names the certificate it took at start in event 1112.
        message = f"The Unified Messaging server will use the certificate with thumbprint {setup}."
        state.write_event(
            event_id=1112, source="MSExchange Unified Messaging", entry_type="Information", message=message
        )
    if bind_um:
        state.exchange_services[setup].add("UM")
        assert state.um is not None
        state.um.startup_mode = "Dual"
    data = runner.run(host, "exchange_info", {"Services": UM_SERVICES}, exchange=host.spec.exchange_version)
    assert data["exchange_error"] is None
    assert data["computer_name"] == host.spec.computer_name
    assert data["fqdn"] == host.spec.fqdn
    assert {entry["thumbprint"] for entry in data["stores"]["Root"]} == _thumbprints(host, "Root")
    if preset != "2007sp1":
        assert {entry["thumbprint"] for entry in data["exchange_certificates"]} == _thumbprints(host, "My")
    if bind_um or event_1112:
        assert data["um"]["certificate_thumbprint"] == setup


SCENARIOS: dict[str, Callable[[Runner, TestCa], None]] = {
    "trust_root": _trust_root,
    "refuse_intermediate_in_root": lambda runner, ca: _refusal(runner, ca, "2010"),
    "refuse_intermediate_in_root_on_1": lambda runner, ca: _refusal(runner, ca, "2007sp1"),
    "check_mode": _check_mode,
    "snapshot_2010": lambda runner, _ca: _snapshot(runner, "2010"),
    "snapshot_2010_bound": lambda runner, _ca: _snapshot(runner, "2010", bind_um=True),
    "snapshot_2007": lambda runner, _ca: _snapshot(runner, "2007sp1", event_1112=True),
    "snapshot_2007_empty_log": lambda runner, _ca: _snapshot(runner, "2007sp1"),
}


@pytest.fixture(scope="module")
def ca() -> TestCa:
    return make_ca("Mutation")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_passes_with_the_scripts_as_they_are(monkeypatch: pytest.MonkeyPatch, ca: TestCa, scenario: str):
    SCENARIOS[scenario](Runner(monkeypatch, None), ca)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.name for mutation in MUTATIONS])
def test_mutation_is_caught(monkeypatch: pytest.MonkeyPatch, ca: TestCa, mutation: Mutation) -> None:
    text = channel._script(mutation.script).replace("\r\n", "\n")
    assert text.count(mutation.old) == 1, f"the mutation no longer applies to {mutation.script}"
    with pytest.raises((AssertionError, channel.HostChannelError)):
        SCENARIOS[mutation.scenario](Runner(monkeypatch, mutation), ca)
