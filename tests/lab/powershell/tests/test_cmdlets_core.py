"""Core cmdlets against their documented behaviour (the cmdlet help pages of Windows PowerShell 1.0 through 5.1,
the about_* topics and the error resources of the PowerShell sources), per PowerShell version where they differ."""

from __future__ import annotations

import pytest

from .cmdlet_host import engine_run, error_text, run


def ok(script: str, preset: str = "2010") -> list[str]:
    result = run(script, preset)
    assert result.stderr == "", error_text(result.stderr)
    assert result.code == 0
    return result.lines


def test_write_output_enumerates_a_collection() -> None:
    # Write-Output help: "By default, Write-Output enumerates objects in a collection".
    assert ok("$a = Write-Output @(1, 2, 3); $a.Length; $a[1]; $b = Write-Output 5; $b -is [int]") == ["3", "2", "True"]


def test_write_host_writes_text_to_the_host_not_the_pipeline() -> None:
    # Write-Host help: the objects go to the host, joined by -Separator (default a space); -NoNewline ends no line.
    engine = engine_run("$r = Write-Host 'a'; Write-Host 1,2 -Separator '-' -NoNewline; Write-Host 1,2; $r")
    assert engine.console == ["a\r\n", "1-2", "1 2\r\n"]


def test_write_warning_honours_the_preference() -> None:
    # about_Preference_Variables: $WarningPreference Continue writes "WARNING: "; -WarningAction SilentlyContinue
    # drops it; Write-Verbose writes nothing while $VerbosePreference is SilentlyContinue (the default).
    engine = engine_run("Write-Warning 'w1'; Write-Warning 'w2' -WarningAction SilentlyContinue; Write-Verbose 'v'")
    assert engine.console == ["WARNING: w1\r\n"]


def test_write_error_is_non_terminating_with_the_default_id() -> None:
    # Write-Error help: a non-terminating error; without -ErrorId the id is WriteErrorException's type name.
    result = run("Write-Error 'bad thing'; 'after'; $Error[0].FullyQualifiedErrorId")
    assert result.lines == ["after", "Microsoft.PowerShell.Commands.WriteErrorException"]
    assert "bad thing" in error_text(result.stderr)


def test_write_error_error_id_and_category() -> None:
    # Write-Error help: -ErrorId names the error, -Category its category.
    result = run("Write-Error -Message 'm' -ErrorId 'MyId' -Category InvalidData -ErrorAction SilentlyContinue; "
                 "$Error[0].FullyQualifiedErrorId")  # fmt: skip
    assert result.lines == ["MyId"]


def test_out_null_discards_and_out_string_formats() -> None:
    # Out-Null help: deletes output; Out-String help: one string, -Stream one string per line.
    assert ok("1, 2 | Out-Null; $s = 1, 2 | Out-String; $s.Length; (1, 2 | Out-String -Stream).Length") == ["6", "2"]


def test_where_object_filter_script() -> None:
    # about_Where-Object / Where-Object help: -FilterScript's result converted to Boolean decides.
    assert ok("1, 2, 3, 4, 5, 6 | Where-Object { $_ % 2 -eq 0 }") == ["2", "4", "6"]


def test_where_object_comparison_syntax_only_from_3() -> None:
    # What's New in Windows PowerShell 3.0: "Where-Object Name -eq x" (simplified syntax); 2.0 has no -EQ.
    script = (
        "$o = New-Object PSObject -Property @{ Name = 'a' }; "
        "@($o) | Where-Object Name -eq 'a' | ForEach-Object { 'hit' }"
    )
    assert ok(script, "2013") == ["hit"]
    result = run(script, "2010")
    assert "NamedParameterNotFound,Microsoft.PowerShell.Commands.WhereObjectCommand" in error_text(result.stderr)


def test_foreach_object_begin_process_end() -> None:
    # ForEach-Object help: -Begin once, -Process per object with $_, -End once.
    assert ok("1, 2 | ForEach-Object -Begin { 'b' } -Process { $_ * 2 } -End { 'e' }") == ["b", "2", "4", "e"]


