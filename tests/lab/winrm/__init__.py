"""The lab's WinRM listener: WS-Management / WinRS as pywinrm and ansible-core's winrm connection speak it.

``WinrmEndpoint`` serves one simulated host (a ``CommandHost``) on its own address; see winrm-protocol.md for the
wire facts it follows.
"""

from __future__ import annotations

from ._credssp import CredsspSettings
from ._endpoint import WinrmEndpoint
from ._host import CommandHost
from ._versions import WinrmProfile, profile_for

__all__ = ["CommandHost", "CredsspSettings", "WinrmEndpoint", "WinrmProfile", "profile_for"]
