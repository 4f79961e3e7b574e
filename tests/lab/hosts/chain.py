"""``X509Chain.Build`` on a machine context, as far as the lab's certificates exercise it.

The chain engine looks for issuers among the machine's stores (``CA``, ``Root``, ``My``) and ends at a self-signed
certificate; the chain is trusted only when that certificate is in ``Root``. ``ChainStatus`` lists the
``X509ChainStatusFlags`` of the problems found (none when Build returns true). Revocation is not modelled: callers
use ``X509RevocationMode.NoCheck`` (host_scripts/root_trust.ps1).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509

from .certs import basic_constraints_ca, is_self_signed, signed_by, thumbprint
from .state import HostState

__all__ = ["ChainResult", "build_chain"]

# X509ChainStatusFlags values, so the status list comes out in flag order.
_FLAG_ORDER = {"NotTimeValid": 1, "UntrustedRoot": 32, "InvalidBasicConstraints": 1024, "PartialChain": 65536}


@dataclass(frozen=True)
class ChainResult:
    built: bool
    status: list[str]
    elements: list[x509.Certificate]


def build_chain(state: HostState, certificate: x509.Certificate) -> ChainResult:
    pool = [entry.certificate for name in ("CA", "Root", "My") for entry in state.stores[name].entries()]
    elements = [certificate]
    flags: set[str] = set()
    while True:
        current = elements[-1]
        if current.issuer == current.subject and is_self_signed(current):
            if thumbprint(current) not in state.stores["Root"]:
                flags.add("UntrustedRoot")
            break
        issuer = next((candidate for candidate in pool if signed_by(current, candidate)), None)
        if issuer is None or any(thumbprint(issuer) == thumbprint(element) for element in elements):
            flags.add("PartialChain")
            break
        elements.append(issuer)
    now = datetime.datetime.now(datetime.timezone.utc)
    for element in elements:
        if not element.not_valid_before_utc <= now <= element.not_valid_after_utc:
            flags.add("NotTimeValid")
    if any(not basic_constraints_ca(element) for element in elements[1:]):
        flags.add("InvalidBasicConstraints")
    status = sorted(flags, key=_FLAG_ORDER.__getitem__)
    return ChainResult(built=not status, status=status, elements=elements)
