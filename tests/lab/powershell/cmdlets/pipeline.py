"""The object cmdlets of the pipeline: Where-Object, ForEach-Object, Select-Object, Sort-Object, Measure-Object,
Group-Object (Microsoft.PowerShell.Core / .Utility help pages, 1.0 through 5.1).

They take every piped object (about_Pipelines) and work on the objects' properties through the engine's member
access, so PSObjects, hashtables and .NET objects behave as they do in PowerShell.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from ..commands import CmdletCall, cmdlet
from ..convert import is_numeric, parse_number
from ..operators import compare, equal
from ..values import Hashtable, NetObject, PSObject, net_type, prop, type_name_of
from ._common import at_least, is_scriptblock, property_names, refuse, strings, wildcard_match
from ._input import input_objects

_SCRIPTBLOCK = "System.Management.Automation.ScriptBlock"
# Where-Object's comparison switches of 3.0 (MS-PS3 "simplified syntax"): the switch names the operator.
_WHERE_OPERATORS = (
    "EQ", "CEQ", "NE", "CNE", "GT", "CGT", "LT", "CLT", "GE", "CGE", "LE", "CLE", "Like", "CLike", "NotLike",
    "CNotLike", "Match", "CMatch", "NotMatch", "CNotMatch", "Contains", "CContains", "NotContains", "CNotContains",
    "In", "CIn", "NotIn", "CNotIn", "Is", "IsNot",
)  # fmt: skip


def _run_block(call: CmdletCall, block: Any, item: Any) -> list[Any]:
    return call.engine.invoke_block(block, dollar_underscore=item)


def _where_test(call: CmdletCall) -> Callable[[Any], bool]:
    """-FilterScript: the block's output, converted to Boolean (about_Where-Object; the spec's clause 6.2). From 3.0
    ``Where-Object Name -eq x`` binds -Property, the operator switch and -Value (MS-PS3)."""
    block = call.get("FilterScript")
    if is_scriptblock(block):
        return lambda item: call.engine.to_bool(_run_block(call, block, item))
    operators = [name for name in _WHERE_OPERATORS if call.switch(name)]
    if not at_least(call, "3.0") or len(operators) > 1:
        # The binder's conversion error for a value that is no script block (text and id as 2.0 transcripts of
        # "Cannot bind parameter" errors read; assumed for this parameter).
        call.throw(
            f'Cannot bind parameter \'FilterScript\'. Cannot convert the "{call.engine.to_string(block)}" value of '
            f'type "System.String" to type "{_SCRIPTBLOCK}".',
            fqid="CannotConvertArgumentNoMessage", category="InvalidArgument",
            exception="System.Management.Automation.ParameterBindingException",
        )  # fmt: skip
    name = call.engine.to_string(call.get("Property", block))
    if not operators:
        # 3.0 help, "Where-Object [-Property] <String>": without an operator the property's value is tested.
        return lambda item: call.engine.to_bool(call.engine.get_property(item, name))
    operator = operators[0].lower()
    value = call.get("Value")
    if operator in ("is", "isnot"):
        raise call.not_modelled(f"-{operators[0]} (a type test in the simplified syntax)")

    def test(item: Any) -> bool:
        return call.engine.to_bool(
            compare("-" + operator, call.engine.get_property(item, name), value, matches=lambda _m: None)
        )

    return test


@cmdlet("Where-Object", positional=("FilterScript", "Value"), switches=_WHERE_OPERATORS)
def where_object(call: CmdletCall) -> Iterable[Any]:
    test = _where_test(call)
    return [item for item in input_objects(call) if test(item)]


@cmdlet("ForEach-Object", positional=("Process",))
def foreach_object(call: CmdletCall) -> Iterable[Any]:
    """ForEach-Object help: -Begin once, -Process once per input object with ``$_`` set, -End once. A bare
    ``ForEach-Object {...}`` binds -Process. Several positional blocks (-RemainingScripts) are not modelled; nor is
    3.0's -MemberName."""
    refuse(call, ("RemainingScripts", "MemberName", "ArgumentList"))
    process = call.get("Process")
    blocks = call.engine.enumerate(process) if isinstance(process, list) else [process]
    if len(blocks) > 1:
        raise call.not_modelled("with several -Process blocks")
    output: list[Any] = []
    if call.has("Begin"):
        output += call.engine.invoke_block(call.get("Begin"))
    for item in input_objects(call):
        if blocks and blocks[0] is not None:
            output += _run_block(call, blocks[0], item)
    if call.has("End"):
        output += call.engine.invoke_block(call.get("End"))
    return output


