"""The controller logic of ``ca_certificate``: get the CA certificate and its chain, authenticate them, write ``dest``.

Authentication rule (docs/security.md): the chain is used only when it is authenticated, i.e. one of
``expected_thumbprint`` matches a certificate of the verified chain (the certificates above it are its verified
signers, the ones below were signed by it), or it came over https that validated, or it came from the controller's
own file system. Anything else fails unless ``allow_unpinned_http`` is set, which turns the failure into a warning.
Every check runs before ``dest`` is touched.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import typing as t
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    MAX_PEM_CHARACTERS,
    file_kind,
    read_input_file,
    shown,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import CertsrvClient
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import (
    build_chain,
    describe,
    fingerprint_sha256,
    is_ca,
    is_valid_at,
    load_certificates,
    matches_pin,
    not_after,
    not_before,
    order_chain,
    thumbprint,
    to_pem,
    windows_name,
)

if t.TYPE_CHECKING:
    from cryptography.x509 import Certificate

__all__ = [
    "EMPTY_RESULT",
    "CaCertificateError",
    "FileMode",
    "apply_mode",
    "check_dest",
    "fetch_ca_certificate",
    "file_mode",
    "renewal_index",
]

MAX_RENEWAL = 9999
MAX_CERTIFICATES = 64
_OCTAL = re.compile(r"^(0o)?[0-7]{1,4}$", re.IGNORECASE)
_SHIFT = {"u": 6, "g": 3, "o": 0}
_PERM = {"r": 4, "w": 2, "x": 1, "X": 1}
_SYMBOLIC = re.compile(r"^[ugoa]*(?:[-+=][rwxXst]*)+(?:,[ugoa]*(?:[-+=][rwxXst]*)+)*$")

# Every documented result key, as returned when the task fails before it knows the value.
EMPTY_RESULT: dict[str, t.Any] = {
    "certificate": None,
    "thumbprint": None,
    "fingerprint_sha256": None,
    "subject": None,
    "issuer": None,
    "not_before": None,
    "not_after": None,
    "renewal": None,
    "renewal_found": None,
    "chain": [],
    "root": None,
    "dest": None,
}


class CaCertificateError(Exception):
    """The CA certificate cannot be used or written; ``reason`` names the rule, the message says what to do."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        expected: Sequence[str] = (),
        actual: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.expected = tuple(expected)
        self.actual = tuple(actual)


def renewal_index(value: object) -> int | None:
    """Argument type of ``renewal``: ``current`` (None) or a CA renewal index (0 = the original CA certificate)."""
    if isinstance(value, str) and value.strip().lower() == "current":
        return None
    wrong = f"renewal must be 'current' or a renewal index from 0 to {MAX_RENEWAL}, got {shown(value)}"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(wrong)
    text = str(value).strip()
    if not text.isdigit() or len(text) > 5 or int(text) > MAX_RENEWAL:
        raise ValueError(wrong)
    return int(text)


FileMode = t.Union[int, str]


def file_mode(value: object) -> FileMode:
    """Argument type of ``mode``: an octal mode ('0644', '644', or the number YAML made of 0644) or a symbolic one
    ('u=rw,g=r,o=r', 'go-w'). A CA certificate file takes no setuid, setgid or sticky bit, so those are refused.
    """
    if isinstance(value, bool):
        raise TypeError(f"mode must be an octal mode such as '0644' or a symbolic one such as 'u=rw,g=r', got {value}")
    if isinstance(value, int):
        mode = value
        shown_mode = f"{value} (octal {value:o}; quote an octal mode in YAML: '0644')"
    elif isinstance(value, str) and _OCTAL.match(value.strip()):
        digits = value.strip().lower().removeprefix("0o")
        mode, shown_mode = int(digits, 8), repr(value.strip())
    elif isinstance(value, str) and _SYMBOLIC.match(value.strip()):
        text = value.strip()
        if "s" in text or "t" in text:  # only permissions are spelled with s or t
            raise ValueError(f"mode {text!r} sets a setuid, setgid or sticky bit, which a certificate file never takes")
        return text
    else:
        raise ValueError(
            f"mode must be an octal mode such as '0644' or a symbolic one such as 'u=rw,g=r,o=r', got {shown(value)}"
        )
    if mode < 0 or mode > 0o7777:
        raise ValueError(f"mode {shown_mode} is not a file mode (0000 to 0777)")
    if mode > 0o777:
        raise ValueError(
            f"mode {shown_mode} sets a setuid, setgid or sticky bit, which a certificate file never takes; "
            "use 0644 or stricter"
        )
    return mode


