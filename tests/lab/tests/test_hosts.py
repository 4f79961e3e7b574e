"""The simulated hosts: specs, powershell.exe command lines, scripts run by the engine, stdin, counters and latency."""

from __future__ import annotations

import base64
import concurrent.futures
import time

import pytest

from tests.lab.hosts import PRESETS, HostSpecError, SimulatedHost, parse_host_specs
from tests.lab.hosts.cmdline import CommandLineError, parse_command_line, split_arguments
from tests.lab.httpauth import DelegatedCredential, Logon
from tests.lab.tests.test_hosts_payloads import (
    BOOTSTRAP_CONSOLE_ONLY,
    BOOTSTRAP_INPUT_ONLY,
    BOOTSTRAP_JOIN,
    BOOTSTRAP_STRINGBUILDER,
    SNAPINS,
    ansible_command_line,
    b64der,
    command_line,
    exum_result,
    make_ca,
    payload_stdin,
    payload_text,
)

NO_MODEL = "The lab has no model for this script"
# A CredSSP logon holds the caller's network credentials (docs/lab.md "Logons and CredSSP"), which Exchange's
# directory-bound cmdlets need; a command run without a logon has none.
DELEGATING = Logon(
    "Administrator", "CONTOSO", "credssp", DelegatedCredential(domain="CONTOSO", user="Administrator", password="pw")
)
# host-facts.md "Second hop to AD": what Exchange's directory-bound cmdlets throw under a logon without them.
NO_DIRECTORY = "Value cannot be null.\r\nParameter name: parameters"


@pytest.fixture(scope="module")
def hosts() -> dict[str, SimulatedHost]:
    """One fresh host per preset for read-only tests (RSA keys of the setup certificates are slow to make)."""
    return {name: SimulatedHost(spec) for name, spec in PRESETS.items()}


def run_payload(host: SimulatedHost, text: str, *, bootstrap: str = BOOTSTRAP_STRINGBUILDER) -> tuple[str, str, int]:
    return host.run_command(command_line(bootstrap), payload_stdin(text), 65001)


# ---------------------------------------------------------------- specs


@pytest.mark.parametrize(
    ("hosts", "fleet", "expected"),
    [
        (None, None, [("exch2007", "2007sp1"), ("exch2010", "2010"), ("exch2013", "2013")]),
        ("2013", None, [("exch2013", "2013")]),
        ("none", None, []),
        ("lab01=2010, lab02=2010", None, [("lab01", "2010"), ("lab02", "2010")]),
        ("windows", None, [("win2008r2", None)]),
        (None, 4, [("um001", "2007sp1"), ("um002", "2010"), ("um003", "2013"), ("um004", "2007sp1")]),
        (None, 0, []),
        ("2007sp1-ps2", None, [("exch2007ps2", "2007sp1")]),
        (
            "a=2007sp1:stdin_reaches_input=true, 2010:accepts_execution_policy=FALSE",
            None,
            [("a", "2007sp1"), ("exch2010", "2010")],
        ),
    ],
)
def test_parse_host_specs(hosts: str | None, fleet: int | None, expected: list[tuple[str, str | None]]) -> None:
    specs = parse_host_specs(hosts=hosts, fleet=fleet)
    assert [(spec.name, spec.exchange_version) for spec in specs] == expected
    assert all(spec.fqdn == f"{spec.name}.contoso.lab" for spec in specs)


@pytest.mark.parametrize(
    ("hosts", "fleet"),
    [
        ("2016", None),
        ("2010,2010", None),
        ("2010", 3),
        (None, -1),
        ("a=2010,A=2013", None),
        ("2007sp1:stdin_reaches_input", None),
        ("2007sp1:stdin_reaches_input=maybe", None),
        ("2007sp1:um_role=false", None),
    ],
)
def test_parse_host_specs_refuses(hosts: str | None, fleet: int | None) -> None:
    with pytest.raises(HostSpecError):
        parse_host_specs(hosts=hosts, fleet=fleet)


