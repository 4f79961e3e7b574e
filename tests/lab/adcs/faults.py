"""Fault injection: the next N authenticated requests fail in a chosen way (control API ``POST /adcs/faults``)."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "Fault", "FaultQueue"]

# status_500: IIS answers "500 - Internal server error" (an ASP failure); slow: the answer comes after `seconds`;
# drop: the connection is closed without an answer.
FAULT_KINDS = ("status_500", "slow", "drop")


@dataclass(frozen=True)
class Fault:
    kind: str
    seconds: float = 0.0


class FaultQueue:
    """Faults waiting for the next requests, taken one per request in the order they were injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()

    def inject(self, kind: str, count: int = 1, seconds: float = 0.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
        if count < 1 or seconds < 0:
            raise ValueError("fault count must be at least 1 and seconds not negative")
        with self._lock:
            self._queue.extend(Fault(kind, seconds) for _repeat in range(count))

    def take(self) -> Fault | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None
