"""Cmdlets as the engine runs them: a registry of implementations, and what one call of a cmdlet sees.

The parameters a cmdlet has on a host come from one place, the catalog the PowerShell checks use
(tests/pwsh/catalog.yml: names and aliases per PowerShell level and Exchange version); an implementation here adds
what binding needs beyond names (positions, switch parameters, the .NET type a value is converted to, the
parameter that takes pipeline input) and the cmdlet's documented effect on the simulated machine.
A cmdlet that the catalog knows but no implementation exists for fails loudly (:class:`NotModelled`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import NotModelled

if TYPE_CHECKING:
    from .context import Host
    from .interpreter import Engine

__all__ = ["CmdletCall", "CmdletSpec", "cmdlet", "implementation_of"]


@dataclass(frozen=True)
class CmdletSpec:
    """How a cmdlet binds and what it does.

    ``types`` maps a parameter to the .NET type its value is converted to ("System.String[]", "System.Int32",
    "System.Management.Automation.ScriptBlock"; parameters not listed take the value as it is); ``switches`` are
    SwitchParameters; ``positional`` the parameters bound by position, in order; ``pipeline`` the parameter that
    receives pipeline input by value (the cmdlet then runs once per input object, as its process block does, with
    that object bound to it and in ``call.input``); ``whole_input`` cmdlets (Sort-Object, Measure-Object,
    Out-String ...) run once with every input object in ``call.input``. Each object an implementation yields is
    written to the pipeline as it is (WriteObject without enumeration: yield the elements to enumerate).
    ``remaining`` is the parameter that takes the positional arguments left over (ValueFromRemainingArguments).
    ``exchange`` marks an Exchange cmdlet (it exists only once the Exchange snap-in or remote session is loaded).
    """

    name: str
    implementation: Callable[[CmdletCall], Iterable[Any] | None]
    positional: tuple[str, ...] = ()
    switches: frozenset[str] = frozenset()
    types: dict[str, str] = field(default_factory=dict)
    pipeline: str | None = None
    exchange: bool = False
    reads_directory: bool = False
    whole_input: bool = False
    remaining: str | None = None


_REGISTRY: dict[str, CmdletSpec] = {}


def cmdlet(
    name: str,
    *,
    positional: tuple[str, ...] = (),
    switches: Iterable[str] = (),
    types: dict[str, str] | None = None,
    pipeline: str | None = None,
    exchange: bool = False,
    reads_directory: bool = False,
    whole_input: bool = False,
    remaining: str | None = None,
) -> Callable[[Callable[[CmdletCall], Iterable[Any] | None]], Callable[[CmdletCall], Iterable[Any] | None]]:
    """Register the implementation of ``name``; ``reads_directory`` marks an Exchange cmdlet that reads or writes
    Active Directory with the caller's rights (it fails under a logon without network credentials)."""

    def register(
        function: Callable[[CmdletCall], Iterable[Any] | None],
    ) -> Callable[[CmdletCall], Iterable[Any] | None]:
        _REGISTRY[name.lower()] = CmdletSpec(
            name,
            function,
            positional=positional,
            switches=frozenset(switches),
            types=dict(types or {}),
            pipeline=pipeline,
            exchange=exchange,
            reads_directory=reads_directory,
            whole_input=whole_input,
            remaining=remaining,
        )
        return function

    return register


def implementation_of(name: str) -> CmdletSpec | None:
    """The registered implementation (the cmdlets package registers them when the engine is imported)."""
    return _REGISTRY.get(name.lower())


@dataclass
class CmdletCall:
    """One invocation of a cmdlet: its bound parameters (canonical names), its pipeline input, the host."""

    spec: CmdletSpec
    engine: Engine
    bound: dict[str, Any]
    input: list[Any] = field(default_factory=list)
    has_input: bool = False
    line: int = 0

    @property
    def host(self) -> Host:
        return self.engine.host

    @property
    def name(self) -> str:
        return self.spec.name

    def has(self, parameter: str) -> bool:
        return parameter.lower() in (name.lower() for name in self.bound)

    def get(self, parameter: str, default: Any = None) -> Any:
        for name, value in self.bound.items():
            if name.lower() == parameter.lower():
                return value
        return default

    def switch(self, parameter: str) -> bool:
        return bool(self.get(parameter, False))

    @property
    def error_action(self) -> str:
        """-ErrorAction, else $ErrorActionPreference (about_CommonParameters, about_Preference_Variables)."""
        given = self.get("ErrorAction")
        if given is not None:
            return str(given)
        return str(self.engine.variable("ErrorActionPreference") or "Continue")

    def write_error(
        self,
        message: str,
        *,
        fqid: str,
        category: str,
        exception: str = "System.Exception",
        target: Any = None,
    ) -> None:
        """A non-terminating error, handled as -ErrorAction / $ErrorActionPreference say."""
        self.engine.write_error(
            message,
            fqid=f"{fqid},{self.command_type_name}",
            category=category,
            exception=exception,
            target=target,
            command=self.spec.name,
            action=self.error_action,
        )

    def throw(self, message: str, *, fqid: str, category: str, exception: str = "System.Exception") -> None:
        """A terminating error of this cmdlet (ThrowTerminatingError)."""
        self.engine.throw(
            message,
            fqid=f"{fqid},{self.command_type_name}",
            category=category,
            exception=exception,
            command=self.spec.name,
        )

    @property
    def command_type_name(self) -> str:
        """The cmdlet class the FullyQualifiedErrorId names (from the catalog)."""
        info = self.engine.catalog.resolve(
            self.spec.name, powershell=self.host.powershell, exchange=self.host.loaded_exchange
        )
        if info is not None and info.type_name:
            return info.type_name
        return self.spec.name

    def not_modelled(self, what: str) -> NotModelled:
        return NotModelled(f"{self.spec.name} {what}", line=self.line)
