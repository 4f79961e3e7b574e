"""The UM runtime through the engine: services in simulated time (ServiceCommands.cs, the ServiceController and SCM
references), UM's certificate at start and events 1112/1038 (host-facts.md "UM"), the binding cmdlets per version
(host-facts.md "Certificate cmdlets", Exchange 15.00.1497 ManageExchangeCertificate), calls and draining
(host-facts.md "Draining UM")."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.lab.hosts import runtime
from tests.lab.hosts.certs import StoredCertificate
from tests.lab.hosts.specs import PRESETS
from tests.lab.hosts.state import HostState

from .cmdlet_host import Run, error_text, run
from .test_cmdlets_exchange import snapin

NOW = datetime.datetime.now(datetime.timezone.utc)
UM = "MSExchangeUM"
UMCR = "MSExchangeUMCR"


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


class Ca:
    """A root CA that the host trusts, issuing leaves with the dates a test needs."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.certificate = (
            x509.CertificateBuilder().subject_name(_name("Runtime Root CA")).issuer_name(_name("Runtime Root CA"))
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=400)).not_valid_after(NOW + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )  # fmt: skip

    def leaf(self, *, days_old: int, days_left: int = 365, key: bool = True, self_signed: bool = False):
        """An RSA leaf (Exchange takes RSA or DSA keys only: ValidateExchangeCertificate)."""
        leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        subject = _name("exch.contoso.lab")
        certificate = (
            x509.CertificateBuilder().subject_name(subject)
            .issuer_name(subject if self_signed else self.certificate.subject)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=days_old))
            .not_valid_after(NOW + datetime.timedelta(days=days_left))
            .sign(leaf_key if self_signed else self.key, hashes.SHA256())
        )  # fmt: skip
        return StoredCertificate(certificate, leaf_key if key else None)


@pytest.fixture(scope="module")
def ca() -> Ca:
    return Ca()


def machine(preset: str, ca: Ca | None = None) -> HostState:
    state = HostState.fresh(PRESETS[preset])
    if ca is not None:
        state.stores["Root"].add(StoredCertificate(ca.certificate))
    return state


def ok(script: str, preset: str, state: HostState, method: str = "ntlm") -> Run:
    result = run(script, preset, machine=state, method=method)
    assert result.stderr == "", error_text(result.stderr)
    return result


def events(state: HostState, event_id: int) -> list[str]:
    return [event.message for event in state.events if event.event_id == event_id]


# -- services in simulated time ----------------------------------------------------------------------------------


def test_start_and_stop_take_their_configured_time() -> None:
    # SCM: Start() leaves the service StartPending until it runs; Start-Service waits (ServiceCommands.cs).
    state = machine("2010")
    state.services[UM].start_seconds = 42.0
    state.services[UM].stop_seconds = 3.0
    result = ok(
        "$s = Get-Service MSExchangeUM; $s.Stop(); [string]$s.Status; Start-Sleep 3; [string]$s.Status; "
        "$s.Start(); [string]$s.Status; Start-Service MSExchangeUM; [string]$s.Status",
        "2010", state,
    )  # fmt: skip
    assert result.lines == ["StopPending", "Stopped", "StartPending", "Running"]
    assert result.host.work.seconds == pytest.approx(3 + 42)
    assert state.clock == pytest.approx(result.host.work.seconds)


def test_a_service_controller_by_name_and_time_order_of_calls_and_stop() -> None:
    # ServiceController(String); a call whose time is up before the stop completes ends, the rest are dropped.
    state = machine("2010")
    state.services[UM].stop_seconds = 10.0
    runtime.add_calls(state, 1, 5)
    runtime.add_calls(state, 1, 50)
    ok(
        "$s = New-Object System.ServiceProcess.ServiceController 'msexchangeum'; $s.Stop(); Start-Sleep 20",
        "2010",
        state,
    )
    assert state.services[UM].status == "Stopped"
    assert state.calls.to_dict() == {"active": 0, "ended": 1, "dropped_calls": 1, "refused": 0}


