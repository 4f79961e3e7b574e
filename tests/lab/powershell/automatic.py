"""Automatic and preference variables, type accelerators, the engine intrinsics and the console.

about_Automatic_Variables: ``$null $true $false $_ $args $input $matches $Error $Host $ExecutionContext``
(``$PSVersionTable`` from 2.0, ``$PSItem`` from 3.0); about_Preference_Variables: ``$ErrorActionPreference``
(Continue), ``$OFS``; about_Environment_Variables: ``$env:NAME``. about_Type_Accelerators and Language
Specification 2.0 clause 4.7 (the accelerators of 1.0/2.0; ``[ordered]``/``[pscustomobject]`` from 3.0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import tree_sitter

from .convert import to_string
from .errors import NotModelled
from .values import (
    CLR2,
    Hashtable,
    NetObject,
    PSArray,
    TypedInt,
    method,
    net_type,
    prop,
    static,
)

if TYPE_CHECKING:
    from .context import Host
    from .interpreter import Engine

__all__ = ["InputEnumerator", "accelerator", "format_for_console", "install_automatic_variables", "read_variable"]

# What's New in Windows PowerShell 3.0 / about_Type_Accelerators.
_ACCELERATORS_3 = {"pscustomobject": "System.Management.Automation.PSObject", "ordered": "ordered"}


def accelerator(engine: Engine, name: str) -> str:
    """The full name behind a type literal's name; the 1.0/2.0 accelerators are registered with the types."""
    key = name.lower()
    if key in _ACCELERATORS_3:
        if engine.has("pscustomobject"):
            return _ACCELERATORS_3[key]
        return name
    return name


@net_type("System.Management.Automation.Internal.Host.InternalHost")
class ConsoleHost(NetObject):
    """$Host of powershell.exe: Name ConsoleHost; Version 1.0.0.0 on 1.0, the engine version later."""

    def __init__(self, level: str) -> None:
        self.level = level

    @prop("Name")
    def _name(self) -> str:
        return "ConsoleHost"

    @prop("Version")
    def _host_version(self) -> Any:
        return _version("1.0.0.0" if self.level == "1.0" else self.level)


@net_type("System.Management.Automation.CommandInvocationIntrinsics")
class CommandInvocation(NetObject):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @method("NewScriptBlock", "System.String")
    def _new_script_block(self, text: str) -> Any:
        return self.engine.new_script_block(text)


@net_type("System.Management.Automation.EngineIntrinsics")
class EngineIntrinsics(NetObject):
    def __init__(self, engine: Engine) -> None:
        self.invoke_command = CommandInvocation(engine)

    @prop("InvokeCommand")
    def _invoke(self) -> CommandInvocation:
        return self.invoke_command


@net_type("System.Management.Automation.Runspaces.PipelineReader`1", interfaces=("System.Collections.IEnumerable",))
class InputEnumerator(NetObject):
    """$input: the pipeline input of a function or script, read once (about_Automatic_Variables: "an enumerator
    ... you can enumerate it only once")."""

    def __init__(self, items: list[Any], *, source: Any = None) -> None:
        self._items = items
        self._source = source
        self._done = False

    def __iter__(self) -> Any:
        if self._done:
            return iter(())
        self._done = True
        if self._source is not None:
            return iter(self._source())
        return iter(self._items)


@net_type("System.IO.StreamReader", base="System.IO.TextReader")
class StdinReader(NetObject):
    """[Console]::In for a redirected standard input (.NET Console.In: "the standard input stream")."""

    def __init__(self, host: Host) -> None:
        self.host = host

    @method("ReadToEnd")
    def _read_to_end(self) -> str:
        # Where powershell.exe feeds stdin to $input (the lab setting stdin_reaches_input), no source says what this
        # stream still holds: refused rather than guessed (docs/lab.md "Lab settings").
        if self.host.spec.stdin_reaches_input:
            raise NotModelled("[Console]::In on a host whose powershell.exe reads stdin for $input")
        return self.host.take_stdin().decode("ascii", errors="replace")