def test_host_settings_in_a_hosts_token() -> None:
    (spec,) = parse_host_specs(hosts="old=2007sp1:stdin_reaches_input=true:accepts_execution_policy=false", fleet=None)
    assert (spec.name, spec.powershell_version) == ("old", "1.0")
    assert (spec.accepts_execution_policy, spec.stdin_reaches_input) == (False, True)
    with pytest.raises(HostSpecError, match="known: accepts_execution_policy, stdin_reaches_input"):
        parse_host_specs(hosts="2007sp1:execution_policy=true", fleet=None)
    with pytest.raises(HostSpecError, match=r"takes true or false, e\.g\. stdin_reaches_input=true"):
        parse_host_specs(hosts="2007sp1:stdin_reaches_input=1", fleet=None)


@pytest.mark.parametrize(
    ("preset", "pessimistic"),
    [("2007sp1", True), ("2007sp1-ps2", False), ("2010", False), ("2013", False), ("windows", False)],
)
def test_lab_settings_default_to_the_pessimistic_answer_on_powershell_1(preset: str, pessimistic: bool) -> None:
    spec = PRESETS[preset]
    assert (spec.accepts_execution_policy, spec.stdin_reaches_input) == (not pessimistic, not pessimistic)
    # Another PowerShell version brings its own defaults; a setting given with it stays.
    other = spec.configured(powershell_version="2.0" if pessimistic else "1.0")
    assert (other.accepts_execution_policy, other.stdin_reaches_input) == (pessimistic, pessimistic)
    kept = spec.configured(powershell_version="1.0", stdin_reaches_input=True)
    assert (kept.accepts_execution_policy, kept.stdin_reaches_input) == (False, True)


@pytest.mark.parametrize(
    ("preset", "os_version", "powershell", "build", "winrm"),
    [
        ("2007sp1", "6.0.6002", "1.0", "8.1.240.6", "1.1"),
        ("2007sp1-ps2", "6.0.6002", "2.0", "8.1.240.6", "2.0"),
        ("2010", "6.1.7601", "2.0", "14.3.123.4", "2.0"),
        ("2013", "6.3.9600", "4.0", "15.0.1497.2", "3.0"),
    ],
)
def test_presets_follow_the_support_matrix(
    preset: str, os_version: str, powershell: str, build: str, winrm: str
) -> None:
    spec = PRESETS[preset]
    assert (spec.os_version, spec.powershell_version, spec.exchange_build, spec.winrm_version) == (
        os_version,
        powershell,
        build,
        winrm,
    )
    assert 5.0 <= spec.shell_load_seconds <= 15.0
    assert spec.configured(powershell_version="2.0").powershell_version == "2.0"


# ---------------------------------------------------------------- command lines


POWERSHELL_PATH = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"
ENCODED = base64.b64encode("Write-Output 'x'".encode("utf-16-le")).decode()


@pytest.mark.parametrize(
    ("line", "script", "options"),
    [
        (
            f"PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand {ENCODED}",
            "Write-Output 'x'",
            {"noprofile": True, "noninteractive": True, "executionpolicy": "Unrestricted"},
        ),
        (f"powershell.exe -ec {ENCODED}", "Write-Output 'x'", {}),
        (f"powershell -e {ENCODED}", "Write-Output 'x'", {}),
        (f"powershell -enc {ENCODED}", "Write-Output 'x'", {}),
        (
            f"{POWERSHELL_PATH} -nop -noni -ep Bypass -EncodedCommand {ENCODED}",
            "Write-Output 'x'",
            {"noprofile": True, "noninteractive": True, "executionpolicy": "Bypass"},
        ),
        ("powershell -NoProfile -Command Write-Output 'a b'", "Write-Output 'a b'", {"noprofile": True}),
        ("powershell -c $Host.Version", "$Host.Version", {}),
        ("powershell Write-Output  hi", "Write-Output hi", {}),
        ('"powershell.exe" -Command "Write-Output 1"', "Write-Output 1", {}),
    ],
)
def test_powershell_command_lines(line: str, script: str, options: dict[str, object]) -> None:
    parsed = parse_command_line(line)
    assert parsed.program == "powershell"
    assert parsed.script == script
    assert {key: value for key, value in parsed.options.items() if key != "encodedcommand"} == options


