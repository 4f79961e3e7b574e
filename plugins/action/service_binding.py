"""Action of ``exchange_um.certificates.service_binding``: make UM use a certificate, per Exchange version.

Validates the options, chooses the Exchange profile (the option, else the ``exchange_um_host`` fact or the
``exchange_um_version`` host variable), and hands the rest to ``_service_binding.ensure_binding`` with this task's
host call; the fact goes in and, after the host was asked, comes back updated.
"""

from __future__ import annotations

import typing as t

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    OptionError,
    bounded_int,
    choice,
    flag,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import (
    PROFILES,
    ExchangeProfile,
    profile_for,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_action import (
    HOST_ARGUMENT_SPEC,
    HostActionBase,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._service_binding import (
    EMPTY_RESULT,
    MODES,
    BindingRequest,
    ServiceBindingError,
    certificate_thumbprint,
    ensure_binding,
)

_VERSIONS = ("auto", *PROFILES)
# A UM restart takes seconds to minutes; a day is more than any maintenance window needs.
_MAX_SECONDS = 86400


class ActionModule(HostActionBase):
    ARGUMENT_SPEC: t.ClassVar[dict[str, t.Any]] = {
        "argument_spec": {
            **HOST_ARGUMENT_SPEC,
            "thumbprint": {"type": certificate_thumbprint, "required": True},
            "exchange_version": {"type": choice(*_VERSIONS), "default": "auto"},
            "startup_mode": {"type": choice(*MODES), "default": "keep"},
            "restart": {"type": flag, "default": True},
            "restart_timeout": {"type": bounded_int(10, _MAX_SECONDS, unit="of seconds"), "default": 300},
            "drain": {"type": flag, "default": False},
            "drain_timeout": {"type": bounded_int(0, _MAX_SECONDS, unit="of seconds"), "default": 600},
            "rollback": {"type": flag, "default": True},
        },
    }
    RESULT_DEFAULTS = EMPTY_RESULT
    OWN_ERRORS = (*HostActionBase.OWN_ERRORS, ServiceBindingError)
    OPERATION = "service_binding"

    def unused_options(self, args: t.Mapping[str, t.Any]) -> t.Mapping[str, str]:
        unused = dict(super().unused_options(args))
        if not args["restart"]:
            unused["drain"] = "calls are drained only before a restart, and restart is false"
            unused["drain_timeout"] = "calls are drained only before a restart, and restart is false"
            unused["restart_timeout"] = "restart is false"
        elif not args["drain"]:
            unused["drain_timeout"] = "drain is false"
        return unused

    def exchange_profile(
        self, task_vars: t.Mapping[str, t.Any], snapshot: t.Mapping[str, t.Any] | None
    ) -> ExchangeProfile | None:
        """``exchange_version`` when given; it must agree with the fact, which says what the host runs."""
        found = super().exchange_profile(task_vars, snapshot)
        asked = self._task.args.get("exchange_version")
        if asked in (None, "auto") or not isinstance(asked, str) or asked not in PROFILES:
            return found
        chosen = profile_for(asked, source="exchange_version")
        if found is not None and found.key != chosen.key and snapshot is not None:
            raise OptionError(
                f"exchange_version={asked}, but the exchange_um_host fact says this host runs Exchange {found.key}: "
                "use exchange_version=auto, or refresh the fact with exchange_info",
                options=("exchange_version",),
            )
        return chosen

    def run_host(
        self, args: dict[str, t.Any], task_vars: dict[str, t.Any], *, snapshot: dict[str, t.Any] | None
    ) -> dict[str, t.Any]:
        profile = self.exchange_profile(task_vars, snapshot)
        if profile is None:
            raise OptionError(
                "service_binding needs the host's Exchange version and found none: run "
                "exchange_um.certificates.exchange_info first (its fact names it), or set exchange_version or the "
                "host variable exchange_um_version (2007sp1, 2010, 2013). Nothing was sent to the host",
                options=("exchange_version",),
            )
        exchange = (snapshot or {}).get("exchange") or {}
        if snapshot is not None and exchange.get("um_role") is False:
            raise ServiceBindingError(
                "the exchange_um_host fact says this Exchange server has no Unified Messaging role: there is no UM "
                "service to bind a certificate to. Nothing was sent to the host",
                reason="no_um_role",
            )
        if snapshot and snapshot.get("fqdn"):
            fqdn, source = snapshot["fqdn"], "the exchange_um_host fact's fqdn"
        else:
            fqdn, source = task_vars.get("inventory_hostname"), "inventory_hostname"
        request = BindingRequest(
            thumbprint=args["thumbprint"],
            startup_mode=args["startup_mode"],
            restart=args["restart"],
            restart_timeout=args["restart_timeout"],
            drain=args["drain"],
            drain_timeout=args["drain_timeout"],
            rollback=args["rollback"],
        )
        outcome = ensure_binding(
            request=request,
            profile=profile,
            check_mode=self.check_mode,
            diff=self.diff_mode,
            snapshot=snapshot,
            call_host=lambda arguments, fragment: self.call_host(
                arguments, exchange=profile, fqdn=fqdn, fqdn_source=source, fragment=fragment
            ),
        )
        result = dict(outcome.result)
        if result.get("restart_pending") and not result.get("failed") and not self.check_mode:
            self.warn(result["msg"])
        return {**result, **(self.facts(outcome.snapshot) if outcome.snapshot is not None else {})}
