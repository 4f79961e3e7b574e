"""Argument types of tls_probe: a host to connect to (DNS name or IP address) and a list of TCP ports."""

from __future__ import annotations

import ipaddress
import re

from ._argspec import kind_of, shown

__all__ = ["MAX_PORTS", "host_name", "port_list"]

MAX_PORTS = 16
# RFC 1123 labels (underscores as AD DNS zones allow them), at most 253 characters in all (RFC 1035 2.3.4).
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def host_name(value: object) -> str:
    """A DNS name or an IPv4/IPv6 address, as ``host`` and ``fqdn`` take it."""
    if not isinstance(value, str):
        raise TypeError(f"expected a host name or IP address, got {shown(value)}")
    text = value.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    name = text[:-1] if text.endswith(".") else text
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise ValueError(f"expected a DNS name or IP address, got {shown(value)}")
    return name


# ansible-core names the type in its message ("unable to convert to <name>").
host_name.__name__ = "a host name"


def port_list(value: object) -> list[int]:
    """``ports``: one port or a list of at most 16, each a whole number from 1 to 65535 (a repeat is probed once)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or len(items) > MAX_PORTS:
        raise ValueError(f"expected 1 to {MAX_PORTS} ports, got {len(items)}")
    ports: list[int] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise TypeError(f"a port is a whole number from 1 to 65535, got a {kind_of(item)}")
        text = str(item).strip()
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise ValueError(f"a port is a whole number from 1 to 65535, got {shown(item)}")
        if int(text) not in ports:
            ports.append(int(text))
    return ports


port_list.__name__ = "a list of ports"