def test_powershell_without_execution_policy_starts_the_command_at_it() -> None:
    """A host whose powershell.exe has no -ExecutionPolicy: the switch begins the implicit command."""
    line = f"PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand {ENCODED}"
    parsed = parse_command_line(line, accepts_execution_policy=False)
    assert parsed.options == {"noprofile": True, "noninteractive": True}
    assert parsed.unknown_option == "-ExecutionPolicy"
    assert parsed.script == f"-ExecutionPolicy Unrestricted -EncodedCommand {ENCODED}"
    assert parse_command_line(line).unknown_option is None
    assert parse_command_line(f"powershell -Foo {ENCODED}").unknown_option == "-Foo"
    assert parse_command_line(f"powershell -nop -ec {ENCODED}", accepts_execution_policy=False).unknown_option is None


def test_command_dash_reads_the_script_from_stdin() -> None:
    parsed = parse_command_line("powershell -NonInteractive -Command -")
    assert parsed.script is None and parsed.script_from_stdin


@pytest.mark.parametrize(
    "line",
    [
        f"powershell -NoExit -ec {ENCODED}",
        "powershell -File C:\\scripts\\x.ps1",
        f"powershell -Version 2.0 -ec {ENCODED}",
        "powershell -EncodedCommand !!notbase64!!",
        "powershell -ExecutionPolicy",
        "powershell -InputFormat XML -Command -",
        f"powershell -ec {ENCODED} extra",
        "",
    ],
)
def test_command_lines_without_a_model(line: str) -> None:
    with pytest.raises(CommandLineError):
        parse_command_line(line)


@pytest.mark.parametrize(
    ("line", "arguments"),
    [
        ('a "b c" d', ["a", "b c", "d"]),
        (r'a\\"b c"', ["a\\b c"]),
        (r"x \"y\"", ["x", '"y"']),
        ("  spaced   out  ", ["spaced", "out"]),
    ],
)
def test_split_arguments_like_commandlinetoargvw(line: str, arguments: list[str]) -> None:
    assert split_arguments(line) == arguments


# ---------------------------------------------------------------- plain commands


@pytest.mark.parametrize(
    ("preset", "script", "expected"),
    [
        ("2007sp1", "$Host.Version.ToString()", ("1.0.0.0\r\n", "", 0)),
        ("2010", "$Host.Version.ToString()", ("2.0\r\n", "", 0)),
        ("2013", "$PSVersionTable.PSVersion.ToString()", ("4.0\r\n", "", 0)),
        ("2010", "Write-Output 'a' 5; echo b", ("a\r\n5\r\nb\r\n", "", 0)),
        ("2010", "'it''s'", ("it's\r\n", "", 0)),
        ("2013", "$env:COMPUTERNAME; exit 3", ("EXCH2013\r\n", "", 3)),
        ("2007sp1", "hostname", ("EXCH2007\r\n", "", 0)),
    ],
)
def test_plain_scripts(
    hosts: dict[str, SimulatedHost], preset: str, script: str, expected: tuple[str, str, int]
) -> None:
    assert hosts[preset].run_command(command_line(script), b"", 65001) == expected


def test_hostname_exe_without_powershell(hosts: dict[str, SimulatedHost]) -> None:
    assert hosts["2010"].run_command("hostname", b"", 437) == ("EXCH2010\r\n", "", 0)


