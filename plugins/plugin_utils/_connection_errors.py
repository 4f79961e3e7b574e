"""What a failed host command says: which WinRM step failed, why, and whether the host may have changed.

The host channel runs one command per operation, so when the connection plugin raises, this is all there is to tell
the user what happened and whether the operation may have run. Facts read off ansible-core 2.16.19 and 2.21.5
(``plugins/connection/winrm.py``) and pywinrm 0.5.0 (``winrm/protocol.py``, ``transport.py``, ``exceptions.py``):

- a failure while opening the shell (``_winrm_connect``, pywinrm ``open_shell``) becomes
  ``AnsibleConnectionFailure("<transport>: <text>")``; a WS-Man fault keeps pywinrm's ``(extended fault data:
  {...})`` text with ``wsmanfault_code``, ``fault_code`` and ``fault_subcode``; an OperationTimeout reads
  ``"<transport>: "``, as pywinrm's ``WinRMOperationTimeoutError`` has no text;
- a failure of ``Command`` (pywinrm ``run_command``) or ``Receive`` (``_winrm_get_command_output``) propagates as it
  was raised: requests' ``ConnectionError`` for a dropped connection, ``WSManFaultError`` for a fault (attributes
  ``fault_subcode``, ``wsman_fault_code``, ``wmierror_code``, ``reason``), ``WinRMOperationTimeoutError`` for
  w:TimedOut outside Receive, ``WinRMTransportError`` ("Bad HTTP response returned from server. Code N") for an HTTP
  error without a fault; a read timeout becomes ``AnsibleConnectionFailure("winrm connection error: ...")``, with
  requests' ``Timeout`` as its ``__context__``;
- a failure of ``Send`` is only warned about: ansible reads the output once more, so the failure surfaces from
  Receive, or as ``AnsibleError("winrm send_input failed; ...")`` when that output holds no JSON;
- with NTLM or Kerberos message encryption, the request after a lost connection goes out on a new connection still
  sealed for the old one, and the service answers HTTP 400 (winrm-protocol.md): "Bad HTTP response ... Code 400";
- ``Signal`` (``cleanup_command``) runs in a ``finally``: its own failure replaces the command's, which stays as
  its ``__context__`` (ansible only warns about a 400 there).

The step is read off the traceback: these functions have the same names from ansible-core 2.16 to 2.21 and in
pywinrm 0.5. A step that cannot be told (another connection plugin, renamed functions) counts as one after which the
host may have changed. The operation's script travels on the command's input and is read whole before it runs, so a
failure before the input was sent (opening the shell, starting the command) cannot have changed the host.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ansible.errors import AnsibleConnectionFailure, AnsibleError

__all__ = ["ConnectionFailure", "classify_connection_error"]

# Libraries under the connection plugins whose exceptions mean "the host could not be talked to".
_TRANSPORT_PACKAGES = frozenset(
    {"requests", "urllib3", "winrm", "pypsrp", "psrp", "spnego", "requests_ntlm", "requests_credssp"}
)
_WINRM_MODULES = frozenset({"ansible.plugins.connection.winrm", "winrm.protocol"})
_STEP_OF_FUNCTION = {
    "_winrm_connect": "connect",
    "open_shell": "connect",
    "_winrm_run_command": "command",
    "run_command": "command",
    "_winrm_write_stdin": "send",
    "_winrm_send_input": "send",
    "send_command_input": "send",
    "_winrm_get_command_output": "receive",
    "_winrm_get_raw_command_output": "receive",
    "get_command_output": "receive",
    "get_command_output_raw": "receive",
    "_raw_get_command_output": "receive",
    "cleanup_command": "cleanup",
}
_WHEN = {
    "connect": "while opening the WinRM shell, before the command was sent",
    "command": "while starting the command, before its input (which carries the operation) was sent",
    "send": "after the command was started",
    "receive": "while reading the command's output, after the command was sent",
    "cleanup": "while ending the command, after its output was read",
    "unknown": "during the command",
}
_BEFORE_INPUT = frozenset({"connect", "command"})

# WSManFault codes (winerror.h, as published in Win32::System::RemoteManagement of the windows crate).
ERROR_WSMAN_OPERATION_TIMEDOUT = 2150858793
ERROR_WSMAN_UNEXPECTED_SELECTORS = 2150858843  # with w:InvalidSelectors for a shell the service does not know
_QUOTA_CODES = frozenset(
    {
        2150858815,  # ERROR_WSMAN_QUOTA_LIMIT
        2150859173,  # ERROR_WSMAN_QUOTA_MAX_SHELLS (MaxShellsPerUser)
        2150859174,  # ERROR_WSMAN_QUOTA_MAX_OPERATIONS (MaxConcurrentOperationsPerUser)
        2150859175,  # ERROR_WSMAN_QUOTA_USER
        2150859176,  # ERROR_WSMAN_QUOTA_SYSTEM
        2150859179,  # ERROR_WSMAN_QUOTA_MAX_SHELLUSERS
        *range(2150859236, 2150859243),  # the plug-in quotas, ERROR_WSMAN_QUOTA_MAX_SHELLS_PPQ .. _MIN_REQUIREMENT_
    }
)

# ansible's texts around pywinrm's: "winrm connection error: <text>" and "<transport>: <text>" (_winrm_connect).
_ANSIBLE_PREFIX = re.compile(
    r"^(?:winrm connection error: )?(?:(?:ntlm|kerberos|basic|credssp|certificate|ssl|plaintext|negotiate): )?",
    re.IGNORECASE,
)
# The AnsibleError texts (not AnsibleConnectionFailure) of the winrm connection that report a connection failure.
_ANSIBLE_CONNECTION_TEXTS = ("winrm send_input failed", "the connection attempt timed out")
# pywinrm's WSManFaultError text: "<reason> (extended fault data: {...})"; codes are ints in 0.5, strings before.
_FAULT_DATA = re.compile(r"^(?P<reason>.*?)\s*\(extended fault data: (?P<data>\{.*\})\)", re.DOTALL)
_FAULT_FIELD = re.compile(r"'(?P<name>wsmanfault_code|fault_subcode|http_status_code)': '?(?P<value>[^',}]*)'?")
_HTTP_CODE = re.compile(r"Bad HTTP response returned from server\. Code (\d{3})")
_TRANSPORT_ONLY = re.compile(r"^\s*\w+:\s*$")  # "ntlm: ": an OperationTimeout while opening the shell
_DETAIL = 300
_TIMED_OUT = "the WinRM service did not complete the request within its OperationTimeout (w:TimedOut)"

_RERUN = "Run the task again: the module reads the host's state first, so a re-run completes or confirms the change."
_RERUN_UNCHANGED = "Run the task again."
_UNCHANGED = "The host was not changed: the operation never reached it."


def after_earlier_commands(message: str, earlier: int) -> str:
    """The message of a failure before this command reached the host, for a task whose ``earlier`` commands ran:
    those may have changed the host (certificate_request's prepare made a key before its install failed)."""
    ran = "command" if earlier == 1 else f"{earlier} commands"
    text = message.replace(
        _UNCHANGED,
        f"The operation may have run and changed the host. This command never reached it, but the task's earlier "
        f"{ran} did.",
    )
    return text[: -len(_RERUN_UNCHANGED)] + _RERUN if text.endswith(_RERUN_UNCHANGED) else text


_ADVICE = {
    "dropped": "If it repeats, check the WinRM service on the host and any proxy, load balancer or firewall between.",
    "timed_out": "If the host is only slow, raise ansible_winrm_read_timeout_sec (kept above "
    "ansible_winrm_operation_timeout_sec).",
    "operation_timeout": "If it repeats, raise ansible_winrm_operation_timeout_sec (and "
    "ansible_winrm_read_timeout_sec above it).",
    "refused": "Check ansible_host, ansible_port and ansible_winrm_scheme, and that a WinRM listener runs on the host "
    "(winrm enumerate winrm/config/listener).",
    "credentials": "Check ansible_user, ansible_password and ansible_winrm_transport.",
    "tls": "Check ansible_winrm_server_cert_validation and ansible_winrm_ca_trust_path.",
    "quota": "Close other WinRM shells of this account or wait until they time out, run fewer forks against this "
    "host, or raise the quota on the host (winrm/config/winrs MaxShellsPerUser, winrm/config/service "
    "MaxConcurrentOperationsPerUser).",
    "service_error": "Check the WinRM service on the host (event log Microsoft-Windows-WinRM/Operational).",
}


@dataclass(frozen=True)
class ConnectionFailure:
    """A connection failure, explained: ``message`` says what happened, when, whether the host may have changed and
    what to do (without the operation's name); ``unreachable`` is False for a fault of a service that answered."""

    cause: str
    step: str
    unreachable: bool
    may_have_changed: bool
    message: str
    subcode: str | None = None
    code: int | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class _Cause:
    kind: str
    what: str
    subcode: str | None = None
    code: int | None = None
    http_status: int | None = None
    note: str = ""  # a sentence after "what happened, when"


def classify_connection_error(error: BaseException) -> ConnectionFailure | None:
    """The explained failure when ``error`` comes from the connection (transport, WinRM service), else None."""
    if not _is_connection_error(error):
        return None
    chain = list(_chain(error))
    cause = next((found for item in chain if (found := _cause_of(item)) is not None), None)
    if cause is None:
        cause = _Cause("other", f"the connection failed ({_detail(error)})")
    step = "send" if cause.kind == "send_failed" else _step(chain)
    may_have_changed = step not in _BEFORE_INPUT
    changed = "The operation may have run and changed the host." if may_have_changed else _UNCHANGED
    advice = " ".join(filter(None, [_ADVICE.get(cause.kind), _RERUN if may_have_changed else _RERUN_UNCHANGED]))
    return ConnectionFailure(
        cause=cause.kind,
        step=step,
        unreachable=cause.kind not in ("quota", "service_error"),
        may_have_changed=may_have_changed,
        message=" ".join(filter(None, [f"{cause.what} {_WHEN[step]}.", cause.note, changed, advice])),
        subcode=cause.subcode,
        code=cause.code,
        http_status=cause.http_status,
    )


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what it was raised from or during, oldest last."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_connection_error(error: BaseException) -> bool:
    if isinstance(error, (AnsibleConnectionFailure, OSError)):
        return True
    if isinstance(error, AnsibleError) and str(error).startswith(_ANSIBLE_CONNECTION_TEXTS):
        return True
    return type(error).__module__.split(".", 1)[0] in _TRANSPORT_PACKAGES


def _step(chain: list[BaseException]) -> str:
    """The WinRM step of the first failure: the deepest known function in the oldest traceback that has one."""
    step = "unknown"
    for error in chain:
        found = None
        traceback = error.__traceback__
        while traceback is not None:
            frame = traceback.tb_frame
            if frame.f_globals.get("__name__") in _WINRM_MODULES:
                found = _STEP_OF_FUNCTION.get(frame.f_code.co_name, found)
            traceback = traceback.tb_next
        step = found or step
    return step


def _detail(error: BaseException) -> str:
    text = " ".join(str(error).split()) or "no message"
    text = text if len(text) <= _DETAIL else text[:_DETAIL] + "..."
    return f"{type(error).__name__}: {text}"


def _cause_of(error: BaseException) -> _Cause | None:
    """What one exception of the chain says; None when it says nothing specific."""
    name = type(error).__name__
    if hasattr(error, "fault_subcode") and hasattr(error, "wsman_fault_code"):  # pywinrm's WSManFaultError
        code = getattr(error, "wmierror_code", None) or getattr(error, "wsman_fault_code", None)
        status = getattr(error, "code", None)
        return _fault(
            getattr(error, "fault_subcode", None),
            int(code) if code is not None else None,
            str(getattr(error, "reason", "") or ""),
            status if isinstance(status, int) else None,
        )
    if name == "WinRMOperationTimeoutError":
        return _Cause("operation_timeout", _TIMED_OUT)
    if name in ("InvalidCredentialsError", "AuthenticationError", "BasicAuthDisabledError"):
        return _Cause("credentials", f"the WinRM service rejected the logon ({_detail(error)})", http_status=401)
    status = getattr(error, "code", None) if name == "WinRMTransportError" else None
    if isinstance(status, int):
        return _http_status(status)
    if isinstance(error, AnsibleError):
        return _ansible_cause(str(error))
    return _transport_cause(error)


def _ansible_cause(text: str) -> _Cause | None:
    """What the texts ansible-core's winrm connection raises say (module docstring)."""
    if text.startswith("winrm send_input failed"):
        what = "sending the command's input failed (ansible-core found no result in the output it read afterwards)"
        return _Cause("send_failed", what)
    if "the connection attempt timed out" in text:
        return _Cause("timed_out", "the WinRM service did not answer in time")
    if "credentials were rejected" in text:
        return _Cause("credentials", "the WinRM service rejected the credentials", http_status=401)
    fault = _FAULT_DATA.match(_ANSIBLE_PREFIX.sub("", text, count=1))
    if fault is not None:
        fields = {m.group("name"): m.group("value") for m in _FAULT_FIELD.finditer(fault.group("data"))}
        code = fields.get("wsmanfault_code", "")
        status = fields.get("http_status_code", "")
        return _fault(
            fields.get("fault_subcode") or None,
            int(code) if code.isdigit() else None,
            fault.group("reason"),
            int(status) if status.isdigit() else None,
        )
    if _TRANSPORT_ONLY.match(text):
        return _Cause("operation_timeout", _TIMED_OUT)
    http = _HTTP_CODE.search(text)
    if http is not None:
        return _http_status(int(http.group(1)))
    return _text_cause(text)


def _transport_cause(error: BaseException) -> _Cause | None:
    """requests, urllib3 and socket errors, by what they are (or, wrapped, by their text)."""
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, ConnectionRefusedError):
        return _Cause("refused", f"the WinRM listener refused the connection ({_detail(error)})")
    if isinstance(error, TimeoutError):
        return _Cause("timed_out", f"the WinRM service did not answer in time ({_detail(error)})")
    if isinstance(error, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return _Cause("dropped", f"the WinRM connection was closed without an answer ({_detail(error)})")
    if type(error).__module__.split(".", 1)[0] in _TRANSPORT_PACKAGES or isinstance(error, OSError):
        return _text_cause(text)
    return None


def _text_cause(text: str) -> _Cause | None:
    detail = " ".join(text.split())
    detail = detail if len(detail) <= _DETAIL else detail[:_DETAIL] + "..."
    lowered = text.lower()
    if "ssl" in lowered or "certificate" in lowered:
        return _Cause("tls", f"the TLS connection to the WinRM listener failed ({detail})")
    if "timed out" in lowered:
        return _Cause("timed_out", f"the WinRM service did not answer in time ({detail})")
    if any(
        marker in lowered
        for marker in ("connection refused", "failed to establish a new connection", "name or service not known")
    ):
        return _Cause("refused", f"the WinRM listener could not be reached ({detail})")
    if any(
        marker in lowered
        for marker in (
            "connection aborted",
            "remotedisconnected",
            "connection reset",
            "broken pipe",
            "connection broken",
            "incompleteread",
        )
    ):
        return _Cause("dropped", f"the WinRM connection was closed without an answer ({detail})")
    return None


def _http_status(status: int) -> _Cause:
    if status == 401:
        return _Cause("credentials", "the WinRM service rejected the credentials (HTTP 401)", http_status=401)
    if status == 400:
        return _Cause(
            "http_status",
            "the WinRM service answered HTTP 400 (Bad Request)",
            http_status=400,
            note="With NTLM or Kerberos message encryption this is how a lost connection shows: the client sends a "
            "message sealed for the old connection on a new one, and the service refuses it.",
        )
    what = f"the WinRM service answered HTTP {status} without a WS-Management fault"
    return _Cause("http_status", what, http_status=status)


def _fault(subcode: str | None, code: int | None, reason: str, status: int | None) -> _Cause:
    """A WS-Management fault, by its subcode and WSManFault (or WMI error) code."""
    short = subcode.rsplit(":", 1)[-1] if subcode else ""
    label = ", ".join(filter(None, [subcode, f"code {code}" if code is not None else None]))
    said = " ".join(reason.split())
    said = said if len(said) <= _DETAIL else said[:_DETAIL] + "..."
    if short == "TimedOut" or code == ERROR_WSMAN_OPERATION_TIMEDOUT:
        return _Cause("operation_timeout", _TIMED_OUT, subcode, code, status)
    if short == "InvalidSelectors" or code == ERROR_WSMAN_UNEXPECTED_SELECTORS:
        what = (
            "the WinRM service no longer knows this connection's shell (w:InvalidSelectors: the service restarted, "
            "or the shell was closed)"
        )
        return _Cause("shell_gone", what, subcode, code, status)
    if short == "QuotaLimit" or code in _QUOTA_CODES:
        what = f"the WinRM service refused the request: a quota is used up ({label}: {said})"
        return _Cause("quota", what, subcode, code, status)
    return _Cause("service_error", f"the WinRM service failed the request ({label}: {said})", subcode, code, status)