# -- Select-Object -----------------------------------------------------------------------------------------------


def _calculated(call: CmdletCall, table: Hashtable) -> tuple[str, Callable[[Any], Any]]:
    """about_Calculated_Properties: Name (or Label, N, L) and Expression (E): a script block or a property name."""
    name = None
    expression = None
    for key, value in table.items():
        lowered = call.engine.to_string(key).lower()
        if lowered in ("name", "n", "label", "l"):
            name = call.engine.to_string(value)
        elif lowered in ("expression", "e"):
            expression = value
        else:
            raise call.not_modelled(f"a calculated property with the key {key!r}")
    if expression is None:
        raise call.not_modelled("a calculated property without Expression")
    if is_scriptblock(expression):
        block = expression
        label = name if name is not None else call.engine.to_string(block)

        def evaluate(item: Any) -> Any:
            values = _run_block(call, block, item)
            return None if not values else values[0] if len(values) == 1 else values

        return label, evaluate
    text = call.engine.to_string(expression)
    return (name or text), (lambda item: call.engine.get_property(item, text))


def _selectors(call: CmdletCall, item: Any) -> list[tuple[str, Callable[[Any], Any]]]:
    selectors: list[tuple[str, Callable[[Any], Any]]] = []
    properties = call.get("Property")
    for entry in call.engine.enumerate(properties) if isinstance(properties, list) else [properties]:
        if isinstance(entry, Hashtable):
            selectors.append(_calculated(call, entry))
            continue
        pattern = call.engine.to_string(entry)
        names = [pattern]
        if any(character in pattern for character in "*?["):
            names = [name for name in property_names(item, runtime=call.host.runtime) if wildcard_match(pattern, name)]
        for name in names:
            selectors.append((name, functools.partial(lambda n, o: call.engine.get_property(o, n), name)))
    excluded = strings(call, call.get("ExcludeProperty"))
    return [entry for entry in selectors if not any(wildcard_match(pattern, entry[0]) for pattern in excluded)]


def _type_names(item: Any) -> list[str]:
    """Select-Object's objects carry ``Selected.<type name>`` first (PSObject.TypeNames of its output)."""
    if isinstance(item, PSObject):
        first = item.type_names[0]
    elif item is None:
        first = "System.Object"
    else:
        first = type_name_of(item)
    return [f"Selected.{first}", "System.Management.Automation.PSCustomObject", "System.Object"]


def _select_properties(call: CmdletCall, item: Any) -> Any:
    selected = [(name, evaluate(item)) for name, evaluate in _selectors(call, item)]
    return PSObject(selected, type_names=_type_names(item))


def _expand(call: CmdletCall, item: Any, name: str) -> list[Any]:
    """-ExpandProperty: the property's value, a collection enumerated; a missing one is
    ``Property "X" cannot be found.`` (ExpandPropertyNotFound, InvalidArgument)."""
    if not _has_property(call, item, name):
        call.write_error(
            f'Property "{name}" cannot be found.', fqid="ExpandPropertyNotFound", category="InvalidArgument",
            exception="System.Management.Automation.PSArgumentException", target=item,
        )  # fmt: skip
        return []
    return call.engine.enumerate(call.engine.get_property(item, name))


def _has_property(call: CmdletCall, item: Any, name: str) -> bool:
    if isinstance(item, Hashtable):
        return False  # a hashtable's keys are not properties to these cmdlets (1.0 through 5.1)
    return any(existing.lower() == name.lower() for existing in property_names(item, runtime=call.host.runtime))


def _first_last_skip(call: CmdletCall, items: list[Any]) -> list[Any]:
    """-Skip, then -First and/or -Last (both: the first N and the last M, without repeating an object); 2.0's
    -Index picks positions."""
    if call.has("Index"):
        wanted = [int(call.engine.convert(index, "System.Int32")) for index in call.engine.enumerate(call.get("Index"))]
        return [items[index] for index in sorted(set(wanted)) if -len(items) <= index < len(items)]
    skip = int(call.engine.convert(call.get("Skip", 0), "System.Int32"))
    items = items[skip:]
    if not call.has("First") and not call.has("Last"):
        return items
    first = int(call.engine.convert(call.get("First", 0), "System.Int32")) if call.has("First") else 0
    last = int(call.engine.convert(call.get("Last", 0), "System.Int32")) if call.has("Last") else 0
    chosen = list(range(min(first, len(items))))
    chosen += [index for index in range(max(len(items) - last, 0), len(items)) if index not in chosen]
    return [items[index] for index in chosen]


