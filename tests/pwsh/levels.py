"""Language constructs above a host's PowerShell level, and how that host fails on them.

Levels follow host-facts.md "PowerShell language levels" (1.0; 2.0 adds try/catch/finally, splatting, advanced
functions, data sections, $PSVersionTable; 3.0 adds [ordered], [pscustomobject], -in/-notin, $PSItem; 5.0 adds
classes, enums, ``using`` and ``::new()``). Per-command constructs (simplified Where-Object, ``-ErrorAction Ignore``)
are checked in commands.py, where the command is resolved.
"""

from __future__ import annotations

from collections.abc import Callable

import tree_sitter

from . import messages
from .errors import ScriptProblem
from .parser import ParsedScript
from .semantics import FEATURES, has

__all__ = ["KEYWORD_COMMANDS", "language_problems", "level_at_least"]

_ORDER = ("1.0", "2.0", "3.0", "4.0", "5.0", "7.0")
# Reserved words parsed as command names by the grammar; this module reports them, commands.py skips them.
# about_Reserved_Words (3.0 and later) lists class, define, from, using, var as reserved: "The 'from' keyword is not
# supported in this version of the language." (ReservedKeywordNotAllowed, seen on 5.1).
KEYWORD_COMMANDS = frozenset({"using", "class", "define", "from", "var"})
# The version each construct arrives with comes from the table the lab's engine uses too (semantics.py).
_NEW_OPERATORS = {
    **dict.fromkeys(("-in", "-notin", "-iin", "-cin", "-inotin", "-cnotin"), FEATURES["in_operator"].since),
    **dict.fromkeys(("-shl", "-shr"), FEATURES["shift_operators"].since),
    **dict.fromkeys(("-split", "-isplit", "-csplit", "-join"), FEATURES["split_join"].since),
}
_NEW_TYPES = {"ordered": FEATURES["ordered"].since, "pscustomobject": FEATURES["pscustomobject"].since}
_NEW_VARIABLES = {"psversiontable": FEATURES["psversiontable"].since, "psitem": FEATURES["psitem"].since}
_ADVANCED_ATTRIBUTES = {"cmdletbinding", "parameter"}


def level_at_least(powershell: str, needed: str) -> bool:
    return _ORDER.index(powershell) >= _ORDER.index(needed)


def language_problems(script: ParsedScript, *, powershell: str) -> list[ScriptProblem]:
    """Every construct of the script that the host's PowerShell does not have, worded as that host fails."""
    found: list[ScriptProblem] = []
    for node in script.nodes_of(*_CHECKS):
        found.extend(_CHECKS[node.type](script, node, powershell))
    return found


def _problem(script: ParsedScript, node: tree_sitter.Node, **fields: object) -> ScriptProblem:
    line, column = script.position(node)
    start, end = script.span(node)
    fields.setdefault("length", max(end - start, 1))
    return ScriptProblem(
        kind="language",
        line=line,
        column=column,
        source_line=script.line_text(line),
        **fields,  # type: ignore[arg-type]
    )


def _keyword_as_command(script: ParsedScript, node: tree_sitter.Node, word: str, powershell: str) -> ScriptProblem:
    """A keyword the host's level does not have is read as a command name there (1.0 has no try, no data)."""
    return _problem(
        script, node, message=messages.command_not_found(word, powershell=powershell), length=len(word),
        fqid="CommandNotFoundException", category="ObjectNotFound", command=word, target=word,
        exception="CommandNotFoundException",
    )  # fmt: skip


