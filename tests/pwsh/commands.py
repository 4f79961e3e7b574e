"""Command and parameter checks: every command must exist on the host, every named parameter must bind.

Resolution follows PowerShell's order (about_Command_Precedence): alias, function (built-in or defined in the
script), cmdlet (core for the level, Exchange for the loaded version), then an executable on the PATH. Dynamic
invocations (``& $command``, ``& { ... }``) cannot be resolved without running the script and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import tree_sitter

from . import messages
from .catalog import Catalog, CommandInfo, Parameter
from .errors import LiteralError, ScriptProblem
from .levels import KEYWORD_COMMANDS, level_at_least
from .literals import literal_value, unwrap
from .parser import ParsedScript

__all__ = ["command_problems"]

_SIMPLIFIED = {"Where-Object": "FilterScript", "ForEach-Object": "Process"}
# about_Preference_Variables / ActionPreference: Ignore is a 3.0 value; 1.0 and 2.0 have these four.
_OLD_ACTIONS = "SilentlyContinue, Stop, Continue, Inquire"


@dataclass(frozen=True)
class _ScriptFunction:
    name: str
    parameters: tuple[Parameter, ...] | None  # None: a simple function, which puts unknown names into $args


def command_problems(
    script: ParsedScript,
    *,
    powershell: str,
    exchange: str | None,
    catalog: Catalog,
    functions: Iterable[str] = (),
) -> list[ScriptProblem]:
    """Unknown commands and unbindable named parameters; ``functions`` are defined around the script."""
    defined = {name.lower(): _ScriptFunction(name, None) for name in functions}
    functions_here = {**defined, **_script_functions(script)}
    found: list[ScriptProblem] = []
    for node in script.nodes_of("command"):
        target = _static_name(script, node)
        if target is None:
            continue
        name, name_node = target
        if name.lower() in KEYWORD_COMMANDS:
            continue
        info = _resolve(name, functions_here, catalog, powershell=powershell, exchange=exchange)
        if info is None:
            found.append(_not_found(script, name_node, name, powershell))
            continue
        found.extend(_parameter_problems(script, node, info, catalog, powershell))
    return found


def _static_name(script: ParsedScript, node: tree_sitter.Node) -> tuple[str, tree_sitter.Node] | None:
    name_node = node.child_by_field_name("command_name")
    if name_node is None:
        return None
    if name_node.type == "command_name":
        return script.text_of(name_node), name_node
    if name_node.type != "command_name_expr" or not name_node.named_children:
        return None
    inner = name_node.named_children[0]
    if inner.type == "command_name":
        return script.text_of(inner), inner
    if inner.type == "string_literal":
        try:
            value = literal_value(script, inner, name="command name")
        except LiteralError:
            return None  # "& "$dir\tool.exe"": resolved only at run time
        return (value, inner) if isinstance(value, str) else None
    return None


def _resolve(
    name: str, functions: dict[str, _ScriptFunction], catalog: Catalog, *, powershell: str, exchange: str | None
) -> CommandInfo | None:
    found = catalog.resolve(name, powershell=powershell, exchange=exchange)
    function = functions.get(name.lower())
    if function is not None and (found is None or found.kind != "function"):
        return CommandInfo(function.name, "function", None, function.parameters, False)
    return found


def _not_found(script: ParsedScript, node: tree_sitter.Node, name: str, powershell: str) -> ScriptProblem:
    line, column = script.position(node)
    start, end = script.span(node)
    return ScriptProblem(
        kind="command", message=messages.command_not_found(name, powershell=powershell), line=line, column=column,
        fqid="CommandNotFoundException", category="ObjectNotFound", command=name, source_line=script.line_text(line),
        length=max(end - start, 1), target=name, exception="CommandNotFoundException",
    )  # fmt: skip


def _parameter_problems(
    script: ParsedScript, node: tree_sitter.Node, info: CommandInfo, catalog: Catalog, powershell: str
) -> list[ScriptProblem]:
    if info.parameters is None:
        return []
    candidates = (
        *info.parameters,
        *catalog.common_parameters(powershell=powershell, should_process=info.should_process),
    )
    if info.kind == "function":
        candidates = (*info.parameters, *catalog.common_parameters(powershell=powershell, should_process=True))
    elements = node.child_by_field_name("command_elements")
    parts = [child for child in elements.children if child.type != "command_argument_sep"] if elements else []
    problems: list[ScriptProblem] = []
    simplified = _simplified_syntax(script, info, parts, powershell)
    for index, part in enumerate(parts):
        if part.type != "command_parameter":
            continue
        written = script.text_of(part)[1:].rstrip(":")
        if written == "-":
            break  # "--": everything after it is an argument
        matches = _match(written, candidates)
        kind = "language" if simplified else "parameter"
        if not matches:
            problems.append(_binding(script, part, info, written, messages.parameter_not_found(written),
                                     "NamedParameterNotFound", kind))  # fmt: skip
            if simplified:
                return problems
        elif len(matches) > 1:
            text = messages.ambiguous_parameter(written, [match.name for match in matches])
            problems.append(_binding(script, part, info, written, text, "AmbiguousParameter", "parameter"))
        elif matches[0].name in ("ErrorAction", "WarningAction") and not level_at_least(powershell, "3.0"):
            problems.extend(_ignore_action(script, parts, index, info, matches[0].name))
    if simplified and not problems:
        problems.append(simplified)
    return problems


def _match(written: str, candidates: tuple[Parameter, ...]) -> list[Parameter]:
    """PowerShell's binder: an exact name or alias wins, else every parameter that a name or alias starts with."""
    lowered = written.lower()
    exact = [item for item in candidates if lowered in (name.lower() for name in (item.name, *item.aliases))]
    if exact:
        return exact[:1]
    found: dict[str, Parameter] = {}
    for item in candidates:
        if any(name.lower().startswith(lowered) for name in (item.name, *item.aliases)):
            found.setdefault(item.name.lower(), item)
    return list(found.values())


