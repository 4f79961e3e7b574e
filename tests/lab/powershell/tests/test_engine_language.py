"""The engine against documented PowerShell behaviour, independent of the collection's scripts.

Each test names the clause of the Windows PowerShell Language Specification 2.0 (LS2) or the about_* topic it follows.
Scripts run as the command of a powershell.exe process on a simulated host of the given PowerShell version.
"""

from __future__ import annotations

import pytest

from tests.lab.hosts.latency import Work
from tests.lab.hosts.specs import PRESETS
from tests.lab.hosts.state import HostState
from tests.lab.powershell import Host, run_powershell


def run(text: str, preset: str = "2010", stdin: bytes = b"") -> tuple[list[str], str, int]:
    spec = PRESETS[preset]
    out, err, code = run_powershell(Host(spec, HostState.fresh(spec), Work(), stdin=stdin), text)
    return out.split("\r\n")[:-1], err, code


def lines(text: str, preset: str = "2010") -> list[str]:
    out, err, code = run(text, preset)
    assert err == "", err
    assert code == 0
    return out


def test_expandable_strings_expand_variables_and_subexpressions() -> None:
    # about_Quoting_Rules: "$x" and "$(...)" expand in double quotes, not in single quotes; `n is a newline.
    assert lines('$a = 2; "v$a $($a + 1)"; \'v$a\'; "tab`tend"') == ["v2 3", "v$a", "tab\tend"]


def test_left_operand_decides_arithmetic() -> None:
    # LS2 7.7.1: number + string parses the string; string + number concatenates; array + value appends.
    assert lines('1 + "2"; "1" + 2; (@(1) + 2).Length') == ["3", "12", "2"]


def test_integer_division_gives_double_when_inexact() -> None:
    # LS2 7.7.2 (division): the result is an integer only when the division is exact.
    assert lines("6 / 3; 7 / 2") == ["2", "3.5"]


def test_comparison_with_array_on_the_left_filters() -> None:
    # LS2 7.8.1: "If the value designated by the left operand is a collection, the result is the elements ...
    # that compare true"; string comparison ignores case by default, -ceq does not.
    assert lines('(1, 2, 3, 2 -eq 2).Length; "ABC" -eq "abc"; "ABC" -ceq "abc"') == ["2", "True", "False"]


def test_match_sets_matches() -> None:
    # about_Comparison_Operators: -match on a scalar populates $matches.
    assert lines("if ('id 1234' -match '[0-9]+') { $matches[0] }") == ["1234"]


def test_like_uses_wildcards() -> None:
    # about_Wildcards: * and ? over the whole string, case-insensitive with -like.
    assert lines("'Exchange2010' -like 'exch*10'; 'a' -like '?b'") == ["True", "False"]


def test_hashtable_keys_ignore_case() -> None:
    # about_Hash_Tables: @{} keys compare case-insensitively; keys read as properties.
    assert lines('$h = @{ Name = "x" }; $h["NAME"]; $h.name') == ["x", "x"]


def test_assignment_of_an_expression_keeps_the_value() -> None:
    # LS2 7.11: the right side of = is not enumerated when it is an expression; a pipeline's output is collected.
    assert lines("$a = , 5; $a.Length; $b = @(); $b.Length") == ["1", "0"]


def test_function_parameters_bind_by_name_prefix_and_position() -> None:
    # about_Functions / about_Parameters: named by (unambiguous prefix of) name, then positional; defaults.
    assert lines('function F([string] $Text, $Count = 3) { "$Text/$Count" }; F a; F -Co 4 -T b') == ["a/3", "b/4"]


def test_return_writes_its_value_and_leaves() -> None:
    # about_Return: return writes the pipeline's value to the output, then exits the function.
    assert lines("function F { 1; return 2; 3 }; F") == ["1", "2"]


def test_comma_operator_keeps_an_array_whole() -> None:
    # about_Operators (comma operator): a unary comma wraps its operand in a one-element array, so the caller
    # receives the array itself after the pipeline unrolls the outer array.
    assert lines("function F { , @(1, 2) }; $r = F; $r.Length") == ["2"]


def test_foreach_over_null_runs_once_before_3() -> None:
    # What's New in Windows PowerShell 3.0: foreach no longer iterates over $null; 2.0 runs the body once.
    assert lines('foreach ($x in $null) { "iteration" }', "2010") == ["iteration"]
    assert lines('foreach ($x in $null) { "iteration" }', "2013") == []


