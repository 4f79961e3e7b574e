"""One simulated host's WinRM listener: ``WinrmEndpoint(...).start()`` serves WS-Management on its address."""

from __future__ import annotations

import ssl
from collections.abc import Mapping

from ..httpauth import Account
from ._credssp import CredsspListener, CredsspSettings
from ._faults import FaultPlan
from ._host import CommandHost
from ._http import ListenerConfig, WinrmHttpServer
from ._service import WinrsService
from ._versions import WinrmProfile, profile_for

__all__ = ["WinrmEndpoint"]


class WinrmEndpoint:
    """WS-Management (WinRS) over HTTP or HTTPS for one :class:`CommandHost`, Basic or NTLM with encryption, and
    CredSSP as well when ``credssp`` turns the service's CredSSP authentication on."""

    def __init__(
        self,
        *,
        host: CommandHost,
        address: str,
        port: int,
        accounts: Mapping[str, Account],
        auth: str = "basic",
        ssl_context: ssl.SSLContext | None = None,
        winrm_version: str = "2.0",
        credssp: CredsspSettings | None = None,
    ) -> None:
        if auth not in ("basic", "ntlm"):
            raise ValueError(f"auth must be 'basic' or 'ntlm', not {auth!r}")
        self.host = host
        self.address = address
        self.profile: WinrmProfile = profile_for(winrm_version)
        if credssp is not None and self.profile.version == "1.1":
            # TechNet ee922649: Service\Auth\CredSSP was added with WinRM 2.0 (Windows 7 / Server 2008 R2).
            raise ValueError(f"CredSSP needs WinRM 2.0 or later (WMF 2.0); {host.name} has WinRM 1.1")
        self.credssp = credssp
        self._port = port
        self._accounts = accounts
        self._auth = auth
        self._ssl_context = ssl_context
        self._service = WinrsService(host=host, profile=self.profile, address=address)
        listener = None
        if credssp is not None:
            listener = CredsspListener(
                settings=credssp, computer_name=host.name.upper(), accounts=list(accounts.values())
            )
        self._config = ListenerConfig(
            host=host,
            service=self._service,
            accounts=accounts,
            auth=auth,
            https=ssl_context is not None,
            credssp=listener,
        )
        self._server: WinrmHttpServer | None = None

    @property
    def port(self) -> int:
        """The bound port (the requested one, or the one the OS chose for port 0)."""
        return self._server.server_address[1] if self._server is not None else self._port

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{self.address}:{self.port}/wsman"

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised by the simulated host while serving (each one also got an HTTP 500)."""
        return self._config.errors

    @property
    def faults(self) -> FaultPlan:
        """The WinRM faults armed on this endpoint, and those that fired (tests/lab/winrm/_faults.py)."""
        return self._service.faults

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError(f"the WinRM endpoint of {self.host.name} is already running")
        self._server = WinrmHttpServer((self.address, self._port), config=self._config, ssl_context=self._ssl_context)
        self._server.start(f"winrm-{self.host.name}")

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        self._service.shells.close_all()
