"""Simulated Windows + Exchange hosts for the lab: specs, the host behind a WinRM endpoint, and the fleet.

The daemon uses ``parse_host_specs`` and ``Fleet``; tests may drive a ``SimulatedHost`` directly through
``run_command`` exactly as the WinRM endpoint does.
"""

from __future__ import annotations

from .fleet import Fleet
from .host import SimulatedHost
from .specs import PRESETS, HostSpec, HostSpecError, parse_host_specs

__all__ = ["PRESETS", "Fleet", "HostSpec", "HostSpecError", "SimulatedHost", "parse_host_specs"]
