"""Base class of every action plugin of the collection: the one place where failures become task results.

It owns what each action would otherwise repeat: argument validation against the module's spec, refusing options
that cannot apply to the task, translating every exception (the collection's own families with advice, anything
else as a short message without a traceback) into a task result, and keeping every ``no_log`` value and the
connection's password out of everything the task returns, whatever raised the error.
"""

from __future__ import annotations

import copy
import typing as t
from collections.abc import Iterable, Mapping

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure, AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import OptionError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import (
    CertsrvAuthenticationError,
    CertsrvConfigurationError,
    CertsrvConnectionError,
    CertsrvDenied,
    CertsrvDependencyError,
    CertsrvError,
    CertsrvInsecureTransport,
    CertsrvPending,
    CertsrvUnexpectedPage,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import (
    ExchangeShellConfigError,
    UnknownExchangeVersion,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import (
    HostChannelError,
    HostUnreachable,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import HostFactError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import CertificateError

try:
    from cryptography.x509 import DuplicateExtension
except ImportError:  # ansible-test's import check runs without cryptography

    class DuplicateExtension(Exception):  # type: ignore[no-redef]
        """Stands in when cryptography is missing; nothing raises it then."""


__all__ = ["MASK", "ExumActionBase", "connection_secrets", "error_result", "no_log_values", "scrub"]

MASK = "********"
_EXCERPT = 400

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
    (CertsrvInsecureTransport, "No request was sent to the CA."),
    (
        CertsrvConfigurationError,
        "Correct the certsrv options (ca_url, auth, username and password, ca_path, client_cert and client_key).",
    ),
    (CertsrvUnexpectedPage, "Check that ca_url points at the /certsrv web enrollment site and that the CA is up."),
    (CertsrvError, "Check the AD CS web enrollment site and the certsrv options."),
    (CertificateError, "Check the certificate source and expected_thumbprint."),
    (
        # cryptography reads extensions lazily and raises this for a certificate that carries one twice.
        DuplicateExtension,
        "A certificate given is malformed (RFC 5280 4.2: each extension appears at most once); nothing was changed. "
        "Check the certificate source.",
    ),
    (
        HostFactError,
        "Run exchange_um.certificates.exchange_info again to refresh the fact, or set use_facts: false.",
    ),
    (
        UnknownExchangeVersion,
        "Set the host variable exchange_um_version to 2007sp1, 2010 or 2013, or remove it so that "
        "exchange_um.certificates.exchange_info reads the version from the host.",
    ),
    (
        ExchangeShellConfigError,
        "Name the host by its FQDN in the inventory, or run exchange_um.certificates.exchange_info with "
        "exchange_shell=snapin once, so that the exchange_um_host fact carries the FQDN. Nothing was sent to the host.",
    ),
    (HostChannelError, "Check the host's PowerShell and the connection settings of the inventory."),
    (OptionError, "Correct the task's options."),
)

# Inventory variables that carry the connection's password, for every connection plugin a play may use.
_PASSWORD_VARIABLES = (
    "ansible_password",
    "ansible_ssh_pass",
    "ansible_ssh_password",
    "ansible_winrm_pass",
    "ansible_winrm_password",
    "ansible_psrp_pass",
    "ansible_psrp_password",
    "ansible_become_pass",
    "ansible_become_password",
    "ansible_httpapi_pass",
    "ansible_httpapi_password",
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
            advice = getattr(exc, "advice", None) or advice
            text = str(exc).rstrip()
            return {"failed": True, "changed": False, "msg": f"{text}{'' if text.endswith('.') else '.'} {advice}"}
    return None


def _unexpected_result(exc: Exception, action: str) -> dict[str, t.Any]:
    """Anything the collection did not foresee: a short message naming the error, never a traceback."""
    if isinstance(exc, AnsibleConnectionFailure):
        return {"unreachable": True, "changed": False, "msg": f"{action}: connection failed: {_excerpt(exc)}"}
    if isinstance(exc, AnsibleError):
        return {"failed": True, "changed": False, "msg": f"{action}: {_excerpt(exc)}"}
    return {
        "failed": True,
        "changed": False,
        "msg": f"{action} stopped on an unexpected {type(exc).__name__}: {_excerpt(exc)}. The options passed "
        "validation, so this is a defect of the collection: report it with the task (without its secrets).",
    }


def _excerpt(exc: BaseException) -> str:
    text = " ".join(str(getattr(exc, "message", None) or exc).split()) or type(exc).__name__
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "..."


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item)
    elif value is not None and value != "" and not isinstance(value, bool):
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


def connection_secrets(
    connection: object,
    play_context: object,
    task_vars: Mapping[str, t.Any],
    render: t.Callable[[object], object] = lambda value: value,
) -> set[str]:
    """The connection's password as the inventory gives it (``render`` resolves a template such as a vault
    variable) and as the connection plugin resolved it."""
    values: set[str] = set()
    for name in _PASSWORD_VARIABLES:
        value = task_vars.get(name)
        values.update(_strings(value))
        if isinstance(value, str) and "{{" in value:
            try:
                values.update(_strings(render(value)))
            except Exception:  # an unresolvable template is no password of this task
                continue
    for attribute in ("password", "become_pass"):
        values.update(_strings(getattr(play_context, attribute, None)))
    get_option = getattr(connection, "get_option", None)
    if callable(get_option):
        for option in ("remote_password", "password"):
            try:
                values.update(_strings(get_option(option)))
            except Exception:  # plugins without the option raise KeyError or AnsibleError
                continue
    return values


def scrub(value: object, secrets: Iterable[str]) -> t.Any:
    """``value`` with every occurrence of each secret replaced by a mask, in strings and nested containers.

    Keys are left alone: they are the result's own names (``failed``, ``msg``), which a short secret must not break.
    """
    ordered = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not ordered:
        return value

    def text(item: str) -> str:
        for secret_text in ordered:
            item = item.replace(secret_text, MASK)
        return item

    def walk(item: object) -> object:
        if isinstance(item, str):
            return text(item)
        if isinstance(item, Mapping):
            return {key: walk(element) for key, element in item.items()}
        if isinstance(item, (list, tuple, set)):
            return [walk(element) for element in item]
        if isinstance(item, (bytes, bytearray)):
            return text(bytes(item).decode("utf-8", "replace"))
        return item

    return walk(value)


class ExumActionBase(ActionBase):
    """Validate, execute, translate errors, scrub secrets. Subclasses set ARGUMENT_SPEC and implement execute().

    ``RESULT_DEFAULTS`` holds every documented result key with its value for a failed task, so the keys are there on
    success and on failure; ``OWN_ERRORS`` lists the action's exceptions whose message is complete as it is.
    """

    TRANSFERS_FILES = False
    ARGUMENT_SPEC: t.ClassVar[dict[str, t.Any]] = {"argument_spec": {}}
    RESULT_DEFAULTS: t.ClassVar[dict[str, t.Any]] = {}
    OWN_ERRORS: t.ClassVar[tuple[type[Exception], ...]] = ()

    def preflight(self, task_vars: Mapping[str, t.Any]) -> None:
        """Checks that come before the options are read (a host action checks its connection)."""

    def unused_options(self, args: Mapping[str, t.Any]) -> Mapping[str, str]:
        """The options that cannot apply with these ``args``, each with the reason; given ones are refused."""
        return {}

    def execute(self, args: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        """Do the work with validated ``args``; raise the collection's exceptions on failure."""
        raise NotImplementedError

    def warn(self, text: str) -> None:
        """A warning the task returns whether it then succeeds or fails (a transport risk, an opt-out in use)."""
        if text not in self._warnings:
            self._warnings.append(text)

    def run(self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        self._warnings: list[str] = []
        result: dict[str, t.Any] = copy.deepcopy(self.RESULT_DEFAULTS)
        spec = self.ARGUMENT_SPEC["argument_spec"]
        secrets: set[str] = set()
        try:
            secrets |= no_log_values(spec, self._task.args)
            secrets |= connection_secrets(self._connection, self._play_context, task_vars, self._render)
            result.update(super().run(tmp, task_vars))
            self.preflight(task_vars)
            _validation, args = self.validate_argument_spec(**self.ARGUMENT_SPEC)
            secrets |= no_log_values(spec, args)
            self._refuse_unused(args)
            result.update(self.execute(args, task_vars))
        except AnsibleActionFail as exc:
            result.update({"failed": True, "changed": False, "msg": exc.message})
        except Exception as exc:  # the one place every failure becomes a result
            translated = error_result(exc, own_errors=self.OWN_ERRORS)
            result.update(translated if translated is not None else _unexpected_result(exc, self._module_name()))
        if self._warnings:
            result["warnings"] = self._warnings + [w for w in result.get("warnings") or () if w not in self._warnings]
        return t.cast("dict[str, t.Any]", scrub(result, secrets))

    def _render(self, value: object) -> object:
        """``value`` with its templates resolved against this task's variables (action plugins get them unrendered)."""
        templar = getattr(self, "_templar", None)
        return templar.template(value) if templar is not None else value

    def host_variable(self, task_vars: Mapping[str, t.Any], name: str) -> object:
        """A host variable as the play means it: rendered when the inventory gave a template."""
        value = task_vars.get(name)
        return self._render(value) if isinstance(value, str) and "{{" in value else value

    def _module_name(self) -> str:
        """The module's FQCN; actions may be loaded as ``ansible_collections.<ns>.<name>.plugins.action.<x>``."""
        loaded = str(getattr(self, "_load_name", None) or "")
        parts = loaded.split(".")
        if len(parts) == 6 and parts[0] == "ansible_collections" and parts[3:5] == ["plugins", "action"]:
            return f"{parts[1]}.{parts[2]}.{parts[5]}"
        return loaded or str(getattr(self._task, "action", None) or "the task")

    def _refuse_unused(self, args: Mapping[str, t.Any]) -> None:
        """Refuse an option the task sets that this combination never uses (a value left at its default asks for
        nothing). A value from ``module_defaults`` is validated but not refused, so one group default serves every
        module of the group."""
        spec = self.ARGUMENT_SPEC["argument_spec"]
        refused = []
        for name, why in self.unused_options(args).items():
            option = spec[name]
            keys = (name, *option.get("aliases", ()))
            given = [key for key in keys if self._task.args.get(key) is not None]
            if not given or args.get(name) == _default_value(option) or self._from_module_defaults(keys):
                continue
            refused.append((given[0], name, why))
        if refused:
            listed = "; ".join(f"{given} ({why})" for given, _name, why in refused)
            raise OptionError(
                f"{'this option does' if len(refused) == 1 else 'these options do'} not apply to the task and would "
                f"be ignored: {listed}. Remove {'it' if len(refused) == 1 else 'them'}",
                options=tuple(name for _given, name, _why in refused),
            )

    def _from_module_defaults(self, keys: Iterable[str]) -> bool:
        defaults = getattr(self._task, "module_defaults", None) or []
        entries = [defaults] if isinstance(defaults, Mapping) else defaults
        wanted = set(keys)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping):
                continue
            for values in entry.values():
                if isinstance(values, Mapping) and wanted & set(values):
                    return True
        return False


def _default_value(option: Mapping[str, t.Any]) -> object:
    """The default as the option's type reads it (mode '0644' is 420 once validated)."""
    default = option.get("default")
    kind = option.get("type")
    if default is None or not callable(kind):
        return default
    try:
        return kind(default)
    except (TypeError, ValueError):
        return default
