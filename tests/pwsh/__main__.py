"""python -m tests.pwsh [PATHS]: check every operation script against its header; exit 1 on any problem."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from .catalog import Catalog
from .check import check_script
from .errors import HeaderError
from .header import ScriptHeader, read_header
from .parser import parse_script

_DEFAULT = Path("plugins/plugin_utils/host_scripts")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pwsh", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, help=f"files or folders (default {_DEFAULT})")
    options = parser.parse_args(argv)
    catalog = Catalog.load()
    failed = False
    checked = 0
    for path in _scripts(options.paths or [_DEFAULT]):
        checked += 1
        for line in check_file(path, catalog=catalog):
            print(line)
            failed = True
    if checked == 0:
        print("no .ps1 files found", file=sys.stderr)
        return 1
    return 1 if failed else 0


def check_file(path: Path, *, catalog: Catalog) -> list[str]:
    """``path:line:col: kind: message`` lines for one script; its header decides the hosts it is checked for."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        header = read_header(text)
    except HeaderError as error:
        return [f"{path}:1:1: header: {error}"]
    functions = [*_prelude_functions(path), *header.payload_functions, "Invoke-ExumOperation"]
    script = parse_script(text)
    lines: list[str] = []
    seen: set[str] = set()
    for powershell, exchange in _targets(header):
        for problem in check_script(
            script, powershell=powershell, exchange=exchange, catalog=catalog, functions=functions
        ):
            where = f" [PowerShell {powershell}{', Exchange ' + exchange if exchange else ''}]"
            line = f"{path}:{problem.line}:{problem.column}: {problem.kind}: {problem.message}"
            if line not in seen:
                seen.add(line)
                lines.append(line + where)
    return lines


def _prelude_functions(path: Path) -> list[str]:
    """Functions of the shared prelude next to the script: every payload defines them first (architecture.md)."""
    prelude = path.with_name("prelude.ps1")
    if prelude == path or not prelude.exists():
        return []
    script = parse_script(prelude.read_text(encoding="utf-8-sig"))
    return [
        script.text_of(child)
        for node in script.nodes_of("function_statement")
        for child in node.named_children
        if child.type == "function_name"
    ]


def _targets(header: ScriptHeader) -> list[tuple[str, str | None]]:
    """The declared level for every declared Exchange version (docs/architecture.md: 1.0 scripts may reach 2007)."""
    versions: list[str | None] = list(header.exchange) or [None]
    return [(header.language, version) for version in versions]


def _scripts(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.ps1"))
        elif path.suffix.lower() == ".ps1":
            yield path


if __name__ == "__main__":
    sys.exit(main())
