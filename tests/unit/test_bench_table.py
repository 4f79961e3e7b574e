"""make bench's table arithmetic (hacking/benchtable.py): batches, critical path, per-host figures, ratios."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "hacking" / "benchtable.py"
_SPEC = importlib.util.spec_from_file_location("benchtable", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
benchtable = importlib.util.module_from_spec(_SPEC)
sys.modules["benchtable"] = benchtable  # dataclasses look their module up there
_SPEC.loader.exec_module(benchtable)


def _counters(commands: int, seconds: float, loads: int = 0) -> dict[str, float]:
    return {"commands": commands, "bytes_in": 3072, "bytes_out": 1024, "exchange_shell_loads": loads,
            "simulated_seconds": seconds}  # fmt: skip


def test_serial_percent_floors_and_keeps_one_host() -> None:
    assert benchtable.serial_size(25, 50) == 12
    assert benchtable.serial_size(25, 3) == 1
    assert benchtable.batches(["a", "b", "c", "d", "e"], 40) == [["a", "b"], ["c", "d"], ["e"]]


def test_fleet_batches_follow_the_group_order() -> None:
    versions = {"um1": "2007sp1", "um2": "2010", "um3": "2013", "um4": "2007sp1", "um5": "2010", "um6": "2013"}
    assert benchtable.fleet_batches(versions, 50) == [["um1", "um4", "um2"], ["um5", "um3", "um6"]]


def test_critical_path_sums_each_batch_slowest_host() -> None:
    seconds = {"a": 10.0, "b": 30.0, "c": 5.0}
    assert benchtable.critical_path([["a", "b"], ["c"]], seconds) == 35.0


def test_table_rows_and_ratios_to_the_naive_role() -> None:
    site = benchtable.Run(
        role="site.yml", phase="fresh", counters={"a": _counters(5, 40.0, 2), "b": _counters(5, 20.0, 0)},
        adcs_requests={"a": 1, "b": 1}, cpu_seconds=4.0, wall_seconds=6.0, batches=[["a"], ["b"]], time_scale=0.1,
    )  # fmt: skip
    naive = benchtable.Run(
        role="naive", phase="fresh", counters={"a": _counters(10, 80.0, 10), "b": _counters(10, 40.0, 10)},
        adcs_requests={"a": 1, "b": 1}, cpu_seconds=2.0, wall_seconds=12.0, batches=[["a", "b"]], time_scale=0.1,
        works=2,
    )  # fmt: skip
    assert site.critical_seconds == 6.0
    assert benchtable.row(site) == [
        "site.yml", "fresh", "2", "5.00 (5)", "4", "1.00 (2)", "1.00", "2.00", "6", "6", "1.0", "-"
    ]  # fmt: skip
    assert benchtable.row(naive)[-1] == "2/2"
    ratios = benchtable.ratio_row(site, naive)
    assert ratios[3:10] == ["0.50x", "1.00x", "0.10x", "1.00x", "2.00x", "0.50x", "0.75x"]
    table = benchtable.markdown([site, naive], naive_role="naive").splitlines()
    assert len(table) == 5 and table[-1].startswith("| site.yml / naive | fresh | 2 | 0.50x")
