"""Proof that the lab runs the host scripts rather than mirroring them: valid PowerShell that is wrong on Windows fails.

Each mutation edits one host script the way a plausible mistake would (the stores opened for the current user, a
.NET member that does not exist on the host's runtime, a check removed, a condition inverted ...). The scenario it
belongs to runs the collection's payload (the controller's own payload builder and result parser) on a fresh lab host
through the command line powershell.exe receives; with the scripts as they are the scenario passes, and with each
mutation it must fail. docs/lab.md lists the table.
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import profile_for
from cryptography import x509

from tests.lab.hosts import PRESETS, SimulatedHost
from tests.lab.hosts.certs import StoredCertificate, thumbprint
from tests.lab.hosts.runtime import add_calls
from tests.lab.httpauth import DelegatedCredential, Logon
from tests.lab.pki import LabPki
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
    Mutation("service_binding.ps1", "Start and Stop swapped", "{ $Service.Stop() } else { $Service.Start() }",
             "{ $Service.Start() } else { $Service.Stop() }", "bind_2010"),
    Mutation("service_binding.ps1", "My opened for the current user", "'My', 'LocalMachine'", "'My', 'CurrentUser'",
             "bind_2010"),
    Mutation("service_binding.ps1", "calls left at the drain timeout not noticed",
             "if ($failure.Count -gt 0 -or $calls -gt 0) {", "if ($failure.Count -gt 0) {", "drain_timeout_2013"),
    Mutation("service_binding.ps1", "the rollback does not rebind the previous certificate",
             "if (-not $bound) { Invoke-ExumGuarded 'bind' $previous $undo }", "", "rollback_2013"),
    Mutation("service_binding.ps1", "Get-EventLog -Source (2.0) on a 1.0 host",
             "-LogName 'Application' -Newest 2000", "-LogName 'Application' -Source 'MSExchange Unified Messaging' "
             "-Newest 2000", "rebind_2007"),
    Mutation("service_binding.ps1", "the event from before the restart taken as the new one",
             "$event['index'] -gt $Since", "$event['index'] -ge $Since", "unsecured_2007"),
    Mutation("service_binding.2010.ps1", "UM enabled before the startup mode allows it",
             "        Set-UMServer -Identity $server -UMStartupMode $um['startup_mode']\n", "", "bind_2010"),
    Mutation("service_binding.2010.ps1", "the certificate enabled for another service", "-Services 'UM' -Force",
             "-Services 'IIS' -Force", "bind_2010"),
    Mutation("certificate_request.none.ps1", "the key made in the user's key set", "'MachineKeySet = TRUE'",
             "'MachineKeySet = FALSE'", "certreq_2010"),
    Mutation("certificate_request.none.ps1", "certreq -accept -user", "if (-not $legacy) { $arguments += '-machine' }\n"
             "    Invoke-ExumCertreq ($arguments + @($path))", "if (-not $legacy) { $arguments += '-user' }\n"
             "    Invoke-ExumCertreq ($arguments + @($path))", "certreq_2010"),
    Mutation("certificate_request.ps1", "the stores opened for the current user", "$Name, 'LocalMachine'",
             "$Name, 'CurrentUser'", "certreq_2010"),
    Mutation("certificate_request.ps1", "Windows Server 2003's SAN attribute on 2008 R2",
             "$legacy = [Environment]::OSVersion.Version.Major -lt 6",
             "$legacy = [Environment]::OSVersion.Version.Major -le 6", "certreq_2010"),
    Mutation("certificate_request.none.ps1", "the key exportable by default",
             "if ($Exportable) { [void]$lines.Add('Exportable = TRUE') } else { "
             "[void]$lines.Add('Exportable = FALSE') }", "[void]$lines.Add('Exportable = TRUE')", "certreq_2010"),
    Mutation("certificate_request.none.ps1", "the request's temporary files left behind",
             "    Remove-ExumFiles $files\n    $request\n", "    $request\n", "certreq_2010"),
    Mutation("certificate_request.ps1", "the record kept after the install",
             "$removed = Remove-ExumRecord\n    @{ 'installed'", "$removed = $false\n    @{ 'installed'",
             "certreq_2010"),
    Mutation("certificate_request.ps1", "the chain not checked before the install", "if (-not $chain['built']) {\n"
             "        return @{ 'installed' = $false", "if ($false) {\n        return @{ 'installed' = $false",
             "certreq_untrusted"),
    Mutation("certificate_request.none.ps1", "try/finally (2.0) in a 1.0 script",
             "    trap { Remove-ExumFiles $Files; break }\n    $output = & certreq.exe $Arguments\n",
             "    try { $output = & certreq.exe $Arguments } finally { }\n", "certreq_2007"),
    Mutation("certificate_request.ps1", "the pending key left behind by discard",
             "if ($null -ne $item) { $store.Remove($item); $removed = $true }",
             "if ($null -ne $item) { $removed = $true }", "certreq_discard"),
    Mutation("certificate_request.2010.ps1", "Import-ExchangeCertificate -Path on 2010 (it takes -FileData)",
             "-FileData ([Convert]::FromBase64String($Certificate))", "-Path $Certificate", "exchange_2010"),
    Mutation("certificate_request.2007sp1.ps1", "2013's -RequestFile on 2007 SP1", "-GenerateRequest -Path $path",
             "-GenerateRequest -RequestFile $path", "exchange_2007"),
    Mutation("exchange_info.ps1", "the request records read from the wrong key",
             "$recordRoot = 'HKLM:\\SOFTWARE\\exchange_um\\certificates\\Requests'",
             "$recordRoot = 'HKCU:\\SOFTWARE\\exchange_um\\certificates\\Requests'", "certreq_discard"),
    Mutation("service_binding.2013.ps1", "Set-UMCallRouterSettings -Identity (it takes -Server)",
             "Set-UMCallRouterSettings -Server $server", "Set-UMCallRouterSettings -Identity $server", "bind_2013"),
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
        _log_1112(host, setup)
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


def _binding_arguments(host: SimulatedHost, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "Thumbprint": _own(host), "StartupMode": "keep", "Services": sorted(host.state.services), "Restart": True,
        "RestartTimeout": 60, "Drain": False, "DrainTimeout": 60, "Rollback": True, "CheckMode": False,
    }  # fmt: skip
    arguments.update(changes)
    return arguments


def _own(host: SimulatedHost) -> str:
    return host.state.stores["My"].entries()[0].thumbprint


def _log_1112(host: SimulatedHost, thumbprint: str) -> None:
    """host-facts.md "UM": the 2007 UM service names the certificate it took at start in event 1112."""
    host.state.write_event(
        event_id=1112, source="MSExchange Unified Messaging", entry_type="Information",
        message=f"The Unified Messaging server will use the certificate with thumbprint {thumbprint}.",
    )  # fmt: skip


def _bind(runner: Runner, preset: str) -> None:
    host = SimulatedHost(PRESETS[preset])
    data = runner.run(host, "service_binding", _binding_arguments(host), exchange=preset)
    assert data["failure"] is None, data["failure"]
    assert data["restarted"] == sorted(host.state.services)
    assert host.state.presented == dict.fromkeys(host.state.services, _own(host))
    for binding in (host.state.um, host.state.call_router):
        if binding is not None:
            assert (binding.startup_mode, binding.certificate_thumbprint) == ("Dual", _own(host))


def _drain_timeout(runner: Runner, _ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2013"])
    add_calls(host.state, 2, 1000)
    data = runner.run(host, "service_binding", _binding_arguments(host, Drain=True, DrainTimeout=20), exchange="2013")
    assert data["failure"] is not None and data["failure"]["stage"] == "drain" and data["restarted"] == []
    assert len(host.state.calls.active) == 2 and host.state.calls.dropped == 0
    assert host.state.um is not None and host.state.um.certificate_thumbprint is None


def _rollback(runner: Runner, _ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2013"])
    host.state.services["MSExchangeUMCR"].start_failures = 2  # the restart and the rollback's restart
    data = runner.run(host, "service_binding", _binding_arguments(host), exchange="2013")
    assert data["failure"] is not None and data["failure"]["stage"] == "restart"
    assert data["failure"]["service"] == "MSExchangeUMCR"
    for binding in (host.state.um, host.state.call_router):
        assert binding is not None and (binding.startup_mode, binding.certificate_thumbprint) == ("TCP", None)


def _rebind_2007(runner: Runner, _ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2007sp1"])
    _log_1112(host, "0" * 40)  # UM's last choice was another certificate: the restart makes it choose again.
    data = runner.run(host, "service_binding", _binding_arguments(host), exchange="2007sp1")
    assert data["failure"] is None, data["failure"]
    assert data["before"]["um"]["thumbprint"] == "0" * 40
    assert data["after"]["event"] is not None and data["after"]["event"]["thumbprint"] == _own(host)
    assert host.state.presented == {"MSExchangeUM": _own(host)}


def _unsecured_2007(runner: Runner, _ca: TestCa) -> None:
    """UM stopped, its last 1112 naming the certificate, and now unsecured: it starts without a new 1112."""
    host = SimulatedHost(PRESETS["2007sp1"])
    _log_1112(host, _own(host))
    host.state.services["MSExchangeUM"].status = "Stopped"
    host.state.um_settings.secured = False
    data = runner.run(host, "service_binding", _binding_arguments(host, RestartTimeout=10), exchange="2007sp1")
    assert data["failure"] is not None and data["failure"]["fqid"] == "ExumNoCertificateEvent", data["failure"]


def _certreq_pki() -> LabPki:
    return LabPki.create(Path(tempfile.mkdtemp(prefix="mutation-pki-")))


def _certreq_host(preset: str, pki: LabPki) -> SimulatedHost:
    host = SimulatedHost(PRESETS[preset])
    host.state.stores["Root"].add(StoredCertificate(pki.root))
    host.state.stores["CA"].add(StoredCertificate(pki.issuing))
    return host


def _certreq_arguments(host: SimulatedHost, pki: LabPki, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"Step": "prepare", "Fqdn": host.spec.fqdn, "Names": ["um.contoso.lab"],
                                 "Issuers": [thumbprint(pki.issuing)], "RenewBeforeDays": 30, "KeyLength": 2048,
                                 "Exportable": False, "Force": False, "CheckMode": False, "Template": "WebServer",
                                 "Ca": "http://ca/certsrv/"}  # fmt: skip
    arguments.update(changes)
    return arguments


def _install_arguments(host: SimulatedHost, issuer: LabPki, issued: x509.Certificate) -> dict[str, Any]:
    return {"Step": "install", "Fqdn": host.spec.fqdn, "Issuers": [thumbprint(issuer.issuing)],
            "Certificate": b64der(issued)}  # fmt: skip


def _records(host: SimulatedHost) -> list[str]:
    return [key for key in host.state.registry if "exchange_um" in key.lower() and key.lower().endswith(".lab")]


def _certreq(runner: Runner, preset: str) -> None:
    """Key and request made, certificate issued by the lab's CA and installed; the next inspection finds it."""
    pki = _certreq_pki()
    host = _certreq_host(preset, pki)
    prepared = runner.run(host, "certificate_request", _certreq_arguments(host, pki))
    assert prepared["action"] == "request" and _records(host)
    csr = x509.load_pem_x509_csr(prepared["request"].encode("ascii"))
    assert not [path for path in host.state.files.files() if "exum-" in path.lower()]
    issued = pki.sign_csr(csr, template="WebServer")
    installed = runner.run(host, "certificate_request", _install_arguments(host, pki, issued))
    assert installed["installed"] is True
    entry = host.state.stores["My"].get(thumbprint(issued))
    assert entry is not None and entry.private_key is not None and entry.key_exportable is False
    names = [ext.value for ext in issued.extensions if isinstance(ext.value, x509.SubjectAlternativeName)]
    assert [name.get_values_for_type(x509.DNSName) for name in names] == [[host.spec.fqdn, "um.contoso.lab"]]
    assert not host.state.stores["REQUEST"].entries() and not _records(host)
    again = runner.run(host, "certificate_request", _certreq_arguments(host, pki))
    assert again["action"] == "none" and again["usable"]["thumbprint"] == thumbprint(issued)


