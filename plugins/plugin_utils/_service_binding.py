"""service_binding's logic: validate, decide from the snapshot, ask the host at most once, state every outcome.

The action plugin validates the options and hands the host call in as a function, so this module needs no Ansible
object and is tested with plain tables and recorded host output. The host script (service_binding.ps1 and the
fragment of the host's Exchange version) inspects, drains, binds, restarts, verifies and rolls back in one call and
reports each stage as data; this module turns that into the result and, for a failure, into a message that says
what happened to the binding, the services and the calls (docs/service-binding.md).
"""

from __future__ import annotations

import copy
import typing as t
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from ._argspec import OptionError, shown
from ._exchange import ExchangeProfile
from ._x509 import CertificateError, iso_utc, normalize_thumbprint, parse_iso_utc

__all__ = [
    "EMPTY_RESULT",
    "MODES",
    "BindingOutcome",
    "BindingRequest",
    "ServiceBindingError",
    "certificate_thumbprint",
    "check_request",
    "ensure_binding",
    "fragment_for",
]

MODES = ("TLS", "Dual", "keep")
# Get-ExchangeCertificate's Services column in the order Exchange prints its flags (host-facts.md).
_SERVICE_FLAGS = ("IMAP", "POP", "UM", "IIS", "SMTP", "Federation", "UMCallRouter")
# The binding parts of the host script's answer, and what Exchange and the results call them.
_PARTS = (("um", "UM"), ("call_router", "UMCallRouter"))

# Every documented result key, with its value for a task that fails before it knows the value.
EMPTY_RESULT: dict[str, t.Any] = {
    "previous_thumbprint": None,
    "thumbprint": None,
    "services": [],
    "startup_modes": {},
    "restarted": [],
    "restart_pending": [],
    "drained_calls": 0,
    "event": None,
    "rolled_back": False,
}

# docs/connection-setup.md "The double hop": Exchange's drain cmdlets read Active Directory with the caller's rights.
_DIRECTORY_ADVICE = (
    "The drain cmdlets read Active Directory with the WinRM logon's rights, which a logon made with NTLM or Basic "
    "cannot lend onward: connect with CredSSP or Kerberos delegation (on 2010 and 2013 also exchange_shell=remote "
    "with a credential), or restart without drain=true in a quiet moment."
)

HostCall = Callable[[Mapping[str, object], str | None], Mapping[str, t.Any]]


class ServiceBindingError(Exception):
    """A binding that cannot be made as asked, or one that failed on the host; ``reason`` says which."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


def certificate_thumbprint(value: object) -> str:
    """Argument type of ``thumbprint``: SHA-1 hex in any case, spaces and colons allowed, or certificate_request's
    registered result (its ``thumbprint``)."""
    if isinstance(value, Mapping):
        if "thumbprint" not in value:
            raise TypeError(
                "thumbprint takes a thumbprint or certificate_request's registered result, got a dict without "
                "a thumbprint key"
            )
        value = value["thumbprint"]
    if not isinstance(value, str):
        raise TypeError(f"thumbprint must be a string of 40 hex digits, got {shown(value)}")
    if len(value) > 256:
        raise ValueError(f"a thumbprint has 40 hex digits, got a {len(value)}-character string")
    try:
        digits = normalize_thumbprint(value)
    except CertificateError as error:
        raise ValueError(str(error)) from None
    if len(digits) != 40:
        raise ValueError(
            f"Windows names a certificate by its SHA-1 thumbprint (40 hex digits), got {len(digits)} digits"
        )
    return digits


@dataclass(frozen=True)
class BindingRequest:
    """The options that shape one binding."""

    thumbprint: str
    startup_mode: str = "keep"
    restart: bool = True
    restart_timeout: int = 300
    drain: bool = False
    drain_timeout: int = 600
    rollback: bool = True


@dataclass(frozen=True)
class BindingOutcome:
    """``result``: every RETURN key (plus ``changed``, and ``diff``/``failed``/``msg``/``warnings`` when they apply);
    ``snapshot``: the ``exchange_um_host`` fact updated after the host was asked, or None."""

    result: dict[str, t.Any]
    snapshot: dict[str, t.Any] | None


def check_request(request: BindingRequest, profile: ExchangeProfile) -> None:
    """Refuse what the host's Exchange version cannot do, before anything is asked of the host."""
    if profile.key == "2007sp1" and request.startup_mode != "keep":
        raise OptionError(
            f"startup_mode={request.startup_mode} needs Exchange 2010 or 2013: Exchange 2007 SP1 has no UM startup "
            "mode (UM starts secured or not from its dial plans' VoIPSecurity). Use startup_mode=keep",
            options=("startup_mode",),
        )