def test_select_object_first_last_skip() -> None:
    # Select-Object help: -Skip then -First / -Last.
    script = (
        "$t = 1, 2, 3, 4, 5, 6; $t | Select-Object -First 2; $t | Select-Object -Last 2; $t | Select-Object -Skip 4"
    )
    assert ok(script) == ["1", "2", "5", "6", "5", "6"]


def test_select_object_properties_and_calculated_property() -> None:
    # about_Calculated_Properties: @{Name=...; Expression={...}}; the result is a new object.
    script = (
        "$p = @('Name', @{ Name = 'Up'; Expression = { $_.Status -eq 'Running' } }); "
        "$s = Get-Service MSExchangeUM | Select-Object -Property $p; $s.Name; $s.Up"
    )
    assert ok(script) == ["MSExchangeUM", "True"]


def test_select_object_expand_property_and_missing_property() -> None:
    # Select-Object help (-ExpandProperty); SelectObjectStrings PropertyNotFound: 'Property "X" cannot be found.'
    result = run(
        "Get-Service | Select-Object -ExpandProperty DisplayName; Get-Service | Select-Object -ExpandProperty Nope"
    )
    assert result.lines == ["Microsoft Exchange Unified Messaging"]
    text = error_text(result.stderr)
    assert 'Property "Nope" cannot be found.' in text
    assert "ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand" in text


def test_select_object_unique_is_case_sensitive() -> None:
    # Select-Object help, -Unique: "The comparison is case-sensitive".
    assert ok("'a', 'A', 'a' | Select-Object -Unique") == ["a", "A"]


def test_sort_object() -> None:
    # Sort-Object help: ascending by default, -Descending, -Unique (case-insensitive comparison).
    assert ok("3, 1, 2 | Sort-Object; 3, 1, 2 | Sort-Object -Descending; 'b', 'B', 'a' | Sort-Object -Unique") == [
        "1", "2", "3", "3", "2", "1", "a", "b",
    ]  # fmt: skip


def test_sort_object_by_property() -> None:
    # Sort-Object help: -Property names the property compared.
    script = (
        "@(@{ N = 2 }, @{ N = 1 }) | ForEach-Object { New-Object PSObject -Property $_ } | "
        "Sort-Object N | ForEach-Object { $_.N }"
    )
    assert ok(script) == ["1", "2"]


def test_measure_object() -> None:
    # Measure-Object help: Count always; -Sum, -Average, -Maximum, -Minimum on request (else $null).
    script = (
        "$m = 1, 5, 3 | Measure-Object -Sum -Maximum -Minimum -Average; "
        "$m.Count; $m.Sum; $m.Maximum; $m.Minimum; $m.Average; $null -eq (1 | Measure-Object).Sum"
    )
    assert ok(script) == ["3", "9", "5", "1", "3", "True"]


def test_measure_object_rejects_non_numbers() -> None:
    # MeasureObjectStrings NonNumericInputObject: 'Input object "x" is not numeric.'
    result = run("$m = 'x' | Measure-Object -Sum")
    assert 'Input object "x" is not numeric.' in error_text(result.stderr)


def test_group_object() -> None:
    # Group-Object help: one GroupInfo per value of -Property (Name, Count, Group).
    assert ok("$g = 'a', 'b', 'a' | Group-Object; $g.Length; $g[0].Name; $g[0].Count") == ["2", "a", "2"]


def test_new_object_constructs_and_takes_properties_from_2() -> None:
    # New-Object help: -ArgumentList goes to the constructor; -Property (2.0) sets properties.
    assert ok("$b = New-Object System.Text.StringBuilder 'x'; [void]$b.Append('y'); $b.ToString()") == ["xy"]
    assert ok("(New-Object PSObject -Property @{ A = 1 }).A") == ["1"]
    result = run("trap { $_.FullyQualifiedErrorId; exit 1 }; New-Object PSObject -Property @{ A = 1 }", "2007sp1")
    assert result.lines == ["NamedParameterNotFound,Microsoft.PowerShell.Commands.NewObjectCommand"]