def _binding(
    script: ParsedScript, node: tree_sitter.Node, info: CommandInfo, written: str, text: str, error_id: str, kind: str
) -> ScriptProblem:
    line, column = script.position(node)
    start, end = script.span(node)
    return ScriptProblem(
        kind=kind, message=text, line=line, column=column, fqid=f"{error_id},{info.error_suffix}",
        category="InvalidArgument", command=info.name, parameter=written, source_line=script.line_text(line),
        length=max(end - start, 1), exception="ParameterBindingException",
    )  # fmt: skip


def _simplified_syntax(
    script: ParsedScript, info: CommandInfo, parts: list[tree_sitter.Node], powershell: str
) -> ScriptProblem | None:
    """3.0's `Where-Object Name -eq x` / `ForEach-Object Name` (MS-PS3). Before 3.0 the first positional argument
    binds to the script block parameter; the binder then fails on the first unknown name, or on the conversion."""
    bound = _SIMPLIFIED.get(info.name)
    if bound is None or level_at_least(powershell, "3.0"):
        return None
    positional = [part for index, part in enumerate(parts) if _is_positional(parts, index)]
    first = unwrap(positional[0]) if positional else None
    if first is None or first.type in ("script_block_expression", "variable", "parenthesized_expression"):
        return None
    value = script.text_of(first).strip("'\"")
    line, column = script.position(first)
    start, end = script.span(first)
    text = (
        f'Cannot bind parameter \'{bound}\'. Cannot convert the "{value}" value of type "System.String" to type '
        '"System.Management.Automation.ScriptBlock".'
    )
    return ScriptProblem(
        kind="language", message=text, line=line, column=column, fqid=f"CannotConvertArgument,{info.error_suffix}",
        category="InvalidArgument", command=info.name, parameter=bound, source_line=script.line_text(line),
        length=max(end - start, 1), exception="ParameterBindingException",
    )  # fmt: skip


def _is_positional(parts: list[tree_sitter.Node], index: int) -> bool:
    part = parts[index]
    if part.type in ("command_parameter", ":"):
        return False
    previous = parts[index - 1] if index else None
    return previous is None or previous.type != ":"


def _ignore_action(
    script: ParsedScript, parts: list[tree_sitter.Node], index: int, info: CommandInfo, parameter: str
) -> list[ScriptProblem]:
    following = parts[index + 1 : index + 3]
    values = [part for part in following if part.type != ":"][:1]
    if not values or script.text_of(values[0]).strip("'\"").lower() != "ignore":
        return []
    value = values[0]
    line, column = script.position(value)
    start, end = script.span(value)
    text = (
        f"Cannot bind parameter '{parameter}'. Cannot convert value \"Ignore\" to type "
        '"System.Management.Automation.ActionPreference" due to invalid enumeration values. Specify one of the '
        f'following enumeration values and try again. The possible enumeration values are "{_OLD_ACTIONS}".'
    )
    return [
        ScriptProblem(
            kind="language", message=text, line=line, column=column,
            fqid=f"CannotConvertArgumentNoMessage,{info.error_suffix}", category="InvalidArgument", command=info.name,
            parameter=parameter, source_line=script.line_text(line), length=max(end - start, 1),
            exception="ParameterBindingException",
        )
    ]  # fmt: skip


def _script_functions(script: ParsedScript) -> dict[str, _ScriptFunction]:
    """Functions the script defines; an advanced one ([CmdletBinding()] or [Parameter()]) checks its parameter names."""
    functions: dict[str, _ScriptFunction] = {}
    for node in script.nodes_of("function_statement"):
        name_node = next((child for child in node.named_children if child.type == "function_name"), None)
        if name_node is None:
            continue
        name = script.text_of(name_node)
        functions[name.lower()] = _ScriptFunction(name, _advanced_parameters(script, node))
    return functions


def _advanced_parameters(script: ParsedScript, function: tree_sitter.Node) -> tuple[Parameter, ...] | None:
    declared: list[tree_sitter.Node] = []
    advanced = False
    for node in script.nodes_of("function_statement", "attribute_name", "script_parameter", within=function):
        if node.type == "function_statement":
            break
        if node.type == "attribute_name" and script.text_of(node).lower() in ("cmdletbinding", "parameter"):
            advanced = True
        if node.type == "script_parameter":
            declared.append(node)
    if not advanced:
        return None
    names = []
    for parameter in declared:
        variable = next((child for child in parameter.named_children if child.type == "variable"), None)
        if variable is not None:
            names.append(Parameter(script.text_of(variable).lstrip("$")))
    return tuple(names)