@pytest.mark.parametrize(
    ("preset", "script", "printed", "construct"),
    [
        ("2010", "Get-Process", "", "Get-Process"),
        # What ran before the construct the lab lacks stays printed; nothing after it runs.
        ("2010", "Write-Output 'a'; Get-Process; Write-Output 'b'", "a\r\n", "Get-Process"),
        ("2013", "ConvertTo-Json @{a = 1}", "", "ConvertTo-Json"),
        ("2010", "[Console]::WriteLine('x')", "", "[Console]::WriteLine"),
    ],
)
def test_unmodelled_scripts_fail_instead_of_pretending(
    hosts: dict[str, SimulatedHost], preset: str, script: str, printed: str, construct: str
) -> None:
    out, err, rc = hosts[preset].run_command(command_line(script), b"", 65001)
    assert (out, rc) == (printed, 1)
    assert err.startswith("#< CLIXML") and NO_MODEL in err and construct in err


def test_unknown_program(hosts: dict[str, SimulatedHost]) -> None:
    out, err, rc = hosts["2010"].run_command("certutil -store Root", b"", 437)
    assert (out, rc) == ("", 1) and "no model" in err


def test_command_dash_runs_stdin_in_the_console_code_page(hosts: dict[str, SimulatedHost]) -> None:
    out, err, rc = hosts["2010"].run_command("powershell -Command -", "Write-Output 'Größe'\r\n".encode("cp437"), 437)
    assert (out, err, rc) == ("Größe\r\n", "", 0)


# ---------------------------------------------------------------- PowerShell's own errors


@pytest.mark.parametrize(
    ("preset", "script", "message"),
    [
        ("2010", "ConvertTo-Json @{a = 1}", "The term 'ConvertTo-Json' is not recognized as the name of a cmdlet"),
        ("2007sp1", "try { 'x' } catch { 'y' }", None),
        ("2010", "Write-Output 'unterminated", None),
    ],
)
def test_checks_fail_as_powershell_does(
    hosts: dict[str, SimulatedHost], preset: str, script: str, message: str | None
) -> None:
    out, err, rc = hosts[preset].run_command(command_line(script), b"", 65001)
    assert (out, rc) == ("", 1)
    assert err.startswith("#< CLIXML\r\n<Objs ")
    assert NO_MODEL not in err
    if message is not None:
        assert message in err


@pytest.mark.parametrize(
    ("preset", "script", "printed", "rc", "messages"),
    [
        # $PSVersionTable arrives with 2.0 (about_Windows_PowerShell_2.0, tests/pwsh/semantics.py): on 1.0 it is an
        # unset variable, so $null, and calling a method on $null is the runtime error InvokeMethodOnNull.
        ("2007sp1", "$PSVersionTable.PSVersion.ToString()", "", 1, ["You cannot call a method on a null-valued"]),
        # A cmdlet's error for one item is non-terminating (about_Errors): the script goes on, and the error is
        # printed on stderr. The last command succeeded, so the exit code is 0 (about_PowerShell_exe, -Command).
        (
            "2010",
            "Write-Output 'a'; Remove-Item C:\\x; Write-Output 'b'",
            "a\r\nb\r\n",
            0,
            [
                "Cannot find path 'C:\\x' because it does not exist.",
                "PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand",
            ],
        ),
    ],
)
def test_run_time_errors_are_printed_by_powershell(
    hosts: dict[str, SimulatedHost], preset: str, script: str, printed: str, rc: int, messages: list[str]
) -> None:
    """Scripts the old plain-script models refused now run, and fail as PowerShell fails."""
    out, err, code = hosts[preset].run_command(command_line(script), b"", 65001)
    assert (out, code) == (printed, rc)
    assert err.startswith("#< CLIXML\r\n<Objs ") and NO_MODEL not in err
    assert all(message in err for message in messages), err


# ---------------------------------------------------------------- stdin and the bootstrap


