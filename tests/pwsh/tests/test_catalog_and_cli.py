"""The catalog's integrity and the command line tool over header-carrying scripts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.pwsh import Catalog, CatalogError, HeaderError, read_header
from tests.pwsh.__main__ import main

REPO = Path(__file__).resolve().parents[3]


def test_every_entry_cites_a_known_source() -> None:
    data = yaml.safe_load((REPO / "tests/pwsh/catalog.yml").read_text(encoding="utf-8"))
    data["powershell"]["cmdlets"]["Get-Item"]["source"] = "NOWHERE"
    with pytest.raises(CatalogError, match="unknown source"):
        Catalog(data)


def test_unsure_entries_are_reported() -> None:
    unsure = Catalog.load().unsure_entries()
    assert any(line.startswith("Enable-ExchangeCertificate (2007sp1)") for line in unsure)


@pytest.mark.parametrize(
    ("name", "powershell", "exchange", "resolved"),
    [
        ("gci", "1.0", None, "Get-ChildItem"),
        ("ICM", "2.0", None, "Invoke-Command"),
        ("sc", "2.0", None, "Set-Content"),
        ("certutil", "1.0", None, "certutil.exe"),
        ("Get-UMService", "4.0", "2013", "Get-UMService"),
        ("icm", "1.0", None, None),
        ("Get-UMServer", "4.0", "2013", None),
        ("Get-WinEvent", "1.0", None, None),
    ],
)
def test_resolve(name: str, powershell: str, exchange: str | None, resolved: str | None) -> None:
    found = Catalog.load().resolve(name, powershell=powershell, exchange=exchange)
    assert (found.name if found else None) == resolved


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("# language: 1.0\n# exchange: none\n", "operation"),
        ("# operation: x\n# language: 3.0\n# exchange: none\n", "language"),
        ("# operation: x\n# language: 2.0\n# exchange: 2016\n", "exchange"),
        ("# operation: x\n# operation: y\n# language: 2.0\n# exchange: none\n", "operation"),
    ],
)
def test_bad_headers(header: str, field: str) -> None:
    with pytest.raises(HeaderError) as caught:
        read_header(header + "param()\n")
    assert caught.value.field == field


def test_header_versions() -> None:
    header = read_header("# operation: op\n# language: 2.0   (comment)\n# exchange: 2007, 2010,2013\nparam()\n")
    assert (header.language, header.exchange) == ("2.0", ("2007sp1", "2010", "2013"))


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_reports_problems_per_declared_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "prelude.ps1", "# operation: prelude\n# language: 1.0\n# exchange: none\nfunction Write-Exum {}\n")
    _write(tmp_path, "good.ps1", "# operation: good\n# language: 1.0\n# exchange: none\nparam($A)\nWrite-Exum $A\n")
    _write(
        tmp_path,
        "bad.ps1",
        "# operation: bad\n# language: 2.0\n# exchange: 2010, 2013\nparam()\n"
        "Import-ExchangeCertificate -FileName 'x'\n$j = ConvertTo-Json 1\n",
    )
    _write(tmp_path, "nohead.ps1", "param()\n")
    assert main([str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{tmp_path / 'bad.ps1'}:5:28: parameter: A parameter cannot be found that matches parameter name 'FileName'."
        " [PowerShell 2.0, Exchange 2010]",
        f"{tmp_path / 'bad.ps1'}:6:6: command: The term 'ConvertTo-Json' is not recognized as the name of a cmdlet, "
        "function, script file, or operable program. Check the spelling of the name, or if a path was included, verify "
        "that the path is correct and try again. [PowerShell 2.0, Exchange 2010]",
        f"{tmp_path / 'nohead.ps1'}:1:1: header: header field 'operation': missing",
    ]


def test_cli_passes_clean_scripts(tmp_path: Path) -> None:
    _write(tmp_path, "ok.ps1", "# operation: ok\n# language: 1.0\n# exchange: 2007\nparam()\nGet-ExchangeCertificate\n")
    result = subprocess.run(
        [sys.executable, "-m", "tests.pwsh", str(tmp_path)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (0, "")