def test_a_start_that_fails() -> None:
    # The brief's CouldNotStartService text; ServiceController.Start throws InvalidOperationException with the
    # SCM's Win32 error inside; UM writes event 1038 (host-facts.md "UM").
    state = machine("2010")
    state.services[UM].start_failures = 2
    result = run("Restart-Service MSExchangeUM; [string](Get-Service MSExchangeUM).Status", "2010", machine=state)
    assert result.lines == ["Stopped"]
    text = error_text(result.stderr)
    assert (
        "Service 'Microsoft Exchange Unified Messaging (MSExchangeUM)' cannot be started due to the following error: "
        "Cannot start service MSExchangeUM on computer '.'." in text
    )
    assert "CouldNotStartService,Microsoft.PowerShell.Commands.RestartServiceCommand" in text
    assert [event.entry_type for event in state.events if event.event_id == 1038] == ["Error"]
    assert state.events[-1].source == "MSExchange Unified Messaging"
    result = run(
        "$s = Get-Service MSExchangeUM; try { $s.Start() } catch { $_.Exception.InnerException.GetType().FullName; "
        "$_.Exception.InnerException.Message }", "2010", machine=state,
    )  # fmt: skip
    assert result.lines == [
        "System.InvalidOperationException", "Cannot start service MSExchangeUM on computer '.'.",
    ]  # fmt: skip
    # The fault was for the next two starts: each failed start used one, the third start succeeds.
    assert state.services[UM].start_failures == 0
    started = "$s = Get-Service MSExchangeUM; $s.Start(); $s.WaitForStatus('Running', [TimeSpan]::FromSeconds(30)); "
    assert ok(started + "[string]$s.Status", "2010", state).lines == ["Running"]
    assert len([event for event in state.events if event.event_id == 1038]) == 2


def test_a_start_that_hangs() -> None:
    # WaitForStatus(status, TimeSpan) throws System.ServiceProcess.TimeoutException after the timeout; ControlService
    # refuses a stop while START_PENDING; Start-Service would wait without end (not modelled).
    state = machine("2010")
    state.services[UM].start_hangs = True
    result = ok(
        "$s = Get-Service MSExchangeUM; $s.Stop(); $s.WaitForStatus('Stopped'); $s.Start(); "
        "try { $s.WaitForStatus('Running', [TimeSpan]::FromSeconds(30)) } "
        "catch { $_.Exception.InnerException.Message }; "
        "[string]$s.Status; try { $s.Stop() } catch { $_.Exception.InnerException.InnerException.Message }",
        "2010", state,
    )  # fmt: skip
    assert result.lines == [
        "Time out has expired and the operation has not been completed.", "StartPending",
        "The service cannot accept control messages at this time.",
    ]  # fmt: skip
    assert run("Start-Service MSExchangeUM", "2010", machine=state).stderr.count("LabNoModel") == 1
    state.services[UM].start_hangs = False
    runtime.release_hang(state, state.services[UM])
    assert ok("Start-Sleep 5; [string](Get-Service MSExchangeUM).Status", "2010", state).lines == ["Running"]


# -- 2007 SP1: UM chooses at start -------------------------------------------------------------------------------


def test_2007_prefers_ca_issued_then_newest_and_logs_1112(ca: Ca) -> None:
    state = machine("2007sp1", ca)
    older, newer = ca.leaf(days_old=20), ca.leaf(days_old=2)
    keyless, expired = ca.leaf(days_old=1, key=False), ca.leaf(days_old=500, days_left=-1)
    for entry in (older, newer, keyless, expired):
        state.stores["My"].add(entry)
    before = dict(state.presented)
    assert before == {UM: next(iter(state.exchange_services))}  # the setup certificate, taken at boot
    ok("Restart-Service MSExchangeUM", "2007sp1", state)
    assert state.presented == {UM: newer.thumbprint}
    assert newer.thumbprint in events(state, 1112)[-1]
    state.um_settings.tie_break = "oldest_not_before"
    ok("Restart-Service MSExchangeUM", "2007sp1", state)
    assert state.presented == {UM: older.thumbprint}


def test_2007_presented_changes_only_at_the_next_start(ca: Ca) -> None:
    state = machine("2007sp1", ca)
    setup = state.presented[UM]
    state.stores["My"].add(ca.leaf(days_old=1))
    seen: list[dict[str, str]] = []
    state.on_presented = lambda: seen.append(dict(state.presented))
    ok("Start-Sleep 60", "2007sp1", state)
    assert state.presented == {UM: setup} and seen == []
    ok("Stop-Service MSExchangeUM", "2007sp1", state)
    assert state.presented == {} and seen == [{}]


def test_2007_unsecured_presents_nothing_and_logs_no_1112() -> None:
    state = machine("2007sp1")
    state.um_settings.secured = False
    ok("Restart-Service MSExchangeUM", "2007sp1", state)
    assert state.presented == {} and events(state, 1112) == []


def test_2007_records_enable_um_but_chooses_for_itself(ca: Ca) -> None:
    # host-facts.md: whether 2007 honours -Services UM is open; the lab setting defaults to "no".
    state = machine("2007sp1", ca)
    issued = ca.leaf(days_old=3)
    state.stores["My"].add(issued)
    setup = next(iter(state.exchange_services))
    ok(snapin("2007sp1") + f"Enable-ExchangeCertificate -Thumbprint {setup} -Services UM; Restart-Service MSExchangeUM",
       "2007sp1", state, method="credssp")  # fmt: skip
    assert "UM" in state.exchange_services[setup]
    assert state.presented == {UM: issued.thumbprint}
    state.um_settings.enable_honoured_2007 = True
    ok("Restart-Service MSExchangeUM", "2007sp1", state)
    assert state.presented == {UM: setup}


