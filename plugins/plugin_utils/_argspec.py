"""Shared argument specs and the argument types every action validates with.

ansible-core's own ``str`` and ``path`` types turn a list into the text ``"['a', 'b']"``, its ``int`` takes
``true`` and ``1e30``, and its messages repeat whatever was given, however long. The types here take only what
the option can mean, keep every value within the limits of the system it goes to, and say what is wrong without
repeating more than a short value (never a secret's). The certsrv options are mirrored, word for word, by
``plugins/doc_fragments/certsrv.py``.
"""

from __future__ import annotations

import os
import stat
import typing as t
import unicodedata
from collections.abc import Callable, Mapping

from ansible.module_utils.parsing.convert_bool import boolean

from ._certsrv import CertsrvConfigurationError, base_url
from ._x509 import CertificateError, normalize_thumbprint

__all__ = [
    "CERTSRV_AUTH_CHOICES",
    "MAX_PEM_CHARACTERS",
    "OptionError",
    "account",
    "bounded_int",
    "certificate_source",
    "certsrv_argument_spec",
    "certsrv_client_options",
    "certsrv_unused_options",
    "certsrv_url",
    "choice",
    "file_kind",
    "file_path",
    "flag",
    "kind_of",
    "merge_argument_specs",
    "pem_text",
    "read_input_file",
    "secret",
    "shown",
    "thumbprint",
    "thumbprint_list",
]

CERTSRV_AUTH_CHOICES = ("ntlm", "basic", "kerberos", "certificate", "none")

# userPrincipalName's rangeUpper in the AD schema is 1024; no Windows logon name or password is longer.
MAX_ACCOUNT_CHARACTERS = 1024
MAX_SECRET_CHARACTERS = 1024
# PATH_MAX and NAME_MAX of Linux, in bytes of the file system encoding.
MAX_PATH_BYTES = 4096
MAX_NAME_BYTES = 255
# A CA bundle of a few certificates is a few KiB; 1 MiB holds hundreds.
MAX_PEM_CHARACTERS = 1024 * 1024
MAX_THUMBPRINT_CHARACTERS = 256
MAX_PINS = 32
_SHOWN = 60

# Keys of an AnsibleModule-style spec that hold lists of option groups; merging concatenates them.
_LIST_KEYS = ("mutually_exclusive", "required_together", "required_one_of", "required_if")


