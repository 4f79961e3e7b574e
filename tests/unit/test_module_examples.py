"""Every module's EXAMPLES are tasks (what ansible-doc users paste into a play), named, and use modules that exist."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml

MODULES = Path(__file__).resolve().parents[2] / "plugins" / "modules"
PLAY_KEYS = {"hosts", "tasks", "pre_tasks", "post_tasks", "roles", "import_playbook", "gather_facts"}
BLOCK_KEYS = ("block", "rescue", "always")
PREFIX = "exchange_um.certificates."


def _examples(path: Path) -> list[Any]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            assert isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            return yaml.safe_load(node.value.value)
    raise AssertionError(f"{path.name} has no EXAMPLES")


def _tasks(entries: list[Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for entry in entries:
        assert isinstance(entry, dict), entry
        found.append(entry)
        for key in BLOCK_KEYS:
            found += _tasks(entry.get(key) or [])
    return found


@pytest.mark.parametrize("path", sorted(MODULES.glob("*.py")), ids=lambda path: path.stem)
def test_examples_are_named_tasks_of_existing_modules(path: Path) -> None:
    tasks = _tasks(_examples(path))
    assert tasks
    for task in tasks:
        assert not PLAY_KEYS & set(task), f"{path.name}: a play in EXAMPLES: {task.get('name')}"
        assert task.get("name"), f"{path.name}: a task without a name"
        modules = [key for key in task if key.startswith(PREFIX)]
        for module in modules:
            assert (MODULES / f"{module.removeprefix(PREFIX)}.py").is_file(), f"{path.name}: {module}"
    assert any(f"{PREFIX}{path.stem}" in task for task in tasks), f"{path.name}: no example uses the module"
