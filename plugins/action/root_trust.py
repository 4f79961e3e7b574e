"""Action of ``exchange_um.certificates.root_trust``: roots into LocalMachine\\Root, intermediates into CA.

Validates the options, reads a ``path`` file, and hands the rest to ``_root_trust.ensure_trust`` with this task's
host call; the ``exchange_um_host`` fact goes in and, after a change, comes back updated.
"""

from __future__ import annotations

import typing as t

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    OptionError,
    certificate_source,
    choice,
    file_path,
    pem_text,
    read_input_file,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_action import (
    HOST_ARGUMENT_SPEC,
    HostActionBase,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._root_trust import (
    EMPTY_RESULT,
    RootTrustError,
    ensure_trust,
    read_certificates,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import CertificateError

# A chain has a handful of certificates; thousands would only make the classification slow.
MAX_CERTIFICATES = 64


class ActionModule(HostActionBase):
    ARGUMENT_SPEC: t.ClassVar[dict[str, t.Any]] = {
        "argument_spec": {
            **HOST_ARGUMENT_SPEC,
            "certificates": {"type": certificate_source},
            "content": {"type": pem_text},
            "path": {"type": file_path},
            "state": {"type": choice("present", "absent"), "default": "present"},
        },
        "mutually_exclusive": [("certificates", "content", "path")],
        "required_one_of": [("certificates", "content", "path")],
    }
    RESULT_DEFAULTS = EMPTY_RESULT
    OWN_ERRORS = (*HostActionBase.OWN_ERRORS, RootTrustError, CertificateError)
    OPERATION = "root_trust"
    LOADS_EXCHANGE = False

    def run_host(
        self, args: dict[str, t.Any], task_vars: dict[str, t.Any], *, snapshot: dict[str, t.Any] | None
    ) -> dict[str, t.Any]:
        data = read_input_file(self._loader.path_dwim(args["path"]), option="path") if args["path"] else None
        certificates = read_certificates(certificates=args["certificates"], content=args["content"], data=data)
        if len(certificates) > MAX_CERTIFICATES:
            given = next(name for name in ("certificates", "content", "path") if args[name] is not None)
            raise OptionError(
                f"{given} holds {len(certificates)} certificates; give the CA chain only (at most {MAX_CERTIFICATES})",
                options=(given,),
            )
        outcome = ensure_trust(
            certificates=certificates,
            state=args["state"],
            check_mode=self.check_mode,
            diff=self.diff_mode,
            snapshot=snapshot,
            call_host=lambda arguments: self.call_host(arguments, exchange=None),
        )
        return {**outcome.result, **(self.facts(outcome.snapshot) if outcome.snapshot is not None else {})}