def fragment_for(profile: ExchangeProfile, request: BindingRequest) -> str | None:
    """The fragment variant: on 2007 SP1 only draining needs the snap-in (binding there is a restart)."""
    if profile.key == "2007sp1" and request.drain:
        return "2007sp1drain"
    return None


def wanted_mode(current: object, asked: str) -> str | None:
    """The startup mode a binding must end with: None where the version has none; a TCP server moves to Dual when
    asked to keep its mode."""
    if not current:
        return None
    if asked != "keep":
        return asked
    return "Dual" if current == "TCP" else str(current)


def _my_entry(snapshot: Mapping[str, t.Any], thumbprint: str) -> Mapping[str, t.Any] | None:
    for entry in (snapshot.get("stores") or {}).get("My") or ():
        if isinstance(entry, Mapping) and str(entry.get("thumbprint", "")).upper() == thumbprint:
            return entry
    return None


def check_certificate(snapshot: Mapping[str, t.Any], thumbprint: str, *, now: datetime | None = None) -> None:
    """With the fact: the certificate is in My, has its private key and is valid now (the controller's clock)."""
    entry = _my_entry(snapshot, thumbprint)
    if entry is None:
        raise ServiceBindingError(
            f"the certificate {thumbprint} is not in LocalMachine\\My on this host (exchange_um_host fact): put it "
            "there first (exchange_um.certificates.certificate_request), or refresh the fact with exchange_info",
            reason="not_found",
        )
    name = f"{entry.get('subject') or 'the certificate'} ({thumbprint})"
    if entry.get("has_private_key") is False:
        raise ServiceBindingError(
            f"{name} has no private key in LocalMachine\\My: UM cannot use it. Install the certificate issued for "
            "the request made on this host (certificate_request), which pairs it with its key",
            reason="no_private_key",
        )
    moment = now or datetime.now(timezone.utc)
    start, end = parse_iso_utc(entry.get("not_before")), parse_iso_utc(entry.get("not_after"))
    if start is not None and moment < start:
        raise ServiceBindingError(
            f"{name} is not valid before {iso_utc(start)} (the controller's clock says {iso_utc(moment)})",
            reason="not_yet_valid",
        )
    if end is not None and moment > end:
        raise ServiceBindingError(
            f"{name} expired on {iso_utc(end)} (the controller's clock says {iso_utc(moment)}): renew it first",
            reason="expired",
        )


def _service_states(snapshot: Mapping[str, t.Any]) -> dict[str, str]:
    return {
        str(item.get("name")): str(item.get("status"))
        for item in snapshot.get("services") or ()
        if isinstance(item, Mapping)
    }


def _binding_from_fact(snapshot: Mapping[str, t.Any]) -> dict[str, t.Any] | None:
    """The fact's UM part in the host script's shape, or None when the fact does not show it."""
    um = snapshot.get("um")
    if not isinstance(um, Mapping):
        return None
    router = um.get("call_router")
    return {
        "um": {"startup_mode": um.get("startup_mode"), "thumbprint": um.get("certificate_thumbprint")},
        "call_router": None
        if not isinstance(router, Mapping)
        else {"startup_mode": router.get("startup_mode"), "thumbprint": router.get("certificate_thumbprint")},
        "event": None
        if um.get("certificate_event_time") is None
        else {"time": um.get("certificate_event_time"), "thumbprint": um.get("certificate_thumbprint")},
    }


