"""Running one command of a pipeline: resolution (about_Command_Precedence), argument parsing and binding.

Resolution order: alias, function, cmdlet (the core cmdlets of the host's level, the Exchange cmdlets once loaded),
then an executable on the PATH. Arguments (about_Parsing, argument mode): ``-Name`` is a parameter, ``-Name:value``
one with its value, a bare word a string, anything else an expression. Binding (about_Parameters): named parameters
by name, alias or unambiguous prefix, switch parameters take no value, the rest by position; ``-ErrorAction`` and
the other common parameters on every cmdlet (about_CommonParameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import tree_sitter

from tests.pwsh import messages

from .commands import CmdletCall, CmdletSpec, implementation_of
from .errors import NotModelled
from .values import PSArray

if TYPE_CHECKING:
    from .interpreter import Engine

__all__ = ["run_command"]

Node = tree_sitter.Node
_NO_VALUE = object()
_COMMON_SWITCHES = {"verbose", "debug", "whatif", "confirm"}


@dataclass
class _Argument:
    parameter: str | None  # the name as written (no dash), or None for a positional value
    value: Any = _NO_VALUE
    colon: bool = False
    text: str = ""


def _elements(engine: Engine, node: Node) -> list[_Argument]:
    script = engine.script
    assert script is not None
    elements = node.child_by_field_name("command_elements")
    children = [] if elements is None else list(elements.children)
    parts = [child for child in children if child.type != "command_argument_sep"]
    # ``-Name:value`` (about_Parameters): the grammar may give the colon as a separator after the parameter.
    colon_after = {
        children[index - 1].start_byte
        for index, child in enumerate(children)
        if index and child.type == "command_argument_sep" and script.text_of(child).startswith(":")
        and children[index - 1].type == "command_parameter"
    }  # fmt: skip
    arguments: list[_Argument] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        text = script.text_of(part)
        if part.type == "command_parameter":
            name = text.lstrip("-")
            colon = name.endswith(":") or part.start_byte in colon_after
            argument = _Argument(name.rstrip(":"), colon=colon, text=text)
            if colon and index + 1 < len(parts):
                index += 1
                argument.value = _value_of(engine, parts[index])
            arguments.append(argument)
        elif part.type == "argument_list":
            # ``Command $x.Method(1)``: in argument mode a member followed at once by ( ) is a method call (LS2 8.2,
            # about_Parsing); the grammar gives the member and the argument list as two elements.
            previous = _strip_node(parts[index - 1]) if index > 0 else None
            if (
                previous is None
                or previous.type != "member_access"
                or not arguments
                or part.start_byte != previous.end_byte
            ):
                raise NotModelled("an argument list after a command argument", line=script.position(part)[0])
            owner = engine._expression(previous.named_children[0])
            values_node = part.child_by_field_name("argument_expression_list")
            values = (
                []
                if values_node is None
                else [
                    engine._expression(child)
                    for child in values_node.named_children
                    if child.type == "argument_expression"
                ]
            )
            arguments[-1].value = engine.call_method(owner, engine._member_name(previous), values, previous)
        elif part.type in ("redirection", "stop_parsing", "comment"):
            raise NotModelled(f"a command's {part.type}", line=script.position(part)[0])
        elif part.is_named:
            arguments.append(_Argument(None, _value_of(engine, part), text=text))
        index += 1
    return arguments


def _strip_node(node: Node) -> Node:
    from .interpreter import _strip

    return _strip(node)


def _value_of(engine: Engine, part: Node) -> Any:
    script = engine.script
    assert script is not None
    if part.type == "generic_token":
        text = script.text_of(part)
        if "$" in text or "`" in text:
            raise NotModelled(f"the bare word {text!r} with expansions", line=script.position(part)[0])
        return text
    return engine._expression(part)


def run_command(engine: Engine, node: Node, pipeline_input: list[Any] | None) -> list[Any]:
    script = engine.script
    assert script is not None
    operator = next((child for child in node.children if child.type == "command_invokation_operator"), None)
    name_node = node.child_by_field_name("command_name")
    assert name_node is not None
    arguments = _elements(engine, node)
    if operator is not None:
        dot = script.text_of(operator) == "."
        target_node = (
            name_node.named_children[0]
            if name_node.type == "command_name_expr" and name_node.named_children
            else name_node
        )
        if target_node.type == "path_command_name" and target_node.named_children[0].type == "variable":
            target, arguments = _member_path(engine, target_node, arguments)
        elif target_node.type in ("command_name", "path_command_name"):
            target: Any = script.text_of(target_node)
        else:
            target = engine._expression(target_node)
        from .interpreter import ScriptBlock

        if isinstance(target, ScriptBlock):
            positional = [argument.value for argument in arguments if argument.parameter is None]
            if any(argument.parameter is not None for argument in arguments):
                raise NotModelled("named arguments to a script block", line=engine._line)
            return engine.run_block(target, positional, dot=dot, pipeline_input=pipeline_input)
        if not isinstance(target, str):
            engine._fail(
                node,
                f"The term '{engine.to_string(target)}' is not recognized as the name of a cmdlet, "
                "function, script file, or operable program.",
                fqid="CommandNotFoundException",
                category="ObjectNotFound",
                exception="System.Management.Automation.CommandNotFoundException",
            )
        name = str(target)
    else:
        name = script.text_of(name_node)
    return _invoke_named(engine, node, name, arguments, pipeline_input)


def _invoke_named(
    engine: Engine, node: Node, name: str, arguments: list[_Argument], pipeline_input: list[Any] | None
) -> list[Any]:
    info = engine.catalog.resolve(name, powershell=engine.level, exchange=engine.host.loaded_exchange)
    resolved = info.name if info is not None and info.kind in ("cmdlet", "exchange") else name
    function = engine.scope.function(name)
    if function is not None and (info is None or info.kind != "cmdlet" or name.lower() == function.name.lower()):
        positional = [argument.value for argument in arguments if argument.parameter is None]
        named = {argument.parameter: argument.value for argument in arguments if argument.parameter is not None}
        _pair_function_arguments(arguments, positional, named, function)
        return engine.call_function(function, positional, named, pipeline_input)
    if info is None:
        engine._fail(
            node,
            messages.command_not_found(name, powershell=engine.level),
            fqid="CommandNotFoundException",
            category="ObjectNotFound",
            exception="System.Management.Automation.CommandNotFoundException",
            command=name,
        )
    assert info is not None
    if info.kind == "native":
        from .programs import run_program

        return run_program(engine, info.name, _native_arguments(engine, arguments))
    if info.kind == "function":
        raise NotModelled(f"the built-in function {info.name}", line=engine._line)
    spec = implementation_of(resolved)
    if spec is None:
        raise NotModelled(f"the cmdlet {resolved}", line=engine._line)
    if spec.exchange and engine.host.loaded_exchange is None:
        engine._fail(
            node,
            messages.command_not_found(name, powershell=engine.level),
            fqid="CommandNotFoundException",
            category="ObjectNotFound",
            exception="System.Management.Automation.CommandNotFoundException",
            command=name,
        )
    bound = _bind_cmdlet(engine, node, info, spec, arguments)
    return _run_cmdlet(engine, node, spec, bound, pipeline_input)


def _native_arguments(engine: Engine, arguments: list[_Argument]) -> list[str]:
    """about_Parsing (native commands, Windows PowerShell): a parameter token goes as written (``-name``, or
    ``-name:value`` as one argument), an array as its elements, each value as text; ``$null`` and empty strings
    are dropped."""
    texts: list[str] = []
    for argument in arguments:
        if argument.parameter is not None:
            suffix = engine.to_string(argument.value) if argument.colon and argument.value is not _NO_VALUE else ""
            texts.append(f"-{argument.parameter}{':' if argument.colon else ''}{suffix}")
            continue
        for item in engine.enumerate(argument.value) if isinstance(argument.value, list) else [argument.value]:
            text = "" if item is None else engine.to_string(item)
            if text:
                texts.append(text)
    return texts


def _pair_function_arguments(
    arguments: list[_Argument], positional: list[Any], named: dict[str, Any], function: Any
) -> None:
    """A function's named parameter takes the next argument as its value unless it is a [switch]."""
    switches = {parameter.name.lower() for parameter in (function.parameters or []) if parameter.switch}
    names = [parameter.name for parameter in (function.parameters or [])]
    positional.clear()
    named.clear()
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument.parameter is None:
            positional.append(argument.value)
        elif argument.value is not _NO_VALUE or _is_switch(argument.parameter, names, switches):
            named[argument.parameter] = True if argument.value is _NO_VALUE else argument.value
        elif index + 1 < len(arguments) and arguments[index + 1].parameter is None:
            named[argument.parameter] = arguments[index + 1].value
            index += 1
        else:
            named[argument.parameter] = _NO_VALUE
        index += 1