def _unique(items: list[Any], *, case_sensitive: bool) -> list[Any]:
    kept: list[Any] = []
    for item in items:
        if not any(equal(item, other, case_sensitive=case_sensitive) for other in kept):
            kept.append(item)
    return kept


@cmdlet("Select-Object", positional=("Property",), switches=("Unique", "Wait"))
def select_object(call: CmdletCall) -> Iterable[Any]:
    """Select-Object help. -Unique compares case-sensitively (its help: "the comparison is case-sensitive")."""
    refuse(call, ("Wait",))
    items = _first_last_skip(call, input_objects(call))
    if call.has("ExpandProperty"):
        name = call.engine.to_string(call.get("ExpandProperty"))
        if call.has("Property"):
            raise call.not_modelled("-ExpandProperty together with -Property")
        items = [value for item in items for value in _expand(call, item, name)]
    elif call.has("Property"):
        items = [_select_properties(call, item) for item in items]
    return _unique(items, case_sensitive=True) if call.switch("Unique") else items


# -- Sort-Object -------------------------------------------------------------------------------------------------


def _sort_keys(call: CmdletCall) -> list[tuple[Callable[[Any], Any], bool]]:
    """-Property: names, script blocks, or hashtables with Expression and Ascending/Descending (about_Calculated_
    Properties); without it the objects themselves are compared."""
    descending = call.switch("Descending")
    if not call.has("Property"):
        return [(lambda item: item, descending)]
    keys: list[tuple[Callable[[Any], Any], bool]] = []
    properties = call.get("Property")
    for entry in call.engine.enumerate(properties) if isinstance(properties, list) else [properties]:
        order = descending
        if isinstance(entry, Hashtable):
            found = None
            for key, value in entry.items():
                lowered = call.engine.to_string(key).lower()
                if lowered in ("expression", "e"):
                    found = value
                elif lowered in ("descending", "ascending"):
                    flag = call.engine.to_bool(value)
                    order = flag if lowered == "descending" else not flag
                else:
                    raise call.not_modelled(f"a sort key with the key {key!r}")
            entry = found
        if is_scriptblock(entry):
            keys.append((functools.partial(_block_value, call, entry), order))
        else:
            name = call.engine.to_string(entry)
            keys.append((functools.partial(lambda n, o: call.engine.get_property(o, n), name), order))
    return keys


def _block_value(call: CmdletCall, block: Any, item: Any) -> Any:
    values = _run_block(call, block, item)
    return None if not values else values[0] if len(values) == 1 else values


@cmdlet("Sort-Object", positional=("Property",), switches=("Descending", "Unique", "CaseSensitive"))
def sort_object(call: CmdletCall) -> Iterable[Any]:
    """Sort-Object help: ascending by default, PowerShell's comparison (case-insensitive unless -CaseSensitive,
    which is not modelled), -Unique drops objects that compare equal."""
    refuse(call, ("CaseSensitive", "Culture"))
    keys = _sort_keys(call)
    rows = [([key(item) for key, _order in keys], item) for item in input_objects(call)]

    def order(left: tuple[list[Any], Any], right: tuple[list[Any], Any]) -> int:
        for index, (_key, descending) in enumerate(keys):
            result = call.engine.compare_values(left[0][index], right[0][index])
            if result:
                return -result if descending else result
        return 0

    rows.sort(key=functools.cmp_to_key(order))
    if call.switch("Unique"):
        kept: list[tuple[list[Any], Any]] = []
        for row in rows:
            if not kept or order(kept[-1], row) != 0:
                kept.append(row)
        rows = kept
    return [item for _keys, item in rows]


# -- Measure-Object ----------------------------------------------------------------------------------------------


