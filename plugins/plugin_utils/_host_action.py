"""Base of the actions that act on the Exchange host through the host channel.

It owns what every host action shares: the ``exchange_um_host`` fact (read, and returned updated after a change),
the Exchange profile of the host, how its Exchange cmdlets are loaded (``exchange_shell`` and its credential),
check mode and diff flags, and one call into the host channel on the task's own connection. Errors stay exceptions
here; ``ExumActionBase.run`` turns them into results (connection failures into ``unreachable``).
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from ._action import ExumActionBase
from ._argspec import OptionError, account, choice, flag, secret
from ._connection_errors import after_earlier_commands
from ._exchange import (
    SHELLS,
    ExchangeProfile,
    ExchangeShellConfigError,
    ShellCredential,
    dns_name_problem,
    select_profile,
)
from ._host_channel import HostOperationError, HostUnreachable, HostWinrmFault, run_operation
from ._host_facts import FACT_NAME, fact_from_task_vars

__all__ = [
    "HOST_ARGUMENT_SPEC",
    "HOST_CONNECTIONS",
    "SHELL_OPTIONS",
    "ExchangeShellError",
    "HostActionBase",
    "connection_kind",
    "shell_credential",
]

# Mirrors plugins/doc_fragments/host.py. Every host module takes and validates all of them the same way, so that
# one module_defaults group serves the whole collection.
HOST_ARGUMENT_SPEC: dict[str, t.Any] = {
    "use_facts": {"type": flag, "default": True},
    "exchange_shell": {"type": choice(*SHELLS), "default": "snapin"},
    "exchange_shell_username": {"type": account},
    "exchange_shell_password": {"type": secret, "no_log": True},
}
SHELL_OPTIONS = ("exchange_shell", "exchange_shell_username", "exchange_shell_password")

# The connection plugins that run raw PowerShell on a Windows host (docs/host-channel.md).
HOST_CONNECTIONS = ("winrm", "psrp")

# New-PSSession's FullyQualifiedErrorId for a session that did not open ends so ("1312,PSSessionOpenFailed" for the
# second hop, "LogonFailure,PSSessionOpenFailed" for a rejected credential).
_SESSION_OPEN_FAILED = ",PSSessionOpenFailed"


class ExchangeShellError(HostOperationError):
    """The remote Exchange session did not open; ``advice`` says which options to change."""

    def __init__(self, error: HostOperationError, *, advice: str) -> None:
        super().__init__(
            f"the remote Exchange shell did not open: {error.message.rstrip().rstrip('.')}. {advice}.",
            operation=error.operation,
            fqid=error.fqid,
            category=error.category,
            line=error.line,
            location=error.location,
            exception=error.exception,
            rc=error.rc,
        )
        self.advice = advice


def connection_kind(connection: object) -> str:
    """The connection plugin's short name (``winrm``, ``psrp``, ``ssh``, ``local``...)."""
    name = getattr(connection, "transport", None) or getattr(connection, "_load_name", None) or ""
    return str(name).rsplit(".", 1)[-1] or type(connection).__name__


def shell_credential(*, shell: str, username: str | None, password: str | None) -> ShellCredential | None:
    """The credential of the remote Exchange shell, or None; an option combination that cannot work is refused."""
    given = tuple(name for name, value in (("username", username), ("password", password)) if value is not None)
    if not given:
        return None
    if shell != "remote":
        raise OptionError(
            "exchange_shell_username and exchange_shell_password are used only with exchange_shell=remote; "
            "the snap-in runs in the WinRM logon itself",
            options=tuple(f"exchange_shell_{name}" for name in given),
        )
    if username is None:
        raise OptionError(
            "exchange_shell_password was given without exchange_shell_username",
            options=("exchange_shell_password", "exchange_shell_username"),
        )
    if password is None:
        raise OptionError(
            "exchange_shell_username needs exchange_shell_password (the host cannot prompt for it)",
            options=("exchange_shell_username", "exchange_shell_password"),
        )
    return ShellCredential(username=username, password=password)