def _try_statement(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    if has("try_catch", powershell):
        return []
    return [_keyword_as_command(script, node, "try", powershell)]


def _data_statement(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    if has("data_sections", powershell):
        return []
    return [_keyword_as_command(script, node, "data", powershell)]


def _type_statement(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    """class (5.0) is reserved from 2.0 on (unsure for 2.0); enum is not reserved before 5.0."""
    word = script.text_of(node).split(maxsplit=1)[0].lower()
    if word == "class" and level_at_least(powershell, "2.0"):
        return [_reserved(script, node, word)]
    return [_keyword_as_command(script, node, word, powershell)]


def _reserved(script: ParsedScript, node: tree_sitter.Node, word: str) -> ScriptProblem:
    return _problem(
        script, node, length=len(word),
        message=f"The '{word}' keyword is not supported in this version of the language.",
        fqid="ReservedKeywordNotAllowed", category="ParserError", when="parse", exception="ParseException",
    )  # fmt: skip


def _command(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    name_node = node.child_by_field_name("command_name")
    if name_node is None or name_node.type != "command_name":
        return []
    word = script.text_of(name_node).lower()
    if word not in KEYWORD_COMMANDS:
        return []
    if level_at_least(powershell, "2.0"):
        return [_reserved(script, name_node, word)]
    return [
        _problem(
            script, name_node, message=messages.command_not_found(word, powershell=powershell),
            fqid="CommandNotFoundException", category="ObjectNotFound", command=word, target=word,
            exception="CommandNotFoundException",
        )
    ]  # fmt: skip


def _chain(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    """&& and || arrived in 7.0; 5.1 says "The token '&&' is not a valid statement separator in this version."."""
    token = script.text_of(node.children[0])
    return [
        _problem(
            script, node.children[0],
            message=f"The token '{token}' is not a valid statement separator in this version.",
            fqid="InvalidEndOfLine", category="ParserError", when="parse", exception="ParseException",
        )
    ]  # fmt: skip


def _operator(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    text = script.text_of(node).lower()
    needed = _NEW_OPERATORS.get(text)
    if needed is None or level_at_least(powershell, needed):
        return []
    return [
        _problem(
            script, node, message=f"Unexpected token '{script.text_of(node)}' in expression or statement.",
            fqid="UnexpectedToken", category="ParserError", when="parse", target=script.text_of(node),
            exception="ParseException",
        )
    ]  # fmt: skip


def _unary_operator(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    """The unary -split and -join (2.0) are unknown tokens to 1.0, like the binary ones."""
    first = node.children[0] if node.children else None
    if first is None or first.is_named:
        return []
    return _operator(script, first, powershell)


def _comment(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    """Block comments arrive with 2.0 (semantics.py); 1.0 reads '<' as the redirection operator it reserves
    ("The '<' operator is reserved for future use."; the 1.0 wording is assumed from 2.0's RedirectionNotSupported)."""
    if has("block_comments", powershell) or not script.text_of(node).startswith("<#"):
        return []
    return [
        _problem(
            script, node, message="The '<' operator is reserved for future use.", length=1,
            fqid="RedirectionNotSupported", category="ParserError", when="parse", target="<",
            exception="ParseException",
        )
    ]  # fmt: skip


def _type_literal(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    spec = node.named_children[0] if node.named_children else None
    if spec is None:
        return []
    name = script.text_of(spec)
    needed = _NEW_TYPES.get(name.lower())
    if needed is None or level_at_least(powershell, needed):
        return []
    return [_type_not_found(script, node, name, powershell)]


def _type_not_found(script: ParsedScript, node: tree_sitter.Node, name: str, powershell: str) -> ScriptProblem:
    """The run-time error of a type (or attribute) that the host's PowerShell does not know."""
    return _problem(
        script, node, message=messages.type_not_found(name, powershell=powershell), fqid="TypeNotFound",
        category="InvalidOperation", target=name, exception="RuntimeException",
    )  # fmt: skip


def _attribute(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    """host-facts.md: [CmdletBinding()] advanced functions are 2.0; 1.0's wording for them is not confirmed."""
    name_node = next((child for child in node.named_children if child.type == "attribute_name"), None)
    if name_node is None or level_at_least(powershell, "2.0"):
        return []
    name = script.text_of(name_node)
    if name.lower() not in _ADVANCED_ATTRIBUTES:
        return []
    return [_type_not_found(script, name_node, name, powershell)]


def _variable(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    text = script.text_of(node)
    if text.startswith("@"):
        return _splat(script, node, powershell)
    name = text[1:].strip("{}")
    needed = _NEW_VARIABLES.get(name.lower())
    if needed is None or level_at_least(powershell, needed):
        return []
    return [
        _problem(
            script, node, message=messages.variable_not_set(name), fqid="VariableIsUndefined",
            category="InvalidOperation", when="none", target=name, exception="RuntimeException",
        )
    ]  # fmt: skip


def _splat(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    """Splatting is 2.0 (host-facts.md); 1.0's tokenizer has no '@name' token (wording unsure)."""
    if has("splatting", powershell):
        return []
    return [
        _problem(
            script, node, message="Unrecognized token in source text.", fqid="UnrecognizedToken",
            category="ParserError", when="parse", target="@", exception="ParseException",
        )
    ]  # fmt: skip


def _invocation(script: ParsedScript, node: tree_sitter.Node, powershell: str) -> list[ScriptProblem]:
    children = node.children
    member = next((child for child in children if child.type == "member_name"), None)
    if member is None:
        return []
    method = script.text_of(member)
    separator = member.prev_sibling
    static = separator is not None and script.text_of(separator) == "::"
    if static and method.lower() == "new" and not level_at_least(powershell, "5.0"):
        receiver = children[0]
        type_name = script.text_of(receiver).strip("[]") if receiver.type == "type_literal" else "System.Object"
        return [_method_problem(script, member, type_name, method, powershell)]
    if not static and method.lower() in ("where", "foreach") and not level_at_least(powershell, "4.0"):
        # The .Where()/.ForEach() collection methods are 4.0 (MS-PS4); the receiver type is assumed to be an array.
        return [_method_problem(script, member, "System.Object[]", method, powershell)]
    return []


def _method_problem(
    script: ParsedScript, node: tree_sitter.Node, type_name: str, method: str, powershell: str
) -> ScriptProblem:
    return _problem(
        script, node, message=messages.method_not_found(type_name, method, powershell=powershell),
        fqid="MethodNotFound", category="InvalidOperation", target=method, exception="RuntimeException",
    )  # fmt: skip


_Check = Callable[[ParsedScript, tree_sitter.Node, str], list[ScriptProblem]]
_CHECKS: dict[str, _Check] = {
    "try_statement": _try_statement,
    "data_statement": _data_statement,
    "class_statement": _type_statement,
    "enum_statement": _type_statement,
    "command": _command,
    "pipeline_chain_tail": _chain,
    "comparison_operator": _operator,
    "expression_with_unary_operator": _unary_operator,
    "comment": _comment,
    "type_literal": _type_literal,
    "attribute": _attribute,
    "variable": _variable,
    "invokation_expression": _invocation,
}
