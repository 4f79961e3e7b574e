"""Read literal values out of a parsed script: the named arguments of a command, the value of an assignment.

The simulated hosts read the arguments of the host channel's invocation line this way (docs/architecture.md, "Host
channel protocol"). Only values PowerShell fixes at parse time are read; anything that needs evaluation raises
LiteralError, because the simulator must never guess what a host would compute.
"""

from __future__ import annotations

import tree_sitter

from .errors import LiteralError
from .parser import ParsedScript

__all__ = [
    "arguments_of",
    "assigned_literal",
    "here_body",
    "literal_value",
    "unescape_double",
    "unquote_single",
    "unwrap",
]

_QUOTES = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES = '"\u201c\u201d\u201e'
# about_Special_Characters: the escape sequences of double-quoted strings (`0 `a `b `f `n `r `t `v; any other
# escaped character stands for itself).
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_WRAPPERS = {
    "pipeline",
    "pipeline_chain",
    "statement_list",
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
    "argument_expression",
    "logical_argument_expression",
    "bitwise_argument_expression",
    "comparison_argument_expression",
    "additive_argument_expression",
    "multiplicative_argument_expression",
    "format_argument_expression",
    "range_argument_expression",
    "key_expression",
}
_CONSTANTS: dict[str, object] = {"$true": True, "$false": False, "$null": None}


def arguments_of(script: ParsedScript, command: str) -> list[dict[str, object]]:
    """The named arguments of every invocation of ``command`` (case-insensitive), in source order.

    ``-Switch`` with no value reads as True, ``-Name:value`` and ``-Name value`` alike. A positional argument, a
    splatted variable or a value that is not a literal raises LiteralError, as does a script that does not parse
    (PowerShell would run none of it).
    """
    _require_parsed(script, command)
    found: list[dict[str, object]] = []
    for node in script.nodes_of("command"):
        name_node = node.child_by_field_name("command_name")
        if name_node is None or script.text_of(name_node).lower() != command.lower():
            continue
        elements = node.child_by_field_name("command_elements")
        found.append(_named_arguments(script, command, elements) if elements is not None else {})
    return found


def assigned_literal(script: ParsedScript, variable: str) -> object | None:
    """The literal assigned to ``$variable`` with ``=``, or None when the script never assigns it.

    A variable assigned more than once has no single value before the script runs: LiteralError.
    """
    _require_parsed(script, variable)
    wanted = "$" + variable.lstrip("$").lower()
    values: list[object] = []
    for node in script.nodes_of("assignment_expression"):
        if len(node.named_children) < 3:
            continue
        left, operator, right = node.named_children[0], node.named_children[1], node.named_children[-1]
        if script.text_of(left).strip().lower() != wanted:
            continue
        if script.text_of(operator) != "=":
            raise _error(script, variable, right, f"assigned with '{script.text_of(operator)}', not '='")
        values.append(literal_value(script, right, name=variable))
    if len(values) > 1:
        raise LiteralError(name=variable, reason=f"assigned {len(values)} times")
    return values[0] if values else None


def literal_value(script: ParsedScript, node: tree_sitter.Node, *, name: str) -> object:
    """The Python value of a literal expression node (str, int, bool, None, list, dict)."""
    node = unwrap(node)
    kind = node.type
    if kind == "array_literal_expression":
        return [literal_value(script, child, name=name) for child in node.named_children]
    if kind == "string_literal":
        return _string_value(script, node, name)
    if kind == "integer_literal":
        return _integer_value(script, node, name)
    if kind == "expression_with_unary_operator":
        return _signed_value(script, node, name)
    if kind == "variable":
        text = script.text_of(node).lower()
        if text in _CONSTANTS:
            return _CONSTANTS[text]
        raise _error(script, name, node, f"variable {script.text_of(node)} is not a literal")
    if kind == "array_expression":
        return _array_value(script, node, name)
    if kind == "hash_literal_expression":
        return _hash_value(script, node, name)
    if kind == "parenthesized_expression" and len(node.named_children) == 1:
        return literal_value(script, node.named_children[0], name=name)
    raise _error(script, name, node, f"{kind} {script.text_of(node)[:40]!r} is not a literal")


def _require_parsed(script: ParsedScript, name: str) -> None:
    if script.root.has_error:
        raise LiteralError(name=name, reason="the script has a syntax error, so PowerShell would not run it")


def _named_arguments(script: ParsedScript, command: str, elements: tree_sitter.Node) -> dict[str, object]:
    arguments: dict[str, object] = {}
    parts = [child for child in elements.children if child.type != "command_argument_sep"]
    index = 0
    while index < len(parts):
        part = parts[index]
        if part.type != "command_parameter":
            raise _error(script, command, part, f"positional argument {script.text_of(part)[:40]!r}")
        parameter = script.text_of(part)[1:].rstrip(":")
        if parameter.lower() in (known.lower() for known in arguments):
            # PowerShell refuses a parameter given twice (ParameterAlreadyBound).
            raise _error(script, command, part, f"parameter -{parameter} given more than once")
        index += 1
        if index < len(parts) and parts[index].type == ":":
            index += 1
        if index < len(parts) and parts[index].type != "command_parameter":
            arguments[parameter] = literal_value(script, parts[index], name=f"{command} -{parameter}")
            index += 1
        else:
            arguments[parameter] = True
    return arguments