def apply_mode(mode: FileMode, current: int | None) -> int:
    """The permission bits ``mode`` gives a file whose bits are ``current`` (None: a new file, taken as 0000).

    Symbolic clauses work as chmod's: ``who`` (u, g, o, a; none = a) then ``=``, ``+`` or ``-`` and r, w, x, X.
    """
    if isinstance(mode, int):
        return mode
    bits = current or 0
    for clause in mode.split(","):
        who = re.match(r"[ugoa]*", clause).group(0)  # type: ignore[union-attr]  # always matches
        people = "ugo" if not who or "a" in who else who
        for operator, perms in re.findall(r"([-+=])([rwxX]*)", clause[len(who) :]):
            scope = mask = 0
            for person in people:
                shift = _SHIFT[person]
                scope |= 0o7 << shift
                for perm in perms:
                    if perm != "X" or bits & 0o111:
                        mask |= _PERM[perm] << shift
            if operator == "=":
                bits = (bits & ~scope) | mask
            elif operator == "+":
                bits |= mask
            else:
                bits &= ~mask
    return bits & 0o777


@dataclass
class _Fetched:
    """What the source gave: the CA certificate, the certificates offered with it, how it travelled."""

    certificate: Certificate
    pool: list[Certificate]
    authenticated: bool
    origin: str
    renewal: int | None = None
    renewal_found: bool | None = None
    warnings: list[str] = field(default_factory=list)


def _from_certsrv(options: Mapping[str, t.Any], renewal: int | None) -> _Fetched:
    with CertsrvClient(**options) as client:
        warnings = []
        found: bool | None = None
        if renewal is None:
            current = client.current_renewal()
            renewal, found = current.index, current.found
            if not found:
                warnings.append("certcarc.asp did not state the current CA renewal (nRenewals); renewal 0 was used.")
        certificate = client.ca_certificate(renewal)
        pool = _few(client.ca_chain(renewal), str(options["url"]))
        # certsrv-protocol.md: http carries no server authentication; https does only when the server was validated.
        authenticated = client.is_https and bool(options["validate_certs"])
    return _Fetched(
        certificate=certificate,
        pool=pool,
        authenticated=authenticated,
        origin=str(options["url"]),
        renewal=renewal,
        renewal_found=found,
        warnings=warnings,
    )


def _from_file(*, path: str | None, content: str | None) -> _Fetched:
    if path is not None:
        data, origin = read_input_file(path, option="path"), path
    else:
        data, origin = (content or "").encode("utf-8"), "content"
    certificates = _few(load_certificates(data), origin)
    # order_chain: the CA certificate of a bundle is the one that signs none of the others.
    pool = certificates if len(certificates) == 1 else order_chain(certificates)
    # The controller's own files are the operator's statement, as trusted as the playbook itself (docs/security.md).
    return _Fetched(certificate=pool[0], pool=pool, authenticated=True, origin=origin)


def _few(certificates: list[Certificate], origin: str) -> list[Certificate]:
    """A chain has a handful of certificates; thousands would only make the chain search slow."""
    if len(certificates) > MAX_CERTIFICATES:
        raise CaCertificateError(
            f"{origin} holds {len(certificates)} certificates; a CA chain has at most {MAX_CERTIFICATES}. Give the "
            "CA certificate and its chain only",
            reason="source",
        )
    return certificates


def _check_ca(cert: Certificate) -> None:
    if not is_ca(cert):
        raise CaCertificateError(
            f"{windows_name(cert.subject)} ({thumbprint(cert)}) is not a CA certificate (basicConstraints "
            "CA:TRUE is missing); point the task at the issuing CA's certificate, not a server or user certificate",
            reason="not_ca",
        )


