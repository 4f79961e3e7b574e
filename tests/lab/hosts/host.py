"""A simulated Windows + Exchange host behind a WinRM endpoint (the endpoint's ``CommandHost``).

A command runs as on Windows: cmd.exe starts the program and powershell.exe reads its command line
(tests/lab/hosts/cmdline.py); the lab's PowerShell engine (tests/lab/powershell) runs the script it was given, with
the process's standard input, under the WinRM logon of the command, on this host's simulated machine (HostState),
and prints what the console host prints.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable

from tests.pwsh import Catalog, format_error_clixml

from ..httpauth import Account, Logon
from . import runtime
from .cmdline import CommandLineError, parse_command_line, unknown_option_problem
from .latency import Counters, Work
from .specs import HostSpec
from .state import HostState

__all__ = ["SimulatedHost"]

Outcome = tuple[str, str, int]


class SimulatedHost:
    """One host: its state, counters and latency model. All state changes happen under the host's lock."""

    def __init__(
        self,
        spec: HostSpec,
        *,
        time_scale: float = 0.0,
        catalog: Catalog | None = None,
        domain_accounts: Iterable[Account] = (),
    ) -> None:
        self.spec = spec
        self.domain_accounts = tuple(domain_accounts)
        self.name = spec.name
        self.time_scale = time_scale
        self.catalog = catalog or Catalog.load()
        self.state = HostState.fresh(spec)
        self.counters = Counters()
        # The logon session of the command running now (commands run one at a time, under the lock): who runs it
        # and whether it holds network credentials (tests.lab.httpauth.Logon). None outside a command, and for a
        # command run without WinRM (a test calling run_command directly), which gets no network credentials.
        self.logon: Logon | None = None
        self._lock = threading.Lock()

    # -- CommandHost ---------------------------------------------------------------------------------------------

    def record_traffic(self, *, bytes_in: int, bytes_out: int) -> None:
        """One WinRM HTTP request and its answer: one network round trip (``round_trip_seconds``), counted in the
        simulated seconds, moving the host's clock, and slept scaled by ``time_scale`` before the answer leaves."""
        round_trip = self.spec.round_trip_seconds
        with self._lock:
            self.counters.bytes_in += bytes_in
            self.counters.bytes_out += bytes_out
            if round_trip > 0:
                self.counters.simulated_seconds += round_trip
                self.state.advance(round_trip)
        if self.time_scale > 0 and round_trip > 0:
            time.sleep(round_trip * self.time_scale)

    def record_command(self) -> None:
        with self._lock:
            self.counters.commands += 1

    def run_command(
        self, command_line: str, stdin: bytes, codepage: int, *, logon: Logon | None = None
    ) -> tuple[str, str, int]:
        """Run one WinRS command; the simulated time it costs is slept scaled by ``time_scale``, outside the lock."""
        work = Work()
        with self._lock:
            self.logon = logon
            try:
                outcome = self._run(command_line, stdin, codepage, work)
            finally:
                self.logon = None
            work.add_to(self.counters)
        if self.time_scale > 0 and work.seconds > 0:
            time.sleep(work.seconds * self.time_scale)
        return outcome

    # -- Fleet ---------------------------------------------------------------------------------------------------

    def reset_counters(self) -> None:
        with self._lock:
            self.counters = Counters()

    def write_event(self, *, event_id: int, source: str, entry_type: str, message: str) -> dict[str, object]:
        """An entry in the Application log, as a service on the host writes it (the control API's ``events``)."""
        with self._lock:
            record = self.state.write_event(event_id=event_id, source=source, entry_type=entry_type, message=message)
            return record.to_dict()

    def configure_service(self, name: str, settings: dict[str, object]) -> dict[str, object]:
        """Lab settings of one service (the control API's ``services``): start/stop time, start failures, hang."""
        with self._lock:
            service = next((item for item in self.state.services.values() if item.name.lower() == name.lower()), None)
            if service is None:
                raise KeyError(f"service {name!r} on {self.name}")
            for key, value in settings.items():
                setattr(service, key, value)
            runtime.release_hang(self.state, service)
            return service.to_dict()

    def configure_um(self, settings: dict[str, object]) -> dict[str, object]:
        """UM's lab settings (the control API's ``um``)."""
        with self._lock:
            for key, value in settings.items():
                setattr(self.state.um_settings, key, value)
            return self.state.um_settings.to_dict()

    def add_calls(self, count: int, ends_after: float) -> dict[str, object]:
        """Calls arriving at UM now (the control API's ``calls``): how many it took, and the ledger."""
        with self._lock:
            accepted = runtime.add_calls(self.state, count, ends_after)
            return {"accepted": accepted, "refused": count - accepted, "calls": self.state.calls.to_dict()}

    def dump(self) -> dict[str, object]:
        with self._lock:
            return {
                "name": self.name,
                "spec": dataclasses.asdict(self.spec),
                "fqdn": self.spec.fqdn,
                "state": self.state.to_dict(),
                "counters": self.counters.to_dict(),
                # the simulated clock (hosts/runtime.py): time, not state a command changes
                "clock": round(self.state.clock, 3),
            }

    # -- one command ---------------------------------------------------------------------------------------------

    def _run(self, command_line: str, stdin: bytes, codepage: int, work: Work) -> Outcome:
        try:
            line = parse_command_line(command_line, accepts_execution_policy=bool(self.spec.accepts_execution_policy))
        except CommandLineError as error:
            return "", f"The lab has no model for this command line: {error}\r\n", 1
        if line.program == "hostname" and not line.arguments:
            return self.spec.computer_name + "\r\n", "", 0
        if line.program != "powershell":
            return "", f"The lab has no model for the program {line.program!r}.\r\n", 1
        work.charge("powershell.exe start", self.spec.process_start_seconds)
        # The engine's cmdlets use this package's machine state, so the engine is imported when first needed.
        from ..powershell import Host, run_powershell
        from ..powershell.errors import NotModelled
        from ..powershell.session import not_modelled_problem

        level = self.spec.powershell_version
        if line.unknown_option is not None:
            return "", format_error_clixml(unknown_option_problem(line, powershell=level), powershell=level), 1
        if line.script_from_stdin:
            # powershell.exe -Command -: the script is stdin, in the console's code page.
            script, process_stdin = stdin.decode(_codec(codepage), errors="replace"), b""
        elif line.script is None:
            problem = not_modelled_problem(NotModelled("powershell.exe without a command (an interactive console)"))
            return "", format_error_clixml(problem, powershell=level), 1
        else:
            script, process_stdin = line.script, stdin
        host = Host(self.spec, self.state, work, accounts=self.domain_accounts, logon=self.logon, stdin=process_stdin)
        return run_powershell(host, script, catalog=self.catalog)


def _codec(codepage: int) -> str:
    return "utf-8" if codepage == 65001 else f"cp{codepage}"
