"""Record every task result of a playbook run as JSON, for the integration tests to assert on.

ansible-core ships no JSON callback, and the tests keep the default stdout for people; this aggregate callback
writes ``{host: [result, ...]}`` to the file named by ``EXUM_RESULTS_FILE`` after every result, so a run that dies
half-way still leaves what happened. Values of keys that name a password are replaced, whatever a task returned.
"""

from __future__ import annotations

import json
import os
import typing as t

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: exum_results
type: aggregate
short_description: Write per-task results as JSON to the file named by EXUM_RESULTS_FILE
description:
  - Test helper of exchange_um.certificates. Each recorded result is the task's result dictionary plus C(_task)
    (task name), C(_action) (module name) and C(_status) (ok, changed, failed, skipped or unreachable).
requirements:
  - EXUM_RESULTS_FILE set in the environment
"""

_MASK = "********"


def _scrub(value: object) -> object:
    if isinstance(value, dict):
        return {key: _MASK if "password" in str(key).lower() else _scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(item) for item in value]
    return value


def _warning_text(warning: object) -> str:
    """ansible-core 2.19+ hands warnings to callbacks as summary objects (text in ``event.msg``); older as strings."""
    event = getattr(warning, "event", None)
    return str(getattr(event, "msg", warning)) if event is not None else str(warning)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "exum_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self._path = os.environ.get("EXUM_RESULTS_FILE")
        self._results: dict[str, list[dict[str, t.Any]]] = {}

    def _record(self, result: t.Any, status: str) -> None:
        data = dict(result._result)
        warnings = list(data.get("warnings") or []) + [_warning_text(w) for w in getattr(result, "warnings", ())]
        data["warnings"] = list(dict.fromkeys(_warning_text(w) for w in warnings))
        if status == "ok" and data.get("changed"):
            status = "changed"
        data.update({"_task": result._task.get_name(), "_action": result._task.action, "_status": status})
        self._results.setdefault(result._host.get_name(), []).append(_scrub(data))
        if self._path:
            temporary = f"{self._path}.tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(self._results, handle, default=str, indent=1)
            os.replace(temporary, self._path)

    def v2_runner_on_ok(self, result: t.Any) -> None:
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: t.Any, ignore_errors: bool = False) -> None:
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result: t.Any) -> None:
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result: t.Any) -> None:
        self._record(result, "unreachable")
