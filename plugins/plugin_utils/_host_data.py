"""An operation's arguments as data that travels beside the script, never inside it.

docs/host-channel.md "Arguments are data": stdin carries the script and a data block, each as base64, joined by
``.``; the bootstrap compiles only the script and leaves the data in ``$exumData``, which the prelude decodes into
``$ExumArguments``. The data is one line per argument, ``<Name> <kind> <values>``, each value base64 of UTF-8, with
kind ``s`` (a string), ``l`` (a list of strings, zero or more values), ``b`` (a boolean, 1 or 0) or ``i`` (an
integer). The script names an argument only by reference (``$ExumArguments['Name']``), so no value is ever part of
script text: nothing to quote or inject, and nothing for script-block logging (event 4104), transcription or an
error's script excerpt to record.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

__all__ = ["HostArgumentError", "encode_arguments", "named_arguments", "reference"]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_INT32 = (-(2**31), 2**31 - 1)


class HostArgumentError(ValueError):
    """A value the data block cannot carry; ``path`` says where it sits in the arguments."""

    def __init__(self, reason: str, *, path: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason
        self.path = path


def reference(name: str) -> str:
    """The expression a host script uses for an argument."""
    if not _NAME.fullmatch(name):
        raise HostArgumentError("not a valid argument name", path=repr(name))
    return f"$ExumArguments['{name}']"


def named_arguments(names: object) -> str:
    """``-Name $ExumArguments['Name'] ...`` for an operation's parameters (named arguments work from 1.0)."""
    return " ".join(f"-{name} {reference(name)}" for name in names)  # type: ignore[attr-defined]


def _text(value: str, path: str) -> str:
    # Windows APIs cut a string at NUL without an error, so a NUL would change what the host acts on.
    if "\x00" in value:
        raise HostArgumentError("a NUL character cannot be passed to the host", path=path)
    return base64.b64encode(value.encode("utf-8", errors="surrogatepass")).decode("ascii")


def _line(name: str, value: object) -> str:
    reference(name)
    if isinstance(value, bool):
        return f"{name} b {_text('1' if value else '0', name)}"
    if isinstance(value, int):
        if not _INT32[0] <= value <= _INT32[1]:
            raise HostArgumentError("an integer outside the 32-bit range", path=name)
        return f"{name} i {_text(str(value), name)}"
    if isinstance(value, str):
        return f"{name} s {_text(value, name)}"
    if isinstance(value, (list, tuple)):
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise HostArgumentError(f"a list element of type {type(item).__name__}", path=f"{name}[{index}]")
            items.append(_text(item, f"{name}[{index}]"))
        return " ".join([name, "l", *items])
    kind = type(value).__name__
    raise HostArgumentError(f"type {kind} is not carried (string, list of strings, bool, int)", path=name)


def encode_arguments(arguments: Mapping[str, object]) -> str:
    """The data block's text: one line per argument (LF-terminated)."""
    return "".join(_line(name, value) + "\n" for name, value in arguments.items())
