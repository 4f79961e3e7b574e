"""The Exchange roles' one argument spec against what the roles and playbooks use: every exchange_um_ variable a task
reads is documented (or is one the tasks set themselves, or a playbook keyword's), each default in the spec is the
role's default, and the three version roles repeat the shared spec word for word (ansible-galaxy ships no symlinks)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
COMMON = ROOT / "roles" / "exchange_common"
SPEC = yaml.safe_load((COMMON / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
OPTIONS = SPEC["argument_specs"]["main"]["options"]
DEFAULTS = yaml.safe_load((COMMON / "defaults" / "main.yml").read_text(encoding="utf-8"))
# set by the tasks (register, set_fact, vars), or read by the playbooks as documented in their header comments
INTERNAL = {
    "exchange_um_role_version",
    "exchange_um_profiles",
    "exchange_um_detected",
    "exchange_um_wanted",
    "exchange_um_spec_file",
    "exchange_um_ca",
    "exchange_um_ca_cache",
    "exchange_um_ca_fetched",
    "exchange_um_certificate",
    "exchange_um_binding",
    "exchange_um_tls",
    "exchange_um_report",
    "exchange_um_serial",
    "exchange_um_max_fail_percentage",
    "exchange_um_report_dir",
    "exchange_um_verify_strict",
    "exchange_um_host",  # exchange_info's fact
}
USED = re.compile(r"\bexchange_um_[a-z0-9_]+")


def _used_names() -> set[str]:
    names: set[str] = set()
    for path in [*COMMON.glob("tasks/*.yml"), *(ROOT / "playbooks").glob("*.yml")]:
        names |= set(USED.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_variable_the_tasks_read_is_documented() -> None:
    undocumented = _used_names() - set(OPTIONS) - INTERNAL
    assert not undocumented, f"add to roles/exchange_common/meta/argument_specs.yml: {sorted(undocumented)}"


def test_every_documented_variable_is_used() -> None:
    unused = set(OPTIONS) - _used_names()
    assert not unused, sorted(unused)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_defaults_agree_with_the_spec(name: str) -> None:
    option = OPTIONS[name]
    assert option.get("description"), name
    if "default" in option:
        assert DEFAULTS.get(name) == option["default"], name
    else:
        assert name not in DEFAULTS, f"{name} has a role default but the spec does not say it"


@pytest.mark.parametrize("role", ["exchange2007sp1", "exchange2010", "exchange2013"])
def test_version_roles_share_the_spec_and_name_their_version(role: str) -> None:
    spec = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    own, shared = spec["argument_specs"]["main"], SPEC["argument_specs"]["main"]
    assert own["options"] == OPTIONS, "the version roles' options must be the shared spec's, word for word"
    assert own["description"] == shared["description"] and own["author"] == shared["author"]
    tasks = yaml.safe_load((ROOT / "roles" / role / "tasks" / "main.yml").read_text(encoding="utf-8"))
    include = tasks[0]["ansible.builtin.import_role"]
    assert include == {"name": "exchange_um.certificates.exchange_common", "rolespec_validate": False}
    version = tasks[0]["vars"]["exchange_um_role_version"]
    profiles = yaml.safe_load((COMMON / "vars" / "main.yml").read_text(encoding="utf-8"))["exchange_um_profiles"]
    assert role == f"exchange{version}" and profiles[version]["role"] == f"exchange_um.certificates.{role}"
