"""The running machine in simulated time: services starting and stopping, what UM takes at start, and its calls.

The clock is ``HostState.clock``: the simulated seconds the host has lived through, moved by every charge of the
latency model (powershell.exe starts, Exchange shell loads, Start-Sleep, service timings; hosts/latency.py), never by
real time. Facts followed:

- The Service Control Manager (ServiceController.Start / Stop, StartService / ControlService): a start puts the
  service in StartPending until it reports Running, a stop in StopPending until Stopped; a start the SCM refuses
  fails at once with its Win32 error (ERROR_SERVICE_ALREADY_RUNNING 1056, ERROR_SERVICE_DISABLED 1058,
  ERROR_SERVICE_REQUEST_TIMEOUT 1053); ControlService refuses a stop while the service is START_PENDING or stopped
  (ERROR_SERVICE_CANNOT_ACCEPT_CTRL 1061, ERROR_SERVICE_NOT_ACTIVE 1062).
- host-facts.md "UM": 2007 SP1 chooses its certificate at service start when secured, among the valid certificates
  of the local computer's store, CA-issued first and self-signed as a fallback, and logs it as event 1112 (source
  ``MSExchange Unified Messaging``); 2010/2013 use the certificate recorded on the server object (and, for the 2013
  Call Router, on its SIP protocol object) when the startup mode is TLS or Dual; a change takes effect when the
  service restarts; 1038 is the UM service's start failure (Error).
- host-facts.md "Draining UM": a MSExchangeUM restart ends the worker and so the calls in progress (inferred); a
  disabled (or, on 2013, draining) UM takes no new calls.

Assumed (docs/lab.md "UM runtime"): a service in TLS/Dual mode without a usable recorded certificate, and a secured
2007 UM without any valid certificate, fail to start (1038); the texts of 1038; the Call Router's stop drops no call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .certs import StoredCertificate, in_dates, is_self_signed, windows_name

if TYPE_CHECKING:
    from .state import HostState, Service, UmBinding

__all__ = [
    "CALL_ROUTER_SERVICE",
    "UM_SERVICE",
    "UM_SOURCE",
    "ServiceRefused",
    "accepts_calls",
    "add_calls",
    "boot",
    "component_state",
    "request_start",
    "request_stop",
    "seconds_to_start",
    "seconds_to_stop",
    "settle",
]

UM_SOURCE = "MSExchange Unified Messaging"
UM_SERVICE = "MSExchangeUM"
CALL_ROUTER_SERVICE = "MSExchangeUMCR"
_UM_SERVICES = (UM_SERVICE, CALL_ROUTER_SERVICE)

# Win32 error texts (FormatMessage) of the SCM refusals above.
_ALREADY_RUNNING = (1056, "An instance of the service is already running.")
_DISABLED = (
    1058,
    "The service cannot be started, either because it is disabled or because it has no enabled devices associated "
    "with it.",
)
_REQUEST_TIMEOUT = (1053, "The service did not respond to the start or control request in a timely fashion.")
_CANNOT_ACCEPT = (1061, "The service cannot accept control messages at this time.")
_NOT_ACTIVE = (1062, "The service has not been started.")


class ServiceRefused(Exception):
    """The SCM refused a start or stop: the Win32 error code and its text."""

    def __init__(self, error: tuple[int, str]) -> None:
        super().__init__(error[1])
        self.code, self.text = error


def seconds_to_start(state: HostState, service: Service) -> float:
    """The service's start time: its lab setting, else half the host's ``service_restart_seconds`` (the split is the
    lab's assumption)."""
    return service.start_seconds if service.start_seconds is not None else state.spec.service_restart_seconds / 2


def seconds_to_stop(state: HostState, service: Service) -> float:
    return service.stop_seconds if service.stop_seconds is not None else state.spec.service_restart_seconds / 2


def request_start(state: HostState, service: Service) -> None:
    """ServiceController.Start(): the service goes StartPending and completes after its start time (never while
    ``start_hangs``); a refusal raises :class:`ServiceRefused` and, for a UM service, writes event 1038. An armed
    ``start_failures`` fault makes this start fail so (ERROR_SERVICE_REQUEST_TIMEOUT) and is used up by it."""
    if service.status != "Stopped":
        raise ServiceRefused(_ALREADY_RUNNING)
    if service.start_mode == "Disabled":
        raise ServiceRefused(_DISABLED)
    if service.start_failures > 0:
        service.start_failures -= 1
        if service.name in _UM_SERVICES:
            _start_failed(state, service, "the service did not respond to the start request")
        raise ServiceRefused(_REQUEST_TIMEOUT)
    service.status = "StartPending"
    service.ready_at = None if service.start_hangs else state.clock + seconds_to_start(state, service)


def request_stop(state: HostState, service: Service) -> None:
    """ServiceController.Stop(): StopPending, Stopped after the stop time; refused unless the service runs."""
    if service.status == "Stopped":
        raise ServiceRefused(_NOT_ACTIVE)
    if service.status != "Running":
        raise ServiceRefused(_CANNOT_ACCEPT)
    service.status = "StopPending"
    service.ready_at = state.clock + seconds_to_stop(state, service)


def release_hang(state: HostState, service: Service) -> None:
    """A start that hung completes after its start time from now once the hang is lifted (the control API)."""
    if service.status == "StartPending" and service.ready_at is None and not service.start_hangs:
        service.ready_at = state.clock + seconds_to_start(state, service)


def settle(state: HostState) -> None:
    """Complete what is due by ``state.clock``, in time order: calls end on their own until a service changes."""
    while True:
        due = [
            service
            for service in state.services.values()
            if service.ready_at is not None and service.ready_at <= state.clock
        ]
        if not due:
            state.calls.end_until(state.clock)
            return
        service = min(due, key=lambda candidate: candidate.ready_at or 0.0)
        state.calls.end_until(service.ready_at or 0.0)
        service.ready_at = None
        if service.status == "StartPending":
            _complete_start(state, service)
        elif service.status == "StopPending":
            _complete_stop(state, service)


def boot(state: HostState) -> None:
    """The services started with the machine: what each running UM service took then (no events written)."""
    for service in state.services.values():
        if service.name in _UM_SERVICES and service.status == "Running":
            thumbprint, _entry, failure = _certificate_at_start(state, service.name)
            if thumbprint is not None and failure is None:
                state.presented[service.name] = thumbprint


def _complete_start(state: HostState, service: Service) -> None:
    if service.name not in _UM_SERVICES:
        service.status = "Running"
        return
    thumbprint, entry, failure = _certificate_at_start(state, service.name)
    if failure is not None:
        _start_failed(state, service, failure)
        service.status = "Stopped"
        return
    service.status = "Running"
    if thumbprint is None:
        state.presented.pop(service.name, None)
    else:
        state.presented[service.name] = thumbprint
    if entry is not None and state.spec.exchange_version == "2007sp1":
        state.write_event(event_id=1112, source=UM_SOURCE, entry_type="Information", message=_event_1112(state, entry))
    state.notify_presented()


def _complete_stop(state: HostState, service: Service) -> None:
    service.status = "Stopped"
    if service.name == UM_SERVICE:
        state.calls.drop_all()
    if state.presented.pop(service.name, None) is not None:
        state.notify_presented()


def _start_failed(state: HostState, service: Service, reason: str) -> None:
    # Event 1038 (host-facts.md); the text is the lab's own.
    state.write_event(
        event_id=1038, source=UM_SOURCE, entry_type="Error",
        message=f"The {service.display_name} service could not start: {reason}.",
    )  # fmt: skip


# -- the certificate at start --------------------------------------------------------------------------------------


def _certificate_at_start(state: HostState, name: str) -> tuple[str | None, StoredCertificate | None, str | None]:
    """(thumbprint taken, its store entry, failure): no thumbprint in TCP (unsecured) mode."""
    if state.spec.exchange_version == "2007sp1":
        return _choice_2007(state)
    binding = state.call_router if name == CALL_ROUTER_SERVICE else state.um
    if binding is None or binding.startup_mode in (None, "TCP"):
        return None, None, None
    return _recorded(state, binding)


def _usable(entry: StoredCertificate) -> bool:
    """A valid certificate UM can use: in its dates, with its private key."""
    return entry.has_private_key and in_dates(entry.certificate)


def _recorded(state: HostState, binding: UmBinding) -> tuple[str | None, StoredCertificate | None, str | None]:
    thumbprint = binding.certificate_thumbprint
    if thumbprint is None:
        return None, None, f"UMStartupMode is {binding.startup_mode} and no certificate is assigned"
    entry = state.stores["My"].get(thumbprint)
    if entry is None or not _usable(entry):
        return None, None, f"the assigned certificate {thumbprint} is not a valid certificate with a private key in My"
    return entry.thumbprint, entry, None


def _choice_2007(state: HostState) -> tuple[str | None, StoredCertificate | None, str | None]:
    """2007 SP1 in secured mode: CA-issued (chains to a trusted root) before self-signed; among equals the lab
    setting ``tie_break`` decides (host-facts.md: unsure; newest NotBefore by default)."""
    settings = state.um_settings
    if not settings.secured:
        return None, None, None
    usable = [entry for entry in state.stores["My"].entries() if _usable(entry)]
    if settings.enable_honoured_2007:
        enabled = [entry for entry in usable if "UM" in state.exchange_services.get(entry.thumbprint, set())]
        if enabled:
            return enabled[0].thumbprint, enabled[0], None
    issued = [
        entry for entry in usable if not is_self_signed(entry.certificate) and state.chain_to_root(entry) is not None
    ]
    self_signed = [entry for entry in usable if is_self_signed(entry.certificate)]
    for group in (issued, self_signed):
        if group:
            chosen = sorted(group, key=lambda entry: _tie_key(settings.tie_break, entry))[0]
            return chosen.thumbprint, chosen, None
    return None, None, "secured mode and no valid certificate with a private key in the local computer's store"


def _tie_key(tie_break: str, entry: StoredCertificate) -> float:
    certificate = entry.certificate
    if tie_break == "oldest_not_before":
        return certificate.not_valid_before_utc.timestamp()
    if tie_break == "latest_not_after":
        return -certificate.not_valid_after_utc.timestamp()
    return -certificate.not_valid_before_utc.timestamp()


def _event_1112(state: HostState, entry: StoredCertificate) -> str:
    certificate = entry.certificate
    return state.um_settings.event_1112_text.format(
        thumbprint=entry.thumbprint,
        subject=windows_name(certificate.subject),
        issuer=windows_name(certificate.issuer),
        not_before=certificate.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        not_after=certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


# -- calls ---------------------------------------------------------------------------------------------------------


def component_state(state: HostState, component: str) -> str:
    """2013's effective state of a server component: Inactive if any requester set it so, else Draining if any
    did, else Active (Set-ServerComponentState keeps one state per requester)."""
    states = set(state.components.get(component, {}).values())
    for effective in ("Inactive", "Draining"):
        if effective in states:
            return effective
    return "Active"


def accepts_calls(state: HostState) -> bool:
    """UM answers new calls only while MSExchangeUM runs (and on 2013 the Call Router, with UMCallRouter and the
    server Active); on 2007/2010 only while the UM server's Status is Enabled (Disabled, NoNewCalls refuse)."""
    um = state.services.get(UM_SERVICE)
    if um is None or um.status != "Running":
        return False
    if state.spec.exchange_version == "2013":
        router = state.services.get(CALL_ROUTER_SERVICE)
        return (
            router is not None
            and router.status == "Running"
            and component_state(state, "ServerWideOffline") == "Active"
            and component_state(state, "UMCallRouter") == "Active"
        )
    return state.um_status == "Enabled"


def add_calls(state: HostState, count: int, ends_after: float) -> int:
    """Calls arriving now, each ending ``ends_after`` simulated seconds later; how many UM took."""
    accepted = count if accepts_calls(state) else 0
    state.calls.refused += count - accepted
    state.calls.active += [state.clock + ends_after] * accepted
    return accepted
