"""Which hosts of a lab have WinRM's CredSSP service authentication on, and the TLS versions it gets there.

CredSSP is off on every host unless chosen (``Service\\Auth\\CredSSP`` is false by default; ``Enable-WSManCredSSP
-Role Server`` turns it on) and exists only from WinRM 2.0 (TechNet ee922649). Its TLS channel is Schannel's:
host-facts.md "Schannel defaults" gives TLS 1.0 only on Server 2003 and 2008, TLS 1.1/1.2 supported but disabled by
default on 2008 R2, and enabled on 2012 / 2012 R2 (windows_winrm.rst "CredSSP and TLS 1.2" says the same of 2008).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..winrm import CredsspSettings
from .specs import HostSpec

__all__ = ["CredsspOptionError", "credssp_settings"]

_SERVER_2008_R2 = (6, 1)


class CredsspOptionError(ValueError):
    """A ``--winrm-credssp`` / ``--credssp-tls12`` value that names no host it can apply to."""


def _windows(spec: HostSpec) -> tuple[int, int]:
    major, minor = spec.os_version.split(".")[:2]
    return int(major), int(minor)


def _selected(text: str, specs: Sequence[HostSpec], option: str, fits: dict[str, str | None]) -> set[str]:
    """Host names of ``none`` / ``all`` / ``name,name``; ``fits`` gives why a host cannot be chosen (None: it can)."""
    value = text.strip()
    if value.lower() in ("", "none"):
        return set()
    if value.lower() == "all":
        return {spec.name for spec in specs if fits[spec.name] is None}
    by_name = {spec.name.lower(): spec.name for spec in specs}
    chosen: set[str] = set()
    for token in (part.strip() for part in value.split(",")):
        name = by_name.get(token.lower())
        if name is None:
            known = ", ".join(spec.name for spec in specs) or "none"
            raise CredsspOptionError(f"{option}: no host {token!r} in this lab (hosts: {known}; or all, none)")
        if fits[name] is not None:
            raise CredsspOptionError(f"{option}: {name} {fits[name]}")
        chosen.add(name)
    return chosen


def credssp_settings(specs: Sequence[HostSpec], *, enabled: str, tls12: str) -> dict[str, CredsspSettings]:
    """The CredSSP settings per host name for ``--winrm-credssp`` (``enabled``) and ``--credssp-tls12``.

    ``all`` means every host the option can apply to; a host named explicitly that it cannot apply to is an error.
    """
    winrm = {
        spec.name: None if spec.winrm_version != "1.1" else "has WinRM 1.1, which has no CredSSP (WMF 2.0 brings it)"
        for spec in specs
    }
    on = _selected(enabled, specs, "--winrm-credssp", winrm)
    r2 = {
        spec.name: None
        if _windows(spec) == _SERVER_2008_R2
        else "is not on Server 2008 R2 (2003/2008 have no TLS 1.2, 2012 and later have it on)"
        for spec in specs
    }
    tls12_on = _selected(tls12, specs, "--credssp-tls12", r2)
    settings = {}
    for spec in specs:
        if spec.name in on:
            has_tls12 = _windows(spec) > _SERVER_2008_R2 or spec.name in tls12_on
            settings[spec.name] = CredsspSettings(max_tls="1.2" if has_tls12 else "1.0")
    return settings
