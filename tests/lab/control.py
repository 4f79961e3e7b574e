"""The lab's control API: small JSON over HTTP on loopback (routes in docs/architecture.md and docs/lab.md)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ._server import LabHttpServer, LabRequestHandler
from .adcs import AdcsEmulator, RequestStateError
from .hosts.state import TIE_BREAKS
from .pki import UnknownTemplateError

if TYPE_CHECKING:
    from .winrm._faults import FaultPlan

__all__ = ["ControlApi", "ControlError", "ControlServer", "HostFleet"]

LOG = logging.getLogger("tests.lab.control")


class FaultedEndpoint(Protocol):
    """The part of a WinRM endpoint the control API uses."""

    @property
    def faults(self) -> FaultPlan:
        """The faults armed on the endpoint."""


class HostFleet(Protocol):
    """The part of tests.lab.hosts.Fleet the control API uses."""

    @property
    def endpoints(self) -> Mapping[str, FaultedEndpoint]:
        """Each host's WinRM endpoint."""

    def dump(self, name: str) -> dict[str, Any]:
        """The host's state and counters."""

    def reset_counters(self, name: str) -> None:
        """Zero the host's counters."""

    def write_event(self, name: str, *, event_id: int, source: str, entry_type: str, message: str) -> dict[str, object]:
        """Write an entry to the host's Application log; the entry as ``dump`` shows it."""

    def host(self, name: str) -> RuntimeHost:
        """The simulated host (KeyError for an unknown name)."""


class RuntimeHost(Protocol):
    """The part of tests.lab.hosts.SimulatedHost the runtime routes use (services, UM settings, calls)."""

    def configure_service(self, name: str, settings: dict[str, object]) -> dict[str, object]:
        """Set lab settings of a service (KeyError for an unknown service); the service as ``dump`` shows it."""

    def configure_um(self, settings: dict[str, object]) -> dict[str, object]:
        """Set UM's lab settings; all of them."""

    def add_calls(self, count: int, ends_after: float) -> dict[str, object]:
        """Calls arriving now; how many UM took."""


class SipTlsControl(Protocol):
    """The part of tests.lab.hosts.tls.SipTlsListeners the control API uses."""

    def describe(self) -> dict[str, object]:
        """Ports, what listens, the lab settings and the errors of one host's UM SIP TLS listeners."""

    def configure(self, *, um_tls_client_certificate: str | None = None, tls12: bool | None = None) -> object:
        """Change the listeners' lab settings (ValueError for a value they do not take)."""