@pytest.mark.parametrize("bootstrap", [BOOTSTRAP_JOIN, BOOTSTRAP_STRINGBUILDER])
@pytest.mark.parametrize("width", [4096, 76])
def test_payload_from_stdin_lines(hosts: dict[str, SimulatedHost], bootstrap: str, width: int) -> None:
    text = payload_text("exchange_info", {"Services": []}, fragment="exchange_info.none.ps1")
    out, err, rc = hosts["2010"].run_command(command_line(bootstrap), payload_stdin(text, width=width), 65001)
    assert (err, rc) == ("", 0)
    assert exum_result(out)["ok"] is True


def test_stdin_that_never_reaches_input_runs_an_empty_block() -> None:
    host = SimulatedHost(PRESETS["windows"].configured(stdin_reaches_input=False))
    text = payload_text("exchange_info", {}, fragment="exchange_info.none.ps1")
    assert run_payload(host, text, bootstrap=BOOTSTRAP_INPUT_ONLY) == ("", "", 0)


@pytest.mark.parametrize(
    ("stdin_reaches_input", "bootstrap", "runs"),
    [
        (False, BOOTSTRAP_INPUT_ONLY, False),
        (False, BOOTSTRAP_CONSOLE_ONLY, True),
        (False, BOOTSTRAP_JOIN, True),
        (False, BOOTSTRAP_STRINGBUILDER, True),
        (True, BOOTSTRAP_INPUT_ONLY, True),
        (True, BOOTSTRAP_JOIN, True),
        (True, BOOTSTRAP_CONSOLE_ONLY, None),
    ],
)
def test_stdin_reaches_the_source_the_host_gives_it(
    stdin_reaches_input: bool, bootstrap: str, runs: bool | None
) -> None:
    """$input when powershell.exe feeds it, else [Console]::In; Console.In after $input took stdin has no model."""
    host = SimulatedHost(PRESETS["2007sp1"].configured(stdin_reaches_input=stdin_reaches_input))
    out, err, rc = run_payload(
        host, payload_text("exchange_info", {}, fragment="exchange_info.none.ps1"), bootstrap=bootstrap
    )
    if runs is None:
        assert (out, rc) == ("", 1) and NO_MODEL in err and "[Console]::In" in err
    elif runs:
        assert (err, rc) == ("", 0) and exum_result(out)["data"]["powershell_version"] == "1.0"
    else:
        assert (out, err, rc) == ("", "", 0)


@pytest.mark.parametrize(
    ("stdin_reaches_input", "script", "expected"),
    [
        # $input yields stdin's lines (host-facts.md; docs/lab.md "Lab settings"), written one per line.
        (True, "Write-Output $input", "QUJD\r\nREVG\r\n"),
        (True, "@($input).Length", "2\r\n"),
        (False, "@($input).Length", "0\r\n"),
        # Type literals and member access are case-insensitive (about_Case-Sensitivity); Console.In is the process's
        # standard input, read whole by ReadToEnd (.NET 2.0 Console.In, TextReader.ReadToEnd).
        (False, "[system.console]::in.readtoend().Length", "12\r\n"),
        (
            False,
            "[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadToEnd()))",
            "ABCDEF\r\n",
        ),
    ],
)
def test_the_bootstrap_is_run_as_written(stdin_reaches_input: bool, script: str, expected: str) -> None:
    """No bootstrap is recognised: whatever the command line carries runs, reading stdin where the host puts it."""
    host = SimulatedHost(PRESETS["2007sp1"].configured(stdin_reaches_input=stdin_reaches_input))
    assert host.run_command(command_line(script), b"QUJD\r\nREVG\r\n", 65001) == (expected, "", 0)


