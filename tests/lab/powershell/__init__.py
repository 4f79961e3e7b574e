"""A PowerShell engine for the lab: runs the scripts a simulated Windows host receives, with the semantics of that
host's PowerShell (1.0, 2.0, 3.0/4.0), .NET runtime and Exchange version (docs/lab.md, "The PowerShell engine")."""

from __future__ import annotations

from .context import Host
from .session import run_powershell

__all__ = ["Host", "run_powershell"]