def test_member_enumeration_only_from_3() -> None:
    # What's New in Windows PowerShell 3.0 (member enumeration): $array.Property reads each element's property.
    script = '$a = @(@{ N = 1 }, @{ N = 2 }); $v = $a.N; "[$v]"'
    assert lines(script, "2010") == ["[]"]
    assert lines(script, "2013") == ["[1 2]"]


def test_try_is_a_command_on_1() -> None:
    # host-facts.md "PowerShell language levels": try/catch/finally arrive with 2.0; 1.0 reads "try" as a command.
    out, _err, code = run("trap { $_.FullyQualifiedErrorId; exit 3 }; try { 1 } finally { 2 }", "2007sp1")
    assert (out, code) == (["CommandNotFoundException"], 3)


def test_trap_receives_the_error_record_and_exit_sets_the_code() -> None:
    # about_Trap: the trap's $_ is the ErrorRecord; about_Throw: throw "text" is a RuntimeException with that text.
    out, _err, code = run('trap { $_.Exception.Message; exit 7 }; "before"; throw "boom"; "after"')
    assert (out, code) == (["before", "boom"], 7)


def test_try_catch_finally_on_2() -> None:
    # about_Try_Catch_Finally: catch receives the error, finally always runs.
    assert lines('try { throw "x" } catch { "caught $_" } finally { "done" }') == ["caught x", "done"]


def test_uncaught_error_goes_to_stderr_with_exit_code_1() -> None:
    # winrm-protocol.md: errors nobody trapped go to stderr as CLIXML; the process ends with exit code 1.
    out, err, code = run('"a"; throw "fatal"; "b"')
    assert out == ["a"]
    assert err.startswith("#< CLIXML") and "fatal" in err
    assert code == 1


def test_method_call_on_null_fails() -> None:
    # LS2 7.1.3 / about_Methods: "You cannot call a method on a null-valued expression." (InvokeMethodOnNull).
    out, _err, code = run("trap { $_.FullyQualifiedErrorId; exit 1 }; $x = $null; $x.Foo()")
    assert (out, code) == (["InvokeMethodOnNull"], 1)


def test_casts_convert_with_powershell_rules() -> None:
    # LS2 6.4 (to integer: rounding to even), 6.7 (to string: arrays joined with a space), 6.2 (to bool).
    assert lines('[int]2.5; [int]3.5; [string]@(1, 2); [bool]"0"; [bool]""') == ["2", "4", "1 2", "True", "False"]


def test_cast_failure_names_the_type() -> None:
    # LS2 6.4: a string that is not a number does not convert: 'Cannot convert value "abc" to type "System.Int32"'.
    out, _err, _code = run('trap { $_.Exception.Message; exit 1 }; [int]"abc"')
    assert out == [
        'Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in a correct format."'
    ]


def test_a_string_converts_by_the_types_static_parse_method() -> None:
    # about_Type_Conversion: "A single string value can be converted to an instance of a type if the type implements
    # a static Parse() method"; LanguagePrimitives' FigureConversion tries Parse before a one-argument constructor,
    # so '7' is seven days (TimeSpan.Parse) where the number 7 is seven ticks (TimeSpan(Int64)). The same rule
    # converts method arguments and typed parameters.
    assert lines(
        "[string][TimeSpan]'00:00:07'; [string][TimeSpan]' -1.02:03:04.5 '; [string][TimeSpan]'7'; "
        "[string][TimeSpan]7; [string]([TimeSpan]::FromSeconds(1)).Add('00:00:02'); "
        "function Get-Seconds([TimeSpan] $Span) { $Span.TotalSeconds }; Get-Seconds '00:01:30'; "
        "$s = Get-Service MSExchangeUM; $s.WaitForStatus('Running', '00:00:07'); [string]$s.Status"
    ) == ["00:00:07", "-1.02:03:04.5000000", "7.00:00:00", "00:00:00.0000007", "00:00:03", "90", "Running"]


def test_a_failed_parse_is_the_conversion_error() -> None:
    # What Parse throws becomes 'Cannot convert value "x" to type "T". Error: "<its message>"' (TimeSpan.Parse:
    # FormatException for another form, OverflowException for hours past 23).
    out, _err, _code = run("trap { $_.Exception.Message; continue }; [TimeSpan]'half past'; [TimeSpan]'25:00'")
    assert out == [
        'Cannot convert value "half past" to type "System.TimeSpan". Error: "String was not recognized as a valid '
        'TimeSpan."',
        'Cannot convert value "25:00" to type "System.TimeSpan". Error: "The TimeSpan could not be parsed because at '
        'least one of the numeric components is out of range or contains too many digits."',
    ]


