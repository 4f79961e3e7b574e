"""The engine: executes the tree-sitter-powershell parse tree with the semantics of the host's PowerShell version.

Anchors: the Windows PowerShell Language Specification 2.0/3.0 (clause numbers in comments) and the about_* topics.
Version differences come from tests/pwsh/semantics.py. A construct the engine does not implement raises
:class:`NotModelled` naming it and its line; nothing is skipped silently.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

import tree_sitter

from tests.pwsh import Catalog
from tests.pwsh.parser import ParsedScript, parse_script
from tests.pwsh.semantics import has

from . import convert as conversions
from . import core_members as _core_members  # noqa: F401  (registers the members of System.Object)
from . import operators
from .context import Host
from .errors import (
    ErrorRecord,
    ExitScript,
    FlowControl,
    InvocationInfo,
    NetException,
    NotModelled,
    Position,
    PSError,
)
from .values import (
    INTEGER_RANGES,
    Char,
    EnumValue,
    Hashtable,
    NetObject,
    NetType,
    Overload,
    PSArray,
    PSObject,
    TypedInt,
    TypeRef,
    find_type,
    type_name_of,
    type_of,
)

__all__ = ["Engine", "FunctionDefinition", "ScriptBlock"]

Node = tree_sitter.Node

# Expression wrappers of the grammar that hold one operand and no operator of their own.
_CHAIN = {
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
    "left_assignment_expression",
    "key_expression",
    "while_condition",
    "for_condition",
    "for_initializer",
    "for_iterator",
    "label_expression",
}
_UNSET = object()


@dataclass
class ScriptBlock(NetObject):
    """A script block: its parse tree (``param_block`` and body) and the script it belongs to."""

    script: ParsedScript
    node: Node  # script_block, program, or statement_block
    param_block: Node | None = None

    net_type_name = "System.Management.Automation.ScriptBlock"

    def to_string(self) -> str:
        return self.script.text_of(self.node)


@dataclass
class Parameter:
    name: str
    type_name: str | None
    default: Node | None
    switch: bool = False


@dataclass
class FunctionDefinition:
    name: str
    parameters: list[Parameter] | None
    body: ScriptBlock
    filter: bool = False


@dataclass
class Scope:
    """A variable scope (about_Scopes): reads look up the parent chain, writes go to this scope."""

    parent: Scope | None
    variables: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, FunctionDefinition] = field(default_factory=dict)

    def lookup(self, name: str) -> tuple[bool, Any]:
        key = name.lower()
        scope: Scope | None = self
        while scope is not None:
            if key in scope.variables:
                return True, scope.variables[key]
            scope = scope.parent
        return False, None

    def function(self, name: str) -> FunctionDefinition | None:
        key = name.lower()
        scope: Scope | None = self
        while scope is not None:
            if key in scope.functions:
                return scope.functions[key]
            scope = scope.parent
        return None


class Output:
    """What a statement list writes to its pipeline."""

    def __init__(self) -> None:
        self.items: list[Any] = []


class _ConsoleItems(list[Any]):
    """The top-level pipeline: what reaches it goes to the console at once (Out-Default), in order with Write-Host."""

    def __init__(self, console: Callable[[Any], None]) -> None:
        super().__init__()
        self._console = console

    def append(self, item: Any) -> None:
        super().append(item)
        self._console(item)

    def extend(self, items: Any) -> None:
        for item in items:
            self.append(item)


class ConsoleOutput(Output):
    def __init__(self, console: Callable[[Any], None]) -> None:
        self.items = _ConsoleItems(console)

    def write(self, value: Any, *, enumerate_collections: bool = True) -> None:
        if enumerate_collections:
            self.items.extend(conversions.items_of(value))
        else:
            self.items.append(value)


def collect(items: list[Any]) -> Any:
    """A pipeline's result as a value: nothing is $null, one object itself, more an object[] (clause 7.1.x)."""
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    return PSArray(items)


