"""Shared argument specs: the AD CS connection options every certsrv-talking module takes, and spec merging.

The options here are mirrored, word for word, by ``plugins/doc_fragments/certsrv.py``.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import (
    CertificateError,
    normalize_thumbprint,
)

__all__ = [
    "CERTSRV_AUTH_CHOICES",
    "OptionError",
    "certsrv_argument_spec",
    "certsrv_client_options",
    "merge_argument_specs",
    "thumbprint",
]

CERTSRV_AUTH_CHOICES = ("ntlm", "basic", "kerberos", "certificate", "none")

# Keys of an AnsibleModule-style spec that hold lists of option groups; merging concatenates them.
_LIST_KEYS = ("mutually_exclusive", "required_together", "required_one_of", "required_if")


class OptionError(Exception):
    """An option combination that the declarative spec cannot express was given."""

    def __init__(self, message: str, *, options: tuple[str, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.options = options


def thumbprint(value: object) -> str:
    """Argument type: a SHA-1 or SHA-256 thumbprint in any case, with or without spaces and colons."""
    if not isinstance(value, str):
        raise TypeError(f"a thumbprint must be a string of hex digits, got {type(value).__name__}")
    try:
        return normalize_thumbprint(value)
    except CertificateError as exc:
        raise ValueError(str(exc)) from exc


def certsrv_argument_spec() -> dict[str, t.Any]:
    """The AD CS web enrollment connection options (``ca_url`` stays optional: each module says when it is needed)."""
    return {
        "argument_spec": {
            "ca_url": {"type": "str", "aliases": ["url"]},
            "auth": {"type": "str", "default": "ntlm", "choices": list(CERTSRV_AUTH_CHOICES)},
            "username": {"type": "str"},
            "password": {"type": "str", "no_log": True},
            "validate_certs": {"type": "bool", "default": True},
            "ca_path": {"type": "path"},
            "client_cert": {"type": "path"},
            "client_key": {"type": "path"},
            "timeout": {"type": "int", "default": 30},
            "retries": {"type": "int", "default": 3},
        },
        "required_by": {"client_key": ("client_cert",)},
    }


def merge_argument_specs(*specs: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Merge AnsibleModule-style specs; an option defined twice is a programming error."""
    merged: dict[str, t.Any] = {"argument_spec": {}}
    for spec in specs:
        for name, option in spec.get("argument_spec", {}).items():
            if name in merged["argument_spec"]:
                raise ValueError(f"option {name!r} is defined by more than one argument spec")
            merged["argument_spec"][name] = dict(option)
        for key in _LIST_KEYS:
            if key in spec:
                merged.setdefault(key, []).extend(spec[key])
        if "required_by" in spec:
            merged.setdefault("required_by", {}).update(spec["required_by"])
    return merged


def certsrv_client_options(params: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """Keyword arguments for ``CertsrvClient`` from validated module parameters.

    Checks what ``required_if`` cannot say: which credentials each ``auth`` needs.
    """
    auth = params["auth"]
    if auth in ("ntlm", "basic") and not (params.get("username") and params.get("password")):
        raise OptionError(
            f"auth={auth} needs both username and password (or choose auth=kerberos, certificate or none)",
            options=("auth", "username", "password"),
        )
    if auth == "certificate" and not params.get("client_cert"):
        raise OptionError(
            "auth=certificate needs client_cert (and client_key unless the key is in that file)",
            options=("auth", "client_cert"),
        )
    if params["timeout"] <= 0:
        raise OptionError(
            f"timeout must be a positive number of seconds, not {params['timeout']}", options=("timeout",)
        )
    if params["retries"] < 0:
        raise OptionError(f"retries must be 0 or more, got {params['retries']}", options=("retries",))
    return {
        "url": params["ca_url"],
        "auth": auth,
        "username": params.get("username"),
        "password": params.get("password"),
        "validate_certs": params["validate_certs"],
        "ca_path": params.get("ca_path"),
        "client_cert": params.get("client_cert"),
        "client_key": params.get("client_key"),
        "timeout": params["timeout"],
        "retries": params["retries"],
    }
