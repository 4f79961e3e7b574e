"""Action of ``exchange_um.certificates.fleet_report``: the audit and its report files, on the controller only."""

from __future__ import annotations

import datetime
import os
import stat
import tempfile
import typing as t
from collections.abc import Mapping

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._action import ExumActionBase
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    OptionError,
    bounded_int,
    file_kind,
    file_path,
    shown,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._fleet_report import (
    DUE,
    FAILED,
    NO_DATA,
    OK,
    audit_host,
    ca_expectation,
    fleet_status,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._fleet_report_render import (
    ReportMeta,
    report_files,
)

# ansible-core's str and list types turn a list or a dict into its repr; these take only what the option means.
_MAX_TITLE = 200
_MAX_NAME = 255


def _one_line(value: object, *, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {shown(value)}; quote the value in YAML")
    if len(value) > limit or not value.isprintable():
        raise ValueError(f"{what} is one line of at most {limit} printable characters, got {shown(value)}")
    return value


def _host_names(value: object) -> list[str]:
    """``hosts``: inventory names, each one line."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"hosts takes a list of inventory names, got {shown(value)}")
    return [_one_line(item, what="an inventory name", limit=_MAX_NAME) for item in items]


def _variable_name(value: object) -> str:
    """``tls_result``: the name of a host variable."""
    text = _one_line(value, what="tls_result", limit=_MAX_NAME)
    if not text.isidentifier():
        raise ValueError(f"tls_result is a variable name (letters, digits, _), got {shown(value)}")
    return text


def _title(value: object) -> str:
    return _one_line(value, what="title", limit=_MAX_TITLE)


_SPEC = {
    "argument_spec": {
        "dest": {"type": file_path, "required": True},
        "hosts": {"type": _host_names},
        "ca": {"type": "raw"},
        "tls_result": {"type": _variable_name, "default": "exchange_um_tls"},
        "min_days_left": {"type": bounded_int(0, 3650, unit="of days"), "default": 14},
        "renew_before_days": {"type": bounded_int(0, 3650, unit="of days"), "default": 30},
        "title": {"type": _title, "default": "Exchange UM certificates"},
    },
}
_WORST_FIRST = (NO_DATA, FAILED, DUE, OK)
_EMPTY = {"changed": False, "ok": False, "hosts": [], "summary": [], "counts": {}, "files": {}}


def _now() -> datetime.datetime:
    """The report's moment: days left count from it (a function, so that tests can fix it)."""
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _host_data(hostvars: object, name: str, tls_result: str) -> tuple[object, object]:
    """The server's exchange_um_host fact and its registered tls_probe result, None where absent."""
    if not isinstance(hostvars, Mapping) or name not in hostvars:
        return None, None
    variables = hostvars[name]
    facts = variables.get("ansible_facts") or {}
    snapshot = facts.get("exchange_um_host") if isinstance(facts, Mapping) else None
    return snapshot, variables.get(tls_result)


def _write(directory: str, files: Mapping[str, str], *, check_mode: bool) -> tuple[bool, dict[str, str]]:
    """Write each file that differs, atomically; in check mode only tell whether it would."""
    changed = False
    paths: dict[str, str] = {}
    if not check_mode:
        os.makedirs(directory, exist_ok=True)
    for name, text in files.items():
        path = os.path.join(directory, name)
        paths[name] = path
        try:
            with open(path, encoding="utf-8") as current:
                if current.read() == text:
                    continue
        except FileNotFoundError:
            pass
        changed = True
        if check_mode:
            continue
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as target:
                target.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    return changed, paths


class ActionModule(ExumActionBase):
    ARGUMENT_SPEC = _SPEC
    RESULT_DEFAULTS = _EMPTY

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        names = args["hosts"] if args["hosts"] is not None else list(task_vars.get("ansible_play_hosts_all") or ())
        if not names:
            raise OptionError(
                "hosts is empty and the play has no hosts: name the servers to report on", options=("hosts",)
            )
        try:
            ca = ca_expectation(args["ca"])
        except ValueError as exc:
            raise OptionError(str(exc), options=("ca",)) from None
        now = _now()
        hostvars = task_vars.get("hostvars")
        audits = [
            audit_host(
                name,
                *_host_data(hostvars, name, args["tls_result"]),
                ca,
                now=now,
                min_days_left=args["min_days_left"],
                renew_before_days=args["renew_before_days"],
            )
            for name in sorted(dict.fromkeys(names))
        ]
        audits.sort(key=lambda audit: (_WORST_FIRST.index(audit.status), audit.name))
        meta = ReportMeta(
            title=args["title"],
            generated=now.replace(second=0),
            min_days_left=args["min_days_left"],
            renew_before_days=args["renew_before_days"],
        )
        directory = self._loader.path_dwim(args["dest"])
        if os.path.lexists(directory) and not os.path.isdir(directory):
            mode = os.lstat(directory).st_mode
            kind = "a regular file" if stat.S_ISREG(mode) else file_kind(mode)
            raise OptionError(
                f"dest {directory} is {kind}, not a directory; give the directory the report files go to",
                options=("dest",),
            )
        try:
            changed, paths = _write(directory, report_files(audits, meta), check_mode=bool(self._task.check_mode))
        except OSError as exc:
            raise OptionError(f"dest {directory} cannot be written: {exc.strerror}", options=("dest",)) from None
        counts = fleet_status(audits)
        return {
            "changed": changed,
            "ok": counts["failed"] == 0 and counts["no data"] == 0,
            "hosts": [audit.as_dict() for audit in audits],
            "summary": [audit.summary() for audit in audits],
            "counts": counts,
            "files": {"markdown": paths["report.md"], "html": paths["report.html"], "json": paths["report.json"]},
        }