class Engine:
    """One powershell.exe process on a simulated host."""

    def __init__(self, host: Host, *, catalog: Catalog | None = None) -> None:
        self.host = host
        self.catalog = catalog or Catalog.load()
        self.global_scope = Scope(None)
        self.scope = self.global_scope
        self.script: ParsedScript | None = None
        self.errors_out: list[ErrorRecord] = []
        self.console: list[str] = []
        # Constructs the host's level does not have, found by the PowerShell checks (tests/pwsh/levels.py), by
        # position: they fail when reached, as on the host (``try`` on 1.0 is a command named "try").
        self._level_problems: dict[int, dict[tuple[int, int], Any]] = {}
        self.top_output = Output()
        # Trap statements and try blocks that are running: while any is, a terminating error goes up to it.
        self._handlers = 0
        # $?: whether the last statement succeeded (no error written or raised in it).
        self.last_ok = True
        self.native_failed = False
        from .automatic import install_automatic_variables

        install_automatic_variables(self)

    # -- services for cmdlets and .NET members ---------------------------------------------------------------

    @property
    def level(self) -> str:
        return self.host.powershell

    @property
    def runtime(self) -> str:
        return self.host.runtime

    def has(self, feature: str) -> bool:
        return has(feature, self.level)

    def variable(self, name: str) -> Any:
        return self.scope.lookup(name)[1]

    def set_variable(self, name: str, value: Any, *, scope: Scope | None = None) -> None:
        (scope or self.scope).variables[name.lower()] = value

    def to_string(self, value: Any) -> str:
        separator = self.variable("OFS")
        return conversions.to_string(value, " " if separator is None else conversions.to_string(separator))

    def to_bool(self, value: Any) -> bool:
        return conversions.to_bool(value)

    def enumerate(self, value: Any) -> list[Any]:
        return conversions.items_of(value)

    def compare_values(self, left: Any, right: Any) -> int:
        return operators.sort_key_compare(left, right)

    def convert(self, value: Any, type_name: str) -> Any:
        try:
            return conversions.convert(
                value, type_name, runtime=self.runtime, construct=self._construct_net, parse=self._parse_net
            )
        except conversions.ConversionError as error:
            self.throw(
                error.message,
                fqid=error.fqid,
                category="InvalidArgument",
                exception="System.Management.Automation.RuntimeException",
            )

    def write_host(self, text: str) -> None:
        """Write-Host: text straight to the console (its own newlines included), between pipeline output."""
        self.console.append(text.replace("\r\n", "\n").replace("\n", "\r\n"))

    def _to_console(self, item: Any) -> None:
        from .automatic import format_for_console

        text = format_for_console(self, item)
        if text:
            self.console.append(text)

    def format_lines(self, objects: Sequence[Any]) -> str:
        from .automatic import format_for_console

        return "".join(format_for_console(self, item) for item in objects)

    def load_exchange(self, version: str) -> None:
        """The Exchange cmdlets of ``version`` become available; the load costs what the latency model says."""
        self.host.loaded_exchange = version
        self.host.work.load_exchange_shell(self.host.spec.shell_load_seconds)

    def get_property(self, target: Any, name: str) -> Any:
        return self._member_value(target, name, None)

    def construct(self, type_name: str, args: Sequence[Any]) -> Any:
        net = find_type(type_name, runtime=self.runtime)
        if net is None:
            self.throw(
                f"Cannot find type [{type_name}]: make sure the assembly containing this type is loaded."
                if self.level in ("1.0", "2.0")
                else f"Cannot find type [{type_name}]: verify that the assembly containing this type is loaded.",
                fqid="TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand",
                category="InvalidType",
                exception="System.Management.Automation.PSArgumentException",
            )
        return self._construct_net(net, list(args))

    def _construct_net(self, net: NetType, args: list[Any]) -> Any:
        overloads = [overload for overload in net.constructors if float(overload.since) <= float(self.runtime)]
        if not overloads:
            if not args and net.value_type:
                return self.convert(0, net.full_name)
            raise NotModelled(f"a constructor of {net.full_name}", line=self._line)
        chosen, converted = self._resolve(overloads, args, "new", net.full_name, constructor=True)
        return self._call_dotnet(lambda: chosen.implementation(self.host, *converted), ".ctor", len(args))

    def _parse_net(self, net: NetType, text: str) -> Any:
        """A string to a type with a static Parse method (convert.py; LanguagePrimitives' FigureParseConversion):
        Parse(String, IFormatProvider) with the invariant culture if the type has it, else Parse(String); what Parse
        throws is the conversion's error. A Parse that .NET documents and the lab lacks is refused, never skipped
        for the constructor (it would give another value)."""
        from .dotnet.globalization import invariant_culture

        member = net.find_member("Parse", runtime=self.runtime, static=True)
        overloads = member.overloads_for(self.runtime) if member is not None and member.kind == "method" else []
        for parameters in (("System.String", "System.IFormatProvider"), ("System.String",)):
            chosen = next((item for item in overloads if item.parameters == parameters and not item.params), None)
            if chosen is not None:
                arguments = [text, invariant_culture()][: len(parameters)]
                return chosen.implementation(self.host, *arguments)
        if member is None:
            self._refuse_missing(net, "Parse", static=True, unrecorded_ok=True)
        return conversions.NO_PARSE

    def write_error(
        self,
        message: str,
        *,
        fqid: str,
        category: str,
        exception: str,
        target: Any = None,
        command: str | None,
        action: str,
    ) -> None:
        record = self.error_record(message, fqid=fqid, category=category, exception=exception, command=command)
        record.target = target
        self._add_to_error_variable(record)
        choice = action.lower()
        if choice == "stop":
            if not self.has("stop_keeps_exception"):
                wrapped = NetException(
                    "System.Management.Automation.ActionPreferenceStopException",
                    'Command execution stopped because the preference variable "ErrorActionPreference" or common '
                    f"parameter is set to Stop: {message}",
                )
                wrapped.error_record = record
                record = ErrorRecord(wrapped, record.fqid, record.category, target, record.invocation, command)
            raise PSError(record, script_terminating=True)
        if choice in ("silentlycontinue", "ignore"):
            return
        if choice == "inquire":
            raise NotModelled("-ErrorAction Inquire (a prompt)", line=self._line)
        self.errors_out.append(record)

    def throw(self, message: str, *, fqid: str, category: str, exception: str, command: str | None = None) -> NoReturn:
        raise PSError(self.error_record(message, fqid=fqid, category=category, exception=exception, command=command))

    def error_record(self, message: str, *, fqid: str, category: str, exception: str, command: str | None = None):
        return ErrorRecord(
            NetException(exception, message), fqid, category, None, InvocationInfo(self._position, command), command
        )

    def _add_to_error_variable(self, record: ErrorRecord) -> None:
        errors = self.global_scope.variables.get("error")
        if errors is not None and hasattr(errors, "items"):
            errors.items.insert(0, record)

    # -- running ------------------------------------------------------------------------------------------------

    def _note_level_problems(self, script: ParsedScript) -> None:
        from tests.pwsh.levels import language_problems

        found = {(p.line, p.column): p for p in language_problems(script, powershell=self.level) if p.when == "run"}
        self._level_problems[id(script)] = found

    def _check_level(self, node: Node) -> None:
        problems = self._level_problems.get(id(self.script))
        if not problems or self.script is None:
            return
        problem = problems.get(self.script.position(node))
        if problem is None:
            return
        self._current = node
        exception = (
            problem.exception if "." in problem.exception else "System.Management.Automation." + problem.exception
        )
        self.throw(problem.message, fqid=problem.fqid, category=problem.category.split(":")[0], exception=exception)

    def run_script(self, script: ParsedScript) -> tuple[list[Any], int | None]:
        """Run a whole script in the global scope; return its output and the exit code ``exit`` gave (or None)."""
        self.script = script
        self._note_level_problems(script)
        block = ScriptBlock(script, script.root, _param_block(script.root))
        output = self.top_output = ConsoleOutput(self._to_console)
        try:
            self._invoke_block(block, output, new_scope=False, arguments=[], bound_input=None)
        except ExitScript as done:
            return output.items, done.code
        return output.items, None

    def new_script_block(self, text: str) -> ScriptBlock:
        """$ExecutionContext.InvokeCommand.NewScriptBlock: parse ``text`` as a script of its own (an empty text is an
        empty block, which runs and writes nothing)."""
        script = parse_script(text if text.strip() else "$null = $null")
        from tests.pwsh import check_script

        problems = check_script(script, powershell=self.level, catalog=self.catalog)
        parse = [problem for problem in problems if problem.when == "parse"]
        if parse:
            problem = parse[0]
            raise NetException(
                "System.Management.Automation.ParseException",
                problem.message,
            )
        self._note_level_problems(script)
        return ScriptBlock(script, script.root, _param_block(script.root))

    def invoke_block(self, block: ScriptBlock, *, dollar_underscore: Any = _UNSET, args: Sequence[Any] = ()) -> list:
        output = Output()
        self._invoke_block(
            block, output, new_scope=True, arguments=list(args), bound_input=None, dollar_underscore=dollar_underscore
        )
        return output.items

    # -- positions ----------------------------------------------------------------------------------------------

    _current: Node | None = None

    @property
    def _line(self) -> int | None:
        return None if self._current is None or self.script is None else self.script.position(self._current)[0]

    @property
    def _position(self) -> Position | None:
        if self._current is None or self.script is None:
            return None
        line, column = self.script.position(self._current)
        start, end = self.script.span(self._current)
        return Position(line, column, self.script.line_text(line), max(end - start, 1), self.script.text[start:end])

    def _fail(
        self,
        node: Node,
        message: str,
        *,
        fqid: str,
        category: str = "InvalidOperation",
        exception: str = "System.Management.Automation.RuntimeException",
        command: str | None = None,
    ) -> NoReturn:
        self._current = node
        self.throw(message, fqid=fqid, category=category, exception=exception, command=command)

    # -- script blocks, scopes, traps -----------------------------------------------------------------------------

    def _invoke_block(
        self,
        block: ScriptBlock,
        output: Output,
        *,
        new_scope: bool,
        arguments: list[Any],
        bound_input: list[Any] | None,
        dollar_underscore: Any = _UNSET,
        named: dict[str, Any] | None = None,
        function: FunctionDefinition | None = None,
    ) -> None:
        saved_scope, saved_script = self.scope, self.script
        if new_scope:
            self.scope = Scope(self.scope)
        self.script = block.script
        try:
            if dollar_underscore is not _UNSET:
                self.set_variable("_", dollar_underscore)
            from .automatic import InputEnumerator

            if bound_input is not None:
                self.set_variable("input", InputEnumerator(list(bound_input)))
            parameters = function.parameters if function is not None else None
            if parameters is None and block.param_block is not None:
                parameters = _parameters_of(block.script, block.param_block)
            self._bind_parameters(
                parameters or [], arguments, named or {}, command=function.name if function is not None else None
            )
            body = _body_of(block)
            if body is None:
                return
            try:
                self._run_statements(body, output)
            except FlowControl as flow:
                if flow.kind != "return" or not new_scope:
                    raise
        finally:
            self.scope, self.script = saved_scope, saved_script

    def _run_statements(self, node: Node, output: Output) -> None:
        """A statement list with the scope's traps (about_Trap: a trap anywhere in a scope handles the terminating
        errors of that scope; after the trap body the script continues with the next statement unless the trap
        breaks or exits)."""
        statements = [child for child in node.named_children if child.type != "comment"]
        traps = [statement for statement in statements if statement.type == "trap_statement"]
        for statement in statements:
            if statement.type in ("trap_statement", "function_statement"):
                if statement.type == "function_statement":
                    self._define_function(statement)
                continue
        if traps:
            self._handlers += 1
        try:
            for statement in statements:
                if statement.type in ("trap_statement", "function_statement"):
                    continue
                written = len(self.errors_out)
                self.native_failed = False
                try:
                    self._statement(statement, output)
                except PSError as error:
                    self.last_ok = False
                    if traps:
                        self._handlers -= 1
                        try:
                            self._trap(traps, error, output)
                        finally:
                            self._handlers += 1
                        continue
                    self._statement_terminated(error)
                    continue
                self.last_ok = len(self.errors_out) == written and not self.native_failed
        finally:
            if traps:
                self._handlers -= 1

    def _statement_terminated(self, error: PSError) -> None:
        """A terminating error no trap of this scope took: up to a trap or catch that is running, or out of the
        script if it is script-terminating or $ErrorActionPreference is Stop; else it ends only its statement,
        written as $ErrorActionPreference says, and the next statement runs (about_Preference_Variables)."""
        preference = self.to_string(self.variable("ErrorActionPreference") or "Continue").lower()
        if self._handlers > 0 or error.script_terminating or preference == "stop":
            raise error
        if preference == "inquire":
            raise NotModelled("$ErrorActionPreference Inquire (a prompt)", line=self._line)
        self._add_to_error_variable(error.record)
        if preference not in ("silentlycontinue", "ignore"):
            self.errors_out.append(error.record)

    def _trap(self, traps: list[Node], error: PSError, output: Output) -> None:
        trap = next((trap for trap in traps if self._trap_matches(trap, error.record)), None)
        if trap is None:
            raise error
        body = next(child for child in trap.named_children if child.type == "statement_block")
        saved = self.scope
        self.scope = Scope(self.scope)
        self.set_variable("_", error.record)
        try:
            statements = body.child_by_field_name("statement_list")
            if statements is not None:
                self._run_statements(statements, output)
        except FlowControl as flow:
            if flow.kind == "break":
                raise error from None
            if flow.kind == "continue":
                return
            raise
        finally:
            self.scope = saved
        self.errors_out.append(error.record)

    def _trap_matches(self, trap: Node, record: ErrorRecord) -> bool:
        literal = next((child for child in trap.named_children if child.type == "type_literal"), None)
        if literal is None:
            return True
        net = self._type_of_literal(literal)
        actual = find_type(record.exception.type_name, runtime=self.runtime)
        return actual is not None and actual.is_assignable_to(net)

    def _define_function(self, node: Node) -> None:
        script = self.script
        assert script is not None
        name_node = next(child for child in node.named_children if child.type == "function_name")
        keyword = script.text_of(node.children[0]).lower()
        declaration = next((c for c in node.named_children if c.type == "function_parameter_declaration"), None)
        body_node = next((c for c in node.named_children if c.type == "script_block"), None)
        parameters = _parameters_of(script, declaration) if declaration is not None else None
        param_block = _param_block(body_node) if body_node is not None else None
        if parameters is None and param_block is not None:
            parameters = _parameters_of(script, param_block)
        block = ScriptBlock(script, body_node if body_node is not None else node, param_block)
        if body_node is None:
            block = ScriptBlock(script, node, None)
        definition = FunctionDefinition(script.text_of(name_node), parameters, block, keyword == "filter")
        self.scope.functions[definition.name.lower()] = definition

    # -- statements ---------------------------------------------------------------------------------------------

    def _statement(self, node: Node, output: Output) -> None:
        self._current = node
        self._check_level(node)
        kind = node.type
        if kind == "pipeline":
            self._pipeline(node, output)
        elif kind == "if_statement":
            self._if(node, output)
        elif kind == "foreach_statement":
            self._foreach(node, output)
        elif kind in ("for_statement", "while_statement", "do_statement"):
            self._loop(node, output)
        elif kind == "switch_statement":
            self._switch(node, output)
        elif kind == "flow_control_statement":
            self._flow(node, output)
        elif kind == "try_statement":
            self._try(node, output)
        elif kind == "function_statement":
            self._define_function(node)
        elif kind in ("empty_statement", "comment", "trap_statement"):
            return
        elif kind == "statement_block":
            statements = node.child_by_field_name("statement_list")
            if statements is not None:
                self._run_statements(statements, output)
        else:
            raise NotModelled(f"the statement {kind}", line=self.script.position(node)[0] if self.script else None)

    def _block(self, node: Node, output: Output) -> None:
        statements = node.child_by_field_name("statement_list")
        if statements is not None:
            self._run_statements(statements, output)

    def _if(self, node: Node, output: Output) -> None:
        condition = node.child_by_field_name("condition")
        blocks = [child for child in node.named_children if child.type == "statement_block"]
        if condition is not None and self.to_bool(self._pipeline_value(condition)):
            self._block(blocks[0], output)
            return
        clauses = node.child_by_field_name("elseif_clauses")
        for clause in clauses.named_children if clauses is not None else []:
            clause_condition = clause.child_by_field_name("condition")
            if clause_condition is not None and self.to_bool(self._pipeline_value(clause_condition)):
                self._block(next(c for c in clause.named_children if c.type == "statement_block"), output)
                return
        otherwise = node.child_by_field_name("else_clause")
        if otherwise is not None:
            self._block(next(c for c in otherwise.named_children if c.type == "statement_block"), output)

    def _loop_label(self, node: Node) -> str | None:
        previous = node.prev_sibling
        if previous is not None and previous.type == "label" and self.script is not None:
            return self.script.text_of(previous)[1:].lower()
        return None

    def _run_loop_body(self, body: Node, output: Output, label: str | None) -> str | None:
        """Run one iteration; return "break" or "continue" when a flow statement targets this loop."""
        try:
            self._block(body, output)
        except FlowControl as flow:
            if flow.kind in ("break", "continue") and (flow.label is None or flow.label == label):
                return flow.kind
            raise
        return None

    def _foreach(self, node: Node, output: Output) -> None:
        variable = next(child for child in node.named_children if child.type == "variable")
        source = next(child for child in node.named_children if child.type == "pipeline")
        body = next(child for child in node.named_children if child.type == "statement_block")
        items = self._foreach_items(source)
        name = _variable_name(self.script, variable)
        label = self._loop_label(node)
        for item in items:
            self._assign_variable(name, item)
            if self._run_loop_body(body, output, label) == "break":
                break

    def _foreach_items(self, source: Node) -> list[Any]:
        """Clause 8.4.4: the collection's elements; a scalar once; $null once before 3.0 and not at all after."""
        if _is_command_pipeline(source):
            out = Output()
            self._pipeline(source, out)
            return out.items
        value = self._pipeline_value(source)
        if value is None:
            return [] if self.has("foreach_skips_null") else [None]
        return conversions.items_of(value)

    def _loop(self, node: Node, output: Output) -> None:
        label = self._loop_label(node)
        body = next(child for child in node.named_children if child.type == "statement_block")
        if node.type == "for_statement":
            initializer = node.child_by_field_name("for_initializer")
            condition = node.child_by_field_name("for_condition")
            iterator = node.child_by_field_name("for_iterator")
            if initializer is not None:
                self._pipeline(_only(initializer), Output())
            while condition is None or self.to_bool(self._pipeline_value(_only(condition))):
                if self._run_loop_body(body, output, label) == "break":
                    break
                if iterator is not None:
                    self._pipeline(_only(iterator), Output())
            return
        condition = node.child_by_field_name("condition")
        assert condition is not None
        if node.type == "while_statement":
            while self.to_bool(self._pipeline_value(_only(condition))):
                if self._run_loop_body(body, output, label) == "break":
                    break
            return
        until = any(child.type == "until" for child in node.children)
        while True:
            if self._run_loop_body(body, output, label) == "break":
                break
            result = self.to_bool(self._pipeline_value(_only(condition)))
            if result == until:
                break

    def _switch(self, node: Node, output: Output) -> None:
        """about_Switch: each element of the value in turn is $_; a clause matches by -eq (-wildcard: -like, -regex:
        -match, setting $matches), or by a script block that returns true; every matching clause runs unless one
        breaks (leave the switch) or continues (next element); default runs when none matched."""
        assert self.script is not None
        options = {
            self.script.text_of(parameter).lower()
            for group in node.named_children
            if group.type == "switch_parameters"
            for parameter in group.named_children
        }
        if "-file" in options or "-parallel" in options:
            raise NotModelled("switch -file / -parallel", line=self._line)
        condition = next(child for child in node.named_children if child.type == "switch_condition")
        if any(child.type == "switch_filename" for child in condition.named_children):
            raise NotModelled("switch -file", line=self._line)
        body = next(child for child in node.named_children if child.type == "switch_body")
        clauses_node = next((child for child in body.named_children if child.type == "switch_clauses"), None)
        clauses = [] if clauses_node is None else [c for c in clauses_node.named_children if c.type == "switch_clause"]
        if clauses_node is not None and clauses_node.has_error:
            raise NotModelled("a switch body the parser could not read", line=self._line)
        pipeline = next(child for child in condition.named_children if child.type == "pipeline")
        value = self._pipeline_value(pipeline)
        items = [None] if value is None else conversions.items_of(value)
        case = "-casesensitive" in options
        label = self._loop_label(node)
        for item in items:
            matched = False
            for clause in clauses:
                test = next(child for child in clause.named_children if child.type == "switch_clause_condition")
                block = next(child for child in clause.named_children if child.type == "statement_block")
                text = self.script.text_of(test)
                if text.lower() == "default":
                    continue
                if self._switch_matches(test, item, options, case):
                    matched = True
                    self.set_variable("_", item)
                    flow = self._run_loop_body(block, output, label)
                    if flow == "break":
                        return
                    if flow == "continue":
                        break
            else:
                if not matched:
                    for clause in clauses:
                        test = next(c for c in clause.named_children if c.type == "switch_clause_condition")
                        if self.script.text_of(test).lower() == "default":
                            self.set_variable("_", item)
                            block = next(c for c in clause.named_children if c.type == "statement_block")
                            if self._run_loop_body(block, output, label) == "break":
                                return

    def _switch_matches(self, test: Node, item: Any, options: set[str], case: bool) -> bool:
        inner = test.named_children[0] if test.named_children else test
        inner = _strip(inner)
        if inner.type in ("script_block_expression", "script_block"):
            assert self.script is not None
            block = (
                self._script_block(inner)
                if inner.type == "script_block_expression"
                else ScriptBlock(self.script, inner, _param_block(inner))
            )
            return self.to_bool(collect(self.invoke_block(block, dollar_underscore=item)))
        assert self.script is not None
        if inner.named_children or inner.type != "switch_clause_condition":
            wanted = self._expression(inner)
        else:
            # The grammar reads a clause value such as "a*" or 2 as one token: a quoted token is a string literal.
            from .strings import verbatim_string

            text = self.script.text_of(inner)
            if text[:1] == "'":
                wanted = verbatim_string(text, "verbatim_string_characters")
            elif text[:1] == '"':
                if "$" in text:
                    raise NotModelled("a switch clause with an expandable string", line=self._line)
                from tests.pwsh.literals import unescape_double

                wanted = unescape_double(text[1:-1], doubled=True)
            else:
                wanted = text
        prefix = "-c" if case else "-"
        if "-regex" in options:
            return bool(operators.compare(prefix + "match", item, wanted, matches=self._set_matches))
        if "-wildcard" in options:
            return bool(operators.compare(prefix + "like", item, wanted, matches=self._set_matches))
        return bool(operators.compare(prefix + "eq", item, wanted, matches=self._set_matches))

    def _flow(self, node: Node, output: Output) -> None:
        keyword = self.script.text_of(node.children[0]).lower() if self.script else ""
        operand = next((child for child in node.named_children), None)
        if keyword == "return":
            if operand is not None:
                self._pipeline(operand, output)
            raise FlowControl("return")
        if keyword == "exit":
            code = 0
            if operand is not None:
                value = self._pipeline_value(operand)
                code = int(conversions.to_number(value)) if value is not None else 0
            raise ExitScript(code)
        if keyword in ("break", "continue"):
            label = None
            if operand is not None and self.script is not None:
                label = self.script.text_of(operand).lstrip(":").lower()
            raise FlowControl(keyword, label)
        if keyword == "throw":
            value = self._pipeline_value(operand) if operand is not None else None
            self._current = node
            raise PSError(self._thrown_record(value), script_terminating=True)
        raise NotModelled(f"the flow statement {keyword}", line=self._line)

    def _thrown_record(self, value: Any) -> ErrorRecord:
        """about_Throw: an ErrorRecord is thrown as it is; an exception is wrapped; anything else becomes a
        RuntimeException whose message (and error id) is its text; nothing is "ScriptHalted"."""
        invocation = InvocationInfo(self._position)
        if isinstance(value, ErrorRecord):
            if value.invocation is None or value.invocation.position is None:
                value.invocation = invocation
            return value
        if isinstance(value, NetException):
            return ErrorRecord(value, value.message, "OperationStopped", None, invocation)
        if value is None:
            return ErrorRecord(
                NetException("System.Management.Automation.RuntimeException", "ScriptHalted"),
                "ScriptHalted",
                "OperationStopped",
                None,
                invocation,
            )
        text = self.to_string(value)
        return ErrorRecord(
            NetException("System.Management.Automation.RuntimeException", text),
            text,
            "OperationStopped",
            value,
            invocation,
        )

    def _try(self, node: Node, output: Output) -> None:
        blocks = [child for child in node.named_children if child.type == "statement_block"]
        catches = next((child for child in node.named_children if child.type == "catch_clauses"), None)
        final = next((child for child in node.named_children if child.type == "finally_clause"), None)
        try:
            try:
                self._handlers += 1
                try:
                    self._block(blocks[0], output)
                finally:
                    self._handlers -= 1
            except PSError as error:
                clause = self._catch_for(catches, error.record) if catches is not None else None
                if clause is None:
                    raise
                saved = self.scope
                self.set_variable("_", error.record)
                try:
                    self._block(next(c for c in clause.named_children if c.type == "statement_block"), output)
                finally:
                    self.scope = saved
        finally:
            if final is not None:
                self._block(next(c for c in final.named_children if c.type == "statement_block"), output)

    def _catch_for(self, catches: Node, record: ErrorRecord) -> Node | None:
        actual = find_type(record.exception.type_name, runtime=self.runtime)
        for clause in catches.named_children:
            types = next((child for child in clause.named_children if child.type == "catch_type_list"), None)
            if types is None:
                return clause
            for literal in types.named_children:
                wanted = self._type_of_literal(literal)
                if actual is not None and actual.is_assignable_to(wanted):
                    return clause
        return None

    # -- pipelines and commands ---------------------------------------------------------------------------------

    def _pipeline(self, node: Node, output: Output) -> None:
        """A statement's pipeline: its objects go to ``output`` (an expression's value is unrolled, clause 7.x)."""
        self._current = node
        inner = node.named_children[0] if node.named_children else None
        if node.type == "pipeline" and inner is not None and inner.type == "assignment_expression":
            self._assignment(inner)
            return
        chains = [child for child in node.named_children if child.type == "pipeline_chain"]
        if node.type == "pipeline_chain":
            chains = [node]
        if len(chains) != 1:
            raise NotModelled("pipeline chains (&&, ||)", line=self._line)
        self._chain(chains[0], output)

    def _chain(self, chain: Node, output: Output) -> None:
        elements = [child for child in chain.named_children if child.type != "comment"]
        if any(child.type in ("redirections", "redirection", "verbatim_command_argument") for child in elements):
            raise NotModelled("redirections", line=self._line)
        first, rest = elements[0], elements[1:]
        if first.type == "command":
            try:
                items = self._command(first, None)
            except (ExitScript, PSError) as error:
                # What the command wrote before it ended the script reached this pipeline already (output is
                # streamed); with nothing downstream it is this statement's output.
                if not rest:
                    output.items.extend(getattr(error, "partial", ()))
                    error.partial = []  # type: ignore[union-attr]
                raise
        else:
            value = self._expression(first)
            items = [] if _discards(first) or _writes_nothing(first, value) else conversions.items_of(value)
        for command in rest:
            items = self._command(command, items)
        output.items.extend(items)

    def _pipeline_value(self, node: Node) -> Any:
        """The value of a pipeline used as an expression: an expression's own value, a command pipeline's objects
        collected (none: $null, one: itself, more: object[])."""
        node = _strip(node)
        if node.type == "pipeline":
            inner = node.named_children[0] if node.named_children else None
            if inner is not None and inner.type == "assignment_expression":
                return self._assignment(inner)
            chains = [child for child in node.named_children if child.type == "pipeline_chain"]
            if len(chains) == 1 and not _is_command_chain(chains[0]):
                elements = [c for c in chains[0].named_children if c.type != "comment"]
                if len(elements) == 1:
                    return self._expression(elements[0])
        elif node.type == "pipeline_chain" and not _is_command_chain(node):
            elements = [c for c in node.named_children if c.type != "comment"]
            if len(elements) == 1:
                return self._expression(elements[0])
        elif node.type not in ("pipeline", "pipeline_chain", "command"):
            return self._expression(node)
        out = Output()
        if node.type == "command":
            out.items.extend(self._command(node, None))
        else:
            self._pipeline(node, out)
        return collect(out.items)

    def _command(self, node: Node, pipeline_input: list[Any] | None) -> list[Any]:
        from .invocation import run_command

        self._current = node
        return run_command(self, node, pipeline_input)

    def call_function(
        self,
        function: FunctionDefinition,
        positional: list[Any],
        named: dict[str, Any],
        pipeline_input: list[Any] | None,
    ) -> list[Any]:
        output = Output()
        try:
            return self._call_function(function, positional, named, pipeline_input, output)
        except (ExitScript, PSError) as error:
            error.partial = list(output.items)  # type: ignore[union-attr]
            raise

    def _call_function(
        self,
        function: FunctionDefinition,
        positional: list[Any],
        named: dict[str, Any],
        pipeline_input: list[Any] | None,
        output: Output,
    ) -> list[Any]:
        if function.filter and pipeline_input is not None:
            for item in pipeline_input:
                self._invoke_block(
                    function.body,
                    output,
                    new_scope=True,
                    arguments=list(positional),
                    bound_input=[item],
                    dollar_underscore=item,
                    named=named,
                    function=function,
                )
            return output.items
        self._invoke_block(
            function.body,
            output,
            new_scope=True,
            arguments=list(positional),
            bound_input=pipeline_input if pipeline_input is not None else [],
            named=named,
            function=function,
        )
        return output.items

    def run_block(self, block: ScriptBlock, positional: list[Any], *, dot: bool, pipeline_input: list | None) -> list:
        output = Output()
        try:
            self._invoke_block(
                block,
                output,
                new_scope=not dot,
                arguments=positional,
                bound_input=pipeline_input if pipeline_input is not None else [],
            )
        except (ExitScript, PSError) as error:
            error.partial = list(output.items)  # type: ignore[union-attr]
            raise
        return output.items

    def _bind_parameters(
        self, parameters: list[Parameter], positional: list[Any], named: dict[str, Any], command: str | None = None
    ) -> None:
        """about_Functions / about_Parameters: named arguments by (prefix of) name, then positions in order; what
        is left is $args. Typed parameters convert their values; [switch] parameters are $false when absent."""
        remaining = list(positional)
        bound: dict[str, Any] = {}
        for given, value in named.items():
            exact = [p for p in parameters if p.name.lower() == given.lower()]
            matches = exact or [p for p in parameters if p.name.lower().startswith(given.lower())]
            if len(matches) != 1:
                from tests.pwsh.messages import ambiguous_parameter, parameter_not_found

                if matches:
                    message = ambiguous_parameter(given, [p.name for p in matches])
                    fqid = "AmbiguousParameter"
                else:
                    message, fqid = parameter_not_found(given), "NamedParameterNotFound"
                self.throw(
                    message,
                    fqid=f"{fqid},{command}" if command else fqid,
                    category="InvalidArgument",
                    exception="System.Management.Automation.ParameterBindingException",
                    command=command,
                )
            bound[matches[0].name.lower()] = value
        for parameter in parameters:
            key = parameter.name.lower()
            if key in bound:
                value = bound[key]
                if parameter.switch and value is _UNSET:
                    value = True
            elif parameter.switch:
                value = False
            elif remaining:
                value = remaining.pop(0)
            elif parameter.default is not None:
                value = self._pipeline_value(parameter.default)
            else:
                value = None
                if parameter.type_name is None:
                    self.set_variable(parameter.name, None)
                    continue
            if value is _UNSET:
                value = True
            if parameter.type_name is not None and not parameter.switch:
                value = self._convert_argument(value, parameter)
            self.set_variable(parameter.name, value)
        self.set_variable("args", PSArray(remaining))

    def _convert_argument(self, value: Any, parameter: Parameter) -> Any:
        type_name = parameter.type_name or "System.Object"
        net = find_type(type_name.rstrip("[]"), runtime=self.runtime)
        full = (net.full_name + ("[]" if type_name.endswith("[]") else "")) if net is not None else type_name
        if full == "System.Boolean" and not isinstance(value, (bool, int)) and value is not None:
            # about_Parameters (Boolean parameters): only booleans or numbers bind to [bool].
            self.throw(
                f"Cannot process argument transformation on parameter '{parameter.name}'. Cannot convert value "
                f'"{self.to_string(value)}" to type "System.Boolean", parameters of this type only accept booleans '
                "or numbers, use $true, $false, 1 or 0 instead.",
                fqid="ParameterArgumentTransformationError",
                category="InvalidData",
                exception="System.Management.Automation.ParameterBindingArgumentTransformationException",
            )
        if value is None and full.endswith("[]"):
            return None
        if value is None and full == "System.String":
            return ""
        return self.convert(value, full)

    # -- assignment ---------------------------------------------------------------------------------------------

    def _assignment(self, node: Node) -> Any:
        left = _strip(node.named_children[0])
        operator_node = next(child for child in node.children if child.type == "assignement_operator")
        symbol = self.script.text_of(operator_node) if self.script else "="
        value_node = node.child_by_field_name("value")
        assert value_node is not None
        value = self._statement_value(value_node)
        if symbol != "=":
            current = self._expression(left)
            try:
                value = operators.arithmetic(symbol[0], current, value)
            except operators.OperatorError as error:
                self._fail(node, error.message, fqid=error.fqid)
        self._assign_to(left, value)
        return value

    def _statement_value(self, node: Node) -> Any:
        """The right-hand side of ``=``: a pipeline's collected output, or an expression's value as it is."""
        if node.type == "pipeline":
            return self._pipeline_value(node)
        output = Output()
        self._statement(node, output)
        return collect(output.items)

    def _assign_to(self, target: Node, value: Any) -> None:
        target = _strip(target)
        if target.type == "variable":
            self._assign_variable(_variable_name(self.script, target), value)
            return
        if target.type == "cast_expression":
            literal = target.named_children[0]
            inner = _strip(target.named_children[1])
            if inner.type == "variable":
                self._assign_variable(_variable_name(self.script, inner), self.convert(value, self._type_name(literal)))
                return
        if target.type == "member_access":
            owner = self._expression(target.named_children[0])
            name = self._member_name(target)
            self._set_member(owner, name, value, target)
            return
        if target.type == "element_access":
            owner = self._expression(target.named_children[0])
            index = self._expression(target.named_children[1])
            self._set_element(owner, index, value, target)
            return
        raise NotModelled(f"assignment to a {target.type}", line=self._line)

    def _assign_variable(self, name: str, value: Any) -> None:
        scope_name, _colon, bare = name.rpartition(":")
        lowered = scope_name.lower()
        if lowered == "env":
            from .automatic import environment

            environment(self)[bare.upper()] = self.to_string(value)
            return
        if lowered in ("global", "script"):
            self.set_variable(bare, value, scope=self.global_scope)
            return
        if lowered in ("local", "private", ""):
            self.set_variable(bare, value)
            return
        raise NotModelled(f"the variable scope {scope_name}:", line=self._line)

    # -- expressions --------------------------------------------------------------------------------------------

    def _expression(self, node: Node) -> Any:
        node = _strip(node)
        self._check_level(node)
        handler = _HANDLERS.get(node.type)
        if handler is None:
            raise NotModelled(
                f"the expression {node.type}", line=self.script.position(node)[0] if self.script else None
            )
        return handler(self, node)

    def _binary(self, node: Node) -> Any:
        children = node.children
        left_node, operator_node, right_node = children[0], children[1], children[2]
        symbol = self.script.text_of(operator_node).lower() if self.script else ""
        if node.type in ("logical_expression", "logical_argument_expression") or symbol in ("-and", "-or", "-xor"):
            left = self.to_bool(self._expression(left_node))
            if symbol == "-and":
                return left and self.to_bool(self._expression(right_node))
            if symbol == "-or":
                return left or self.to_bool(self._expression(right_node))
            return left != self.to_bool(self._expression(right_node))
        left = self._expression(left_node)
        right = self._expression(right_node)
        self._current = node
        try:
            if symbol in ("+", "-", "*", "/", "%"):
                return operators.arithmetic(symbol, left, right)
            if symbol in ("-band", "-bor", "-bxor"):
                a, b = int(conversions.to_number(left)), int(conversions.to_number(right))
                result = {"-band": a & b, "-bor": a | b, "-bxor": a ^ b}[symbol]
                if isinstance(left, EnumValue):
                    from .values import enum_value

                    return enum_value(find_type(left.type_name) or type_of(left), result)
                return result
            if symbol == "-f":
                return self._format(left, right)
            if symbol == "..":
                start, end = int(conversions.to_number(left)), int(conversions.to_number(right))
                step = 1 if end >= start else -1
                return PSArray(list(range(start, end + step, step)))
            if symbol in ("-is", "-isnot"):
                net = (
                    right.net if isinstance(right, TypeRef) else find_type(self.to_string(right), runtime=self.runtime)
                )
                if net is None:
                    self._fail(node, f"Unable to find type [{self.to_string(right)}].", fqid="TypeNotFound")
                matched = left is not None and _is_instance(left, net)
                return matched if symbol == "-is" else not matched
            if symbol == "-as":
                net = (
                    right.net if isinstance(right, TypeRef) else find_type(self.to_string(right), runtime=self.runtime)
                )
                if net is None:
                    return None
                try:
                    return conversions.convert(
                        left, net.full_name, runtime=self.runtime, construct=self._construct_net, parse=self._parse_net
                    )
                except (conversions.ConversionError, NetException, PSError):
                    return None
            return operators.compare(symbol, left, right, matches=self._set_matches)
        except operators.OperatorError as error:
            self._fail(node, error.message, fqid=error.fqid, exception=error.exception)
        except conversions.ConversionError as error:
            self._fail(node, error.message, fqid=error.fqid, category="InvalidArgument")
        return None

    def _set_matches(self, table: Any) -> None:
        if table is not None:
            self.set_variable("matches", table)

    def _format(self, template: Any, arguments: Any) -> str:
        from .dotnet.text import composite_format

        values = list(arguments) if isinstance(arguments, list) else [arguments]
        try:
            return composite_format(self.to_string(template), values, self)
        except NetException as error:
            self.throw(
                f"Error formatting a string: {error.message}.",
                fqid="FormatError",
                category="InvalidOperation",
                exception="System.Management.Automation.RuntimeException",
            )

    def _array_literal(self, node: Node) -> Any:
        items = [self._expression(child) for child in node.named_children if child.type != "comment"]
        return PSArray(items)

    def _unary(self, node: Node) -> Any:
        first = node.children[0]
        if node.type == "cast_expression" or first.type == "cast_expression":
            cast = node if node.type == "cast_expression" else first
            return self._cast(cast)
        if first.type in ("pre_increment_expression", "pre_decrement_expression"):
            return self._increment(first, prefix=True)
        symbol = self.script.text_of(first).lower() if self.script else ""
        operand = node.children[1] if len(node.children) > 1 else None
        if symbol == ",":
            return PSArray([self._expression(operand)])
        if symbol in ("-not", "!"):
            return not self.to_bool(self._expression(operand))
        if symbol == "-":
            value = self._expression(operand)
            try:
                return operators.arithmetic("*", conversions.to_number(value), -1)
            except conversions.ConversionError as error:
                self._fail(node, error.message, fqid=error.fqid)
        if symbol == "+":
            return conversions.to_number(self._expression(operand))
        if symbol == "-bnot":
            return ~int(conversions.to_number(self._expression(operand)))
        if symbol in ("-split", "-join"):
            # (1.0 has neither: its parser refuses them before anything runs, tests/pwsh/levels.py.)
            value = self._expression(operand)
            if symbol == "-join":
                return "".join(self.to_string(item) for item in conversions.items_of(value))
            return PSArray(
                [part for item in conversions.items_of(value) for part in self.to_string(item).split()], "System.String"
            )
        raise NotModelled(f"the unary operator {symbol}", line=self._line)

    def _increment(self, node: Node, *, prefix: bool) -> Any:
        target = next(child for child in node.named_children)
        current = self._expression(target)
        text = self.script.text_of(node) if self.script else ""
        delta = 1 if "++" in text else -1
        updated = operators.arithmetic("+", current if current is not None else 0, delta)
        self._assign_to(target, updated)
        return updated if prefix else current

    def _cast(self, node: Node) -> Any:
        literal, operand = node.named_children[0], node.named_children[1]
        name = self._type_name(literal)
        value = self._expression(operand)
        if name.lower() in ("void", "system.void"):
            return None
        self._current = node
        return self.convert(value, name)

    def _type_name(self, literal: Node) -> str:
        # _type_of_literal already gives the array type for ``[T[]]``.
        return self._type_of_literal(literal).full_name

    def _type_of_literal(self, literal: Node) -> NetType:
        spec = next(child for child in literal.named_children if child.type == "type_spec")
        text = self.script.text_of(spec).strip() if self.script else ""
        array = text.endswith("[]")
        name = text[:-2].strip() if array else text
        from .automatic import accelerator

        resolved = accelerator(self, name)
        net = find_type(resolved, runtime=self.runtime)
        if net is None:
            from tests.pwsh.messages import type_not_found

            self._fail(
                literal,
                type_not_found(name + ("[]" if array else ""), powershell=self.level),
                fqid="TypeNotFound",
                category="InvalidOperation",
            )
        if array:
            from .values import array_type

            return array_type(net.full_name)
        return net

    def _type_literal(self, node: Node) -> TypeRef:
        return TypeRef(self._type_of_literal(node))

    def _variable(self, node: Node) -> Any:
        from .automatic import read_variable

        return read_variable(self, _variable_name(self.script, node), node)

    def _literal_integer(self, node: Node) -> Any:
        text = self.script.text_of(node) if self.script else "0"
        number = conversions.parse_number(text)
        if number is None:
            raise NotModelled(f"the number {text}", line=self._line)
        return number

    def _literal_real(self, node: Node) -> Any:
        return self._literal_integer(node)

    def _string(self, node: Node) -> Any:
        assert self.script is not None
        inner = node.named_children[0] if node.type == "string_literal" and node.named_children else node
        if inner.type in ("verbatim_string_characters", "verbatim_here_string_characters"):
            from .strings import verbatim_string

            return verbatim_string(self.script.text_of(inner), inner.type)
        return self._expand(inner)

    def _expand(self, node: Node) -> str:
        """about_Quoting_Rules: variables and $( ) in double-quoted strings are expanded; backtick escapes."""
        assert self.script is not None
        from .strings import expand_string

        return expand_string(self, node)

    def _sub_expression(self, node: Node) -> Any:
        statements = node.child_by_field_name("statements")
        if statements is None:
            return None
        output = Output()
        self._run_statements(statements, output)
        return collect(output.items)

    def _array_expression(self, node: Node) -> Any:
        statements = node.child_by_field_name("statements")
        output = Output()
        if statements is not None:
            self._run_statements(statements, output)
        return PSArray(output.items)

    def _parenthesized(self, node: Node) -> Any:
        inner = next(child for child in node.named_children if child.type == "pipeline")
        return self._pipeline_value(inner)

    def _hash_literal(self, node: Node) -> Hashtable:
        table = Hashtable()
        body = next((child for child in node.named_children if child.type == "hash_literal_body"), None)
        for entry in body.named_children if body is not None else []:
            if entry.type != "hash_entry":
                continue
            key_node = entry.named_children[0]
            key_inner = key_node.named_children[0] if key_node.named_children else key_node
            key = self.script.text_of(key_inner) if key_inner.type == "simple_name" and self.script else None
            if key is None:
                key = self._expression(key_node)
            value_node = entry.named_children[1]
            value = self._statement_value(value_node)
            if key in table:
                self._fail(
                    entry,
                    f"Duplicate keys '{key}' are not allowed in hash literals.",
                    fqid="DuplicateKeyInHashLiteral",
                    category="ParserError",
                )
            table[key] = value
        return table

    def _script_block(self, node: Node) -> ScriptBlock:
        assert self.script is not None
        block = next((child for child in node.named_children if child.type == "script_block"), None)
        param = next((child for child in node.named_children if child.type == "param_block"), None)
        if block is not None and param is None:
            param = _param_block(block)
        return ScriptBlock(self.script, block if block is not None else node, param)

    def _member_name(self, node: Node) -> str:
        name_node = next(child for child in node.named_children if child.type == "member_name")
        inner = name_node.named_children[0] if name_node.named_children else name_node
        if inner.type == "simple_name" and self.script is not None:
            return self.script.text_of(inner)
        return self.to_string(self._expression(inner))

    def _member_access(self, node: Node) -> Any:
        static = any(child.type == "::" for child in node.children)
        owner_node = node.named_children[0]
        owner = self._expression(owner_node)
        name = self._member_name(node)
        self._current = node
        if static:
            if not isinstance(owner, TypeRef):
                raise NotModelled("static member access on a value that is not a type", line=self._line)
            return self._static_property(owner.net, name, node)
        return self._member_value(owner, name, node)

    def _static_property(self, net: NetType, name: str, node: Node) -> Any:
        if net.enum_members is not None:
            from .values import enum_value, runtime_at_least

            for member_name, number in net.enum_members.items():
                since = net.member_since.get(member_name, "2.0")
                if member_name.lower() == name.lower() and runtime_at_least(self.runtime, since):
                    return enum_value(net, number)
            return None
        member = net.find_member(name, runtime=self.runtime, static=True)
        if member is None:
            self._refuse_missing(net, name, static=True)
            return None
        if member.kind != "property" or member.getter is None:
            return None
        return self._call_dotnet(lambda: member.getter(self.host), name, 0)

    def _member_value(self, owner: Any, name: str, node: Node | None) -> Any:
        """Clause 7.1.2 member access: properties (adapted: hashtable keys, PSObject note properties); a missing
        property is $null. 3.0 adds member enumeration and Count/Length on scalars."""
        lowered = name.lower()
        if owner is None:
            if lowered in ("count", "length") and self.has("scalar_count"):
                return 0
            return None
        if isinstance(owner, Hashtable):
            if owner.__contains__(name):
                return owner[name]
            if lowered in ("count", "keys", "values", "syncroot", "isreadonly", "isfixedsize", "issynchronized"):
                return self._dotnet_property(owner, name)
            return None
        if isinstance(owner, PSObject):
            found, value = owner.get(name)
            if found:
                return value
        if isinstance(owner, list) and lowered in ("count", "length"):
            return len(owner)  # Array.Length, and the Count alias types.ps1xml gives arrays from 1.0
        value = self._dotnet_property(owner, name)
        if value is not _UNSET:
            return value
        if isinstance(owner, list) and self.has("member_enumeration"):
            values = [self._member_value(item, name, node) for item in owner]
            return collect([v for v in values if v is not None]) if values else None
        if lowered in ("count", "length") and self.has("scalar_count"):
            return 1
        try:
            net = type_of(owner)
        except (LookupError, TypeError):
            raise NotModelled(f"properties of {type(owner).__name__}", line=self._line) from None
        # Only an adapted object's missing property is certainly $null (note properties, WMI); on a type whose
        # documented members are not recorded it may be one the lab lacks.
        if net.find_member(name, runtime=self.runtime) is None:
            self._refuse_missing(net, name, unrecorded_ok=isinstance(owner, PSObject))
        return None

    def _dotnet_property(self, owner: Any, name: str) -> Any:
        try:
            net = type_of(owner)
        except (LookupError, TypeError):
            return _UNSET
        member = net.find_member(name, runtime=self.runtime)
        if member is None:
            self._refuse_missing(net, name, unrecorded_ok=True)
            return _UNSET
        if member.kind != "property" or member.getter is None:
            return _UNSET
        getter = member.getter
        return self._call_dotnet(lambda: getter(owner), name, 0, property_get=True)

    def _set_member(self, owner: Any, name: str, value: Any, node: Node) -> None:
        if isinstance(owner, Hashtable):
            owner[name] = value
            return
        if isinstance(owner, PSObject):
            found, _value = owner.get(name)
            if found:
                owner.set(name, value)
                return
        try:
            net = type_of(owner) if owner is not None else None
        except (LookupError, TypeError):
            net = None
        member = net.find_member(name, runtime=self.runtime) if net is not None else None
        if member is None and net is not None:
            self._refuse_missing(net, name, unrecorded_ok=isinstance(owner, PSObject))
        if member is None or member.setter is None:
            self._fail(
                node,
                f"Property '{name}' cannot be found on this object; make sure it exists and is settable.",
                fqid="PropertyAssignmentException",
            )
        setter = member.setter
        self._call_dotnet(lambda: setter(owner, value), name, 1, property_set=True)

    def _element_access(self, node: Node) -> Any:
        owner = self._expression(node.named_children[0])
        index = self._expression(node.named_children[1])
        self._current = node
        if owner is None:
            self._fail(node, "Cannot index into a null array.", fqid="NullArray")
        if isinstance(index, list) and not isinstance(owner, Hashtable):
            return PSArray([self._index(owner, item, node) for item in index])
        return self._index(owner, index, node)

    def _index(self, owner: Any, index: Any, node: Node) -> Any:
        if isinstance(owner, Hashtable):
            return owner[index]
        if isinstance(owner, str):
            position = int(conversions.to_number(index))
            if -len(owner) <= position < len(owner):
                return Char(owner[position])
            return None
        if isinstance(owner, list):
            position = int(conversions.to_number(index))
            if -len(owner) <= position < len(owner):
                item = owner[position]
                if (
                    isinstance(owner, PSArray)
                    and owner.element_type in INTEGER_RANGES
                    and not isinstance(item, TypedInt)
                ) and owner.element_type != "System.Int32":
                    return TypedInt(item, owner.element_type)
                return item
            return None
        if isinstance(owner, PSObject):
            return self._member_value(owner, self.to_string(index), node)
        if hasattr(owner, "__getitem__"):
            # A .NET indexer (IList.Item): an exception it throws surfaces as PowerShell's GetValueInvocationException
            # around it ("Exception getting "Item": ..."), like any property getter.
            key = int(conversions.to_number(index)) if not isinstance(index, str) else index
            try:
                return self._call_dotnet(lambda: owner[key], "Item", 1, property_get=True)
            except IndexError:
                return None
        if self.has("scalar_count") and int(conversions.to_number(index)) == 0:
            return owner
        self._fail(node, f"Unable to index into an object of type {type_name_of(owner)}.", fqid="CannotIndex")

    def _set_element(self, owner: Any, index: Any, value: Any, node: Node) -> None:
        if isinstance(owner, Hashtable):
            owner[index] = value
            return
        if isinstance(owner, list):
            position = int(conversions.to_number(index))
            if not -len(owner) <= position < len(owner):
                self._fail(
                    node,
                    "Array assignment failed because index '" + str(position) + "' was out of range.",
                    fqid="IndexOutOfRange",
                )
            owner[position] = value
            return
        if owner is not None and hasattr(owner, "__setitem__"):
            owner[int(conversions.to_number(index))] = value
            return
        self._fail(
            node,
            f"Unable to index into an object of type {type_name_of(owner) if owner is not None else 'null'}.",
            fqid="CannotIndex",
        )

    def _invocation(self, node: Node) -> Any:
        static = any(child.type == "::" for child in node.children)
        owner = self._expression(node.named_children[0])
        name = self._member_name(node)
        argument_list = next(child for child in node.named_children if child.type == "argument_list")
        arguments_node = argument_list.child_by_field_name("argument_expression_list")
        arguments = (
            []
            if arguments_node is None
            else [
                self._expression(child)
                for child in arguments_node.named_children
                if child.type == "argument_expression"
            ]
        )
        self._current = node
        if static:
            if not isinstance(owner, TypeRef):
                raise NotModelled("a static method call on a value that is not a type", line=self._line)
            return self.call_static(owner.net, name, arguments)
        return self.call_method(owner, name, arguments, node)

    def call_static(self, net: NetType, name: str, arguments: list[Any]) -> Any:
        member = net.find_member(name, runtime=self.runtime, static=True)
        if member is None or member.kind != "method":
            if member is None:
                self._refuse_missing(net, name, static=True)
            from tests.pwsh.messages import method_not_found

            self.throw(
                method_not_found(net.full_name, name, powershell=self.level),
                fqid="MethodNotFound",
                category="InvalidOperation",
                exception="System.Management.Automation.RuntimeException",
            )
        overload, converted = self._resolve(member.overloads_for(self.runtime), arguments, name, net.full_name)
        return self._call_dotnet(lambda: overload.implementation(self.host, *converted), name, len(arguments))

    def call_method(self, owner: Any, name: str, arguments: list[Any], node: Node | None) -> Any:
        if owner is None:
            if node is not None:
                self._current = node
            self.throw(
                "You cannot call a method on a null-valued expression.",
                fqid="InvokeMethodOnNull",
                category="InvalidOperation",
                exception="System.Management.Automation.RuntimeException",
            )
        if isinstance(owner, ScriptBlock) and name.lower() in ("invoke", "invokereturnasis"):
            return collect(self.invoke_block(owner, args=arguments))
        try:
            net = type_of(owner)
        except (LookupError, TypeError):
            raise NotModelled(f"methods of {type(owner).__name__}", line=self._line) from None
        member = net.find_member(name, runtime=self.runtime)
        if member is None or member.kind != "method":
            if member is None:
                self._refuse_missing(net, name)
            if isinstance(owner, list) and self.has("member_enumeration"):
                return collect([self.call_method(item, name, arguments, node) for item in owner])
            from tests.pwsh.messages import method_not_found

            shown = "System.Object[]" if isinstance(owner, list) and not isinstance(owner, PSArray) else net.full_name
            self.throw(
                method_not_found(shown, name, powershell=self.level),
                fqid="MethodNotFound",
                category="InvalidOperation",
                exception="System.Management.Automation.RuntimeException",
            )
        overload, converted = self._resolve(member.overloads_for(self.runtime), arguments, name, net.full_name)
        return self._call_dotnet(lambda: overload.implementation(owner, *converted), name, len(arguments))

    def _refuse_missing(self, net: NetType, name: str, *, static: bool = False, unrecorded_ok: bool = False) -> None:
        """A member the lab does not implement (docs/lab.md, "Documented members"): when .NET documents it for the
        host's runtime, the lab must not answer as if it did not exist; when nothing is recorded for the type, it
        cannot tell (unless ``unrecorded_ok``). Otherwise it returns and the caller gives PowerShell's own answer."""
        found = net.documentation(name, runtime=self.runtime, static=static)
        if found == "documented":
            raise NotModelled(f"the member {net.full_name}.{name}", line=self._line)
        if found == "unknown" and not unrecorded_ok:
            raise NotModelled(
                f"the member {net.full_name}.{name} (the lab records no documented members of the type)",
                line=self._line,
            )

    def _resolve(
        self, overloads: list[Overload], arguments: list[Any], name: str, type_name: str, *, constructor: bool = False
    ) -> tuple[Overload, list[Any]]:
        """PowerShell's overload resolution (clause 7.1.3 / about_Methods): the overloads with this many arguments,
        the one whose parameters the arguments fit best (exact type, then assignable, then convertible)."""
        from .resolution import resolve_overload

        found = resolve_overload(self, overloads, arguments)
        if found is None:
            count = len(arguments)
            if constructor:
                message = (
                    f'Cannot find an overload for "{type_name.rsplit(".", 1)[-1]}" and the argument count: "{count}".'
                )
                self.throw(
                    message,
                    fqid="ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand",
                    category="InvalidOperation",
                    exception="System.Management.Automation.MethodException",
                )
            self.throw(
                f'Cannot find an overload for "{name}" and the argument count: "{count}".',
                fqid="MethodCountCouldNotFindBest",
                category="InvalidOperation",
                exception="System.Management.Automation.MethodException",
            )
        return found

    def _call_dotnet(
        self, call: Callable[[], Any], name: str, count: int, *, property_get: bool = False, property_set: bool = False
    ) -> Any:
        """A .NET member call; an exception it throws becomes MethodInvocationException (about_Methods):
        ``Exception calling "X" with "N" argument(s): "message"``."""
        try:
            return call()
        except NetException as error:
            if property_get:
                message = f'Exception getting "{name}": "{error.message}"'
                fqid = "ExceptionWhenGetting"
            elif property_set:
                message = f'Exception setting "{name}": "{error.message}"'
                fqid = "ExceptionWhenSetting"
            elif name == ".ctor":
                message = f'Exception calling ".ctor" with "{count}" argument(s): "{error.message}"'
                fqid = "ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand"
            else:
                message = f'Exception calling "{name}" with "{count}" argument(s): "{error.message}"'
                fqid = "DotNetMethodException"
            wrapper = NetException("System.Management.Automation.MethodInvocationException", message, inner=error)
            raise PSError(ErrorRecord(wrapper, fqid, "NotSpecified", None, InvocationInfo(self._position))) from None


