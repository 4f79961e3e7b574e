"""What a WinRM client can tell apart between WinRM 1.1 (Server 2008 RTM, Server 2003 R2 update), 2.0 and 3.0.

Only documented, client-visible differences are modelled:

* Default listener ports: WinRM 2.0 moved new listeners from 80/443 to 5985/5986 ("Details on secure port
  configuration for WS-Management in Windows 7 and Windows Server 2008 R2", TechNet ee922665: "The default ports used
  when creating new WS-Management listeners will be changed from 80 for HTTP and 443 for HTTPS to 5985 for HTTP
  and 5986 for HTTPS").
  The endpoint listens where its owner tells it; ``default_port`` gives the version's default for callers that want it.
* ``MaxEnvelopeSizekb``: MS-WSMV 2.2.4.10 gives 500 as the current default and 150 for older stacks; both 1.1 and 2.0
  use 150 KB (153600 octets, also the value pywinrm sends), so Receive splitting is the same.
* Message encryption: MS-WSMV 2.2.9.1 (Encrypted Message Types, SPNEGO/NTLM sealing over HTTP) applies to every listed
  product including Windows Server 2003 R2 and Windows Server 2008, so 1.1 encrypts like 2.0.
* WinRM 3.0 (Server 2012 / 2012 R2) raised ``MaxEnvelopeSizekb`` to 500 (MS-WSMV 2.2.4.10); clients that send
  MaxEnvelopeSize 153600 (pywinrm, ansible-core) see no difference, since the smaller of the two applies.
Nothing else about Create/Command/Send/Receive/Signal/Delete differs in the published documents, so the shell
operations behave the same for both versions.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WinrmProfile", "profile_for"]


@dataclass(frozen=True)
class WinrmProfile:
    version: str
    http_port: int
    https_port: int
    max_envelope_size_kb: int

    @property
    def max_envelope_size(self) -> int:
        """Octets; MS-WSMV 3.1.4.1.7: the server caps the client's MaxEnvelopeSize at MaxEnvelopeSizekb * 1024."""
        return self.max_envelope_size_kb * 1024

    def default_port(self, *, https: bool) -> int:
        return self.https_port if https else self.http_port


_PROFILES = {
    "1.1": WinrmProfile(version="1.1", http_port=80, https_port=443, max_envelope_size_kb=150),
    "2.0": WinrmProfile(version="2.0", http_port=5985, https_port=5986, max_envelope_size_kb=150),
    "3.0": WinrmProfile(version="3.0", http_port=5985, https_port=5986, max_envelope_size_kb=500),
}


def profile_for(version: str) -> WinrmProfile:
    try:
        return _PROFILES[version]
    except KeyError:
        raise ValueError(f"unknown WinRM version {version!r}; expected one of {sorted(_PROFILES)}") from None
