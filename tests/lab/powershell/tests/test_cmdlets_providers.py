"""The registry and FileSystem providers and their cmdlets, against about_Registry_Provider, about_FileSystem_Provider,
the cmdlets' help pages and RegistryProvider.cs / the resources of the PowerShell sources."""

from __future__ import annotations

import codecs

import pytest

from .cmdlet_host import error_text, run

SETUP = r"HKLM:\SOFTWARE\Microsoft\ExchangeServer\v14\Setup"


def ok(script: str, preset: str = "2010") -> list[str]:
    result = run(script, preset)
    assert result.stderr == "", error_text(result.stderr)
    return result.lines


def test_test_path_on_keys_values_are_not_items() -> None:
    # about_Registry_Provider: keys are items (containers); values are properties, so a path to a value is no item.
    assert ok(f"Test-Path '{SETUP}'; Test-Path '{SETUP}\\MsiProductMajor'; Test-Path 'HKLM:\\SOFTWARE'; "
              f"Test-Path -Path '{SETUP}' -PathType Leaf") == ["True", "False", "True", "False"]  # fmt: skip


def test_test_path_null_path_is_a_binding_error() -> None:
    # Test-Path help: -Path is mandatory and may not be null (ParameterArgumentValidationErrorNullNotAllowed).
    result = run("trap { $_.FullyQualifiedErrorId; exit 1 }; Test-Path -Path $null")
    assert result.lines == [
        "ParameterArgumentValidationErrorNullNotAllowed,Microsoft.PowerShell.Commands.TestPathCommand"
    ]


def test_get_item_property_values_and_provider_properties() -> None:
    # Get-ItemProperty help: the values as properties plus PSPath, PSParentPath, PSChildName, PSDrive, PSProvider.
    script = (
        f"$p = Get-ItemProperty -Path '{SETUP}'; $p.MsiProductMajor; $p.PSPath; $p.PSParentPath; $p.PSChildName; "
        '"$($p.PSDrive)"; "$($p.PSProvider)"'
    )
    assert ok(script) == [
        "14",
        r"Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\ExchangeServer\v14\Setup",
        r"Microsoft.PowerShell.Core\Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\ExchangeServer\v14",
        "Setup",
        "HKLM",
        r"Microsoft.PowerShell.Core\Registry",
    ]


def test_provider_qualified_registry_path() -> None:
    # about_Providers: Registry::HKEY_LOCAL_MACHINE\... names the same key as HKLM:\...
    assert ok(
        r"(Get-ItemProperty 'Registry::HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\ExchangeServer\v14\Setup').MsiProductMajor"
    ) == ["14"]


def test_get_item_property_missing_path() -> None:
    # SessionStateStrings PathNotFound; the id names the cmdlet (GetItemPropertyCommand), ObjectNotFound.
    result = run("Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Nope'; 'next'")
    assert result.lines == ["next"]
    text = error_text(result.stderr)
    assert "Cannot find path 'HKLM:\\SOFTWARE\\Nope' because it does not exist." in text
    assert "PathNotFound,Microsoft.PowerShell.Commands.GetItemPropertyCommand" in text
    assert "ObjectNotFound" in text and "ItemNotFoundException" in text


def test_get_item_property_missing_value() -> None:
    # RegistryProviderStrings PropertyNotAtPath, id = PSArgumentException's type name (RegistryProvider.cs).
    result = run(f"Get-ItemProperty -Path '{SETUP}' -Name Nope")
    text = error_text(result.stderr)
    assert (
        r"Property Nope does not exist at path HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\ExchangeServer\v14\Setup." in text
    )
    assert (
        "System.Management.Automation.PSArgumentException,Microsoft.PowerShell.Commands.GetItemPropertyCommand" in text
    )


def test_service_keys_are_the_services_start_mode() -> None:
    # The SCM's Services key: Start 2 automatic, 3 manual, 4 disabled; writing it changes the service's start mode.
    key = r"HKLM:\SYSTEM\CurrentControlSet\Services\MSExchangeUM"
    result = run(
        f"(Get-ItemProperty '{key}').Start; Set-ItemProperty -Path '{key}' -Name Start -Value 4; "
        f"(Get-ItemProperty '{key}').Start"
    )
    assert result.lines == ["2", "4"]
    assert result.machine.services["MSExchangeUM"].start_mode == "Disabled"