def _wanted(state: Mapping[str, t.Any], asked: str) -> dict[str, str | None]:
    return {part: wanted_mode((state.get(part) or {}).get("startup_mode"), asked) for part, _name in _PARTS}


def _bound(state: Mapping[str, t.Any], wanted: Mapping[str, str | None], thumbprint: str) -> bool:
    for part, _name in _PARTS:
        binding = state.get(part)
        if binding is None:
            continue
        if str(binding.get("thumbprint") or "").upper() != thumbprint:
            return False
        if wanted[part] is not None and binding.get("startup_mode") != wanted[part]:
            return False
    return True


def _modes(state: Mapping[str, t.Any] | None) -> dict[str, str]:
    if state is None:
        return {}
    return {
        name: str(state[part]["startup_mode"]) for part, name in _PARTS if (state.get(part) or {}).get("startup_mode")
    }


def _predicted(state: Mapping[str, t.Any], wanted: Mapping[str, str | None], thumbprint: str) -> dict[str, t.Any]:
    after = copy.deepcopy(dict(state))
    for part, _name in _PARTS:
        if after.get(part) is not None:
            after[part] = {"thumbprint": thumbprint, "startup_mode": wanted[part]}
    return after


def _diff_text(state: Mapping[str, t.Any], services: Mapping[str, str]) -> str:
    lines = []
    for part, name in _PARTS:
        binding = state.get(part)
        if binding is None:
            continue
        mode = f" (startup mode {binding['startup_mode']})" if binding.get("startup_mode") else ""
        lines.append(f"{name}: {binding.get('thumbprint') or 'no certificate'}{mode}\n")
    lines += [f"{name}: {status}\n" for name, status in services.items()]
    return "".join(lines)


def _event(state: Mapping[str, t.Any] | None) -> dict[str, t.Any] | None:
    event = (state or {}).get("event")
    if not isinstance(event, Mapping):
        return None
    return {key: event.get(key) for key in ("time", "thumbprint", "message") if key in event}


def _base_result(
    *, profile: ExchangeProfile, before: Mapping[str, t.Any], after: Mapping[str, t.Any], thumbprint: str | None
) -> dict[str, t.Any]:
    return {
        "previous_thumbprint": (before.get("um") or {}).get("thumbprint"),
        "thumbprint": thumbprint,
        "services": list(profile.um_services),
        "startup_modes": _modes(after),
        "event": _event(after) if profile.key == "2007sp1" else None,
    }


def _describe(certificates: Sequence[Mapping[str, t.Any]], thumbprint: str | None) -> str:
    for entry in certificates:
        if str(entry.get("thumbprint", "")).upper() == (thumbprint or ""):
            kind = "self-signed" if entry.get("subject") == entry.get("issuer") else f"issued by {entry.get('issuer')}"
            return f"{entry.get('subject')} ({thumbprint}, {kind}, valid from {entry.get('not_before')})"
    return f"{thumbprint or 'no certificate'}"


def _why_chosen(certificates: Sequence[Mapping[str, t.Any]], chosen: str | None, wanted: str) -> str:
    """Why UM on 2007 SP1 took ``chosen``: CA-issued before self-signed (documented); among CA-issued ones the
    choice is not documented by Microsoft (docs/service-binding.md)."""
    entries = {str(entry.get("thumbprint", "")).upper(): entry for entry in certificates}
    took, asked = entries.get(chosen or ""), entries.get(wanted)
    if took is None or asked is None:
        return "UM chooses among the valid certificates of LocalMachine\\My itself"
    took_self, asked_self = took.get("subject") == took.get("issuer"), asked.get("subject") == asked.get("issuer")
    if asked_self and not took_self:
        return "UM prefers a CA-issued certificate to a self-signed one"
    if not asked_self and not took_self:
        return (
            "of several valid CA-issued certificates, which one UM takes is not documented by Microsoft (the one "
            f"it took is valid from {took.get('not_before')}, the one asked for from {asked.get('not_before')})"
        )
    return "UM chose it among the valid certificates of LocalMachine\\My"


