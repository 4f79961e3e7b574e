"""Generate the AWX surveys in docs/awx/surveys/ from the roles' argument specs, so the two cannot drift.

docs/awx/job_templates.yml names, per job template, the roles whose variables its survey asks and the playbook's own
questions. Each role option becomes one question: its type from the spec (choices as a multiple choice, booleans as
true/false, lists as comma-separated text, which the role's validation splits), its first description line as the
help text, ``required`` as the spec says. No question carries a default: a survey's answers are extra variables,
which would override what the inventory sets, so an unanswered question leaves the inventory's value or the role's
default. Options marked ``no_log`` are never asked: the credential types in docs/awx/credential_types.yml inject them.
Options a template lists in ``survey_exclude`` (values that differ per server) are not asked either.

    python hacking/awx_surveys.py           write the surveys
    python hacking/awx_surveys.py --check   exit 1 when a written survey differs from what the specs give
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
JOB_TEMPLATES = REPO / "docs" / "awx" / "job_templates.yml"
CREDENTIAL_TYPES = REPO / "docs" / "awx" / "credential_types.yml"
SURVEYS = REPO / "docs" / "awx" / "surveys"
TEXT_MAX = 1024  # AWX's default maximum length of a text answer
TEXTAREA_MAX = 65536  # a PEM bundle of a few certificates
_MARKUP = re.compile(r"\b(?:RV|[BCIMOPUV])\(([^()]*)\)")  # ansible-doc's markup (B(), C(), I(), M(), O(), RV(), V()...)


class SurveyError(Exception):
    """The job templates or the argument specs cannot make a consistent survey; the message says what to fix."""


def role_options(role: str, root: Path = REPO) -> dict[str, dict[str, Any]]:
    """The options of the ``main`` entry point of roles/<role>/meta/argument_specs.yml."""
    path = root / "roles" / role / "meta" / "argument_specs.yml"
    if not path.is_file():
        raise SurveyError(f"{JOB_TEMPLATES.name} names the role {role!r}, which has no {path.relative_to(root)}")
    specs = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return dict(specs["argument_specs"]["main"]["options"])
    except (KeyError, TypeError):
        raise SurveyError(f"{path.relative_to(root)} has no argument_specs.main.options") from None


def _first_line(description: object) -> str:
    """The first description line as plain text: ansible-doc markup such as C(...) or O(name=value) unwrapped."""
    lines = description if isinstance(description, list) else [description]
    text = " ".join(str(lines[0]).split()) if lines and lines[0] else ""
    return _MARKUP.sub(lambda match: match.group(1), text)


def question(name: str, option: Mapping[str, Any]) -> dict[str, Any]:
    """One survey question for a role option (never for a no_log one)."""
    kind = option.get("type", "str")
    entry: dict[str, Any] = {
        "question_name": name,
        "question_description": _first_line(option.get("description")),
        "variable": name,
        "required": bool(option.get("required", False)),
    }
    if "choices" in option:
        entry.update(type="multiplechoice", choices=[str(choice) for choice in option["choices"]])
    elif kind == "bool":
        entry.update(type="multiplechoice", choices=["true", "false"])
    elif kind == "int":
        entry.update(type="integer")
    elif kind == "list":
        entry.update(type="text", min=0, max=TEXT_MAX)
        entry["question_description"] += " (comma-separated)"
    elif kind in ("str", "path", "raw"):
        multiline = "PEM" in entry["question_description"]
        entry.update(type="textarea" if multiline else "text", min=0, max=TEXTAREA_MAX if multiline else TEXT_MAX)
    else:
        raise SurveyError(f"option {name}: no survey question type for the argument spec type {kind!r}")
    if "default" in option and option["default"] not in (None, [], ""):
        entry["question_description"] += f" Default: {_shown(option['default'])}."
    return entry


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def merged_options(roles: Sequence[str], root: Path = REPO) -> dict[str, dict[str, Any]]:
    """The options of several roles; one name must mean the same in each (type, choices, no_log), and it is
    required when one role requires it (the job runs them all)."""
    merged: dict[str, dict[str, Any]] = {}
    for role in roles:
        for name, option in role_options(role, root).items():
            known = merged.get(name)
            keys = ("type", "choices", "no_log", "elements")
            if known is not None and any(known.get(key) != option.get(key) for key in keys):
                raise SurveyError(f"option {name} differs between the roles {', '.join(roles)}: align their specs")
            required = bool(option.get("required")) or bool(known and known.get("required"))
            merged[name] = {**(known or option), "required": required}
    return merged


def injected_variables(path: Path = CREDENTIAL_TYPES) -> set[str]:
    """Every extra variable a credential type of docs/awx/credential_types.yml injects."""
    types = yaml.safe_load(path.read_text(encoding="utf-8"))["credential_types"]
    return {name for kind in types for name in (kind.get("injectors", {}).get("extra_vars") or {})}


def survey(template: Mapping[str, Any], root: Path = REPO) -> dict[str, Any]:
    """The AWX survey_spec of one job template of docs/awx/job_templates.yml."""
    options = merged_options(template["survey_roles"], root)
    injected = injected_variables(root / CREDENTIAL_TYPES.relative_to(REPO))
    secret = {name for name, option in options.items() if option.get("no_log")}
    if secret - injected:
        missing = ", ".join(sorted(secret - injected))
        raise SurveyError(f"no credential type in {CREDENTIAL_TYPES.name} injects the no_log option(s) {missing}")
    excluded = set(template.get("survey_exclude") or {})
    if excluded - set(options):
        unknown = ", ".join(sorted(excluded - set(options)))
        raise SurveyError(f"survey_exclude of {template['name']!r} names no option of its roles: {unknown}")
    spec = [question(name, option) for name, option in options.items() if name not in secret | injected | excluded]
    for extra in template.get("survey_questions", []):
        if extra["variable"] in options:
            raise SurveyError(f"{extra['variable']} is a role option: drop it from survey_questions")
        spec.append({"required": False, **extra})
    return {"name": template["name"], "description": template.get("description", ""), "spec": spec}


def rendered(root: Path = REPO) -> dict[str, str]:
    """File name -> JSON text of every survey the job templates name."""
    templates = yaml.safe_load((root / JOB_TEMPLATES.relative_to(REPO)).read_text(encoding="utf-8"))["job_templates"]
    return {
        f"{template['survey']}.json": json.dumps(survey(template, root), indent=2, ensure_ascii=False) + "\n"
        for template in templates
        if template.get("survey_enabled")
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    try:
        surveys = rendered()
    except SurveyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    stale = [
        name
        for name, text in surveys.items()
        if not (SURVEYS / name).is_file() or (SURVEYS / name).read_text(encoding="utf-8") != text
    ]
    if args.check:
        for name in stale:
            print(f"{SURVEYS.relative_to(REPO) / name} is stale: run python hacking/awx_surveys.py", file=sys.stderr)
        return 1 if stale else 0
    SURVEYS.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (SURVEYS / name).write_text(surveys[name], encoding="utf-8")
        print(f"wrote {SURVEYS.relative_to(REPO) / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