@net_type("Microsoft.PowerShell.Commands.GenericMeasureInfo", base="Microsoft.PowerShell.Commands.MeasureInfo")
class GenericMeasureInfo(NetObject):
    """Measure-Object's result: Count always; Average, Sum, Maximum, Minimum only when asked for ($null otherwise)."""

    def __init__(self, count: int, values: dict[str, float | None], property_name: str | None) -> None:
        self.count = count
        self.values = values
        self.property_name = property_name

    @prop("Count")
    def _count(self) -> int:
        return self.count

    @prop("Average")
    def _average(self) -> float | None:
        return self.values.get("Average")

    @prop("Sum")
    def _sum(self) -> float | None:
        return self.values.get("Sum")

    @prop("Maximum")
    def _maximum(self) -> float | None:
        return self.values.get("Maximum")

    @prop("Minimum")
    def _minimum(self) -> float | None:
        return self.values.get("Minimum")

    @prop("Property")
    def _property(self) -> str | None:
        return self.property_name


@cmdlet("Measure-Object", positional=("Property",), switches=("Sum", "Average", "Maximum", "Minimum"), whole_input=True)
def measure_object(call: CmdletCall) -> Iterable[Any]:
    """Measure-Object help: counts the input objects (with -Property, those that have it) and computes the requested
    statistics as Double; a value that is not numeric is ``Input object "x" is not numeric.``
    (NonNumericInputObject, InvalidType). -Line, -Word, -Character (TextMeasureInfo) are not modelled."""
    refuse(call, ("Line", "Word", "Character", "IgnoreWhiteSpace"))
    items = input_objects(call)
    wanted = [stat for stat in ("Sum", "Average", "Maximum", "Minimum") if call.switch(stat)]
    names: list[str | None] = list(strings(call, call.get("Property"))) if call.has("Property") else [None]
    results = []
    for name in names:
        values = items if name is None else [
            call.engine.get_property(item, name) for item in items if _has_property(call, item, name)
        ]  # fmt: skip
        numbers = (
            [number for number in (_number(call, value) for value in values) if number is not None] if wanted else []
        )
        statistics: dict[str, float | None] = {}
        if "Sum" in wanted:
            statistics["Sum"] = float(sum(numbers))
        if "Average" in wanted:
            statistics["Average"] = sum(numbers) / len(numbers) if numbers else None
        if "Maximum" in wanted:
            statistics["Maximum"] = max(numbers) if numbers else None
        if "Minimum" in wanted:
            statistics["Minimum"] = min(numbers) if numbers else None
        results.append(GenericMeasureInfo(len(values), statistics, name))
    return results


def _number(call: CmdletCall, value: Any) -> float | None:
    if is_numeric(value):
        return float(value)
    if isinstance(value, str):
        parsed = parse_number(value)
        if parsed is not None:
            return float(parsed)
    call.write_error(
        f'Input object "{call.engine.to_string(value)}" is not numeric.', fqid="NonNumericInputObject",
        category="InvalidType", exception="System.Management.Automation.PSInvalidOperationException", target=value,
    )  # fmt: skip
    return None


# -- Group-Object ------------------------------------------------------------------------------------------------


@net_type("Microsoft.PowerShell.Commands.GroupInfo")
class GroupInfo(NetObject):
    """Group-Object's result: Name (the key's text), Count, Group (the objects), Values (the key values)."""

    def __init__(self, name: str, values: list[Any], group: list[Any]) -> None:
        self.name = name
        self.key_values = values
        self.group = group

    @prop("Name")
    def _name(self) -> str:
        return self.name

    @prop("Count")
    def _count(self) -> int:
        return len(self.group)

    @prop("Group")
    def _group(self) -> list[Any]:
        return list(self.group)

    @prop("Values")
    def _values(self) -> list[Any]:
        return list(self.key_values)


@cmdlet("Group-Object", positional=("Property",), switches=("NoElement", "AsHashTable", "AsString", "CaseSensitive"))
def group_object(call: CmdletCall) -> Iterable[Any]:
    """Group-Object help: objects with equal values of -Property (case-insensitive) form one group, groups in the
    order their first object came; -AsHashTable, -AsString, -NoElement, -CaseSensitive are not modelled."""
    refuse(call, ("NoElement", "AsHashTable", "AsString", "CaseSensitive", "Culture"))
    keys = _sort_keys(call) if call.has("Property") else [(lambda item: item, False)]
    groups: list[GroupInfo] = []
    for item in input_objects(call):
        values = [key(item) for key, _order in keys]
        name = ", ".join(call.engine.to_string(value) for value in values)
        existing = next((group for group in groups if group.name.lower() == name.lower()), None)
        if existing is None:
            groups.append(GroupInfo(name, values, [item]))
        else:
            existing.group.append(item)
    return groups
