"""Action of ``exchange_um.certificates.ca_certificate``: runs on the controller only, never touches the host."""

from __future__ import annotations

import typing as t

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._action import ExumActionBase
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    certsrv_argument_spec,
    certsrv_client_options,
    merge_argument_specs,
    thumbprint,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._ca_certificate import (
    EMPTY_RESULT,
    CaCertificateError,
    fetch_ca_certificate,
    file_mode,
    renewal_index,
)

_SPEC = {
    "argument_spec": {
        "path": {"type": "path"},
        "content": {"type": "str"},
        "renewal": {"type": renewal_index, "default": "current"},
        "chain": {"type": "bool", "default": False},
        "expected_thumbprint": {"type": "list", "elements": thumbprint, "default": []},
        "allow_unpinned_http": {"type": "bool", "default": False},
        "dest": {"type": "path"},
        "mode": {"type": "raw", "default": "0644"},
    },
    "mutually_exclusive": [("ca_url", "path", "content")],
    "required_one_of": [("ca_url", "path", "content")],
}


class ActionModule(ExumActionBase):
    ARGUMENT_SPEC = merge_argument_specs(certsrv_argument_spec(), _SPEC)
    RESULT_DEFAULTS = EMPTY_RESULT
    OWN_ERRORS = (CaCertificateError,)

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        path, dest = args["path"], args["dest"]
        return fetch_ca_certificate(
            client_options=certsrv_client_options(args) if args["ca_url"] else None,
            renewal=args["renewal"],
            path=self._loader.path_dwim(path) if path else None,
            content=args["content"],
            expected_thumbprint=args["expected_thumbprint"],
            allow_unpinned_http=args["allow_unpinned_http"],
            chain=args["chain"],
            dest=self._loader.path_dwim(dest) if dest else None,
            mode=file_mode(args["mode"]),
            check_mode=bool(self._task.check_mode),
            diff=bool(self._task.diff),
        )