def _is_switch(written: str, names: list[str], switches: set[str]) -> bool:
    matches = [name for name in names if name.lower().startswith(written.lower())]
    exact = [name for name in names if name.lower() == written.lower()]
    chosen = exact or matches
    return len(chosen) == 1 and chosen[0].lower() in switches


def _bind_cmdlet(engine: Engine, node: Node, info: Any, spec: CmdletSpec, arguments: list[_Argument]) -> dict:
    common = engine.catalog.common_parameters(powershell=engine.level, should_process=info.should_process)
    parameters = list(info.parameters or ()) + list(common)
    bound: dict[str, Any] = {}
    positional: list[Any] = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument.parameter is None:
            positional.append(argument.value)
            index += 1
            continue
        parameter = _match_parameter(engine, node, info, parameters, argument.parameter)
        canonical = parameter.name
        is_switch = canonical in spec.switches or canonical.lower() in _COMMON_SWITCHES
        if argument.value is not _NO_VALUE:
            value = argument.value
        elif is_switch:
            value = True
        elif index + 1 < len(arguments) and arguments[index + 1].parameter is None:
            value = arguments[index + 1].value
            index += 1
        else:
            value = None  # (_fail raises)
            engine._fail(
                node,
                f"Missing an argument for parameter '{canonical}'. Specify a parameter of type "
                f"'{spec.types.get(canonical, 'System.Object')}' and try again.",
                fqid=f"MissingArgument,{info.type_name or info.name}",
                category="InvalidArgument",
                exception="System.Management.Automation.ParameterBindingException",
            )
        bound[canonical] = value
        index += 1
    free = [name for name in spec.positional if name not in bound]
    if spec.remaining is not None and len(positional) > len(free) and spec.remaining not in bound:
        # ValueFromRemainingArguments: the leftover positional values, as one array, to that parameter.
        taken = [name for name in free if name != spec.remaining]
        if spec.remaining in free:
            taken = free[: free.index(spec.remaining)]
        bound[spec.remaining] = PSArray(positional[len(taken) :])
        positional, free = positional[: len(taken)], taken
    for value in positional:
        if not free:
            engine._fail(
                node,
                f"A positional parameter cannot be found that accepts argument '{engine.to_string(value)}'.",
                fqid=f"PositionalParameterNotFound,{info.type_name or info.name}",
                category="InvalidArgument",
                exception="System.Management.Automation.ParameterBindingException",
            )
        bound[free.pop(0)] = value
    for name, type_name in spec.types.items():
        if name in bound and bound[name] is not None:
            bound[name] = engine.convert(bound[name], type_name)
    if "ErrorAction" in bound:
        bound["ErrorAction"] = _action(engine, node, bound["ErrorAction"])
    return bound