def test_set_item_property_keeps_the_kind_of_an_existing_value() -> None:
    # RegistryProvider.SetRegistryValue: an existing value is converted to its kind (DWord stays a number).
    result = run(
        f"Set-ItemProperty -Path '{SETUP}' -Name MsiBuildMinor -Value '7'; "
        f"(Get-ItemProperty '{SETUP}').MsiBuildMinor + 1"
    )
    assert result.lines == ["8"]
    assert result.machine.registry[r"HKLM\SOFTWARE\Microsoft\ExchangeServer\v14\Setup"]["MsiBuildMinor"] == 7


def test_set_item_property_missing_key() -> None:
    result = run("Set-ItemProperty -Path 'HKLM:\\SOFTWARE\\Nope' -Name A -Value 1")
    assert "PathNotFound,Microsoft.PowerShell.Commands.SetItemPropertyCommand" in error_text(result.stderr)


def test_new_item_registry_key_and_existing_key() -> None:
    # RegistryProvider.NewItem: "A key in this path already exists." (IOException) without -Force; a missing
    # parent without -Force is "The registry key at the specified path does not exist."; -Force makes parents.
    result = run(
        "New-Item -Path 'HKLM:\\SOFTWARE\\Lab' | Out-Null; New-Item -Path 'HKLM:\\SOFTWARE\\Lab'; "
        "New-Item -Path 'HKLM:\\SOFTWARE\\X\\Y'; New-Item -Path 'HKLM:\\SOFTWARE\\P\\Q' -Force | Out-Null; "
        "Test-Path 'HKLM:\\SOFTWARE\\P\\Q'"
    )
    assert result.lines == ["True"]
    text = error_text(result.stderr)
    assert "A key in this path already exists." in text
    assert "System.IO.IOException,Microsoft.PowerShell.Commands.NewItemCommand" in text
    assert "The registry key at the specified path does not exist." in text
    assert r"HKLM\SOFTWARE\Lab" in result.machine.registry


def test_remove_item_removes_a_key_and_its_subkeys() -> None:
    result = run(
        "New-Item -Path 'HKLM:\\SOFTWARE\\A\\B' -Force | Out-Null; Remove-Item 'HKLM:\\SOFTWARE\\A' -Recurse; "
        "Test-Path 'HKLM:\\SOFTWARE\\A'"
    )
    assert result.lines == ["False"]


def test_get_item_and_get_child_item_on_keys() -> None:
    # Get-Item / Get-ChildItem help: a key is a RegistryKey (Name is the full key name); children are subkeys.
    script = (
        "(Get-Item 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v14\\Setup').Name; "
        "Get-ChildItem 'HKLM:\\SOFTWARE\\Microsoft\\ExchangeServer\\v14' -Name"
    )
    assert ok(script) == [
        r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\ExchangeServer\v14\Setup",
        "Setup",
        "UnifiedMessagingRole",
    ]


def test_registry_key_get_value() -> None:
    # Microsoft.Win32.RegistryKey.GetValue(name) and GetValue(name, default).
    assert ok(f"$k = Get-Item '{SETUP}'; $k.GetValue('MsiProductMajor'); $k.GetValue('Nope', 'dflt')") == ["14", "dflt"]


def test_unmodelled_drive_is_refused() -> None:
    result = run("Test-Path Env:\\TEMP")
    assert "The lab has no model for this script" in error_text(result.stderr)


def test_set_content_default_encoding_and_add_content() -> None:
    # Set-Content / Add-Content help (Windows PowerShell): Default (ANSI) encoding; each value a line ending CRLF.
    result = run(
        "Set-Content -Path 'C:\\Windows\\Temp\\a.txt' -Value 'one', 'caf\u00e9'; "
        "Add-Content 'C:\\Windows\\Temp\\a.txt' 'three'; Get-Content 'C:\\Windows\\Temp\\a.txt'"
    )
    assert result.lines == ["one", "caf\u00e9", "three"]
    assert result.machine.files.read("C:\\Windows\\Temp\\a.txt") == b"one\r\ncaf\xe9\r\nthree\r\n"


