"""Action of ``exchange_um.certificates.ca_certificate``: runs on the controller only, never touches the host."""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._action import ExumActionBase
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    certsrv_argument_spec,
    certsrv_client_options,
    certsrv_unused_options,
    file_path,
    flag,
    merge_argument_specs,
    pem_text,
    thumbprint_list,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._ca_certificate import (
    EMPTY_RESULT,
    CaCertificateError,
    fetch_ca_certificate,
    file_mode,
    renewal_index,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import client_warnings

_SPEC = {
    "argument_spec": {
        "path": {"type": file_path},
        "content": {"type": pem_text},
        "renewal": {"type": renewal_index, "default": "current"},
        "chain": {"type": flag, "default": False},
        "expected_thumbprint": {"type": thumbprint_list, "default": []},
        "allow_unpinned_http": {"type": flag, "default": False},
        "dest": {"type": file_path},
        "mode": {"type": file_mode, "default": "0644"},
    },
    "mutually_exclusive": [("ca_url", "path", "content")],
    "required_one_of": [("ca_url", "path", "content")],
}
_DOWNLOAD_ONLY = (*certsrv_argument_spec()["argument_spec"], "renewal", "allow_unpinned_http")


class ActionModule(ExumActionBase):
    ARGUMENT_SPEC = merge_argument_specs(certsrv_argument_spec(), _SPEC)
    RESULT_DEFAULTS = EMPTY_RESULT
    OWN_ERRORS = (CaCertificateError,)

    def unused_options(self, args: Mapping[str, t.Any]) -> Mapping[str, str]:
        unused: dict[str, str] = {}
        if args["ca_url"] is None:
            source = "path" if args["path"] is not None else "content"
            for name in _DOWNLOAD_ONLY:
                unused[name] = f"it applies to a ca_url download, and the certificates come from {source}"
        else:
            unused.update(certsrv_unused_options(args))
            if args["expected_thumbprint"]:
                unused["allow_unpinned_http"] = "expected_thumbprint authenticates the download"
            elif str(args["ca_url"]).lower().startswith("https://") and args["validate_certs"]:
                unused["allow_unpinned_http"] = "the download is over https that validates the server"
        if args["dest"] is None:
            unused["mode"] = "it is the mode of dest, and no dest is given"
        return unused

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        path, dest = args["path"], args["dest"]
        client_options = certsrv_client_options(args) if args["ca_url"] else None
        if client_options is not None:
            # Refused before any request; a risk let through warns, also when the task then fails.
            for warning in client_warnings(client_options):
                self.warn(warning)
        return fetch_ca_certificate(
            client_options=client_options,
            renewal=args["renewal"],
            path=self._loader.path_dwim(path) if path else None,
            content=args["content"],
            expected_thumbprint=args["expected_thumbprint"],
            allow_unpinned_http=args["allow_unpinned_http"],
            chain=args["chain"],
            dest=self._loader.path_dwim(dest) if dest else None,
            mode=args["mode"],
            check_mode=bool(self._task.check_mode),
            diff=bool(self._task.diff),
        )
