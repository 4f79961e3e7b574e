"""Small readers of a parsed script that the host needs beyond tests.pwsh: invocations, parameters, headers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from tests.pwsh.parser import ParsedScript

__all__ = ["Invocation", "function_parameters", "header_operations", "invocations", "throw_line"]

_HEADER = re.compile(r"^#\s*operation:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)


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


def _function(script: ParsedScript, name: str) -> tree_sitter.Node | None:
    for node in script.nodes_of("function_statement"):
        name_node = next((child for child in node.children if child.type == "function_name"), None)
        if name_node is not None and script.text_of(name_node).lower() == name.lower():
            return node
    return None


def function_parameters(script: ParsedScript, name: str) -> list[str] | None:
    """Names of the parameters of function ``name`` (its body's ``param()`` block), or None without the function."""
    function = _function(script, name)
    if function is None:
        return None
    blocks = script.nodes_of("param_block", within=function)
    if not blocks:
        return []
    return [
        script.text_of(variable)[1:]
        for parameter in script.nodes_of("script_parameter", within=blocks[0])
        for variable in parameter.children
        if variable.type == "variable"
    ]


def throw_line(script: ParsedScript, function: str) -> int | None:
    """Line of the first ``throw`` inside ``function`` (where an error record it throws is raised)."""
    node = _function(script, function)
    if node is None:
        return None
    throws = script.nodes_of("throw", within=node)
    return script.position(throws[0])[0] if throws else None


def header_operations(text: str) -> list[str]:
    """The ``# operation: <name>`` header lines of the scripts a payload is made of, in order."""
    return [match.group(1) for match in _HEADER.finditer(text)]
