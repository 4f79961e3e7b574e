"""Base of the actions that act on the Exchange host through the host channel.

It owns what every host action shares: the ``exchange_um_host`` fact (read, and returned updated after a change),
the Exchange profile of the host, check mode and diff flags, and one call into the host channel on the task's own
connection. Errors stay exceptions here; ``ExumActionBase.run`` turns them into results (connection failures into
``unreachable``).
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from ._action import ExumActionBase
from ._exchange import ExchangeProfile, select_profile
from ._host_channel import HostOperationError, run_operation
from ._host_facts import FACT_NAME, fact_from_task_vars

__all__ = ["HOST_ARGUMENT_SPEC", "HostActionBase"]

# Mirrors plugins/doc_fragments/host.py.
HOST_ARGUMENT_SPEC: dict[str, t.Any] = {
    "use_facts": {"type": "bool", "default": True},
    "exchange_shell": {"type": "str", "default": "snapin", "choices": ["snapin", "remote"]},
}


class HostActionBase(ExumActionBase):
    """Subclasses set ``OPERATION`` (the host script) and implement :meth:`run_host`."""

    OPERATION: t.ClassVar[str] = ""
    OWN_ERRORS: t.ClassVar[tuple[type[Exception], ...]] = (HostOperationError,)
    _exchange_shell = "snapin"

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        snapshot = fact_from_task_vars(task_vars) if args.get("use_facts", True) else None
        self._exchange_shell = args.get("exchange_shell", "snapin")
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
        return run_operation(
            self._connection,
            self.OPERATION,
            arguments,
            exchange=exchange,
            exchange_shell=self._exchange_shell,
            exchange_fqdn=fqdn,
        )

    @staticmethod
    def facts(snapshot: Mapping[str, t.Any]) -> dict[str, t.Any]:
        return {"ansible_facts": {FACT_NAME: dict(snapshot)}}
