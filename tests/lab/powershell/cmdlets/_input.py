"""The objects a cmdlet works on: its pipeline input, else the value of its -InputObject parameter.

about_Pipelines: a cmdlet that takes pipeline input by value binds each piped object to -InputObject in turn; given
explicitly, -InputObject is one object, even an array (Sort-Object, Measure-Object, Select-Object and Group-Object
then treat the array as a single object, as their help pages say of -InputObject).
"""

from __future__ import annotations

from typing import Any

from ..commands import CmdletCall

__all__ = ["input_objects"]


def input_objects(call: CmdletCall, parameter: str = "InputObject", *, unroll_parameter: bool = False) -> list[Any]:
    """Piped objects, else ``-InputObject`` (unrolled only where the cmdlet's help says it enumerates it)."""
    if call.has_input:
        return list(call.input)
    if not call.has(parameter):
        return []
    value = call.get(parameter)
    return call.engine.enumerate(value) if unroll_parameter else [value]