def _exchange_method(runner: Runner, preset: str) -> None:
    """The exchange method: New-ExchangeCertificate -GenerateRequest, the lab's CA, Import-ExchangeCertificate."""
    pki = _certreq_pki()
    host = _certreq_host(preset, pki)
    prepared = runner.run(host, "certificate_request", _certreq_arguments(host, pki), exchange=preset)
    assert prepared["action"] == "request"
    csr = x509.load_pem_x509_csr(prepared["request"].encode("ascii"))
    issued = pki.sign_csr(csr, template="WebServer")
    installed = runner.run(host, "certificate_request", _install_arguments(host, pki, issued), exchange=preset)
    assert installed["installed"] is True
    entry = host.state.stores["My"].get(thumbprint(issued))
    assert entry is not None and entry.private_key is not None
    assert not host.state.stores["REQUEST"].entries() and not _records(host)


def _certreq_untrusted(runner: Runner, _ca: TestCa) -> None:
    """A certificate whose CA the host does not trust is not installed; the pending key stays for a later run."""
    pki, other = _certreq_pki(), _certreq_pki()
    host = _certreq_host("2010", pki)
    prepared = runner.run(host, "certificate_request", _certreq_arguments(host, pki))
    issued = other.sign_csr(x509.load_pem_x509_csr(prepared["request"].encode("ascii")), template="WebServer")
    answer = runner.run(host, "certificate_request", _install_arguments(host, other, issued))
    assert answer["installed"] is False and host.state.stores["My"].get(thumbprint(issued)) is None
    assert len(host.state.stores["REQUEST"].entries()) == 1