@net_type("System.Console")
class Console(NetObject):
    @prop("In", static_member=True)
    @staticmethod
    def _in(host: Host) -> StdinReader:
        return StdinReader(host)

    @static("WriteLine", "System.String")
    @staticmethod
    def _write_line(host: Host, text: str) -> None:
        raise NotModelled("[Console]::WriteLine (console output outside the pipeline)")


@net_type("System.Collections.ArrayList#Error", base="System.Object")
class ErrorList(NetObject):
    """$Error: newest first."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def __iter__(self) -> Any:
        return iter(list(self.items))

    def __getitem__(self, index: int) -> Any:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    @prop("Count")
    def _count(self) -> int:
        return len(self.items)


def _version(text: str) -> Any:
    from .dotnet.system import Version

    return Version(*(int(part) for part in text.split(".")))


def _version_table(engine: Engine) -> Hashtable:
    level = engine.level
    clr = "2.0.50727.5420" if engine.runtime == CLR2 else "4.0.30319.34209"
    return Hashtable(
        [
            ("PSVersion", _version(level)),
            ("CLRVersion", _version(clr)),
            ("BuildVersion", _version("6.1.7600.16385" if level == "2.0" else "6.3.9600.16406")),
            ("PSCompatibleVersions", PSArray([_version("1.0"), _version("2.0")], "System.Version")),
            ("WSManStackVersion", _version("2.0" if level == "2.0" else "3.0")),
            ("PSRemotingProtocolVersion", _version("2.1" if level == "2.0" else "2.2")),
            ("SerializationVersion", _version("1.1.0.1")),
        ]
    )


def install_automatic_variables(engine: Engine) -> None:
    variables = {
        "ErrorActionPreference": "Continue",
        "OFS": None,
        "Error": ErrorList(),
        "Host": ConsoleHost(engine.level),
        "ExecutionContext": EngineIntrinsics(engine),
        "PID": 4242,
        "ConfirmPreference": "High",
        "WarningPreference": "Continue",
        "VerbosePreference": "SilentlyContinue",
        "DebugPreference": "SilentlyContinue",
    }
    if engine.has("psversiontable"):
        variables["PSVersionTable"] = _version_table(engine)
    for name, value in variables.items():
        if value is not None or name == "OFS":
            engine.global_scope.variables[name.lower()] = value
    engine.global_scope.variables.pop("ofs", None)
    # The script's $input: stdin lines when powershell.exe feeds them to it (a host setting: see docs/lab.md).
    if engine.host.spec.stdin_reaches_input:
        engine.global_scope.variables["input"] = InputEnumerator([], source=lambda: _stdin_lines(engine.host))
    else:
        engine.global_scope.variables["input"] = InputEnumerator([])


def _stdin_lines(host: Host) -> list[str]:
    text = host.take_stdin().decode("ascii", errors="replace")
    return text.splitlines()


def environment(engine: Engine) -> dict[str, str]:
    """The process's environment block (one for $env: and .NET's Environment; names upper case)."""
    from .dotnet.system import process_state

    return process_state(engine.host).environment


def read_variable(engine: Engine, name: str, node: tree_sitter.Node) -> Any:
    scope_name, _colon, bare = name.rpartition(":")
    lowered = bare.lower()
    if scope_name.lower() == "env":
        return environment(engine).get(bare.upper())
    if scope_name and scope_name.lower() not in ("global", "script", "local", "private"):
        raise NotModelled(f"the variable drive {scope_name}:", line=engine._line)
    if lowered == "null":
        return None
    if lowered == "?":
        return engine.last_ok
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered == "psitem" and engine.has("psitem"):
        lowered = "_"
    if scope_name.lower() == "global":
        return engine.global_scope.variables.get(lowered)
    found, value = engine.scope.lookup(lowered)
    if not found and lowered == "lastexitcode":
        return None
    return value


def format_for_console(engine: Engine, value: Any) -> str:
    """Out-Default of the console host for the objects a script writes: strings and numbers as lines."""
    if value is None:
        return ""
    if isinstance(value, (str, int, float, bool, TypedInt)):
        return to_string(value) + "\r\n"
    raise NotModelled(f"console formatting of a {type(value).__name__} object")