def test_old_command_line_fails_on_the_pessimistic_powershell_1_host() -> None:
    """ansible-core's line (-ExecutionPolicy Unrestricted) on the 1.0 host with the lab's defaults: powershell.exe
    takes -ExecutionPolicy for the start of the command, which is no command (1.0 wording and layout)."""
    host = SimulatedHost(PRESETS["2007sp1"])
    text = payload_text("exchange_info", {}, fragment="exchange_info.none.ps1")
    out, err, rc = host.run_command(ansible_command_line(BOOTSTRAP_STRINGBUILDER), payload_stdin(text), 65001)
    assert (out, rc) == ("", 1)
    assert err.startswith("#< CLIXML") and NO_MODEL not in err
    assert (
        "The term '-ExecutionPolicy' is not recognized as a cmdlet, function, operable program, or script file. "
        "Verify the term and try again." in err
    )
    assert "At line:1 char:17_x000D__x000A_" in err and "+ -ExecutionPolicy &lt;&lt;&lt;&lt; " in err
    assert host.counters.simulated_seconds == host.spec.process_start_seconds
    # The channel's own line runs the same payload there.
    out, err, rc = host.run_command(command_line(BOOTSTRAP_STRINGBUILDER), payload_stdin(text), 65001)
    assert (err, rc) == ("", 0) and exum_result(out)["ok"] is True


@pytest.mark.parametrize("preset", ["2007sp1-ps2", "2010"])
def test_old_command_line_runs_where_powershell_exe_takes_execution_policy(preset: str) -> None:
    host = SimulatedHost(PRESETS[preset])
    text = payload_text("exchange_info", {}, fragment="exchange_info.none.ps1")
    out, err, rc = host.run_command(ansible_command_line(BOOTSTRAP_INPUT_ONLY), payload_stdin(text), 65001)
    assert (err, rc) == ("", 0) and exum_result(out)["ok"] is True


# ---------------------------------------------------------------- payload checks


def test_payload_parse_error_is_printed_by_powershell(hosts: dict[str, SimulatedHost]) -> None:
    text = payload_text("root_trust", {}, body="param([string[]] $Root = @())\r\nif ($Root {")
    out, err, rc = run_payload(hosts["2010"], text)
    assert (out, rc) == ("", 1)
    assert err.startswith("#< CLIXML") and 'Exception calling "NewScriptBlock"' in err


def test_powershell_3_cmdlet_in_a_payload_on_the_2_0_host(hosts: dict[str, SimulatedHost]) -> None:
    body = "param([string[]] $Root = @())\r\n$text = ConvertTo-Json @{ 'a' = 1 }\r\n@{ 'changed' = $false }"
    text = payload_text("root_trust", {}, body=body)
    out, err, rc = run_payload(hosts["2010"], text)
    assert (err, rc) == ("", 1)
    error = exum_result(out)["error"]
    assert error["message"].startswith("The term 'ConvertTo-Json' is not recognized as the name of a cmdlet")
    assert error["exception"] == "System.Management.Automation.CommandNotFoundException"
    assert error["category"] == "ObjectNotFound"
    assert text.splitlines()[error["line"] - 1].startswith("$text = ConvertTo-Json")


# A function's parameter binding error names the function in its FullyQualifiedErrorId, as a cmdlet's names its class.
def test_unknown_operation_parameter(hosts: dict[str, SimulatedHost]) -> None:
    out, err, rc = run_payload(hosts["2013"], payload_text("root_trust", {"Roots": []}))
    error = exum_result(out)["error"]
    assert (err, rc) == ("", 1)
    assert error["message"] == "A parameter cannot be found that matches parameter name 'Roots'."
    assert error["fqid"] == "NamedParameterNotFound,Invoke-ExumOperation"


def test_parameter_prefix_binds(hosts: dict[str, SimulatedHost]) -> None:
    out, _err, rc = run_payload(hosts["2013"], payload_text("root_trust", {"Inter": [], "Check": True}))
    assert rc == 0 and exum_result(out)["data"]["changed"] is False


def test_an_operation_the_lab_never_saw_runs(hosts: dict[str, SimulatedHost]) -> None:
    """The lab knows no operation: any script runs as PowerShell runs it (the old models refused unknown ones)."""
    body = (
        "param([string] $Name, [int] $Count = 1)\r\n@{ 'done' = $true; 'name' = $Name.ToUpper(); 'twice' = 2 * $Count }"
    )
    out, err, rc = run_payload(hosts["2010"], payload_text("reboot_host", {"Name": "um", "Count": 21}, body=body))
    assert (err, rc) == ("", 0)
    assert exum_result(out) == {"ok": True, "data": {"done": True, "name": "UM", "twice": 42}}