def test_out_file_writes_unicode_with_a_byte_order_mark() -> None:
    # Out-File help: "The default value is Unicode" (UTF-16LE with BOM).
    result = run("'x' | Out-File -FilePath 'C:\\Windows\\Temp\\o.txt'; Get-Content 'C:\\Windows\\Temp\\o.txt'")
    assert result.lines == ["x"]
    assert result.machine.files.read("C:\\Windows\\Temp\\o.txt") == codecs.BOM_UTF16_LE + "x\r\n".encode("utf-16-le")


def test_set_content_utf8_encoding() -> None:
    # -Encoding UTF8 writes a byte order mark in Windows PowerShell.
    result = run("Set-Content -Path 'C:\\Windows\\Temp\\u.txt' -Value 'a' -Encoding UTF8")
    assert result.machine.files.read("C:\\Windows\\Temp\\u.txt") == codecs.BOM_UTF8 + b"a\r\n"


def test_get_content_raw_only_from_3() -> None:
    # What's New in Windows PowerShell 3.0: Get-Content -Raw; 2.0 has no such parameter.
    script = (
        "Set-Content 'C:\\Windows\\Temp\\r.txt' 'a', 'b'; "
        "$t = Get-Content 'C:\\Windows\\Temp\\r.txt' -Raw; $t -eq \"a`r`nb`r`n\""
    )
    assert ok(script, "2013") == ["True"]
    assert "NamedParameterNotFound,Microsoft.PowerShell.Commands.GetContentCommand" in error_text(
        run(script, "2010").stderr
    )


def test_get_content_missing_file_and_missing_directory() -> None:
    result = run("Get-Content 'C:\\Windows\\Temp\\none.txt'; Set-Content 'C:\\NoDir\\x.txt' 'a'")
    text = error_text(result.stderr)
    assert "Cannot find path 'C:\\Windows\\Temp\\none.txt' because it does not exist." in text
    assert "PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand" in text
    assert "Could not find a part of the path 'C:\\NoDir\\x.txt'." in text


def test_new_item_file_and_directory_then_remove() -> None:
    result = run(
        "New-Item -Path 'C:\\Work' -ItemType Directory | Out-Null; "
        "New-Item -Path 'C:\\Work\\f.txt' -ItemType File -Value 'v' | Out-Null; "
        "(Get-ChildItem 'C:\\Work').Name; Remove-Item 'C:\\Work' -Recurse; Test-Path 'C:\\Work'"
    )
    assert result.lines == ["f.txt", "False"]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (r"Join-Path 'C:\Windows' 'Temp'", r"C:\Windows\Temp"),
        (r"Join-Path 'C:\Windows\' '\Temp'", r"C:\Windows\Temp"),
        (r"Split-Path 'C:\Windows\Temp\x.txt'", r"C:\Windows\Temp"),
        (r"Split-Path 'C:\Windows'", "C:\\"),
        (r"Split-Path 'C:\Windows\Temp\x.txt' -Leaf", "x.txt"),
        (r"Split-Path 'HKLM:\SOFTWARE\Microsoft' -Qualifier", "HKLM:"),
        (r"Split-Path 'C:\Windows' -NoQualifier", r"\Windows"),
        (r"Split-Path 'C:\Windows' -IsAbsolute", "True"),
    ],
)
def test_join_and_split_path(script: str, expected: str) -> None:
    # Join-Path help: one separator between the parts; Split-Path help: -Parent (default), -Leaf, -Qualifier,
    # -NoQualifier, -IsAbsolute.
    assert ok(script) == [expected]


def test_new_item_force_recreates_an_existing_key() -> None:
    # RegistryProvider.NewItem: with -Force an existing key is removed before it is made again (its values go).
    result = run(
        "New-Item -Path 'HKLM:\\SOFTWARE\\Lab' | Out-Null; Set-ItemProperty 'HKLM:\\SOFTWARE\\Lab' -Name V -Value 1; "
        "New-Item -Path 'HKLM:\\SOFTWARE\\Lab' -Force | Out-Null; $null -eq (Get-ItemProperty 'HKLM:\\SOFTWARE\\Lab').V"
    )
    assert result.lines == ["True"], error_text(result.stderr)