def _is_instance(value: Any, net: NetType) -> bool:
    try:
        actual = type_of(value)
    except (LookupError, TypeError):
        return False
    if net.full_name == "System.ValueType":
        return actual.value_type or isinstance(value, (bool, int, float, decimal.Decimal, Char, EnumValue))
    if net.full_name == "System.Enum":
        return isinstance(value, EnumValue)
    return actual.is_assignable_to(net)


def _only(node: Node) -> Node:
    return node.named_children[0] if node.named_children else node


def _strip(node: Node) -> Node:
    while node.type in _CHAIN and len(node.named_children) == 1 and len(node.children) == 1:
        node = node.named_children[0]
    return node


def _discards(node: Node) -> bool:
    """``[void](...)`` writes nothing."""
    node = _strip(node)
    if node.type == "expression_with_unary_operator" and node.children[0].type == "cast_expression":
        node = node.children[0]
    if node.type != "cast_expression":
        return False
    spec = node.named_children[0]
    return "".join(spec.text.decode().split()).lower() in ("[void]", "[system.void]") if spec.text else False


def _writes_nothing(node: Node, value: Any) -> bool:
    """A method declared void writes nothing (the simulated members return None for void; none returns null from a
    method that has a value), nor does ++ or -- used as a statement (about_Assignment_Operators: the increment and
    decrement operators write their value only inside an expression, e.g. in parentheses)."""
    node = _strip(node)
    if node.type == "expression_with_unary_operator" and node.children[0].type in (
        "pre_increment_expression",
        "pre_decrement_expression",
    ):
        return True
    if node.type in ("post_increment_expression", "post_decrement_expression"):
        return True
    return value is None and node.type == "invokation_expression"