@pytest.mark.parametrize(
    ("preset", "text"),
    [
        ("2010", "Cannot find type [No.Such.Type]: make sure the assembly containing this type is loaded."),
        ("2013", "Cannot find type [No.Such.Type]: verify that the assembly containing this type is loaded."),
    ],
)
def test_new_object_type_not_found(preset: str, text: str) -> None:
    # NewObjectStrings TypeNotFound (3.0 and later); the 1.0/2.0 wording of 2.0 transcripts.
    result = run("New-Object No.Such.Type", preset)
    assert text in error_text(result.stderr)
    assert "TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand" in error_text(result.stderr)


def test_new_object_com_object_is_not_modelled() -> None:
    result = run("New-Object -ComObject Shell.Application")
    assert "The lab has no model for this script" in error_text(result.stderr)


@pytest.mark.parametrize(
    ("preset", "text"),
    [("2010", "Cannot find a variable with name 'Nope'."), ("2013", "Cannot find a variable with the name 'Nope'.")],
)
def test_get_variable_missing(preset: str, text: str) -> None:
    # SessionStateStrings VariableNotFound (3.0+: "with the name"); 2.0 "with name" (a 2.0-era module's test).
    result = run("Get-Variable -Name Nope -ErrorAction SilentlyContinue; $Error[0].FullyQualifiedErrorId; "
                 "$Error[0].Exception.Message", preset)  # fmt: skip
    assert result.lines == ["VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand", text]


def test_get_variable_value_only_and_set_variable() -> None:
    # Get-Variable help (-ValueOnly); Set-Variable help (-Name, -Value, -PassThru).
    assert ok("Set-Variable -Name x -Value 5; Get-Variable x -ValueOnly; (Get-Variable x).Value; $x") == ["5", "5", "5"]


def test_ps_version_table_detection_through_get_variable() -> None:
    # host-facts.md: $PSVersionTable exists from 2.0; Get-Variable finds it there and not on 1.0.
    script = "$null -eq (Get-Variable -Name PSVersionTable -ErrorAction SilentlyContinue)"
    assert ok(script, "2007sp1") == ["True"]
    assert ok(script, "2010") == ["False"]


def test_get_date_parts_and_format() -> None:
    # Get-Date help: -Year/-Month/-Day replace parts of the date; -Format is DateTime.ToString(format).
    assert ok("Get-Date -Year 2020 -Month 2 -Day 29 -Format 'yyyy-MM-dd'") == ["2020-02-29"]


def test_start_sleep_charges_simulated_time() -> None:
    # Start-Sleep help: suspends for -Seconds / -Milliseconds; the lab counts the time instead of sleeping.
    result = run("Start-Sleep -Seconds 3; Start-Sleep -Milliseconds 500")
    assert result.code == 0
    assert result.host.work.seconds == pytest.approx(3.5)


def test_convert_to_secure_string_needs_force() -> None:
    # ConvertTo-SecureString help and SecureStringCommands.resx ForceRequired: -AsPlainText without -Force is a
    # non-terminating InvalidArgument error; with -Force the result is a SecureString whose text never shows.
    result = run("$s = ConvertTo-SecureString -String 'secret' -AsPlainText; $null -eq $s; "
                 "$t = ConvertTo-SecureString 'secret' -AsPlainText -Force; \"$t\"; $t.Length")  # fmt: skip
    assert result.lines == ["True", "System.Security.SecureString", "6"]
    text = error_text(result.stderr)
    assert "The system cannot protect plain text input." in text
    assert "ImportSecureString_ForceRequired,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand" in text


def test_pscredential_from_a_secure_string() -> None:
    # PSCredential(String, SecureString) (System.Management.Automation reference): UserName; a plain string is no
    # SecureString, so no constructor fits.
    script = (
        "$p = ConvertTo-SecureString 'pw' -AsPlainText -Force; "
        "(New-Object System.Management.Automation.PSCredential 'CONTOSO\\u', $p).UserName"
    )
    assert ok(script) == ["CONTOSO\\u"]


def test_invoke_expression_is_not_modelled() -> None:
    # host-facts.md: Invoke-Expression never on input; the lab refuses it whatever the text.
    result = run("Invoke-Expression '1'")
    assert "The lab has no model for this script: Invoke-Expression" in error_text(result.stderr)
