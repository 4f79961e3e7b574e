"""Action of ``exchange_um.certificates.certificate_request``: a server certificate for the host's FQDN from AD CS.

Validates the options, resolves the FQDN (option, else the ``exchange_um_host`` fact, else the host itself), and
hands the rest to ``_certificate_request`` with this task's host call and an AD CS client made only when needed.
"""

from __future__ import annotations

import typing as t
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from ansible import constants as C
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    OptionError,
    bounded_int,
    certificate_source,
    certsrv_argument_spec,
    certsrv_client_options,
    certsrv_unused_options,
    choice,
    flag,
    merge_argument_specs,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certificate_request import (
    EMPTY_RESULT,
    Request,
    ensure_absent,
    ensure_certificate,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certificate_request_checks import (
    CertificateRequestError,
    read_issuer,
    request_names,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import (
    CertsrvClient,
    base_url,
    client_warnings,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import ExchangeProfile
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_action import (
    HOST_ARGUMENT_SPEC,
    SHELL_OPTIONS,
    ExchangeShellError,
    HostActionBase,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import HostOperationError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._submission_slots import submission_slot
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import CertificateError

# A template's common name has at most 64 characters (the cn attribute of pKICertificateTemplate objects is 1-64).
MAX_TEMPLATE_CHARACTERS = 64
MAX_FRIENDLY_NAME_CHARACTERS = 256
# New-ExchangeCertificate's KeySize values (host-facts.md); certreq makes any of them with the SChannel CSP.
KEY_SIZES = (1024, 2048, 4096)


def _one_line(limit: int, what: str) -> t.Callable[[object], str]:
    def check(value: object) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{what} must be a string")
        if len(value) > limit:
            raise ValueError(f"{what} has at most {limit} characters, got {len(value)}")
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            raise ValueError(f"{what} is one line without control characters (NUL, tab, line breaks)")
        return value

    check.__name__ = what
    return check


def _fqdn(value: object) -> str:
    text = _one_line(253, "an FQDN")(value).strip()
    if not text:
        raise ValueError("the FQDN must not be empty; leave fqdn out to use the host's own")
    return text


def _template(value: object) -> str:
    text = _one_line(MAX_TEMPLATE_CHARACTERS, "a template name")(value).strip()
    if not text or ":" in text:
        raise ValueError("a template name is not empty and has no ':' (AD CS reads 'Name:Value' request attributes)")
    return text


def _key_size(value: object) -> int:
    number = bounded_int(1024, 4096, unit="of bits")(value)
    if number not in KEY_SIZES:
        raise ValueError(f"key_size is one of {', '.join(map(str, KEY_SIZES))}, got {number}")
    return number


def _names(value: object) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise TypeError("subject_alt_names is a list of DNS names")
    return [str(item) for item in items]


_EXCHANGE_ADVICE = (
    "The exchange method's cmdlets read Active Directory with the WinRM logon's rights, which a logon without "
    "network credentials (NTLM, Basic) cannot lend onward: use method=certreq (the default; it needs no directory), "
    "CredSSP, or on 2010 and 2013 exchange_shell=remote with exchange_shell_username and exchange_shell_password"
)

_SPEC = {
    "argument_spec": {
        **HOST_ARGUMENT_SPEC,
        "fqdn": {"type": _fqdn},
        "subject_alt_names": {"type": _names, "default": []},
        "template": {"type": _template, "default": "WebServer"},
        "method": {"type": choice("certreq", "exchange"), "default": "certreq"},
        "key_size": {"type": _key_size, "default": 2048},
        "key_exportable": {"type": flag, "default": False},
        "friendly_name": {"type": _one_line(MAX_FRIENDLY_NAME_CHARACTERS, "a friendly name"), "default": ""},
        "issuer": {"type": certificate_source, "required": True},
        "renew_before_days": {"type": bounded_int(0, 3650, unit="of days"), "default": 30},
        "force": {"type": flag, "default": False},
        "pending_timeout": {"type": bounded_int(0, 86400, unit="of seconds"), "default": 0},
        "pending_poll_interval": {"type": bounded_int(1, 3600, unit="of seconds"), "default": 30},
        "max_concurrent_submissions": {"type": bounded_int(0, 1000, unit="of submissions"), "default": 5},
        "state": {"type": choice("present", "absent"), "default": "present"},
    },
    "required_if": [("state", "present", ("ca_url",))],
}


class ActionModule(HostActionBase):
    ARGUMENT_SPEC: t.ClassVar[dict[str, t.Any]] = merge_argument_specs(certsrv_argument_spec(), _SPEC)
    RESULT_DEFAULTS = EMPTY_RESULT
    OWN_ERRORS = (*HostActionBase.OWN_ERRORS, CertificateRequestError, CertificateError)
    OPERATION = "certificate_request"

    def unused_options(self, args: Mapping[str, t.Any]) -> Mapping[str, str]:
        unused: dict[str, str] = {}
        if args["method"] == "certreq" or args["state"] == "absent":
            for name in SHELL_OPTIONS:
                unused[name] = "the certreq method (and state=absent) loads no Exchange cmdlets"
        if args["state"] == "absent":
            for name in (*certsrv_argument_spec()["argument_spec"], "key_exportable", "friendly_name", "force"):
                unused[name] = "state=absent sends no request to AD CS"
            for name in ("pending_timeout", "pending_poll_interval", "renew_before_days", "max_concurrent_submissions"):
                unused[name] = "state=absent sends no request to AD CS"
        elif args["ca_url"] is not None:
            unused.update(certsrv_unused_options(args))
        return unused

    def run_host(
        self, args: dict[str, t.Any], task_vars: dict[str, t.Any], *, snapshot: dict[str, t.Any] | None
    ) -> dict[str, t.Any]:
        key_size = args["key_size"]
        if key_size < 2048 and not args["force"]:
            raise OptionError(
                "key_size 1024 is below what current TLS clients (Lync/Skype for Business among them) accept; use "
                "2048 or 4096, or set force: true to request a 1024-bit key anyway (force also requests a new "
                "certificate on every run)",
                options=("key_size", "force"),
            )
        fqdn = args["fqdn"] if args["fqdn"] is not None else (snapshot or {}).get("fqdn")
        names = request_names(fqdn, args["subject_alt_names"])
        if args["state"] == "absent" and (snapshot is None or not fqdn):
            raise OptionError(
                "state=absent removes only certificates no Exchange service uses, which the exchange_um_host fact "
                "tells: run exchange_um.certificates.exchange_info first (and keep use_facts: true)",
                options=("state", "use_facts"),
            )
        request = Request(
            fqdn=names[0] if fqdn else None,
            names=tuple(names),
            issuer=read_issuer(args["issuer"]),
            template=args["template"],
            ca=base_url(args["ca_url"]) if args["ca_url"] else "",
            key_size=key_size,
            exportable=args["key_exportable"],
            friendly_name=args["friendly_name"],
            renew_before_days=args["renew_before_days"],
            force=args["force"],
            pending_timeout=args["pending_timeout"],
            pending_poll_interval=args["pending_poll_interval"],
        )
        exchange = self._method_profile(args, task_vars, snapshot)
        shell_fqdn = request.fqdn or str(task_vars.get("inventory_hostname") or "")

        def call_host(arguments: Mapping[str, object]) -> dict[str, t.Any]:
            # Only the exchange method's key and install steps call Exchange cmdlets (the version's fragment).
            if exchange is None or arguments.get("Step") not in ("prepare", "install"):
                return self.call_host(arguments, exchange=None)
            try:
                return self.call_host(arguments, exchange=exchange, fqdn=shell_fqdn, fqdn_source="fqdn")
            except HostOperationError as error:
                if (error.fqid or "").startswith("Exum") or isinstance(error, ExchangeShellError):
                    raise
                raise CertificateRequestError(
                    f"{str(error).rstrip('.')}. {_EXCHANGE_ADVICE}", reason="exchange"
                ) from None

        if args["state"] == "absent":
            outcome = ensure_absent(
                request=request, check_mode=self.check_mode, diff=self.diff_mode, snapshot=snapshot or {},
                call_host=call_host,
            )  # fmt: skip
        else:
            client_options = certsrv_client_options(args)
            for warning in client_warnings(client_options):
                self.warn(warning)
            outcome = ensure_certificate(
                request=request,
                check_mode=self.check_mode,
                diff=self.diff_mode,
                snapshot=snapshot,
                call_host=call_host,
                client=lambda: CertsrvClient(**client_options),
                slot=lambda: submission_slot(Path(C.DEFAULT_LOCAL_TMP), request.ca, args["max_concurrent_submissions"]),
            )
        return {**outcome.result, **(self.facts(outcome.snapshot) if outcome.snapshot is not None else {})}

    def _method_profile(
        self, args: Mapping[str, t.Any], task_vars: Mapping[str, t.Any], snapshot: Mapping[str, t.Any] | None
    ) -> ExchangeProfile | None:
        """The Exchange profile whose cmdlets the exchange method uses; None for the certreq method."""
        if args["method"] != "exchange" or args["state"] == "absent":
            return None
        profile = self.exchange_profile(task_vars, snapshot)
        if profile is None:
            raise OptionError(
                "method=exchange uses the cmdlets of the host's Exchange version, which is not known: run "
                "exchange_um.certificates.exchange_info first, or set the host variable exchange_um_version",
                options=("method",),
            )
        return profile
