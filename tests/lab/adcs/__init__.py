"""AD CS web enrollment (/certsrv) emulator of the lab; see docs/lab.md."""

from __future__ import annotations

from .emulator import AdcsEmulator
from .faults import FAULT_KINDS
from .messages import LOCALES
from .store import POLICIES, RequestStateError

__all__ = ["FAULT_KINDS", "LOCALES", "POLICIES", "AdcsEmulator", "RequestStateError"]