# ---------------------------------------------------------------- Exchange shell


@pytest.mark.parametrize("delegating", [False, True])
@pytest.mark.parametrize("preset", ["2007sp1", "2010", "2013"])
def test_snapin_of_the_hosts_version_loads(preset: str, delegating: bool) -> None:
    """Add-PSSnapin of the host's version is one shell load, under any logon. Exchange's cmdlets then read the
    directory only with network credentials: without them (no logon here) the 2010/2013 fragments' cmdlets fail and
    exchange_info.ps1 returns the rest with exchange_error; the 2007 SP1 fragment calls no Exchange cmdlet."""
    host = SimulatedHost(PRESETS[preset])
    loader = [f"Add-PSSnapin -Name '{SNAPINS[preset]}' -ErrorAction Stop"]
    text = payload_text("exchange_info", {}, loader=loader, fragment=f"exchange_info.{preset}.ps1")
    out, err, rc = host.run_command(
        command_line(BOOTSTRAP_STRINGBUILDER), payload_stdin(text), 65001, logon=DELEGATING if delegating else None
    )
    assert (err, rc) == ("", 0), out
    data = exum_result(out)["data"]
    if delegating or preset == "2007sp1":
        assert data["exchange_error"] is None and data["um"] is not None
    else:
        assert data["exchange_error"]["message"] == NO_DIRECTORY and data["um"] is None
    assert host.counters.exchange_shell_loads == 1
    assert host.counters.simulated_seconds == PRESETS[preset].process_start_seconds + PRESETS[preset].shell_load_seconds


# -ErrorAction Stop turns Add-PSSnapin's non-terminating error into a terminating one. Before 3.0 the trap receives
# it as an ActionPreferenceStopException, whose message prefixes the error's own; from 3.0 the error keeps its own
# exception (tests/pwsh/semantics.py "stop_keeps_exception": about_Preference_Variables, about_CommonParameters,
# ActionPreferenceStopException). The old model gave the 3.0 form on every version.
STOPPED = (
    'Command execution stopped because the preference variable "ErrorActionPreference" or common parameter is set to '
    "Stop: "
)


@pytest.mark.parametrize(
    ("preset", "snapin", "where", "prefix", "exception"),
    [
        ("2010", SNAPINS["2007sp1"], "machine", STOPPED, "System.Management.Automation.ActionPreferenceStopException"),
        ("2013", SNAPINS["2010"], "computer", "", "System.Management.Automation.PSArgumentException"),
        ("windows", SNAPINS["2010"], "machine", STOPPED, "System.Management.Automation.ActionPreferenceStopException"),
    ],
)
def test_snapin_of_another_version_fails_like_add_pssnapin(
    preset: str, snapin: str, where: str, prefix: str, exception: str
) -> None:
    host = SimulatedHost(PRESETS[preset])
    text = payload_text(
        "exchange_info",
        {},
        loader=[f"Add-PSSnapin -Name '{snapin}' -ErrorAction Stop"],
        fragment="exchange_info.none.ps1",
    )
    out, err, rc = run_payload(host, text)
    error = exum_result(out)["error"]
    assert (err, rc) == ("", 1)
    assert error["message"] == f"{prefix}The Windows PowerShell snap-in '{snapin}' is not installed on this {where}."
    assert error["fqid"] == "AddPSSnapInRead,Microsoft.PowerShell.Commands.AddPSSnapinCommand"
    assert (error["category"], error["exception"]) == ("InvalidArgument", exception)
    assert host.counters.exchange_shell_loads == 0