_ACTIONS_1 = ("SilentlyContinue", "Stop", "Continue", "Inquire")


def _action(engine: Engine, node: Node, value: Any) -> str:
    """about_CommonParameters: -ErrorAction takes an ActionPreference (Ignore from 3.0)."""
    text = engine.to_string(value)
    allowed = _ACTIONS_1 + (("Ignore",) if engine.level not in ("1.0", "2.0") else ())
    for action in allowed:
        if action.lower() == text.lower():
            return action
    engine._fail(
        node,
        f"Cannot bind parameter 'ErrorAction'. Cannot convert value \"{text}\" to type "
        f'"System.Management.Automation.ActionPreference" due to invalid enumeration values. Specify one of the '
        f'following enumeration values and try again. The possible enumeration values are "{", ".join(allowed)}".',
        fqid="CannotConvertArgumentNoMessage",
        category="InvalidArgument",
        exception="System.Management.Automation.ParameterBindingException",
    )
    return "Continue"


def _match_parameter(engine: Engine, node: Node, info: Any, parameters: list[Any], written: str) -> Any:
    lowered = written.lower()
    exact = [p for p in parameters if p.name.lower() == lowered or lowered in (a.lower() for a in p.aliases)]
    matches = exact or [p for p in parameters if p.name.lower().startswith(lowered)]
    unique = {p.name: p for p in matches}
    if len(unique) == 1:
        return next(iter(unique.values()))
    owner = info.type_name or info.name
    if unique:
        engine._fail(
            node,
            messages.ambiguous_parameter(written, list(unique)),
            fqid=f"AmbiguousParameter,{owner}",
            category="InvalidArgument",
            exception="System.Management.Automation.ParameterBindingException",
        )
    engine._fail(
        node,
        messages.parameter_not_found(written),
        fqid=f"NamedParameterNotFound,{owner}",
        category="InvalidArgument",
        exception="System.Management.Automation.ParameterBindingException",
    )
    raise AssertionError