# -- 2010 / 2013: the binding cmdlets ----------------------------------------------------------------------------


def test_2010_refuses_um_in_tcp_mode_then_binds(ca: Ca) -> None:
    state = machine("2010", ca)
    issued = ca.leaf(days_old=1)
    state.stores["My"].add(issued)
    enable = f"Enable-ExchangeCertificate -Server EXCH2010 -Thumbprint {issued.thumbprint} -Services UM -Force"
    refused = run(snapin("2010").replace("'Stop'", "'Continue'") + enable, "2010", machine=state, method="credssp")
    text = error_text(refused.stderr)
    assert "CannotAssignCertificateToUMException,Enable-ExchangeCertificate" in text
    assert issued.thumbprint in text and "TCP" in text
    result = ok(
        snapin("2010") + f"Set-UMServer -Identity EXCH2010 -UMStartupMode Dual; {enable}; "
        "$u = Get-UMServer EXCH2010; [string]$u.UMStartupMode; $u.UMCertificateThumbprint; "
        f"[string](Get-ExchangeCertificate -Server EXCH2010 -Thumbprint {issued.thumbprint}).Services",
        "2010", state, method="credssp",
    )  # fmt: skip
    assert result.lines == ["Dual", issued.thumbprint, "UM"]
    assert state.presented == {}  # UM still runs as it started, in TCP mode
    ok("Restart-Service MSExchangeUM", "2010", state)
    assert state.presented == {UM: issued.thumbprint}
    ok(snapin("2010") + "Set-UMServer -Identity EXCH2010 -UMStartupMode TCP", "2010", state, method="credssp")
    assert state.um is not None and state.um.certificate_thumbprint is None
    assert "UM" not in state.exchange_services[issued.thumbprint]
    assert state.presented == {UM: issued.thumbprint}
    ok("Restart-Service MSExchangeUM", "2010", state)
    assert state.presented == {}


def test_2010_um_moves_to_the_new_certificate_and_services_are_additive(ca: Ca) -> None:
    state = machine("2010", ca)
    setup = next(iter(state.exchange_services))
    issued = ca.leaf(days_old=1)
    state.stores["My"].add(issued)
    ok(snapin("2010") + f"Set-UMServer EXCH2010 -UMStartupMode TLS; "
       f"Enable-ExchangeCertificate -Thumbprint {setup} -Services UM -Force; "
       f"Enable-ExchangeCertificate -Thumbprint {issued.thumbprint} -Services 'UM' -Force",
       "2010", state, method="credssp")  # fmt: skip
    assert state.exchange_services[setup] == {"IMAP", "POP", "IIS", "SMTP"}
    assert state.exchange_services[issued.thumbprint] == {"UM"}


def test_enable_refuses_unusable_certificates(ca: Ca) -> None:
    # EnsureValidExchangeCertificate (no private key); SetUMCertificate: CertificateExpiredException.
    state = machine("2010", ca)
    keyless, expired = ca.leaf(days_old=1, key=False), ca.leaf(days_old=500, days_left=-1)
    state.stores["My"].add(keyless)
    state.stores["My"].add(expired)
    state.um.startup_mode = "Dual"  # type: ignore[union-attr]
    for entry, fqid in ((keyless, "CertificateNotValidForExchangeException"),
                        (expired, "CertificateExpiredException")):  # fmt: skip
        result = run(
            snapin("2010").replace("'Stop'", "'Continue'")
            + f"Enable-ExchangeCertificate -Thumbprint {entry.thumbprint} -Services UM -Force",
            "2010", machine=state, method="credssp",
        )  # fmt: skip
        assert f"{fqid},Enable-ExchangeCertificate" in error_text(result.stderr)
    assert state.um.certificate_thumbprint is None  # type: ignore[union-attr]


def test_binding_cmdlets_need_the_directory() -> None:
    # host-facts.md "Second hop to AD": Enable-ExchangeCertificate and Set-UMServer read and write AD.
    state = machine("2010")
    for script in ("Set-UMServer -Identity EXCH2010 -UMStartupMode Dual", "Get-UMActiveCalls"):
        result = run(snapin("2010") + script, "2010", machine=state, method="ntlm")
        assert result.stderr != ""
    assert state.um is not None and state.um.startup_mode == "TCP"