def test_a_documented_parse_the_lab_lacks_is_refused() -> None:
    # DateTime.Parse is documented and not modelled: the conversion is refused, not answered by another rule.
    _out, err, code = run("[DateTime]'2020-01-02'")
    assert code == 1 and "no model" in err and "System.DateTime.Parse" in err


@pytest.mark.parametrize(("preset", "expected"), [("2007sp1", ["absent"]), ("2010", ["2.0"])])
def test_psversiontable_from_2(preset: str, expected: list[str]) -> None:
    # about_Automatic_Variables: $PSVersionTable arrives with 2.0; on 1.0 the variable is simply not set.
    assert (
        lines('if ($PSVersionTable) { [string]$PSVersionTable["PSVersion"].Major + ".0" } else { "absent" }', preset)
        == expected
    )


def test_unimplemented_construct_fails_loudly() -> None:
    # The lab's rule: a construct the engine does not implement fails the command, naming it.
    _out, err, code = run("& { begin { 1 } }")
    assert code == 1 and "no model" in err and "begin/process/end" in err


def test_switch_matches_values_wildcards_regexes_and_script_blocks() -> None:
    # about_Switch: each clause that matches runs (-eq by default), -wildcard uses -like, -regex uses -match and sets
    # $matches, a script block clause matches when it returns true, default runs when nothing matched.
    script = """
switch (2) {
1 { "one" }
2 { "two" }
default { "other" }
}
switch -wildcard ("abc", "xyzw") {
"a*" { "a: $_" }
{ $_.Length -eq 4 } { "four: $_" }
}
switch -regex ("id 42") { "(\\d+)" { $matches[1] } }
switch (5) {
1 { "x" }
default { "default" }
}
"""
    assert lines(script) == ["two", "a: abc", "four: xyzw", "42", "default"]


def test_switch_break_leaves_and_continue_takes_the_next_element() -> None:
    # about_Switch: break ends the switch; continue goes on with the next element of the input.
    script = """
switch (1, 2, 3) {
{ $_ -eq 2 } { "skip"; continue }
{ $_ -eq 3 } { "stop"; break }
default { "got $_" }
}
"""
    assert lines(script) == ["got 1", "skip", "stop"]


def test_count_of_a_scalar_from_3() -> None:
    # What's New in Windows PowerShell 3.0: every object has Count (1) and $null.Count is 0.
    assert lines('$s = "x"; "[$($s.Count)]"; "[$($null.Count)]"', "2010") == ["[]", "[]"]
    assert lines('$s = "x"; "[$($s.Count)]"; "[$($null.Count)]"', "2013") == ["[1]", "[0]"]


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("2010", "System.Management.Automation.ActionPreferenceStopException"),
        ("2013", "Microsoft.PowerShell.Commands.WriteErrorException"),
    ],
)
def test_error_action_stop_reaches_trap_as_actionpreferencestopexception_before_3(preset: str, expected: str) -> None:
    # about_Preference_Variables / ActionPreferenceStopException: before 3.0 a non-terminating error made terminating
    # by Stop arrives wrapped; from 3.0 the trap sees the error's own exception (Write-Error's WriteErrorException).
    script = "trap { $_.Exception.GetType().FullName; exit 2 }; Write-Error 'boom' -ErrorAction Stop"
    out, _err, code = run(script, preset)
    assert (out, code) == ([expected], 2)


def test_write_host_goes_to_the_console_in_order() -> None:
    # The console host writes Write-Host text and the pipeline's output to the same console, in the order written.
    assert lines('"a"; Write-Host "b"; "c"') == ["a", "b", "c"]


def test_output_written_before_an_exit_in_a_script_block_is_kept() -> None:
    # about_Pipelines: objects are passed on as they are written, so what a block wrote before exit was written.
    out, _err, code = run('& { "written"; exit 4; "never" }')
    assert (out, code) == (["written"], 4)


def test_stdin_reaches_input_or_console_in() -> None:
    # "Lab settings" (docs/lab.md): where stdin reaches $input its lines come from there (and what [Console]::In
    # holds then is not known: refused); else $input is empty and [Console]::In reads stdin whole.
    script = "$n = 0; foreach ($l in $input) { $n++ }; $n; [Console]::In.ReadToEnd().Length"
    out, err, code = run(script, "2010", stdin=b"ab\r\ncd\r\n")
    assert (out, code) == (["2"], 1) and "no model" in err
    assert run(script, "2007sp1", stdin=b"ab\r\ncd\r\n")[0] == ["0", "8"]
