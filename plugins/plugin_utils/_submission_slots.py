"""At most N exchanges with one CA at a time, across the forks of one ansible-playbook run.

The ``throttle`` task keyword would hold back each server's whole request task (the key made on the host, the
certificate installed there) behind the few servers talking to AD CS; a slot holds back only the HTTP exchange with
the CA. A slot is a lock file in the run's private local temporary directory, taken with ``flock``: the kernel
releases it when its holder closes it or exits, however the holder ends.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["submission_slot"]


@contextmanager
def submission_slot(directory: Path, ca_url: str, slots: int) -> Iterator[None]:
    """Hold one of ``slots`` slots of ``ca_url`` (0: no limit), waiting for one when all are taken."""
    if slots <= 0:
        yield
        return
    stem = hashlib.sha256(ca_url.encode("utf-8")).hexdigest()[:16]
    paths = [directory / f"adcs-{stem}-{index}.lock" for index in range(slots)]
    random.shuffle(paths)  # the waiting forks spread over the slots instead of all trying the first
    descriptor = _take_free(paths)
    if descriptor is None:
        descriptor = _open(paths[0])
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(descriptor)


def _take_free(paths: list[Path]) -> int | None:
    for path in paths:
        descriptor = _open(path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return descriptor
    return None


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