class OptionError(Exception):
    """An option value or combination that cannot work; ``options`` names the options (or variables) concerned.

    ``advice`` replaces the general "correct the task's options" where the fix lies elsewhere (the inventory).
    """

    def __init__(self, message: str, *, options: tuple[str, ...], advice: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.options = options
        self.advice = advice


def shown(value: object) -> str:
    """A value as a message may show it: short printable text quoted, anything else described by type and size."""
    if isinstance(value, str):
        if len(value) <= _SHOWN and value.isprintable():
            return repr(value)
        return f"a {len(value)}-character string"
    if isinstance(value, (bool, int, float)) and len(repr(value)) <= _SHOWN:
        return repr(value)
    if isinstance(value, (list, tuple, dict)):
        return f"a {'dict' if isinstance(value, dict) else 'list'} of {len(value)} items"
    return f"a value of type {kind_of(value)}"


def kind_of(value: object) -> str:
    """The kind of a value as YAML users know it (ansible-core 2.19+ hands over its own subclasses of list, dict)."""
    for kind, name in ((bool, "bool"), (str, "str"), (int, "int"), (float, "float"), (Mapping, "dict")):
        if isinstance(value, kind):
            return name
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def _named(name: str, check: Callable[[object], t.Any]) -> Callable[[object], t.Any]:
    """ansible-core names the type in its message ("unable to convert to <name>"): give each check a word for it."""
    check.__name__ = name
    return check


def _text(value: object, *, what: str, numbers: bool = False) -> str:
    """A string (or, with ``numbers``, an integer YAML made of digits); lists, dicts, booleans are refused."""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{what} must be a string, got {shown(value)}; quote the value in YAML")


def _reject_nul(text: str, *, what: str) -> None:
    if "\x00" in text:
        raise ValueError(f"{what} contains a NUL character, which Windows and the file system would cut it at")


def account(value: object) -> str:
    """A logon name: one line of at most 1024 characters, no control characters."""
    text = _text(value, what="an account name", numbers=True)
    if len(text) > MAX_ACCOUNT_CHARACTERS:
        raise ValueError(f"an account name has at most {MAX_ACCOUNT_CHARACTERS} characters, got {len(text)}")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValueError("an account name is one line without control characters (NUL, tab, line breaks)")
    return text


def secret(value: object) -> str:
    """A password: at most 1024 characters without NUL. Messages never show it."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"a password must be a string, got a {kind_of(value)}; quote the value in YAML")
    text = str(value)
    if len(text) > MAX_SECRET_CHARACTERS:
        raise ValueError(f"a password has at most {MAX_SECRET_CHARACTERS} characters, got {len(text)}")
    _reject_nul(text, what="the password")
    return text


def pem_text(value: object) -> str:
    """Certificates as PEM text: a string of at most 1 MiB without NUL."""
    text = _text(value, what="PEM content")
    if len(text) > MAX_PEM_CHARACTERS:
        raise ValueError(f"PEM content has at most {MAX_PEM_CHARACTERS} characters, got {len(text)}")
    _reject_nul(text, what="the PEM content")
    return text


def file_path(value: object) -> str:
    """A path on the controller, with ``~`` and environment variables expanded as ansible's ``path`` type does."""
    text = _text(value, what="a path")
    if not text.strip():
        raise ValueError("a path must not be empty")
    _reject_nul(text, what="the path")
    expanded = os.path.expanduser(os.path.expandvars(text))
    encoded = os.fsencode(expanded)
    if len(encoded) > MAX_PATH_BYTES:
        raise ValueError(f"a path has at most {MAX_PATH_BYTES} bytes, got {len(encoded)}")
    longest = max((len(part) for part in encoded.split(b"/")), default=0)
    if longest > MAX_NAME_BYTES:
        raise ValueError(f"each name in a path has at most {MAX_NAME_BYTES} bytes, one has {longest}")
    return expanded


def flag(value: object) -> bool:
    """true/false as ansible reads booleans (yes/no, on/off, 1/0), with a short message otherwise."""
    if isinstance(value, bool):
        return value
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise TypeError(f"expected true or false, got {shown(value)}") from None


def bounded_int(low: int, high: int, *, unit: str = "") -> Callable[[object], int]:
    """A whole number from ``low`` to ``high``: not a boolean, not a fraction, not 1e30."""
    what = f" {unit}" if unit else ""

    def check(value: object) -> int:
        if isinstance(value, bool):
            raise TypeError(f"expected a whole number{what} from {low} to {high}, got {value!r}")
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
            number = int(value.strip())
        else:
            raise TypeError(f"expected a whole number{what} from {low} to {high}, got {shown(value)}")
        if not low <= number <= high:
            raise ValueError(f"expected a whole number{what} from {low} to {high}, got {shown(value)}")
        return number

    return _named("a whole number", check)


def choice(*values: str) -> Callable[[object], str]:
    """Exactly one of ``values``, as ansible's ``choices`` takes them, with a short message otherwise."""

    def check(value: object) -> str:
        if isinstance(value, str) and value in values:
            return str(value)
        raise ValueError(f"expected one of {', '.join(values)}, got {shown(value)}")

    return _named("one of " + "|".join(values), check)


def thumbprint(value: object) -> str:
    """Argument type: a SHA-1 or SHA-256 thumbprint in any case, with or without spaces and colons."""
    if not isinstance(value, str):
        raise TypeError(f"a thumbprint must be a string of hex digits, got {shown(value)}")
    if len(value) > MAX_THUMBPRINT_CHARACTERS:
        raise ValueError(f"a thumbprint has 40 or 64 hex digits, got a {len(value)}-character string")
    try:
        return normalize_thumbprint(value)
    except CertificateError as exc:
        raise ValueError(str(exc)) from exc


def thumbprint_list(value: object) -> list[str]:
    """``expected_thumbprint``: one thumbprint, a comma-separated string of them, or a list of at most 32."""
    if isinstance(value, str):
        items: list[object] = [part for part in value.split(",") if part.strip()] if "," in value else [value]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise TypeError(f"expected a thumbprint or a list of thumbprints, got {shown(value)}")
    if len(items) > MAX_PINS:
        raise ValueError(f"expected at most {MAX_PINS} thumbprints, got {len(items)}")
    return [thumbprint(item) for item in items]


def certificate_source(value: object) -> object:
    """root_trust's ``certificates``: PEM text, a list of PEM texts or of chain entries, or ca_certificate's whole
    result; at most 1 MiB of text in all, no NUL, nothing but strings, lists and mappings."""
    total = 0

    def walk(item: object, depth: int) -> None:
        nonlocal total
        if depth > 4:
            raise ValueError("certificates nests deeper than ca_certificate's result does")
        if isinstance(item, str):
            _reject_nul(item, what="certificates")
            total += len(item)
        elif isinstance(item, Mapping):
            for element in item.values():
                walk(element, depth + 1)
        elif isinstance(item, (list, tuple)):
            for element in item:
                walk(element, depth + 1)
        elif depth == 0 or not (item is None or isinstance(item, (bool, int, float))):
            # Inside ca_certificate's result scalars (changed, renewal) sit beside the PEMs; alone they mean nothing.
            raise TypeError(
                "certificates takes PEM text, a list of PEM texts or ca_certificate's registered result, "
                f"got {shown(item)}"
            )
        if total > MAX_PEM_CHARACTERS:
            raise ValueError(f"certificates holds more than {MAX_PEM_CHARACTERS} characters of text")

    walk(value, 0)
    return value


def certsrv_url(value: object) -> str:
    """``ca_url``: http(s)://host[:port][/path], checked as the certsrv client reads it."""
    text = _text(value, what="the AD CS URL")
    try:
        base_url(text)
    except CertsrvConfigurationError as exc:
        raise ValueError(exc.message) from None
    return text.strip()


def read_input_file(path: str, *, option: str, limit: int = MAX_PEM_CHARACTERS) -> bytes:
    """The bytes of a regular, readable file of at most ``limit`` bytes that ``option`` names.

    A directory, device, FIFO or socket is refused without opening it (a FIFO would block, a device never end).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise OptionError(
            f"{option} {path} does not exist; give the path of a certificate file", options=(option,)
        ) from None
    except OSError as exc:
        raise OptionError(f"{option} {path} cannot be read: {exc.strerror}", options=(option,)) from None
    if not stat.S_ISREG(info.st_mode):
        raise OptionError(
            f"{option} {path} is {file_kind(info.st_mode)}, not a regular file; give the path of a certificate file",
            options=(option,),
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise OptionError(f"{option} {path} cannot be read: {exc.strerror}", options=(option,)) from None
    if len(data) > limit:
        raise OptionError(
            f"{option} {path} is larger than {limit} bytes; it is not a certificate file", options=(option,)
        )
    return data


def file_kind(mode: int) -> str:
    """What ``stat`` says a non-regular file is, for messages ("a directory", "a FIFO", ...)."""
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def certsrv_argument_spec() -> dict[str, t.Any]:
    """The AD CS web enrollment connection options (``ca_url`` stays optional: each module says when it is needed)."""
    return {
        "argument_spec": {
            "ca_url": {"type": certsrv_url, "aliases": ["url"]},
            "auth": {"type": choice(*CERTSRV_AUTH_CHOICES), "default": "ntlm"},
            "username": {"type": account},
            "password": {"type": secret, "no_log": True},
            "validate_certs": {"type": flag, "default": True},
            "allow_insecure_basic": {"type": flag, "default": False},
            "ca_path": {"type": file_path},
            "client_cert": {"type": file_path},
            "client_key": {"type": file_path},
            "timeout": {"type": bounded_int(1, 3600, unit="of seconds"), "default": 30},
            "retries": {"type": bounded_int(0, 10), "default": 3},
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


def certsrv_unused_options(params: Mapping[str, t.Any]) -> dict[str, str]:
    """The certsrv options that cannot apply to this combination, each with the reason (for ``ca_url`` tasks).

    Only options whose presence points at a mistake: credentials that would not be sent, an opt-out that opts out
    of nothing. ``ca_path`` and ``validate_certs`` stay allowed over http, as playbooks pass them for any ca_url.
    """
    auth = params["auth"]
    https = str(params["ca_url"]).strip().lower().startswith("https://")
    unused: dict[str, str] = {}
    if auth in ("certificate", "none"):
        for name in ("username", "password"):
            unused[name] = f"auth={auth} sends no user name or password"
    if auth != "basic" or (https and params["validate_certs"]):
        unused["allow_insecure_basic"] = "it applies only to auth=basic over plain http or unvalidated https"
    return unused


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
    return {
        "url": params["ca_url"],
        "auth": auth,
        "username": params.get("username"),
        "password": params.get("password"),
        "validate_certs": params["validate_certs"],
        "allow_insecure_basic": params["allow_insecure_basic"],
        "ca_path": params.get("ca_path"),
        "client_cert": params.get("client_cert"),
        "client_key": params.get("client_key"),
        "timeout": params["timeout"],
        "retries": params["retries"],
    }