def test_2013_um_and_call_router_each_have_their_mode_and_certificate(ca: Ca) -> None:
    state = machine("2013", ca)
    issued = ca.leaf(days_old=1)
    state.stores["My"].add(issued)
    refused = run(
        snapin("2013").replace("'Stop'", "'Continue'") + "Set-UMService -Identity EXCH2013 -UMStartupMode TLS; "
        f"Enable-ExchangeCertificate -Thumbprint {issued.thumbprint} -Services 'UM, UMCallRouter' -Force",
        "2013", machine=state, method="credssp",
    )  # fmt: skip
    assert "CannotAssignCertificateToUMCRException,Enable-ExchangeCertificate" in error_text(refused.stderr)
    assert state.um is not None and state.um.certificate_thumbprint is None
    result = ok(
        snapin("2013") + "Set-UMCallRouterSettings -Server EXCH2013 -UMStartupMode Dual; "
        f"Enable-ExchangeCertificate -Thumbprint {issued.thumbprint} -Services 'UM, UMCallRouter' -Force; "
        "Restart-Service MSExchangeUM; Restart-Service MSExchangeUMCR; "
        "[string](Get-UMCallRouterSettings -Server EXCH2013).UMStartupMode; "
        "(Get-UMService EXCH2013).UMCertificateThumbprint",
        "2013", state, method="credssp",
    )  # fmt: skip
    assert result.lines == ["Dual", issued.thumbprint]
    assert state.presented == {UM: issued.thumbprint, UMCR: issued.thumbprint}
    ok(snapin("2013") + "Set-UMService -Identity EXCH2013 -UMStartupMode TCP; Restart-Service MSExchangeUM",
       "2013", state, method="credssp")  # fmt: skip
    assert state.presented == {UMCR: issued.thumbprint}


def test_tls_mode_without_a_certificate_fails_to_start() -> None:
    state = machine("2010")
    ok(snapin("2010") + "Set-UMServer EXCH2010 -UMStartupMode TLS", "2010", state, method="credssp")
    result = run("Restart-Service MSExchangeUM", "2010", machine=state)
    assert "StartServiceFailed,Microsoft.PowerShell.Commands.RestartServiceCommand" in error_text(result.stderr)
    assert state.services[UM].status == "Stopped"
    assert "no certificate is assigned" in events(state, 1038)[-1]


# -- calls and draining ------------------------------------------------------------------------------------------


def test_calls_end_by_themselves_and_a_stop_drops_the_rest() -> None:
    state = machine("2010")
    assert runtime.add_calls(state, 2, 30) == 2
    assert runtime.add_calls(state, 3, 100) == 3
    # the snap-in's load takes 10 simulated seconds (the latency model) before the first count
    result = ok(snapin("2010") + "@(Get-UMActiveCalls -Server EXCH2010).Length; Start-Sleep 20; "
                "@(Get-UMActiveCalls).Length; Stop-Service MSExchangeUM", "2010", state, method="credssp")  # fmt: skip
    assert result.lines == ["5", "3"]
    assert state.calls.to_dict() == {"active": 0, "ended": 2, "dropped_calls": 3, "refused": 0}
    assert runtime.add_calls(state, 1, 5) == 0


def test_2010_drain_with_disable_um_server() -> None:
    # Disable-UMServer: no new calls; -Immediate $false lets the calls in progress finish, $true ends them.
    state = machine("2010")
    runtime.add_calls(state, 2, 30)
    result = ok(
        snapin("2010")
        + "Disable-UMServer -Identity EXCH2010 -Immediate $false; [string](Get-UMServer EXCH2010).Status",
        "2010", state, method="credssp",
    )  # fmt: skip
    assert result.lines == ["Disabled"]
    assert runtime.add_calls(state, 1, 5) == 0 and len(state.calls.active) == 2
    ok(snapin("2010") + "Disable-UMServer -Identity EXCH2010 -Immediate $true; Enable-UMServer EXCH2010", "2010",
       state, method="credssp")  # fmt: skip
    assert state.calls.dropped == 2 and runtime.add_calls(state, 1, 5) == 1


def test_2007_set_um_server_status_no_new_calls() -> None:
    state = machine("2007sp1")
    ok(snapin("2007sp1") + "Set-UMServer -Identity EXCH2007 -Status NoNewCalls", "2007sp1", state, method="credssp")
    assert runtime.add_calls(state, 1, 5) == 0 and state.calls.refused == 1


def test_2013_drain_with_server_component_state() -> None:
    state = machine("2013")
    result = ok(
        snapin("2013") + "Set-ServerComponentState EXCH2013 -Component UMCallRouter -State Draining "
        "-Requester Maintenance; Get-ServerComponentState -Identity EXCH2013 -Component UMCallRouter | "
        "ForEach-Object { $_.State }",
        "2013", state, method="credssp",
    )  # fmt: skip
    assert result.lines == ["Draining"]
    assert runtime.add_calls(state, 1, 5) == 0
    ok(snapin("2013") + "Set-ServerComponentState EXCH2013 -Component UMCallRouter -State Active -Requester "
       "Maintenance", "2013", state, method="credssp")  # fmt: skip
    assert runtime.add_calls(state, 1, 5) == 1