def _stage_text(failure: Mapping[str, t.Any]) -> str:
    message = str(failure.get("message") or "unknown error").rstrip().rstrip(".")
    fqid = f" [{failure['fqid']}]" if failure.get("fqid") else ""
    return f"{message}{fqid}"


def _left(after: Mapping[str, t.Any], reply: Mapping[str, t.Any]) -> str:
    return _diff_text(after, reply.get("services_after") or {}).strip().replace("\n", ", ")


def _failure_message(reply: Mapping[str, t.Any], request: BindingRequest, profile: ExchangeProfile) -> str:
    failure = reply["failure"]
    before, after = reply["before"], reply["after"]
    stage = failure.get("stage")
    previous = (before.get("um") or {}).get("thumbprint")
    states = ", ".join(f"{name} {status}" for name, status in (reply.get("services_after") or {}).items())
    calls = ""
    if reply.get("undrain_failure"):
        calls = f" UM could not be set to take new calls again: {_stage_text(reply['undrain_failure'])}; do it by hand."
    elif request.drain and stage != "drain":
        calls = " UM takes new calls again."
    if stage == "drain":
        advice = "Run again in a quieter moment or with a longer drain_timeout."
        if "ArgumentNullException" in str(failure.get("fqid") or ""):
            advice = _DIRECTORY_ADVICE
        taking = calls if reply.get("undrain_failure") else " UM takes new calls as before."
        return (
            f"draining UM before the restart did not finish: {_stage_text(failure)}. Nothing was bound or "
            f"restarted.{taking} {advice}"
        )
    if stage == "verify" and profile.key == "2007sp1":
        event = _event(after) or {}
        chosen = event.get("thumbprint")
        if chosen and chosen != request.thumbprint:
            certificates = reply.get("certificates") or []
            return (
                f"MSExchangeUM restarted and took {_describe(certificates, chosen)} instead of "
                f"{_describe(certificates, request.thumbprint)} (event 1112 at {event.get('time')}): "
                f"{_why_chosen(certificates, chosen, request.thumbprint)}. Exchange 2007 SP1 cannot be told which "
                "certificate to use: remove the other certificate from LocalMachine\\My (or let it expire), then run "
                f"again. Services: {states}.{calls}"
            )
    if stage == "verify":
        return (
            f"the services restarted, but the binding could not be confirmed: {_stage_text(failure)}. "
            f"Services: {states}.{calls}"
        )
    what = (
        f"{failure.get('service')} did not come back after the restart (restart_timeout {request.restart_timeout} s): "
        f"{_stage_text(failure)}"
        if stage == "restart"
        else f"binding {request.thumbprint} failed: {_stage_text(failure)}"
    )
    if reply.get("rolled_back") and profile.key == "2007sp1":
        # Nothing is bound on 2007 SP1: UM chose again when it started, and its new event 1112 says what it took.
        taken = (_event(after) or {}).get("thumbprint")
        outcome = (
            f"Rolled back: nothing was bound (UM chooses its certificate itself) and MSExchangeUM started again, "
            f"taking {taken or '(no event 1112)'}; the host is as it was (services: {states})."
        )
    elif reply.get("rolled_back"):
        modes = ", ".join(f"{name} {mode}" for name, mode in _modes(before).items())
        put_back = f"the previous certificate {previous or '(none)'}" + (
            f" and startup modes ({modes})" if modes else ""
        )
        restarted = " and the services restarted" if stage == "restart" else ""
        outcome = f"Rolled back: {put_back} are in place again{restarted}; the host is as it was (services: {states})."
    elif (reply.get("rollback_failure") or {}).get("stage") == "restart":
        undo = reply["rollback_failure"]
        if profile.key == "2007sp1":
            rebound = f"The rollback started the services again, but {undo.get('service')} did not start either"
        else:
            rebound = (
                f"The rollback bound the previous certificate {previous or '(none)'} again, but "
                f"{undo.get('service')} did not start with it either"
            )
        outcome = (
            f"{rebound}: {_stage_text(undo)}. The host is "
            f"left with {_left(after, reply)}: the service fails whatever its certificate; fix its start (the UM "
            "event log, event 1038), then run again."
        )
    elif reply.get("rollback_failure"):
        outcome = (
            f"The rollback failed too: {_stage_text(reply['rollback_failure'])}. The host is left with "
            f"{_left(after, reply)}: put the previous certificate {previous or '(none)'} back by hand, or fix the "
            "cause and run again."
        )
    else:
        outcome = f"rollback is false, so the host is left with {_left(after, reply)}."
    return f"{what}. {outcome}{calls}"