def _is_command_chain(chain: Node) -> bool:
    return any(child.type == "command" for child in chain.named_children)


def _is_command_pipeline(node: Node) -> bool:
    node = _strip(node)
    if node.type == "pipeline":
        return any(_is_command_chain(child) for child in node.named_children if child.type == "pipeline_chain")
    return node.type == "pipeline_chain" and _is_command_chain(node)


def _variable_name(script: ParsedScript | None, node: Node) -> str:
    text = script.text_of(node) if script is not None else ""
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1]
    return text.lstrip("$@")


def _param_block(node: Node | None) -> Node | None:
    if node is None:
        return None
    for child in node.named_children:
        if child.type == "param_block":
            return child
    return None


def _body_of(block: ScriptBlock) -> Node | None:
    node = block.node
    if node.type == "program":
        return next((child for child in node.named_children if child.type == "statement_list"), None)
    if node.type == "script_block":
        body = node.child_by_field_name("script_block_body")
        if body is None:
            return None
        if body.child_by_field_name("named_block_list") is not None:
            raise NotModelled("begin/process/end blocks")
        return body.child_by_field_name("statement_list")
    if node.type == "statement_block":
        return node.child_by_field_name("statement_list")
    return None


def _parameters_of(script: ParsedScript, node: Node) -> list[Parameter]:
    parameter_list = next((child for child in node.named_children if child.type == "parameter_list"), None)
    parameters: list[Parameter] = []
    for entry in parameter_list.named_children if parameter_list is not None else []:
        if entry.type != "script_parameter":
            continue
        variable = next(child for child in entry.named_children if child.type == "variable")
        attributes = next((child for child in entry.named_children if child.type == "attribute_list"), None)
        default = next((child for child in entry.named_children if child.type == "script_parameter_default"), None)
        type_name = None
        for attribute in attributes.named_children if attributes is not None else []:
            literal = attribute.named_children[0] if attribute.named_children else None
            if literal is not None and literal.type == "type_literal":
                type_name = "".join(script.text_of(literal)[1:-1].split())
            elif literal is not None:
                raise NotModelled(
                    f"the parameter attribute {script.text_of(attribute)}", line=script.position(entry)[0]
                )
        switch = type_name is not None and type_name.lower() in (
            "switch",
            "system.management.automation.switchparameter",
        )
        default_value = default.named_children[0] if default is not None and default.named_children else None
        parameters.append(
            Parameter(_variable_name(script, variable), None if switch else type_name, default_value, switch)
        )
    return parameters