def unwrap(node: tree_sitter.Node) -> tree_sitter.Node:
    """The node under single-child expression wrappers (the grammar nests ten of them around a literal)."""
    while node.type in _WRAPPERS and node.named_child_count == 1 and node.child_count == 1:
        node = node.named_children[0]
    return node


def _string_value(script: ParsedScript, node: tree_sitter.Node, name: str) -> str:
    text = script.text_of(node)
    body = node.named_children[0] if node.named_children else None
    kind = body.type if body is not None else ""
    if kind == "verbatim_string_characters":
        return _unquote_single(text[1:-1])
    if kind == "verbatim_here_string_characters":
        return _here_body(text)
    if kind in ("expandable_string_literal", "expandable_here_string_literal"):
        if body is not None and body.named_child_count:
            raise _error(script, name, node, "double-quoted string with variables or subexpressions")
        content = _here_body(text) if kind == "expandable_here_string_literal" else text[1:-1]
        return _unescape_double(content, doubled=kind == "expandable_string_literal")
    raise _error(script, name, node, "unsupported string literal")


def _unquote_single(content: str) -> str:
    """PowerShell's rule: inside '...', a quote followed by a quote (any of the five) is the second quote."""
    result: list[str] = []
    index = 0
    while index < len(content):
        char = content[index]
        if char in _QUOTES and content[index + 1 : index + 2] and content[index + 1] in _QUOTES:
            result.append(content[index + 1])
            index += 2
            continue
        result.append(char)
        index += 1
    return "".join(result)


def _unescape_double(content: str, *, doubled: bool) -> str:
    result: list[str] = []
    index = 0
    while index < len(content):
        char = content[index]
        if char == "`" and index + 1 < len(content):
            following = content[index + 1]
            result.append(_ESCAPES.get(following, following))
            index += 2
            continue
        if doubled and char in _DOUBLE_QUOTES and content[index + 1 : index + 2] in tuple(_DOUBLE_QUOTES):
            result.append(content[index + 1])
            index += 2
            continue
        result.append(char)
        index += 1
    return "".join(result)


def _here_body(text: str) -> str:
    """about_Quoting_Rules: a here-string's value is the lines between the opening and closing lines."""
    first = text.index("\n") + 1
    last = text.rstrip()[:-2].rstrip("\r\n")
    return last[first:] if len(last) >= first else ""


def _integer_value(script: ParsedScript, node: tree_sitter.Node, name: str) -> int:
    text = script.text_of(node)
    try:
        return int(text, 16) if text.lower().startswith("0x") else int(text, 10)
    except ValueError:
        raise _error(script, name, node, f"number {text!r} with a suffix or multiplier") from None


def _signed_value(script: ParsedScript, node: tree_sitter.Node, name: str) -> int:
    operator = node.children[0]
    operand = unwrap(node.children[-1]) if len(node.children) == 2 else None
    if operand is not None and operand.type == "integer_literal" and script.text_of(operator) in ("-", "+"):
        value = _integer_value(script, operand, name)
        return -value if script.text_of(operator) == "-" else value
    raise _error(script, name, node, f"expression {script.text_of(node)[:40]!r} is not a literal")


def _array_value(script: ParsedScript, node: tree_sitter.Node, name: str) -> list[object]:
    values: list[object] = []
    for statements in node.named_children:
        for statement in statements.named_children:
            value = literal_value(script, statement, name=name)
            if isinstance(value, list) and unwrap(statement).type == "array_literal_expression":
                values.extend(value)
            else:
                values.append(value)
    return values


def _hash_value(script: ParsedScript, node: tree_sitter.Node, name: str) -> dict[str, object]:
    result: dict[str, object] = {}
    for body in node.named_children:
        for entry in body.named_children:
            key_node, value_node = entry.named_children[0], entry.named_children[-1]
            key = unwrap(key_node)
            key_value = script.text_of(key) if key.type == "simple_name" else literal_value(script, key, name=name)
            if not isinstance(key_value, (str, int)):
                raise _error(script, name, key_node, "hashtable key is not a string or integer literal")
            result[str(key_value)] = literal_value(script, value_node, name=name)
    return result


def _error(script: ParsedScript, name: str, node: tree_sitter.Node, reason: str) -> LiteralError:
    line, column = script.position(node)
    return LiteralError(name=name, reason=reason, line=line, column=column)


# The quoting rules, for the lab's engine, which expands double-quoted strings itself.
unquote_single = _unquote_single
unescape_double = _unescape_double
here_body = _here_body
