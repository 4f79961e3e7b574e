"""The calls of a command in a parsed script, with the nodes of their parameter values, left unevaluated."""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter

from .parser import ParsedScript

__all__ = ["Invocation", "invocations"]


@dataclass(frozen=True)
class Invocation:
    """One call of a command: its line, the parameter names given, and the node after each parameter."""

    command: str
    line: int
    parameters: dict[str, tree_sitter.Node | None]

    def has(self, name: str) -> bool:
        return any(given.lower() == name.lower() for given in self.parameters)

    def value_node(self, name: str) -> tree_sitter.Node | None:
        for given, node in self.parameters.items():
            if given.lower() == name.lower():
                return node
        return None


def invocations(script: ParsedScript, command: str) -> list[Invocation]:
    """Every call of ``command`` (case-insensitive) in source order, values left unevaluated."""
    found = []
    for node in script.nodes_of("command"):
        name = node.child_by_field_name("command_name")
        if name is None or script.text_of(name).lower() != command.lower():
            continue
        parameters: dict[str, tree_sitter.Node | None] = {}
        elements = node.child_by_field_name("command_elements")
        parts = [] if elements is None else [c for c in elements.children if c.type != "command_argument_sep"]
        for index, part in enumerate(parts):
            if part.type != "command_parameter":
                continue
            following = parts[index + 1] if index + 1 < len(parts) else None
            value = following if following is not None and following.type != "command_parameter" else None
            parameters[script.text_of(part)[1:].rstrip(":")] = value
        found.append(Invocation(script.text_of(name), script.position(node)[0], parameters))
    return found