class HostActionBase(ExumActionBase):
    """Subclasses set ``OPERATION`` (the host script) and implement :meth:`run_host`.

    ``LOADS_EXCHANGE`` is False for an operation that never loads Exchange cmdlets: the shell options are then
    refused when a task sets them (a module_defaults group may still carry them).
    """

    OPERATION: t.ClassVar[str] = ""
    LOADS_EXCHANGE: t.ClassVar[bool] = True
    OWN_ERRORS: t.ClassVar[tuple[type[Exception], ...]] = (HostOperationError, HostWinrmFault)
    _exchange_shell = "snapin"
    _shell_credential: ShellCredential | None = None
    _host_calls = 0  # the task's host calls that completed

    def preflight(self, task_vars: Mapping[str, t.Any]) -> None:
        kind = connection_kind(self._connection)
        if kind not in HOST_CONNECTIONS:
            host = task_vars.get("inventory_hostname") or "this host"
            raise OptionError(
                f"{self._module_name()} runs PowerShell on a Windows host through the inventory's connection, which "
                f"must be winrm or psrp; {host} is reached with {kind}",
                options=("ansible_connection",),
                advice="Set ansible_connection: winrm (or psrp) for the Exchange hosts (docs/connection-setup.md); "
                "nothing was run on the host.",
            )

    def unused_options(self, args: Mapping[str, t.Any]) -> Mapping[str, str]:
        if self.LOADS_EXCHANGE:
            return {}
        return {name: f"{self.OPERATION} loads no Exchange cmdlets" for name in SHELL_OPTIONS}

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        self._host_calls = 0
        self._exchange_shell = args["exchange_shell"]
        self._shell_credential = shell_credential(
            shell=self._exchange_shell,
            username=args.get("exchange_shell_username"),
            password=args.get("exchange_shell_password"),
        )
        snapshot = fact_from_task_vars(task_vars) if args["use_facts"] else None
        # Every host module reads the version the same way, so a bad exchange_um_version fails everywhere alike.
        self.check_shell(self.exchange_profile(task_vars, snapshot))
        return self.run_host(args, task_vars, snapshot=snapshot)

    def run_host(
        self, args: dict[str, t.Any], task_vars: dict[str, t.Any], *, snapshot: dict[str, t.Any] | None
    ) -> dict[str, t.Any]:
        """Decide from ``snapshot`` when it is given; call :meth:`call_host` only when the host must be asked."""
        raise NotImplementedError

    @property
    def check_mode(self) -> bool:
        return bool(self._task.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(self._task.diff)

    def exchange_profile(
        self, task_vars: Mapping[str, t.Any], snapshot: Mapping[str, t.Any] | None
    ) -> ExchangeProfile | None:
        """From the snapshot, else the ``exchange_um_version`` host variable; None when neither says.

        An action sees host variables as the inventory wrote them, so a templated value is rendered first.
        """
        return select_profile(snapshot=snapshot, host_version=self.host_variable(task_vars, "exchange_um_version"))

    def check_shell(self, exchange: ExchangeProfile | None) -> None:
        """exchange_shell=remote on a version that has no remote shell is an option error, before any host call."""
        if self._exchange_shell == "remote" and exchange is not None and not exchange.remote_shell:
            raise OptionError(
                f"exchange_shell=remote needs Exchange 2010 or 2013, and this host runs Exchange {exchange.key}, "
                "whose cmdlets load only as a snap-in: use exchange_shell=snapin",
                options=("exchange_shell",),
            )

    def call_host(
        self,
        arguments: Mapping[str, object],
        *,
        exchange: ExchangeProfile | None,
        fqdn: str | None = None,
        fqdn_source: str = "inventory_hostname",
        fragment: str | None = None,
    ) -> dict[str, t.Any]:
        """One exec_command on this task's connection; ``fqdn`` names the server for a remote Exchange shell.

        The remote shell always authenticates with Kerberos to ``http://<fqdn>/PowerShell/`` (docs/security.md):
        the password never crosses the network and WinRM encrypts the session, but Kerberos needs the DNS name.
        """
        self.check_shell(exchange)
        remote = self._exchange_shell == "remote"
        if remote and exchange is not None:
            problem = dns_name_problem(fqdn)
            if problem is not None:
                shown = f" ({fqdn!r})" if isinstance(fqdn, str) and len(fqdn) <= 80 and fqdn.isprintable() else ""
                raise ExchangeShellConfigError(
                    f"exchange_shell=remote connects to http://<fqdn>/PowerShell/ with Kerberos, and {fqdn_source}"
                    f"{shown} {problem}"
                )
        try:
            reply = run_operation(
                self._connection,
                self.OPERATION,
                arguments,
                exchange=exchange,
                exchange_shell=self._exchange_shell,
                exchange_fqdn=fqdn,
                exchange_credential=self._shell_credential,
                fragment=fragment,
            )
        except (HostUnreachable, HostWinrmFault) as error:
            if self._host_calls and not error.may_have_changed:
                # This command never reached the host, but the task's earlier ones did: the host may have changed.
                error.may_have_changed = True
                error.message = after_earlier_commands(error.message, self._host_calls)
                error.args = (error.message,)
            raise
        except HostOperationError as error:
            if not (remote and exchange is not None and (error.fqid or "").endswith(_SESSION_OPEN_FAILED)):
                raise
            raise ExchangeShellError(error, advice=self._shell_advice(fqdn)) from None
        self._host_calls += 1
        return reply

    def _shell_advice(self, fqdn: str | None) -> str:
        if self._shell_credential is None:
            return (
                "From inside the WinRM logon the Exchange endpoint is a second hop: set exchange_shell_username and "
                "exchange_shell_password (an account allowed to use Exchange remote PowerShell), or use "
                "exchange_shell=snapin, or give the inventory connection Kerberos delegation or CredSSP"
            )
        return (
            f"Check exchange_shell_username and exchange_shell_password, and that the account may use Exchange "
            f"remote PowerShell on http://{fqdn}/PowerShell/"
        )

    @staticmethod
    def facts(snapshot: Mapping[str, t.Any]) -> dict[str, t.Any]:
        return {"ansible_facts": {FACT_NAME: dict(snapshot)}}
