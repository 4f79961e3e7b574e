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
from ._argspec import OptionError
from ._exchange import ExchangeProfile, ShellCredential, select_profile
from ._host_channel import HostOperationError, run_operation
from ._host_facts import FACT_NAME, fact_from_task_vars

__all__ = ["HOST_ARGUMENT_SPEC", "ExchangeShellError", "HostActionBase", "shell_credential"]

# Mirrors plugins/doc_fragments/host.py.
HOST_ARGUMENT_SPEC: dict[str, t.Any] = {
    "use_facts": {"type": "bool", "default": True},
    "exchange_shell": {"type": "str", "default": "snapin", "choices": ["snapin", "remote"]},
    "exchange_shell_username": {"type": "str"},
    "exchange_shell_password": {"type": "str", "no_log": True},
}

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
    """Subclasses set ``OPERATION`` (the host script) and implement :meth:`run_host`."""

    OPERATION: t.ClassVar[str] = ""
    OWN_ERRORS: t.ClassVar[tuple[type[Exception], ...]] = (HostOperationError,)
    _exchange_shell = "snapin"
    _shell_credential: ShellCredential | None = None

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        self._exchange_shell = args.get("exchange_shell", "snapin")
        self._shell_credential = shell_credential(
            shell=self._exchange_shell,
            username=args.get("exchange_shell_username"),
            password=args.get("exchange_shell_password"),
        )
        snapshot = fact_from_task_vars(task_vars) if args.get("use_facts", True) else None
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
        """From the snapshot, else the ``exchange_um_version`` host variable; None when neither says."""
        return select_profile(snapshot=snapshot, host_version=task_vars.get("exchange_um_version"))

    def call_host(
        self,
        arguments: Mapping[str, object],
        *,
        exchange: ExchangeProfile | None,
        fqdn: str | None = None,
    ) -> dict[str, t.Any]:
        """One exec_command on this task's connection; ``fqdn`` names the server for a remote Exchange shell."""
        remote = self._exchange_shell == "remote"
        if remote and exchange is not None and not exchange.remote_shell:
            raise OptionError(
                f"exchange_shell=remote needs Exchange 2010 or 2013, and this host runs Exchange {exchange.key}, "
                "whose cmdlets load only as a snap-in: use exchange_shell=snapin",
                options=("exchange_shell",),
            )
        try:
            return run_operation(
                self._connection,
                self.OPERATION,
                arguments,
                exchange=exchange,
                exchange_shell=self._exchange_shell,
                exchange_fqdn=fqdn,
                exchange_credential=self._shell_credential,
            )
        except HostOperationError as error:
            if not (remote and exchange is not None and (error.fqid or "").endswith(_SESSION_OPEN_FAILED)):
                raise
            raise ExchangeShellError(error, advice=self._shell_advice(fqdn)) from None

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
