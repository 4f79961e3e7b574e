"""A simulated Windows + Exchange host behind a WinRM endpoint (the endpoint's ``CommandHost``).

A command runs as on Windows: cmd.exe starts the program, powershell.exe decodes and parses its script, PowerShell
refuses what the host's language level, commands and parameters do not allow (tests.pwsh checks, with the errors
PowerShell prints), and the host channel's bootstrap runs the payload from stdin. The payload is checked the same way
with the Exchange cmdlets it loads; then the model of its operation changes the host state and the result line is
printed as the prelude prints it.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable

from tests.pwsh import Catalog, assigned_literal, check_script
from tests.pwsh.errors import LiteralError, ScriptProblem
from tests.pwsh.literals import arguments_of
from tests.pwsh.messages import ambiguous_parameter, parameter_not_found
from tests.pwsh.parser import ParsedScript, parse_script

from ..httpauth import Account, Logon
from .bootstrap import PayloadDecodeError, bootstrap_payload, bootstrap_shape
from .cmdline import CommandLineError, parse_command_line, unknown_option_problem
from .latency import Counters, Work
from .operations import OperationContext, model_for
from .plain import run_plain_script
from .pserrors import LabNoModel, Outcome, clixml_failure, lab_problem, script_error_of
from .result import ScriptError, error_line, result_line
from .shell import exchange_shell_load
from .specs import HostSpec
from .state import HostState
from .syntax import function_parameters, header_operations, invocations

__all__ = ["SimulatedHost"]

_INVOKE = "Invoke-ExumOperation"


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
        with self._lock:
            self.counters.bytes_in += bytes_in
            self.counters.bytes_out += bytes_out

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

    def dump(self) -> dict[str, object]:
        with self._lock:
            return {
                "name": self.name,
                "spec": dataclasses.asdict(self.spec),
                "fqdn": self.spec.fqdn,
                "state": self.state.to_dict(),
                "counters": self.counters.to_dict(),
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
        if line.unknown_option is not None:
            problem = unknown_option_problem(line, powershell=self.spec.powershell_version)
            return clixml_failure(problem, powershell=self.spec.powershell_version)
        try:
            if line.script_from_stdin:
                # powershell.exe -Command -: the script is stdin, in the console's code page.
                return self._run_script(stdin.decode(_codec(codepage), errors="replace"), b"", work)
            if line.script is None:
                raise LabNoModel("powershell.exe without a command (an interactive console)")
            return self._run_script(line.script, stdin, work)
        except LabNoModel as error:
            return clixml_failure(lab_problem(error), powershell=self.spec.powershell_version)

    def _run_script(self, text: str, stdin: bytes, work: Work) -> Outcome:
        import os

        if os.environ.get("LAB_POWERSHELL_ENGINE"):
            from ..powershell import Host, run_powershell

            host = Host(self.spec, self.state, work, accounts=self.domain_accounts, logon=self.logon, stdin=stdin)
            return run_powershell(host, text, catalog=self.catalog)
        level = self.spec.powershell_version
        script = parse_script(text)
        problems = check_script(script, powershell=level, catalog=self.catalog)
        failure = _first(problems, "parse") or _first(problems, "run")
        if failure is not None:
            return clixml_failure(failure, powershell=level)
        silent = _first(problems, "none")
        if silent is not None:
            raise LabNoModel(f"{silent.message} (line {silent.line})", line=silent.line)
        if bootstrap_shape(script).is_bootstrap:
            return self._run_payload(script, stdin, work)
        return run_plain_script(script, self.spec)

    def _run_payload(self, bootstrap: ParsedScript, stdin: bytes, work: Work) -> Outcome:
        try:
            shape, reaches = bootstrap_shape(bootstrap), bool(self.spec.stdin_reaches_input)
            payload = bootstrap_payload(shape, stdin, stdin_reaches_input=reaches)
        except PayloadDecodeError as error:
            raise LabNoModel(error.reason) from None
        if payload is None:
            # The source the bootstrap reads got no stdin (lab setting stdin_reaches_input): it compiles an empty
            # script block, which prints nothing and succeeds.
            return "", "", 0
        level = self.spec.powershell_version
        script = parse_script(payload)
        scripts = header_operations(payload)
        if "prelude" not in scripts:
            raise LabNoModel("a payload without the host channel's prelude")
        shell = exchange_shell_load(script, self.spec, accounts=self.domain_accounts, logon=self.logon)
        exchange = self.spec.exchange_version if shell.loaded else None
        problems = check_script(script, powershell=level, exchange=exchange, catalog=self.catalog)
        parse_failure = _first(problems, "parse")
        if parse_failure is not None:
            return clixml_failure(_new_script_block_failure(bootstrap, parse_failure), powershell=level)
        failures = [problem for problem in problems if problem.when == "run"]
        if shell.failure is not None:
            failures.append(shell.failure)
        if failures:
            # The prelude's trap catches the first error the script meets and ends it (exit 1).
            first = min(failures, key=lambda problem: (problem.line, problem.column))
            return error_line(script_error_of(first)), "", 1
        silent = _first(problems, "none")
        if silent is not None:
            raise LabNoModel(f"{silent.message} (line {silent.line})", line=silent.line)
        if shell.loaded:
            work.load_exchange_shell(self.spec.shell_load_seconds)
        context = OperationContext(self.state, script, scripts, work)
        try:
            arguments = _bound_arguments(script)
            operation = assigned_literal(script, "ExumOperationName")
        except LiteralError as error:
            raise LabNoModel(str(error), line=error.line or 1) from None
        except ScriptError as error:
            return error_line(error), "", 1
        model = model_for(str(operation)) if isinstance(operation, str) else None
        if model is None:
            raise LabNoModel(f"operation {operation!r}")
        try:
            data = model(context, arguments)
        except ScriptError as error:
            return error_line(error), "", 1
        return result_line(data), "", 0


def _codec(codepage: int) -> str:
    return "utf-8" if codepage == 65001 else f"cp{codepage}"


def _first(problems: list[ScriptProblem], when: str) -> ScriptProblem | None:
    return next((problem for problem in problems if problem.when == when), None)


def _new_script_block_failure(bootstrap: ParsedScript, problem: ScriptProblem) -> ScriptProblem:
    """A parse error in the payload surfaces where the bootstrap calls NewScriptBlock, wrapped as a .NET method
    exception (PowerShell wraps exceptions of .NET method calls in MethodInvocationException)."""
    text = bootstrap.text
    column = text.find("NewScriptBlock") + 1 or 1
    return dataclasses.replace(
        problem,
        message=f'Exception calling "NewScriptBlock" with "1" argument(s): "{problem.message}"',
        line=1,
        column=column,
        fqid="DotNetMethodException",
        category="NotSpecified",
        exception="MethodInvocationException",
        source_line=text.splitlines()[0] if text else "",
        length=len("NewScriptBlock"),
        target="",
    )


def _bound_arguments(script: ParsedScript) -> dict[str, object]:
    """The invocation line's named arguments, bound to ``Invoke-ExumOperation``'s parameters by (prefix) name."""
    calls = arguments_of(script, _INVOKE)
    declared = function_parameters(script, _INVOKE)
    if len(calls) != 1 or declared is None:
        defined = "no" if declared is None else "a"
        raise LabNoModel(f"a payload with {len(calls)} calls of {_INVOKE} and {defined} definition")
    line = invocations(script, _INVOKE)[0].line
    bound: dict[str, object] = {}
    for given, value in calls[0].items():
        exact = [name for name in declared if name.lower() == given.lower()]
        matches = exact or [name for name in declared if name.lower().startswith(given.lower())]
        if len(matches) == 1:
            bound[matches[0]] = value
            continue
        if matches:
            message, fqid = ambiguous_parameter(given, matches), f"AmbiguousParameter,{_INVOKE}"
        else:
            message, fqid = parameter_not_found(given), f"NamedParameterNotFound,{_INVOKE}"
        raise ScriptError(
            message,
            fqid=fqid,
            category="InvalidArgument",
            exception="System.Management.Automation.ParameterBindingException",
            line=line,
        )
    return bound