def _remote_loader(fqdn: str) -> list[str]:
    return [
        f"$ExumExchangeSession = New-PSSession -ConfigurationName 'Microsoft.Exchange' "
        f"-ConnectionUri 'http://{fqdn}/PowerShell/' -Authentication Kerberos -ErrorAction Stop",
        "[void](Import-PSSession -Session $ExumExchangeSession -AllowClobber -ErrorAction Stop)",
    ]


def test_remote_exchange_session_without_credential_is_a_second_hop() -> None:
    host = SimulatedHost(PRESETS["2013"])
    loader = _remote_loader(host.spec.fqdn)
    out, err, rc = run_payload(
        host, payload_text("exchange_info", {}, loader=loader, fragment="exchange_info.2013.ps1")
    )
    error = exum_result(out)["error"]
    assert (err, rc) == ("", 1) and error["fqid"] == "1312,PSSessionOpenFailed"
    assert "exch2013.contoso.lab" in error["message"]
    assert host.counters.exchange_shell_loads == 0


def test_exchange_cmdlets_without_a_loaded_shell_are_unknown() -> None:
    """Without Add-PSSnapin the Exchange cmdlets are no commands (CommandNotFoundException), under any logon.
    exchange_info.ps1 traps every failure of its Exchange part, so the snapshot comes back with exchange_error
    (the old model failed the whole command)."""
    host = SimulatedHost(PRESETS["2010"])
    text = payload_text("exchange_info", {}, fragment="exchange_info.2010.ps1")
    out, err, rc = host.run_command(command_line(BOOTSTRAP_STRINGBUILDER), payload_stdin(text), 65001, logon=DELEGATING)
    assert (err, rc) == ("", 0)
    data = exum_result(out)["data"]
    assert data["exchange_error"]["message"].startswith("The term 'Get-ExchangeCertificate' is not recognized")
    assert data["exchange_error"]["fqid"] == "CommandNotFoundException"
    assert data["um"] is None and data["exchange"]["version"] == "2010"
    assert host.counters.exchange_shell_loads == 0


# ---------------------------------------------------------------- counters and latency


def test_counters_and_reset() -> None:
    host = SimulatedHost(PRESETS["2010"])
    host.record_command()
    host.record_traffic(bytes_in=100, bytes_out=40)
    host.record_traffic(bytes_in=1, bytes_out=2)
    host.run_command(command_line("Write-Output 1"), b"", 65001)
    assert host.counters.to_dict() == {
        "commands": 1,
        "bytes_in": 101,
        "bytes_out": 42,
        "exchange_shell_loads": 0,
        "simulated_seconds": 1.0,
    }
    assert host.dump()["counters"] == host.counters.to_dict()
    host.reset_counters()
    assert host.counters.to_dict()["simulated_seconds"] == 0.0


def test_latency_is_slept_scaled() -> None:
    spec = PRESETS["2010"].configured(process_start_seconds=1.0, shell_load_seconds=9.0)
    host = SimulatedHost(spec, time_scale=0.02)
    loader = [f"Add-PSSnapin -Name '{SNAPINS['2010']}' -ErrorAction Stop"]
    text = payload_text("exchange_info", {}, loader=loader, fragment="exchange_info.2010.ps1")
    started = time.monotonic()
    _out, _err, rc = run_payload(host, text)
    elapsed = time.monotonic() - started
    assert rc == 0
    assert host.counters.simulated_seconds == 10.0
    assert 0.2 <= elapsed < 2.0


def test_commands_on_one_host_from_many_threads() -> None:
    host = SimulatedHost(PRESETS["2013"])
    roots = [make_ca(f"Thread {index}").root for index in range(8)]

    def trust(index: int) -> int:
        return run_payload(host, payload_text("root_trust", {"Root": [b64der(roots[index])]}))[2]

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(trust, range(8))) == [0] * 8
    root_store = host.state.stores["Root"]
    assert all(b64der(root) in {b64der(entry.certificate) for entry in root_store.entries()} for root in roots)
    assert host.counters.simulated_seconds == 8.0
