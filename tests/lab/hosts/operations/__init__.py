"""Models of the host operations: one module per operation script (``<name>.py`` for ``host_scripts/<name>.ps1``).

A model applies the documented effect of its script to the host state and returns what the script's last output
would be, or raises :class:`ScriptError` where the script would stop. It reads only the arguments of the invocation
line; it never runs the script text.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tests.pwsh.parser import ParsedScript

from ..latency import Work
from ..result import ScriptError
from ..specs import HostSpec
from ..state import HostState
from ..syntax import throw_line

__all__ = ["OperationContext", "OperationModel", "model_for"]


@dataclass
class OperationContext:
    """What a model may read: the host, the parsed payload and the scripts it is made of; ``work`` takes the
    simulated time of slow steps the operation causes (a service restart)."""

    state: HostState
    script: ParsedScript
    scripts: list[str]
    work: Work

    @property
    def spec(self) -> HostSpec:
        return self.state.spec

    def stop(self, error_id: str, message: str) -> ScriptError:
        """The record ``Stop-ExumOperation`` throws (prelude.ps1): InvalidOperationException, InvalidArgument."""
        return ScriptError(
            message,
            fqid=error_id,
            category="InvalidArgument",
            exception="System.InvalidOperationException",
            line=throw_line(self.script, "Stop-ExumOperation"),
        )


OperationModel = Callable[[OperationContext, Mapping[str, object]], dict[str, object]]


def model_for(operation: str) -> OperationModel | None:
    """The ``run`` function of ``operations/<operation>.py``, or None when the lab has no model for it."""
    if not operation.isidentifier() or operation.startswith("_"):
        return None
    name = f"{__name__}.{operation}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise
    model = getattr(module, "run", None)
    return model if callable(model) else None
