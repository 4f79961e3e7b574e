"""Action of ``exchange_um.certificates.tls_probe``: TLS handshakes from the controller; no command on the host."""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._action import ExumActionBase
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    OptionError,
    bounded_int,
    choice,
    file_path,
    flag,
    pem_text,
    read_input_file,
    thumbprint,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import (
    ExchangeProfile,
    profile_for,
    select_profile,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import fact_from_task_vars
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._tls_probe import EMPTY_RESULT, probe_tls
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._tls_probe_names import host_name, port_list

_SPEC = {
    "argument_spec": {
        "host": {"type": host_name},
        "ports": {"type": port_list},
        "exchange_version": {"type": choice("auto", "2007sp1", "2010", "2013"), "default": "auto"},
        "expected_thumbprint": {"type": thumbprint},
        "fqdn": {"type": host_name},
        "ca_certificate": {"type": pem_text},
        "min_days_left": {"type": bounded_int(0, 36500, unit="of days"), "default": 0},
        "client_cert_path": {"type": file_path},
        "client_key_path": {"type": file_path},
        "timeout": {"type": bounded_int(1, 600, unit="of seconds"), "default": 10},
        "fail_on_error": {"type": flag, "default": True},
    },
    "required_by": {"client_key_path": ("client_cert_path",)},
}


class ActionModule(ExumActionBase):
    ARGUMENT_SPEC = _SPEC
    RESULT_DEFAULTS = EMPTY_RESULT

    def unused_options(self, args: Mapping[str, t.Any]) -> Mapping[str, str]:
        if args["ports"] is not None:
            return {"exchange_version": "it chooses the default ports, and ports are given"}
        return {}

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        host = args["host"] or self._host_of(task_vars)
        ports = args["ports"] or self._default_ports(args["exchange_version"], task_vars)
        client_cert = self._readable(args["client_cert_path"], "client_cert_path")
        client_key = self._readable(args["client_key_path"], "client_key_path")
        result = probe_tls(
            host=host,
            ports=ports,
            timeout=args["timeout"],
            expected_thumbprint=args["expected_thumbprint"],
            fqdn=args["fqdn"],
            ca_certificate=args["ca_certificate"],
            min_days_left=args["min_days_left"],
            client_cert=client_cert,
            client_key=client_key,
        )
        result["changed"] = False
        if not result["ok"] and args["fail_on_error"]:
            result["failed"] = True
            result["msg"] = _summary(result)
        return result

    def _host_of(self, task_vars: Mapping[str, t.Any]) -> str:
        """The host's address as the connection uses it: ``ansible_host``, else the inventory name."""
        for name in ("ansible_host", "inventory_hostname"):
            value = self.host_variable(task_vars, name)
            if isinstance(value, str) and value.strip():
                try:
                    return host_name(value)
                except ValueError as exc:
                    raise OptionError(
                        f"the host variable {name} cannot be probed: {exc}; set the option host", options=("host",)
                    ) from None
        raise OptionError("the task's host has no address; set the option host", options=("host",))

    def _default_ports(self, version: str, task_vars: Mapping[str, t.Any]) -> list[int]:
        """The UM SIP TLS ports of the host's Exchange version (host-facts.md "Ports"), from the option, the
        ``exchange_um_host`` fact or the ``exchange_um_version`` host variable."""
        profile: ExchangeProfile | None
        if version != "auto":
            profile = profile_for(version, source="exchange_version")
        else:
            profile = select_profile(
                snapshot=fact_from_task_vars(task_vars),
                host_version=self.host_variable(task_vars, "exchange_um_version"),
            )
        if profile is None:
            raise OptionError(
                "the host's Exchange version is not known, so the UM ports are not either: set ports (for example "
                "[5061]) or exchange_version, or run exchange_um.certificates.exchange_info first",
                options=("ports", "exchange_version"),
            )
        return sorted(port for name, port in profile.sip_ports.items() if name.endswith("_tls"))

    def _readable(self, path: str | None, option: str) -> str | None:
        """A controller file the option names, checked to be a readable regular file before any connection."""
        if path is None:
            return None
        resolved = self._loader.path_dwim(path)
        read_input_file(resolved, option=option)
        return resolved


def _summary(result: Mapping[str, t.Any]) -> str:
    failed = [entry for entry in result["ports"] if not entry["ok"]]
    parts = [f"port {entry['port']}: {'; '.join(entry['findings'])}" for entry in failed]
    return f"TLS on {result['host']} does not pass: " + " | ".join(parts)