def _check_chain(chain: Sequence[Certificate]) -> None:
    for cert in chain:
        _check_ca(cert)
        if not is_valid_at(cert):
            validity = f"{not_before(cert):%Y-%m-%dT%H:%M:%SZ} to {not_after(cert):%Y-%m-%dT%H:%M:%SZ}"
            raise CaCertificateError(
                f"{windows_name(cert.subject)} ({thumbprint(cert)}) is valid from {validity}, not now; "
                "choose a current renewal of the CA",
                reason="validity",
            )


def _authenticate(fetched: _Fetched, chain: Sequence[Certificate], pins: Sequence[str], allow: bool) -> None:
    """Raise unless the chain is authenticated (see the module docstring); ``allow`` is allow_unpinned_http."""
    ca, root = chain[0], chain[-1]
    actual = [thumbprint(ca), fingerprint_sha256(ca)]
    shown = f"the CA certificate {windows_name(ca.subject)} has thumbprint {actual[0]} (SHA-256 {actual[1]})"
    if root is not ca:
        actual += [thumbprint(root), fingerprint_sha256(root)]
        shown += f", its root {windows_name(root.subject)} has {actual[2]} (SHA-256 {actual[3]})"
    if pins:
        if not any(matches_pin(cert, pins) for cert in chain):
            raise CaCertificateError(
                f"expected_thumbprint {', '.join(pins)} matches no certificate of the chain from {fetched.origin}: "
                f"{shown}; nothing was written. Check the pin against the CA out of band.",
                reason="pin_mismatch",
                expected=pins,
                actual=actual,
            )
        return
    if fetched.authenticated:
        return
    if allow:
        fetched.warnings.append(
            f"The CA certificate from {fetched.origin} was not authenticated (no https validation, no "
            f"expected_thumbprint) and is used only because allow_unpinned_http is true; pin it with "
            f"expected_thumbprint: {actual[0]} once you have checked that value on the CA."
        )
        return
    raise CaCertificateError(
        f"{fetched.origin} is not authenticated (plain http, or https with validate_certs false) and no "
        "expected_thumbprint was given, so the CA certificate cannot be trusted; nothing was written. Set "
        f"expected_thumbprint to the CA's thumbprint checked out of band (this answer claims {actual[0]}), use https "
        "with validate_certs, or set allow_unpinned_http: true to accept it unauthenticated.",
        reason="unpinned_http",
        actual=actual,
    )


def check_dest(dest: str) -> str:
    """The regular file that writing ``dest`` replaces (a symbolic link's target), or raise before anything is fetched.

    Only a regular file, or a link to one, is ever replaced: a directory, device, FIFO, socket, a link to one of
    those or a dangling link is refused. A new file needs its directory to exist.
    """
    target = os.path.realpath(dest) if os.path.islink(dest) else dest
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if target != dest:
            raise CaCertificateError(
                f"dest {dest} is a symbolic link to {target}, which does not exist; give the file itself",
                reason="dest",
            ) from None
        directory = os.path.dirname(os.path.abspath(dest))
        if not os.path.isdir(directory):
            raise CaCertificateError(
                f"the directory of dest {dest} does not exist; create it first", reason="dest"
            ) from None
        return dest
    except OSError as exc:
        raise CaCertificateError(f"dest {dest} cannot be examined: {exc.strerror}", reason="dest") from None
    if not stat.S_ISREG(info.st_mode):
        linked = f" (through the symbolic link {dest})" if target != dest else ""
        raise CaCertificateError(
            f"dest {target}{linked} is {file_kind(info.st_mode)}; ca_certificate replaces only a regular file, so give "
            "the path of a certificate file",
            reason="dest",
        )
    return target