class ControlError(Exception):
    """A request the control API refuses: HTTP ``status`` and a message for the JSON body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# System.Diagnostics.EventLogEntryType names, and EventLog.WriteEntry's range for the event id (0 to 65535; outside it
# WriteEntry throws ArgumentException): the .NET reference pages of both.
_ENTRY_TYPES = ("Error", "Warning", "Information", "SuccessAudit", "FailureAudit")
_MAX_EVENT_ID = 65535


def _field(body: dict[str, Any], name: str, kind: type, default: Any = None) -> Any:
    value = body.get(name, default)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ControlError(400, f"field {name!r} must be a {kind.__name__}")
    return value


def _seconds(body: dict[str, Any], name: str, *, allow_null: bool = False) -> float | None:
    value = body.get(name)
    if value is None and allow_null and name in body:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ControlError(400, f"field {name!r} must be a number of seconds, 0 or more")
    return float(value)


def _no_other_fields(body: dict[str, Any], known: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(known))
    if unknown:
        raise ControlError(400, f"unknown field(s) {', '.join(unknown)}; known: {', '.join(known)}")


class ControlApi:
    """Routes of the control API, as plain methods taking the JSON body and returning a JSON-able value."""

    def __init__(
        self,
        *,
        adcs: AdcsEmulator,
        fleet: HostFleet | None,
        host_names: list[str],
        pid: int,
        sip_tls: Mapping[str, SipTlsControl] | None = None,
    ) -> None:
        self._sip_tls = dict(sip_tls or {})
        self._adcs = adcs
        self._fleet = fleet
        self._host_names = host_names
        self._pid = pid
        self._routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("GET", re.compile(r"/"), self._status),
            ("GET", re.compile(r"/hosts/([^/]+)"), self._dump),
            ("POST", re.compile(r"/hosts/([^/]+)/reset-counters"), self._reset_counters),
            ("POST", re.compile(r"/hosts/([^/]+)/events"), self._write_event),
            ("GET", re.compile(r"/hosts/([^/]+)/sip-tls"), self._describe_sip_tls),
            ("POST", re.compile(r"/hosts/([^/]+)/sip-tls"), self._configure_sip_tls),
            ("POST", re.compile(r"/hosts/([^/]+)/services/([^/]+)"), self._configure_service),
            ("POST", re.compile(r"/hosts/([^/]+)/um"), self._configure_um),
            ("POST", re.compile(r"/hosts/([^/]+)/calls"), self._add_calls),
            ("GET", re.compile(r"/hosts/([^/]+)/faults"), self._winrm_faults),
            ("POST", re.compile(r"/hosts/([^/]+)/faults"), self._arm_winrm_fault),
            ("POST", re.compile(r"/hosts/([^/]+)/faults/clear"), self._clear_winrm_faults),
            ("GET", re.compile(r"/adcs/requests"), self._requests),
            ("POST", re.compile(r"/adcs/requests/(\d+)/(approve|deny)"), self._resolve),
            ("POST", re.compile(r"/adcs/policy"), self._policy),
            ("POST", re.compile(r"/adcs/renew-ca"), self._renew),
            ("POST", re.compile(r"/adcs/faults"), self._faults),
            ("POST", re.compile(r"/adcs/locale"), self._locale),
            ("GET", re.compile(r"/adcs/counters"), self._adcs_counters),
            ("POST", re.compile(r"/adcs/reset-counters"), self._reset_adcs_counters),
            ("GET", re.compile(r"/adcs/templates"), self._templates),
            ("POST", re.compile(r"/adcs/templates/([^/]+)"), self._template),
        ]

    def call(self, method: str, path: str, body: dict[str, Any]) -> Any:
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler(body, *match.groups())
        raise ControlError(404, f"no route {method} {path}")

    def _status(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"pid": self._pid, "hosts": self._host_names, "adcs": {"url": self._adcs.url}}

    def _host(self, name: str) -> HostFleet:
        if self._fleet is None or name not in self._host_names:
            raise ControlError(404, f"no simulated host {name!r}")
        return self._fleet

    def _dump(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        dumped = self._host(name).dump(name)
        dumped["winrm_faults"] = self._fault_plan(name).describe()
        return dumped

    def _fault_plan(self, name: str) -> FaultPlan:
        endpoint = self._host(name).endpoints.get(name)
        if endpoint is None:
            raise ControlError(404, f"the simulated host {name!r} has no WinRM endpoint")
        return endpoint.faults

    def _winrm_faults(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        return self._fault_plan(name).describe()

    def _arm_winrm_fault(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        kind = _field(body, "kind", str)
        at = body.get("at")
        if at is not None and not isinstance(at, str):
            raise ControlError(400, "field 'at' must be a str")
        count = _field(body, "count", int, 1)
        after = _field(body, "after", int, 0)
        seconds = body.get("seconds", 0)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise ControlError(400, "field 'seconds' must be a number")
        try:
            armed = self._fault_plan(name).arm(kind, at=at, count=count, seconds=float(seconds), after=after)
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        LOG.info("WinRM fault armed on %s: %s", name, armed)
        return armed

    def _clear_winrm_faults(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        return {"host": name, "cleared": self._fault_plan(name).clear()}

    def _reset_counters(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        self._host(name).reset_counters(name)
        return {"host": name, "reset": True}

    def _listeners(self, name: str) -> SipTlsControl:
        self._host(name)
        listeners = self._sip_tls.get(name)
        if listeners is None:
            raise ControlError(404, f"the simulated host {name!r} has no UM SIP TLS listener")
        return listeners

    def _describe_sip_tls(self, body: dict[str, Any], name: str) -> dict[str, object]:
        return self._listeners(name).describe()

    def _configure_sip_tls(self, body: dict[str, Any], name: str) -> dict[str, object]:
        """The listeners' lab settings (docs/lab.md "UM SIP TLS listeners"): ``um_tls_client_certificate``
        (required, requested, none) and ``tls12`` (Server 2008 R2 hosts)."""
        listeners = self._listeners(name)
        _no_other_fields(body, ("um_tls_client_certificate", "tls12"))
        mode = body.get("um_tls_client_certificate")
        if mode is not None and not isinstance(mode, str):
            raise ControlError(400, "field 'um_tls_client_certificate' must be a str")
        tls12 = body.get("tls12")
        if tls12 is not None and not isinstance(tls12, bool):
            raise ControlError(400, "field 'tls12' must be true or false")
        try:
            listeners.configure(um_tls_client_certificate=mode, tls12=tls12)
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        LOG.info("UM SIP TLS settings of %s: %s", name, body)
        return listeners.describe()

    def _write_event(self, body: dict[str, Any], name: str) -> dict[str, object]:
        """An entry a service of the host writes on its own (UM writes its 1112 and 1038 itself: hosts/runtime.py)."""
        event_id = _field(body, "event_id", int)
        if not 0 <= event_id <= _MAX_EVENT_ID:
            raise ControlError(400, f"field 'event_id' must be 0 to {_MAX_EVENT_ID}")
        source = _field(body, "source", str)
        if not source.strip():
            raise ControlError(400, "field 'source' must not be empty")
        entry_type = _field(body, "entry_type", str, "Information")
        if entry_type not in _ENTRY_TYPES:
            raise ControlError(400, f"field 'entry_type' must be one of {', '.join(_ENTRY_TYPES)}")
        message = _field(body, "message", str)
        record = self._host(name).write_event(
            name, event_id=event_id, source=source, entry_type=entry_type, message=message
        )
        LOG.info("event %s from %s written on %s", event_id, source, name)
        return record

    def _configure_service(self, body: dict[str, Any], name: str, service: str) -> dict[str, object]:
        """A service's lab settings (docs/lab.md "UM runtime"): ``start_failures`` (fault injection: the next N
        starts fail, N >= 0), ``start_hangs`` (boolean), ``start_seconds``, ``stop_seconds`` (simulated seconds >= 0,
        or null for the host's default)."""
        settings: dict[str, object] = {}
        if "start_failures" in body:
            failures = _field(body, "start_failures", int)
            if failures < 0:
                raise ControlError(400, "field 'start_failures' must be 0 or more (0 clears the fault)")
            settings["start_failures"] = failures
        if "start_hangs" in body:
            if not isinstance(body["start_hangs"], bool):
                raise ControlError(400, "field 'start_hangs' must be true or false")
            settings["start_hangs"] = body["start_hangs"]
        for key in ("start_seconds", "stop_seconds"):
            if key in body:
                settings[key] = _seconds(body, key, allow_null=True)
        _no_other_fields(body, ("start_failures", "start_hangs", "start_seconds", "stop_seconds"))
        try:
            return self._host(name).host(name).configure_service(service, settings)
        except KeyError as error:
            raise ControlError(404, f"the simulated host {name!r} has no service {service!r}") from error

    def _configure_um(self, body: dict[str, Any], name: str) -> dict[str, object]:
        """UM's lab settings: ``secured``, ``enable_honoured_2007`` (booleans), ``tie_break`` (one of TIE_BREAKS),
        ``event_1112_text`` (with ``{thumbprint}``), ``tcp_refusal_text_2010``."""
        settings: dict[str, object] = {}
        for key in ("secured", "enable_honoured_2007"):
            if key in body:
                if not isinstance(body[key], bool):
                    raise ControlError(400, f"field {key!r} must be true or false")
                settings[key] = body[key]
        if "tie_break" in body:
            if body["tie_break"] not in TIE_BREAKS:
                raise ControlError(400, f"field 'tie_break' must be one of {', '.join(TIE_BREAKS)}")
            settings["tie_break"] = body["tie_break"]
        for key in ("event_1112_text", "tcp_refusal_text_2010"):
            if key in body:
                text = _field(body, key, str)
                if "{thumbprint}" not in text:
                    raise ControlError(400, f"field {key!r} must contain {{thumbprint}}")
                try:
                    text.format(thumbprint="", subject="", issuer="", not_before="", not_after="")
                except (KeyError, IndexError, ValueError) as error:
                    raise ControlError(400, f"field {key!r}: {error!r} is no placeholder of this text") from error
                settings[key] = text
        _no_other_fields(body, ("secured", "enable_honoured_2007", "tie_break", "event_1112_text",
                                "tcp_refusal_text_2010"))  # fmt: skip
        return self._host(name).host(name).configure_um(settings)

    def _add_calls(self, body: dict[str, Any], name: str) -> dict[str, object]:
        """Calls arriving at the host's UM: ``count`` (1 or more), each ending after ``ends_after_seconds``."""
        count = _field(body, "count", int)
        if count < 1:
            raise ControlError(400, "field 'count' must be 1 or more")
        ends_after = _seconds(body, "ends_after_seconds")
        _no_other_fields(body, ("count", "ends_after_seconds"))
        return self._host(name).host(name).add_calls(count, float(ends_after or 0.0))

    def _requests(self, body: dict[str, Any]) -> list[dict[str, object]]:
        return self._adcs.requests()

    def _resolve(self, body: dict[str, Any], request_id: str, action: str) -> dict[str, object]:
        try:
            return self._adcs.approve(int(request_id)) if action == "approve" else self._adcs.deny(int(request_id))
        except RequestStateError as error:
            raise ControlError(404 if error.disposition is None else 409, str(error)) from error

    def _policy(self, body: dict[str, Any]) -> dict[str, Any]:
        policy = _field(body, "policy", str)
        try:
            self._adcs.set_policy(policy)
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        return {"policy": policy}

    def _renew(self, body: dict[str, Any]) -> dict[str, object]:
        return self._adcs.renew_ca()

    def _faults(self, body: dict[str, Any]) -> dict[str, Any]:
        kind = _field(body, "kind", str)
        count = _field(body, "count", int, 1)
        seconds = body.get("seconds", 0)
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise ControlError(400, "field 'seconds' must be a number")
        try:
            self._adcs.inject_fault(kind, count, float(seconds))
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        return {"kind": kind, "count": count, "seconds": float(seconds)}

    def _locale(self, body: dict[str, Any]) -> dict[str, Any]:
        locale = _field(body, "locale", str)
        try:
            self._adcs.set_locale(locale)
        except ValueError as error:
            raise ControlError(400, str(error)) from error
        return {"locale": locale}

    def _adcs_counters(self, body: dict[str, Any]) -> dict[str, int]:
        return self._adcs.counters()

    def _reset_adcs_counters(self, body: dict[str, Any]) -> dict[str, Any]:
        self._adcs.reset_counters()
        return {"reset": True}

    def _templates(self, body: dict[str, Any]) -> list[dict[str, object]]:
        return self._adcs.templates()

    def _template(self, body: dict[str, Any], name: str) -> dict[str, object]:
        """A template's validity period (AD CS: the template's "Validity period"): ``validity_days`` >= 1."""
        days = _field(body, "validity_days", int)
        unknown = set(body) - {"validity_days"}
        if unknown:
            raise ControlError(400, f"unknown field(s) {', '.join(sorted(unknown))}: only 'validity_days'")
        try:
            return self._adcs.set_template_validity(name, days)
        except UnknownTemplateError as error:
            raise ControlError(404, f"the CA offers no template named {name!r} (names, not display names)") from error
        except ValueError as error:
            raise ControlError(400, str(error)) from error


class _ControlHandler(LabRequestHandler):
    server: _ControlHttpServer

    def log_message(self, format: str, *args: object) -> None:
        LOG.info("control %s", format % args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        raw = self.read_body()
        try:
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ControlError(400, "the request body must be a JSON object")
            status, answer = 200, self.server.api.call(self.command, self.path.split("?", 1)[0], body)
        except json.JSONDecodeError as error:
            status, answer = 400, {"error": f"invalid JSON: {error}"}
        except ControlError as error:
            status, answer = error.status, {"error": error.message}
        except KeyError as error:  # a host the fleet does not know
            status, answer = 404, {"error": f"unknown: {error}"}
        data = json.dumps(answer, indent=2, sort_keys=True).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _ControlHttpServer(LabHttpServer):
    def __init__(self, address: tuple[str, int], api: ControlApi) -> None:
        super().__init__(address, _ControlHandler)
        self.api = api


class ControlServer:
    """The control API on ``address`` (an ephemeral port unless given)."""

    def __init__(self, api: ControlApi, address: str, port: int = 0) -> None:
        self._server = _ControlHttpServer((address, port), api)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        self._server.start("lab-control")

    def stop(self) -> None:
        self._server.stop()
