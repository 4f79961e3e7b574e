"""The AD CS slots across processes, as the forks of one ansible-playbook run take them: with N slots the N+1st
holder waits until one is given back, with more slots it does not; a holder that dies gives its slot back."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._submission_slots import submission_slot

CA = "https://ca.contoso.lab/certsrv/"
FORK = multiprocessing.get_context("fork")  # as ansible's workers are made


def _hold(directory: Path, slots: int, held: multiprocessing.Event, release: multiprocessing.Event) -> None:
    with submission_slot(directory, CA, slots):
        held.set()
        release.wait(30)


def _die_holding(directory: Path, held: multiprocessing.Event) -> None:
    with submission_slot(directory, CA, 1):
        held.set()
        os._exit(1)  # no clean-up: the kernel releases the lock


def _holders(directory: Path, count: int, slots: int) -> tuple[list, list, multiprocessing.Event]:
    release = FORK.Event()
    held = [FORK.Event() for _holder in range(count)]
    processes = [FORK.Process(target=_hold, args=(directory, slots, event, release)) for event in held]
    for process in processes:
        process.start()
    return processes, held, release


def test_one_slot_makes_the_second_holder_wait(tmp_path: Path) -> None:
    processes, held, release = _holders(tmp_path, 1, 1)
    assert held[0].wait(10)
    second = FORK.Event()
    waiting = FORK.Process(target=_hold, args=(tmp_path, 1, second, release))
    waiting.start()
    assert not second.wait(1), "the second holder got the only slot while the first held it"
    release.set()
    assert second.wait(10)
    for process in [*processes, waiting]:
        process.join(10)
        assert process.exitcode == 0


def test_as_many_holders_as_slots_hold_at_once(tmp_path: Path) -> None:
    processes, held, release = _holders(tmp_path, 3, 3)
    try:
        assert all(event.wait(10) for event in held)
    finally:
        release.set()
        for process in processes:
            process.join(10)


def test_a_holder_that_dies_gives_its_slot_back(tmp_path: Path) -> None:
    held = FORK.Event()
    dying = FORK.Process(target=_die_holding, args=(tmp_path, held))
    dying.start()
    assert held.wait(10)
    dying.join(10)
    processes, after, release = _holders(tmp_path, 1, 1)
    try:
        assert after[0].wait(10)
    finally:
        release.set()
        processes[0].join(10)


@pytest.mark.parametrize("slots", [0, -1])
def test_no_limit_takes_no_lock(tmp_path: Path, slots: int) -> None:
    with submission_slot(tmp_path, CA, slots), submission_slot(tmp_path, CA, slots):
        assert list(tmp_path.iterdir()) == []


def test_each_ca_has_its_own_slots(tmp_path: Path) -> None:
    with submission_slot(tmp_path, CA, 1), submission_slot(tmp_path, "https://other.contoso.lab/certsrv/", 1):
        assert len(list(tmp_path.iterdir())) == 2
