"""Action of ``exchange_um.certificates.exchange_info``: one read-only host call, returned also as a fact."""

from __future__ import annotations

import typing as t

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import ALL_UM_SERVICES, profile_for
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_action import (
    HOST_ARGUMENT_SPEC,
    HostActionBase,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import normalize_snapshot

# Every documented result key, as returned when the task fails before it knows the value.
_EMPTY: dict[str, t.Any] = {
    "computer_name": None,
    "fqdn": None,
    "os": None,
    "powershell_version": None,
    "exchange": None,
    "um": None,
    "services": [],
    "stores": {},
    "pending_requests": [],
    "request_records": [],
    "exchange_error": None,
}

# docs/connection-setup.md "The double hop": what reaches the directory from a WinRM logon that cannot.
_DIRECTORY_HINT = (
    "Exchange's cmdlets read Active Directory with the caller's rights, and a WinRM logon made with NTLM, Basic or a "
    "certificate cannot authenticate to a domain controller (the second hop). On Exchange 2010 and 2013 set "
    "exchange_shell: remote with exchange_shell_username and exchange_shell_password, or connect with CredSSP "
    "(ansible_winrm_transport: credssp). The rest of the snapshot was read; its UM part and Exchange's view of the "
    "certificates are missing."
)


class ActionModule(HostActionBase):
    ARGUMENT_SPEC: t.ClassVar[dict[str, t.Any]] = {"argument_spec": dict(HOST_ARGUMENT_SPEC)}
    RESULT_DEFAULTS = _EMPTY
    OPERATION = "exchange_info"

    def run_host(
        self, args: dict[str, t.Any], task_vars: dict[str, t.Any], *, snapshot: dict[str, t.Any] | None
    ) -> dict[str, t.Any]:
        # exchange_info is the inspection itself: the fact only tells which Exchange version to load.
        profile = self.exchange_profile(task_vars, snapshot)
        if snapshot and snapshot.get("fqdn"):
            fqdn, source = snapshot["fqdn"], "the exchange_um_host fact's fqdn"
        else:
            fqdn, source = task_vars.get("inventory_hostname"), "inventory_hostname"
        services = list(profile.um_services if profile else ALL_UM_SERVICES)
        raw = self.call_host({"Services": services}, exchange=profile, fqdn=fqdn, fqdn_source=source)
        exchange = raw.get("exchange") or {}
        if profile is None and exchange.get("installed") and exchange.get("version"):
            # Discovery (docs/host-channel.md): neither the fact nor exchange_um_version named the version, so the
            # first call loaded no Exchange cmdlets; one more call reads the Exchange part with the right profile.
            profile = profile_for(exchange["version"], source="the Exchange version the host reported")
            raw = self.call_host(
                {"Services": list(profile.um_services)},
                exchange=profile,
                fqdn=raw.get("fqdn"),
                fqdn_source="the FQDN the host reported",
            )
        found = normalize_snapshot(raw)
        failure = found.get("exchange_error")
        if failure:
            self.warn(
                f"The Exchange cmdlets could not be used: {failure.get('message')} [{failure.get('fqid')}]. "
                + _DIRECTORY_HINT
            )
        return {"changed": False, **found, **self.facts(found)}
