"""Base class of every action plugin of the collection.

It owns what each action would otherwise repeat: argument validation against the module's spec, the translation of
the collection's exception families into task results that say what to do (never a traceback), and keeping
``no_log`` values out of everything the task returns.
"""

from __future__ import annotations

import copy
import typing as t
from collections.abc import Iterable, Mapping

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import OptionError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import (
    CertsrvAuthenticationError,
    CertsrvConfigurationError,
    CertsrvConnectionError,
    CertsrvDenied,
    CertsrvDependencyError,
    CertsrvError,
    CertsrvPending,
    CertsrvUnexpectedPage,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import (
    HostChannelError,
    HostUnreachable,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import CertificateError

__all__ = ["ExumActionBase", "error_result", "no_log_values"]

# Most specific first: the first class an exception is an instance of gives the advice.
_ADVICE: tuple[tuple[type[Exception], str], ...] = (
    (CertsrvPending, "The CA holds the request for a certificate manager: approve it on the CA, then run again."),
    (CertsrvDenied, "The CA refused the request: check the template name and the CA's policy, then run again."),
    (
        CertsrvAuthenticationError,
        "Check username, password and auth against the schemes the server offers "
        "(NTLM needs DOMAIN\\user; Basic must be enabled on the certsrv site).",
    ),
    (
        CertsrvConnectionError,
        "Check ca_url, that the CA's web server is reachable from the controller, and timeout/retries; "
        "for https, validate_certs and ca_path.",
    ),
    (CertsrvDependencyError, "Install the missing package into the Python that runs ansible."),
    (
        CertsrvConfigurationError,
        "Correct the certsrv options (ca_url, auth, username and password, ca_path, client_cert and client_key).",
    ),
    (CertsrvUnexpectedPage, "Check that ca_url points at the /certsrv web enrollment site and that the CA is up."),
    (CertsrvError, "Check the AD CS web enrollment site and the certsrv options."),
    (CertificateError, "Check the certificate source and expected_thumbprint."),
    (HostChannelError, "Check the host's PowerShell and the connection settings of the inventory."),
    (OptionError, "Correct the task's options."),
)


def error_result(exc: Exception, *, own_errors: tuple[type[Exception], ...] = ()) -> dict[str, t.Any] | None:
    """The task result for one of the collection's exceptions, or None for anything else.

    ``own_errors`` are an action's exceptions whose message already says what to do.
    """
    if isinstance(exc, HostUnreachable):
        return {"unreachable": True, "changed": False, "msg": f"{exc}"}
    if isinstance(exc, own_errors):
        return {"failed": True, "changed": False, "msg": f"{exc}"}
    for family, advice in _ADVICE:
        if isinstance(exc, family):
            text = str(exc).rstrip()
            return {"failed": True, "changed": False, "msg": f"{text}{'' if text.endswith('.') else '.'} {advice}"}
    return None


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item)
    elif value is not None and value != "":
        yield str(value)


def no_log_values(argument_spec: Mapping[str, Mapping[str, t.Any]], *args: Mapping[str, t.Any]) -> set[str]:
    """Every value given to a ``no_log`` option (by its name or an alias) in any of ``args``."""
    values: set[str] = set()
    for name, option in argument_spec.items():
        if not option.get("no_log"):
            continue
        for key in (name, *option.get("aliases", ())):
            for params in args:
                values.update(_strings(params.get(key)))
    return values


class ExumActionBase(ActionBase):
    """Validate, execute, translate errors, scrub secrets. Subclasses set ARGUMENT_SPEC and implement execute().

    ``RESULT_DEFAULTS`` holds every documented result key with its value for a failed task, so the keys are there on
    success and on failure; ``OWN_ERRORS`` lists the action's exceptions whose message is complete as it is.
    """

    TRANSFERS_FILES = False
    ARGUMENT_SPEC: t.ClassVar[dict[str, t.Any]] = {"argument_spec": {}}
    RESULT_DEFAULTS: t.ClassVar[dict[str, t.Any]] = {}
    OWN_ERRORS: t.ClassVar[tuple[type[Exception], ...]] = ()

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        """Do the work with validated ``args``; raise the collection's exceptions on failure."""
        raise NotImplementedError

    def run(self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        result = super().run(tmp, task_vars)
        result.update(copy.deepcopy(self.RESULT_DEFAULTS))
        secrets = no_log_values(self.ARGUMENT_SPEC["argument_spec"], self._task.args)
        try:
            _validation, args = self.validate_argument_spec(**self.ARGUMENT_SPEC)
            secrets |= no_log_values(self.ARGUMENT_SPEC["argument_spec"], args)
            result.update(self.execute(args, task_vars or {}))
        except AnsibleActionFail as exc:
            result.update({"failed": True, "changed": False, "msg": exc.message})
        except Exception as exc:
            translated = error_result(exc, own_errors=self.OWN_ERRORS)
            if translated is None:
                raise
            result.update(translated)
        return remove_values(result, secrets) if secrets else result