_HANDLERS: dict[str, Callable[[Engine, Node], Any]] = {
    "logical_expression": Engine._binary,
    "bitwise_expression": Engine._binary,
    "comparison_expression": Engine._binary,
    "additive_expression": Engine._binary,
    "multiplicative_expression": Engine._binary,
    "format_expression": Engine._binary,
    "range_expression": Engine._binary,
    "logical_argument_expression": Engine._binary,
    "bitwise_argument_expression": Engine._binary,
    "comparison_argument_expression": Engine._binary,
    "additive_argument_expression": Engine._binary,
    "multiplicative_argument_expression": Engine._binary,
    "format_argument_expression": Engine._binary,
    "range_argument_expression": Engine._binary,
    "array_literal_expression": Engine._array_literal,
    "expression_with_unary_operator": Engine._unary,
    "cast_expression": Engine._cast,
    "type_literal": Engine._type_literal,
    "variable": Engine._variable,
    "integer_literal": Engine._literal_integer,
    "real_literal": Engine._literal_real,
    "string_literal": Engine._string,
    "expandable_string_literal": Engine._string,
    "verbatim_string_characters": Engine._string,
    "sub_expression": Engine._sub_expression,
    "array_expression": Engine._array_expression,
    "parenthesized_expression": Engine._parenthesized,
    "hash_literal_expression": Engine._hash_literal,
    "script_block_expression": Engine._script_block,
    "member_access": Engine._member_access,
    "element_access": Engine._element_access,
    "invokation_expression": Engine._invocation,
    "pipeline": Engine._pipeline_value,
    "pipeline_chain": Engine._pipeline_value,
    "post_increment_expression": lambda engine, node: engine._increment(node, prefix=False),
    "post_decrement_expression": lambda engine, node: engine._increment(node, prefix=False),
    "pre_increment_expression": lambda engine, node: engine._increment(node, prefix=True),
    "pre_decrement_expression": lambda engine, node: engine._increment(node, prefix=True),
}


def iterate(values: Any) -> Iterator[Any]:
    yield from conversions.items_of(values)