def _arguments(request: BindingRequest, profile: ExchangeProfile, *, check_mode: bool) -> dict[str, object]:
    return {
        "Thumbprint": request.thumbprint,
        "StartupMode": request.startup_mode,
        "Services": list(profile.um_services),
        "Restart": request.restart,
        "RestartTimeout": request.restart_timeout,
        "Drain": request.drain,
        "DrainTimeout": request.drain_timeout,
        "Rollback": request.rollback,
        "CheckMode": check_mode,
    }


def _restart_refused(profile: ExchangeProfile) -> ServiceBindingError:
    return ServiceBindingError(
        "restart=false cannot bind on Exchange 2007 SP1: UM chooses its certificate only when MSExchangeUM starts "
        "(event 1112), so the restart is the binding. Nothing was changed. Set restart=true (with drain=true to "
        "let calls in progress finish first)",
        reason="restart_needed",
    )


def _services_text(services: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    return {name: services.get(name, "missing") for name in names}


def _exchange_services(text: object, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> str:
    present = {part.strip() for part in str(text or "").split(",") if part.strip() and part.strip() != "None"}
    present = (present | set(add)) - set(remove)
    names = [flag for flag in _SERVICE_FLAGS if flag in present] + sorted(present - set(_SERVICE_FLAGS))
    return ", ".join(names) if names else "None"


def updated_snapshot(
    snapshot: Mapping[str, t.Any], reply: Mapping[str, t.Any], profile: ExchangeProfile
) -> dict[str, t.Any]:
    """A copy of ``snapshot`` with UM's binding, startup modes, services and My's Exchange services as the host
    reported them at the end of the call."""
    updated = copy.deepcopy(dict(snapshot))
    after = reply["after"]
    um = updated.get("um")
    if isinstance(um, Mapping):
        um = dict(um)
        um["certificate_thumbprint"] = (after.get("um") or {}).get("thumbprint")
        if profile.key == "2007sp1":
            um["certificate_event_time"] = (after.get("event") or {}).get("time")
        else:
            um["startup_mode"] = (after.get("um") or {}).get("startup_mode")
        if after.get("call_router") is not None:
            um["call_router"] = {
                "startup_mode": after["call_router"].get("startup_mode"),
                "certificate_thumbprint": after["call_router"].get("thumbprint"),
            }
        updated["um"] = um
    states = reply.get("services_after") or {}
    for service in updated.get("services") or ():
        if isinstance(service, dict) and service.get("name") in states:
            service["status"] = states[service["name"]]
    if profile.key != "2007sp1":
        for entry in (updated.get("stores") or {}).get("My") or ():
            if not isinstance(entry, dict) or "services" not in entry:
                continue
            print_ = str(entry.get("thumbprint", "")).upper()
            holds = [name for part, name in _PARTS if str((after.get(part) or {}).get("thumbprint") or "") == print_]
            others = [name for part, name in _PARTS if after.get(part) is not None and name not in holds]
            entry["services"] = _exchange_services(entry["services"], add=holds, remove=others)
    return updated


def ensure_binding(
    *,
    request: BindingRequest,
    profile: ExchangeProfile,
    check_mode: bool,
    diff: bool,
    snapshot: Mapping[str, t.Any] | None,
    call_host: HostCall,
) -> BindingOutcome:
    """Make UM (and on 2013 the Call Router) use ``request.thumbprint``.

    With a ``snapshot`` that shows the binding in place and the services running: no host call. In check mode
    with the snapshot: predicted from it, no host call. Otherwise one host call, read-only in check mode.
    Refusals (:class:`OptionError`, :class:`ServiceBindingError`) come before any host call.
    """
    check_request(request, profile)
    names = list(profile.um_services)
    if snapshot is not None:
        check_certificate(snapshot, request.thumbprint)
        state = _binding_from_fact(snapshot)
        if state is not None:
            services = _services_text(_service_states(snapshot), names)
            wanted = _wanted(state, request.startup_mode)
            bound = _bound(state, wanted, request.thumbprint)
            running = all(status == "Running" for status in services.values())
            if bound and (running or not request.restart):
                result = {**_base_result(profile=profile, before=state, after=state, thumbprint=request.thumbprint)}
                result.update({"changed": False, "restarted": [], "drained_calls": 0, "rolled_back": False})
                if diff:
                    text = _diff_text(state, services)
                    result["diff"] = {"before": text, "after": text}
                return BindingOutcome(result, None)
            if not bound and not request.restart and profile.key == "2007sp1":
                raise _restart_refused(profile)
            if check_mode:
                after = _predicted(state, wanted, request.thumbprint)
                after_services = {name: "Running" for name in names} if request.restart else services
                result = _base_result(profile=profile, before=state, after=after, thumbprint=request.thumbprint)
                result.update({"changed": True, "restarted": names if request.restart else []})
                result["restart_pending"] = [] if request.restart or bound else names
                if diff:
                    result["diff"] = {"before": _diff_text(state, services), "after": _diff_text(after, after_services)}
                return BindingOutcome(result, None)
    read_only = check_mode or (profile.key == "2007sp1" and not request.restart)
    reply = call_host(_arguments(request, profile, check_mode=read_only), fragment_for(profile, request))
    before, after = reply["before"], reply["after"]
    wanted = reply.get("wanted") or _wanted(before, request.startup_mode)
    bound_before = _bound(before, wanted, request.thumbprint)
    if profile.key == "2007sp1" and not request.restart and not bound_before:
        raise _restart_refused(profile)
    services_before = _services_text(reply.get("services_before") or {}, names)
    if read_only:
        after = after if bound_before else _predicted(before, wanted, request.thumbprint)
    after_services = _services_text(reply.get("services_after") or {}, names)
    if check_mode and reply.get("changed") and request.restart:
        after_services = {name: "Running" for name in names}
    thumbprint = request.thumbprint if read_only else (after.get("um") or {}).get("thumbprint")
    result = _base_result(profile=profile, before=before, after=after, thumbprint=thumbprint)
    restarted = list(reply.get("restarted") or [])
    if check_mode and reply.get("changed") and request.restart:
        restarted = names
    pending = [] if request.restart or bound_before else names
    result.update(
        {
            "changed": bool(reply.get("changed")),
            "restarted": restarted,
            "restart_pending": pending,
            "drained_calls": int(reply.get("drained_calls") or 0),
            "rolled_back": bool(reply.get("rolled_back")),
        }
    )
    if diff:
        result["diff"] = {"before": _diff_text(before, services_before), "after": _diff_text(after, after_services)}
    if reply.get("failure"):
        result.update({"failed": True, "msg": _failure_message(reply, request, profile)})
    elif pending and not check_mode:
        result["msg"] = (
            f"{request.thumbprint} is bound and takes effect when {' and '.join(names)} next restart: restart=false "
            "left the services (and the calls in progress) alone"
        )
    updated = updated_snapshot(snapshot, reply, profile) if snapshot is not None and not read_only else None
    return BindingOutcome(result, updated)