def _write_dest(dest: str, text: str, mode: FileMode, *, check_mode: bool) -> tuple[bool, dict[str, str], list[str]]:
    """Write ``text`` to ``dest`` unless it is there already; returns (changed, diff, warnings)."""
    data = text.encode("ascii")
    target = check_dest(dest)
    try:
        with open(target, "rb") as handle:
            before: bytes | None = handle.read(MAX_PEM_CHARACTERS + 1)
        current_mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        before, current_mode = None, None
    except OSError as exc:
        raise CaCertificateError(f"cannot read dest {dest}: {exc.strerror}", reason="dest") from None
    wanted_mode = apply_mode(mode, current_mode)
    diff = {
        "before_header": dest,
        "after_header": dest,
        "before": before.decode("ascii", "replace") if before is not None else "",
        "after": text,
    }
    warnings = []
    if wanted_mode & 0o022:
        warnings.append(
            f"dest {dest} gets mode {wanted_mode:04o}: other accounts may replace the CA certificate in it; "
            "use 0644 or stricter."
        )
    changed = before != data or current_mode != wanted_mode
    if changed and not check_mode:
        try:
            if before != data:
                handle_fd, temporary = tempfile.mkstemp(prefix=".exum-", dir=os.path.dirname(os.path.abspath(target)))
                try:
                    with os.fdopen(handle_fd, "wb") as handle:
                        handle.write(data)
                    os.chmod(temporary, wanted_mode)
                    os.replace(temporary, target)
                except BaseException:
                    os.unlink(temporary)
                    raise
            else:
                os.chmod(target, wanted_mode)
        except OSError as exc:
            raise CaCertificateError(f"cannot write dest {dest}: {exc.strerror}", reason="dest") from None
    return changed, diff, warnings


def fetch_ca_certificate(
    *,
    client_options: Mapping[str, t.Any] | None,
    renewal: int | None = None,
    path: str | None = None,
    content: str | None = None,
    expected_thumbprint: Sequence[str] = (),
    allow_unpinned_http: bool = False,
    chain: bool = False,
    dest: str | None = None,
    mode: FileMode = 0o644,
    check_mode: bool = False,
    diff: bool = False,
) -> dict[str, t.Any]:
    """Get, authenticate and validate the CA certificate and its chain; write ``dest`` when asked.

    ``client_options`` (CertsrvClient keyword arguments) fetches from AD CS; otherwise ``path`` or ``content`` is
    read. Thumbprints in ``expected_thumbprint`` are already normalised. Returns the module's result keys (see
    plugins/modules/ca_certificate.py) plus ``warnings``; raises CaCertificateError, CertificateError, CertsrvError.
    """
    if dest is not None:
        check_dest(dest)  # before anything is fetched: a dest that can never be written fails first
    if client_options is not None:
        fetched = _from_certsrv(client_options, renewal)
    else:
        fetched = _from_file(path=path, content=content)
    _check_ca(fetched.certificate)
    # certsrv-protocol.md: the order inside a .p7b is not meaningful; the chain is built by issuer and signature.
    certificates = build_chain(fetched.certificate, [*fetched.pool, fetched.certificate])
    _check_chain(certificates)
    _authenticate(fetched, certificates, expected_thumbprint, allow_unpinned_http)

    described = [describe(cert) for cert in certificates]
    ca, root = described[0], described[-1]
    result: dict[str, t.Any] = {
        "changed": False,
        "certificate": ca["pem"],
        "thumbprint": ca["thumbprint"],
        "fingerprint_sha256": ca["fingerprint_sha256"],
        "subject": ca["subject"],
        "issuer": ca["issuer"],
        "not_before": ca["not_before"],
        "not_after": ca["not_after"],
        "renewal": fetched.renewal,
        "renewal_found": fetched.renewal_found,
        "chain": [
            {key: item[key] for key in ("pem", "thumbprint", "subject", "issuer", "role", "not_after")}
            for item in described
        ],
        "root": {key: root[key] for key in ("pem", "thumbprint", "subject")},
        "dest": dest,
        "warnings": fetched.warnings,
    }
    if dest is not None:
        text = "".join(to_pem(cert) for cert in certificates) if chain else to_pem(certificates[0])
        result["changed"], dest_diff, dest_warnings = _write_dest(dest, text, mode, check_mode=check_mode)
        result["warnings"].extend(dest_warnings)
        if diff:
            result["diff"] = dest_diff
    return result