def _run_cmdlet(
    engine: Engine, node: Node, spec: CmdletSpec, bound: dict[str, Any], pipeline_input: list[Any] | None
) -> list[Any]:
    line = engine._line or 0
    if spec.reads_directory and not engine.host.network_credentials and not engine.host.exchange_remote:
        _directory_unreachable(engine, spec)
    results: list[Any] = []
    if pipeline_input is not None and spec.pipeline is not None and spec.pipeline not in bound and not spec.whole_input:
        for item in pipeline_input:
            call = CmdletCall(spec, engine, {**bound, spec.pipeline: item}, [item], True, line)
            results.extend(_outputs(engine, spec, call))
        return results
    call = CmdletCall(spec, engine, bound, list(pipeline_input or []), pipeline_input is not None, line)
    return _outputs(engine, spec, call)


def _outputs(engine: Engine, spec: CmdletSpec, call: CmdletCall) -> list[Any]:
    """A cmdlet writes each object it yields as it is (Cmdlet.WriteObject without enumeration)."""
    produced = spec.implementation(call)
    return [] if produced is None else list(produced)


def _directory_unreachable(engine: Engine, spec: CmdletSpec) -> None:
    """host-facts.md "Second hop to AD": Exchange's management cmdlets reach Active Directory with the caller's
    rights, which a WinRM logon without network credentials cannot lend onward. The error is the one reported for the
    2010 snap-in under such a logon (PowerShell/Win32-OpenSSH#1115: ArgumentNullException "Value cannot be null.
    Parameter name: parameters"); that every version and every directory-bound cmdlet fails so is assumed
    (docs/lab.md)."""
    info = engine.catalog.resolve(spec.name, powershell=engine.level, exchange=engine.host.loaded_exchange)
    owner = info.type_name if info is not None and info.type_name else spec.name
    engine.throw(
        "Value cannot be null.\r\nParameter name: parameters",
        fqid=f"System.ArgumentNullException,{owner}",
        category="NotSpecified",
        exception="System.ArgumentNullException",
        command=spec.name,
    )


def _member_path(engine: Engine, node: Node, arguments: list[_Argument]) -> tuple[Any, list[_Argument]]:
    """``& $object.Member.Method(args)``: after ``&`` PowerShell reads a variable with members as an expression
    (LS2 8.2 / about_Operators, call operator); the grammar splits it into a variable and a path, and the
    parenthesized arguments into the first command element."""
    script = engine.script
    assert script is not None
    variable, *tokens = node.named_children
    path = "".join(script.text_of(token) for token in tokens)
    if not path.startswith(".") or any(token.type != "path_command_name_token" for token in tokens):
        raise NotModelled(f"the command path {script.text_of(node)}", line=script.position(node)[0])
    value = engine._variable(variable)
    members = path[1:].split(".")
    for member in members[:-1]:
        value = engine.get_property(value, member)
    if arguments and arguments[0].parameter is None and _starts_parenthesized(engine, node):
        given = arguments[0].value
        call_arguments = list(given) if isinstance(given, list) else [given]
        return engine.call_method(value, members[-1], call_arguments, node), arguments[1:]
    return engine.get_property(value, members[-1]), arguments


def _starts_parenthesized(engine: Engine, node: Node) -> bool:
    holder = node.parent if node.parent is not None and node.parent.type == "command_name_expr" else node
    following = holder.next_sibling
    elements = following.named_children if following is not None and following.type == "command_elements" else []
    return bool(elements) and elements[0].type == "parenthesized_expression"