def _certreq_discard(runner: Runner, _ca: TestCa) -> None:
    """exchange_info reports the record; discard removes the pending key and the record."""
    pki = _certreq_pki()
    host = _certreq_host("2010", pki)
    prepared = runner.run(host, "certificate_request", _certreq_arguments(host, pki))
    runner.run(host, "certificate_request", {"Step": "record", "Fqdn": host.spec.fqdn, "RequestId": "7"})
    snapshot = runner.run(host, "exchange_info", {"Services": UM_SERVICES}, exchange="2010")
    records = snapshot["request_records"]
    assert len(records) == 1
    record = records[0]
    assert record["request_id"] == 7 and record["key_thumbprint"] == prepared["key_thumbprint"]
    runner.run(host, "certificate_request", {"Step": "discard", "Fqdn": host.spec.fqdn})
    assert not host.state.stores["REQUEST"].entries() and not _records(host)


SCENARIOS: dict[str, Callable[[Runner, TestCa], None]] = {
    "certreq_2010": lambda runner, _ca: _certreq(runner, "2010"),
    "certreq_2007": lambda runner, _ca: _certreq(runner, "2007sp1"),
    "certreq_untrusted": _certreq_untrusted,
    "certreq_discard": _certreq_discard,
    "exchange_2010": lambda runner, _ca: _exchange_method(runner, "2010"),
    "exchange_2007": lambda runner, _ca: _exchange_method(runner, "2007sp1"),
    "unsecured_2007": _unsecured_2007,
    "bind_2010": lambda runner, _ca: _bind(runner, "2010"),
    "bind_2013": lambda runner, _ca: _bind(runner, "2013"),
    "drain_timeout_2013": _drain_timeout,
    "rollback_2013": _rollback,
    "rebind_2007": _rebind_2007,
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
