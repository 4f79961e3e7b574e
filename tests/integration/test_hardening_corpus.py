"""Bad input for every option of every module, through ansible-playbook against the lab.

One playbook run at -vvvv holds the whole corpus: a play of controller cases (ca_certificate, tls_probe,
fleet_report), a play of host module cases (root_trust, exchange_info, certificate_request, service_binding) on every
Exchange host (PowerShell 1.0, 2.0 and 4.0) that the controller must refuse, a play that reads the lab's counters and
AD CS's requests, and a play of cases that do reach the hosts (check mode, a rejected shell credential). Every
case asserts a clear result: a failure whose message names what is wrong (never ansible's ``Task failed:`` text for
an exception, never a traceback), or the success it should be. For the whole run: no secret (the lab's passwords,
every password the corpus gives) in the -vvvv output, in any result or in the lab's log; the refused cases sent no
WinRM command and no AD CS request; every host's state in the lab's dump is the same after the run as before; no
result of the new modules carries key material. docs/security.md gives the figures.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import to_pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.unit.certs import NOW, ec_key, make_cert, with_damaged_signature

from .conftest import Lab, PlaybookRun, PlaybookRunner

pytestmark = pytest.mark.integration

HOSTS = ("exch2007", "exch2010", "exch2013")
MB = 1024 * 1024
# Secrets the corpus hands to no_log options; none may show anywhere. Each carries the characters that break quoting.
SECRETS = {
    "pw_quotes": "Corpus-pw-\u2018single\u2019-\u201alow\u201b-'plain'-v1",
    "pw_code": 'Corpus-pw-$(Get-Date)-`n-"; exit 0 #-v2',
    "pw_unicode": "Corpus-pw-Z\u00fcrich-\u65e5\u672c-\u200f-v3",
    "pw_nul": "Corpus-pw-before\x00after-v4",
    "pw_newline": "Corpus-pw-line1\r\nline2-v5",
    "pw_huge": "Corpus-pw-huge-" + "p" * MB,
}
INJECTIONS = {
    "quotes": "o'brien \u2018a\u2019 \u201ab\u201b",
    "subexpression": "$(Remove-Item C:\\ -Recurse)",
    "backtick": "`n`0`$x",
    "statement": '"; exit 0 #',
    "unicode": "Z\u00fcrich \u2713 \u65e5\u672c \u200e",
}
VALUES: dict[str, Any] = {
    "huge": "x" * MB,
    "nul": "before\x00after",
    "newline": "line1\nline2",
    "long_path": "/tmp/" + "d/" * 2100 + "f.pem",
    "long_name": "/tmp/" + "n" * 300 + ".pem",
    **INJECTIONS,
}

Check = Callable[[dict[str, Any]], None]


@dataclass
class Case:
    """One task: ``args`` for ``module``; the result must be ``status`` and its message hold every one of ``words``
    and, when ``any_words`` is given, one of them."""

    name: str
    module: str
    args: dict[str, Any]
    status: str = "failed"
    words: tuple[str, ...] = ()
    any_words: tuple[str, ...] = ()
    keywords: dict[str, Any] = field(default_factory=dict)
    check: Check | None = None
    host: str | None = None  # the one Exchange host a refused case runs on; None: every host


def one_host_each(cases: list[Case]) -> list[Case]:
    """Refusals that never reach a host: each on one of the three in turn, so every host sees a third of them."""
    return [replace(case, host=HOSTS[index % len(HOSTS)]) for index, case in enumerate(cases)]


# -- certificates made for the corpus (never committed) ------------------------------------------------------------


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def duplicated_extension_root() -> str:
    """A self-signed CA certificate, validly signed, that carries one extension twice (RFC 5280 4.2 forbids it)."""
    key = ec_key()
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Corpus Duplicated Extension CA")])
    first, second = x509.ObjectIdentifier("1.2.3.4.5.1"), x509.ObjectIdentifier("1.2.3.4.5.2")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.UnrecognizedExtension(first, b"\x05\x00"), critical=False)
        .add_extension(x509.UnrecognizedExtension(second, b"\x05\x00"), critical=False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    tbs = cert.tbs_certificate_bytes
    # The second OID's last arc becomes the first's (same length), then the TBS is signed again.
    new_tbs = tbs.replace(bytes.fromhex("06052a03040502"), bytes.fromhex("06052a03040501"))
    assert new_tbs != tbs and len(new_tbs) == len(tbs)
    rest = der[der.index(tbs) + len(tbs) :]
    algorithm = rest[: 2 + rest[1]]
    signature = key.sign(new_tbs, ec.ECDSA(hashes.SHA256()))
    bits = b"\x03" + _der_length(len(signature) + 1) + b"\x00" + signature
    body = new_tbs + algorithm + bits
    return to_pem_der(b"\x30" + _der_length(len(body)) + body)


def to_pem_der(der: bytes) -> str:
    import base64

    text = base64.b64encode(der).decode()
    lines = "\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n"


def corpus_certificates() -> dict[str, str]:
    day = dt.timedelta(days=1)
    root = make_cert("Corpus Root CA", key=ec_key(), ca=True, dc=())
    hostile_name = "Corpus ' \u2018x\u2019 \u201ay\u201b $(whoami) `n ; exit"
    return {
        "expired_root": to_pem(
            make_cert("Corpus Expired Root", key=ec_key(), ca=True, dc=(), not_after=NOW - day).cert
        ),
        "future_root": to_pem(make_cert("Corpus Future Root", key=ec_key(), ca=True, dc=(), not_before=NOW + day).cert),
        "bad_signature_root": to_pem(with_damaged_signature(root.cert)),
        "leaf": to_pem(make_cert("corpus-leaf.contoso.lab", key=ec_key(), issuer=root, dc=()).cert),
        "not_ca_self_signed": to_pem(make_cert("Corpus Self Leaf", key=ec_key(), ca=False, dc=()).cert),
        "duplicated_extension": duplicated_extension_root(),
        "hostile_subject_root": to_pem(make_cert(hostile_name, key=ec_key(), ca=True, dc=()).cert),
        "many": "".join(to_pem(make_cert(f"Corpus CA {n}", key=ec_key(), ca=True, dc=()).cert) for n in range(65)),
        "bad_base64": "-----BEGIN CERTIFICATE-----\nMIIB!!notbase64!!\n-----END CERTIFICATE-----\n",
        "truncated": to_pem_der(root.cert.public_bytes(serialization.Encoding.DER)[:200]),
        "key_only": ec_key()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode(),
        "garbage": "this is not a certificate ' $(x) \u2018y\u2019",
    }


# -- the corpus ----------------------------------------------------------------------------------------------------

CA = "exchange_um.certificates.ca_certificate"
TRUST = "exchange_um.certificates.root_trust"
INFO = "exchange_um.certificates.exchange_info"
REQUEST = "exchange_um.certificates.certificate_request"
BINDING = "exchange_um.certificates.service_binding"
PROBE = "exchange_um.certificates.tls_probe"
REPORT = "exchange_um.certificates.fleet_report"
# The modules whose results must never carry key material (PRIVATE KEY, PFX) or a secret.
NEW_MODULES = (REQUEST, BINDING, PROBE, REPORT)
CONTROLLER_MODULES = (CA, PROBE, REPORT)
NTLM = {"ca_url": "{{ ca.url }}", "username": "{{ ca.username }}", "password": "{{ ca.password }}"}
PINNED = {**NTLM, "expected_thumbprint": "{{ ca.thumbprint }}"}
FILE = {"path": "{{ ca.bundle }}"}
BAD_TYPE = "must be a string"
REQUEST_ARGS = {**NTLM, "issuer": "{{ ca.thumbprint }}"}
BINDING_ARGS = {"thumbprint": "00" * 20}
# An FQDN or SAN as hostile as a value gets: every one must be refused as no DNS name, before any command.
HOSTILE_NAMES = {
    **INJECTIONS,
    "typographic": "exch\u2019s.contoso.lab",
    "newline": "exch.contoso.lab\nevil.contoso.lab",
    "nul": "exch.contoso.lab\x00.evil",
    "space": "exch contoso.lab",
    "inner wildcard": "exch.*.contoso.lab",
    "ip": "127.0.0.1",
}


def _validation(option: str, *words: str) -> tuple[str, ...]:
    """ansible-core's validation message names the argument; ours says what it takes."""
    return (f"argument '{option}'", *words)


def ca_cases() -> list[Case]:
    cases: list[Case] = []

    def add(name: str, args: dict[str, Any], *words: str, status: str = "failed", **more: Any) -> None:
        cases.append(Case(f"ca {name}", CA, args, status=status, words=words, **more))

    # ca_url
    add("ca_url list", {**PINNED, "ca_url": ["{{ ca.url }}"]}, *_validation("ca_url", BAD_TYPE))
    add("ca_url dict", {**PINNED, "ca_url": {"a": 1}}, *_validation("ca_url", BAD_TYPE))
    add("ca_url int", {**PINNED, "ca_url": 5}, *_validation("ca_url", BAD_TYPE))
    add("ca_url bool", {**PINNED, "ca_url": True}, *_validation("ca_url", BAD_TYPE))
    add("ca_url empty", {**PINNED, "ca_url": ""}, *_validation("ca_url", "empty"))
    add("ca_url huge", {**PINNED, "ca_url": "{{ v.huge }}"}, *_validation("ca_url", "at most 2048"))
    add("ca_url nul", {**PINNED, "ca_url": "{{ ca.url }}{{ v.nul }}"}, *_validation("ca_url", "control character"))
    add("ca_url newline", {**PINNED, "ca_url": "{{ ca.url }}{{ v.newline }}"}, *_validation("ca_url", "control"))
    add("ca_url ftp", {**PINNED, "ca_url": "ftp://{{ ca.host }}/certsrv"}, *_validation("ca_url", "not ftp://"))
    add(
        "ca_url port with password",
        {**PINNED, "ca_url": "http://{{ ca.host }}:99999/{{ ca.password }}/certsrv"},
        *_validation("ca_url", "'99999', is not a number from 1 to 65535"),
    )
    add("ca_url port zero", {**PINNED, "ca_url": "http://{{ ca.host }}:0/"}, *_validation("ca_url", "'0'"))
    add(
        "ca_url bad ipv6",
        {**PINNED, "ca_url": "http://[::g]/certsrv"},
        *_validation("ca_url"),
        any_words=("IPv6", "cannot be read"),
    )
    add("ca_url bad host", {**PINNED, "ca_url": "http://-ca-.lab/certsrv"}, *_validation("ca_url", "not a DNS name"))
    add("ca_url bad ipv4", {**PINNED, "ca_url": "http://999.1.1.1/"}, *_validation("ca_url", "not a DNS name"))
    add(
        "ca_url credentials",
        {**PINNED, "ca_url": "http://enroll:{{ ca.password }}@{{ ca.host }}/certsrv"},
        *_validation("ca_url", "must not carry credentials"),
    )
    add("ca_url query", {**PINNED, "ca_url": "{{ ca.url }}?x=$(whoami)"}, *_validation("ca_url", "query"))
    add(
        "ca_url quotes in the path",
        {
            **PINNED,
            "ca_url": "http://{{ ca.host }}:{{ ca.port }}/x'\u2018\u2019\u201a\u201b`$(a)/certsrv",
            "retries": 0,
        },
        "HTTP 404",
    )
    add(
        "ca_url ipv6 literal that answers nothing",
        {**PINNED, "ca_url": "http://[::1]:1/certsrv", "retries": 0, "timeout": 2},
        "cannot reach AD CS web enrollment at http://[::1]:1/certsrv/",
    )
    # auth
    for label, value in (("digest", "digest"), ("list", ["ntlm"]), ("huge", "{{ v.huge }}"), ("nul", "{{ v.nul }}")):
        add(f"auth {label}", {**PINNED, "auth": value}, *_validation("auth", "expected one of ntlm, basic"))
    add(
        "auth basic over http",
        {**PINNED, "auth": "basic"},
        "auth=basic sends the password itself",
        "allow_insecure_basic",
        "No request was sent to the CA",
    )
    add(
        "auth basic over unvalidated https",
        {**PINNED, "ca_url": "{{ ca.https_url }}", "auth": "basic", "validate_certs": False},
        "https with validate_certs false",
        "No request was sent to the CA",
    )
    add(
        "auth certificate over http",
        {**PINNED, "auth": "certificate", "username": None, "password": None, "client_cert": "{{ ca.bundle }}"},
        "https ca_url",
    )
    add("auth none with credentials", {**PINNED, "auth": "none"}, "username (auth=none", "password (auth=none")
    # username
    for label, value, words in (
        ("list", ["a", "b"], (BAD_TYPE,)),
        ("dict", {"a": "b"}, (BAD_TYPE,)),
        ("bool", False, (BAD_TYPE,)),
        ("huge", "{{ v.huge }}", ("at most 1024 characters",)),
        ("nul", "{{ v.nul }}", ("control characters",)),
        ("newline", "{{ v.newline }}", ("control characters",)),
    ):
        add(f"username {label}", {**PINNED, "username": value}, *_validation("username", *words))
    add("username empty", {**PINNED, "username": ""}, "auth=ntlm needs both username and password")
    for label in INJECTIONS:
        add(f"username {label}", {**PINNED, "username": f"{{{{ v.{label} }}}}", "retries": 0}, "HTTP 401", "username")
    # password (every value below is also checked to be absent from all output)
    for label, value, words in (
        ("list", ["corpus-list-password"], ("a password must be a string, got a list",)),
        ("dict", {"a": "corpus-dict-password"}, ("a password must be a string, got a dict",)),
        ("huge", "{{ secrets.pw_huge }}", ("a password has at most 1024 characters",)),
        ("nul", "{{ secrets.pw_nul }}", ("NUL",)),
    ):
        add(f"password {label}", {**PINNED, "password": value}, *_validation("password", *words))
    for label in ("pw_quotes", "pw_code", "pw_unicode", "pw_newline"):
        add(f"password {label}", {**PINNED, "password": f"{{{{ secrets.{label} }}}}", "retries": 0}, "HTTP 401")
    # flags
    for option in ("validate_certs", "allow_insecure_basic", "chain", "allow_unpinned_http"):
        add(f"{option} maybe", {**PINNED, option: "maybe"}, *_validation(option, "expected true or false"))
        add(f"{option} huge", {**PINNED, option: "{{ v.huge }}"}, *_validation(option, "1048576-character string"))
        add(f"{option} list", {**PINNED, option: [True]}, *_validation(option, "a list of 1 items"))
    add("allow_insecure_basic with ntlm", {**PINNED, "allow_insecure_basic": True}, "allow_insecure_basic (it applies")
    add("allow_unpinned_http with a pin", {**PINNED, "allow_unpinned_http": True}, "allow_unpinned_http (expected")
    # ca_path, client_cert, client_key
    for option in ("ca_path", "client_cert"):
        for label, value, words in (
            ("list", ["a", "b"], ("a list of 2 items",)),
            ("nul", "{{ v.nul }}", ("NUL",)),
            ("too long", "{{ v.long_path }}", ("at most 4096 bytes",)),
            ("long name", "{{ v.long_name }}", ("at most 255 bytes",)),
            ("empty", "", ("must not be empty",)),
        ):
            add(f"{option} {label}", {**PINNED, option: value}, *_validation(option, *words))
    add(
        "ca_path missing",
        {**NTLM, "ca_url": "{{ ca.https_url }}", "ca_path": "/nonexistent/ca.pem"},
        "ca_path",
        "does not exist",
    )
    add("ca_path device", {**NTLM, "ca_url": "{{ ca.https_url }}", "ca_path": "/dev/zero"}, "neither a PEM file")
    add("ca_path fifo", {**NTLM, "ca_url": "{{ ca.https_url }}", "ca_path": "{{ files.fifo }}"}, "neither a PEM file")
    add(
        "client_cert fifo",
        {"ca_url": "{{ ca.https_url }}", "auth": "certificate", "client_cert": "{{ files.fifo }}"},
        "client_cert",
        "is not a file",
    )
    add("client_key without client_cert", {**PINNED, "client_key": "{{ ca.bundle }}"}, "client_key", "client_cert")
    # numbers
    for option, values in (
        ("timeout", ("1e30", 1e30, True, 0, -1, 3601, "abc", "{{ v.huge }}", [30])),
        ("retries", (-1, 11, "x", True, 2.5)),
        ("renewal", (-1, "latest", True, 10000, "9" * 5000, [0])),
    ):
        for index, value in enumerate(values):
            plain = isinstance(value, str) and len(value) < 20 and "{" not in value
            label = value if plain else f"{type(value).__name__} {index}"
            add(f"{option} {label}", {**PINNED, option: value}, f"argument '{option}'")
    add("renewal with path", {**FILE, "renewal": 1}, "renewal (it applies to a ca_url download")
    add("username with path", {**FILE, "username": "u"}, "username (it applies to a ca_url download")
    # path
    for label, value, words in (
        ("missing", "/nonexistent/ca.pem", ("path /nonexistent/ca.pem does not exist",)),
        ("directory", "{{ files.directory }}", ("is a directory, not a regular file",)),
        ("device zero", "/dev/zero", ("is a character device",)),
        ("device null", "/dev/null", ("is a character device",)),
        ("fifo", "{{ files.fifo }}", ("is a FIFO",)),
        ("link to a directory", "{{ files.link_to_directory }}", ("is a directory",)),
        ("dangling link", "{{ files.dangling }}", ("does not exist",)),
        ("huge file", "{{ files.huge }}", ("larger than 1048576 bytes",)),
        ("too long", "{{ v.long_path }}", ("at most 4096 bytes",)),
        ("nul", "{{ v.nul }}", ("NUL",)),
        ("list", ["a", "b"], ("a list of 2 items",)),
        ("empty", "", ("must not be empty",)),
    ):
        add(f"path {label}", {"path": value}, "path", *words)
    add(
        "path garbage file",
        {"path": "{{ files.garbage }}"},
        status="failed",
        any_words=("neither PEM", "no certificate"),
    )
    add("path key only", {"path": "{{ files.key_only }}"}, "no certificate found")
    # content
    for label, value, words in (
        ("list", ["x"], (BAD_TYPE,)),
        ("int", 5, (BAD_TYPE,)),
        ("huge", "{{ v.huge }}x", ("at most 1048576 characters",)),
        ("nul", "{{ v.nul }}", ("NUL",)),
    ):
        add(f"content {label}", {"content": value}, *_validation("content", *words))
    for label, words in (
        ("garbage", ("neither PEM",)),
        ("bad_base64", ("not valid base64",)),
        ("truncated", ("neither PEM",)),
        ("key_only", ("no certificate found",)),
        ("leaf", ("not a CA certificate",)),
        ("not_ca_self_signed", ("not a CA certificate",)),
        ("expired_root", ("Corpus Expired Root", "not now")),
        ("future_root", ("Corpus Future Root", "not now")),
        ("many", ("holds 65 certificates",)),
    ):
        add(f"content {label}", {"content": f"{{{{ certs.{label} }}}}"}, *words)
    for label in INJECTIONS:
        add(f"content {label}", {"content": f"{{{{ v.{label} }}}}"}, "neither PEM")
    add(
        "content duplicated extension",
        {"content": "{{ certs.duplicated_extension }}"},
        "Duplicate 1.2.3.4.5.1 extension found",
        "RFC 5280 4.2",
    )
    add(
        "content hostile subject root",
        {"content": "{{ certs.hostile_subject_root }}"},
        status="ok",
        check=lambda r: _assert("Corpus ' \u2018x\u2019 \u201ay\u201b $(whoami) `n ; exit" in r["subject"], r),
    )
    # expected_thumbprint
    for label, value, words in (
        ("not hex", "zz" * 20, ("hexadecimal",)),
        ("short", "12:34", ("40",)),
        ("too many", ["00" * 20] * 33, ("at most 32 thumbprints",)),
        ("dict", {"a": "b"}, ("a dict of 1 items",)),
        ("huge", "{{ v.huge }}", ("1048576-character string",)),
        ("quotes", "\u2018" + "00" * 20 + "\u2019", ("hexadecimal",)),
    ):
        add(
            f"expected_thumbprint {label}",
            {**NTLM, "expected_thumbprint": value},
            *_validation("expected_thumbprint", *words),
        )
    add("expected_thumbprint mismatch", {**NTLM, "expected_thumbprint": "00" * 20}, "matches no certificate")
    # dest
    for label, value, words in (
        ("list", ["a", "b"], ("argument 'dest'", "a list of 2 items")),
        ("dict", {"a": "b"}, ("argument 'dest'", BAD_TYPE)),
        ("nul", "{{ v.nul }}", ("argument 'dest'", "NUL")),
        ("too long", "{{ v.long_path }}", ("argument 'dest'", "at most 4096 bytes")),
        ("empty", "", ("argument 'dest'", "must not be empty")),
        ("directory", "{{ files.directory }}", ("is a directory", "replaces only a regular file")),
        ("device", "/dev/null", ("is a character device",)),
        ("fifo", "{{ files.fifo }}", ("is a FIFO",)),
        ("link to a directory", "{{ files.link_to_directory }}", ("through the symbolic link",)),
        ("dangling link", "{{ files.dangling }}", ("is a symbolic link to",)),
        ("missing directory", "/nonexistent/dir/ca.pem", ("does not exist; create it first",)),
    ):
        add(f"dest {label}", {**FILE, "dest": value}, *words)
    # mode
    for label, value, words in (
        ("7777", "7777", ("setuid, setgid or sticky",)),
        ("4755", "4755", ("setuid, setgid or sticky",)),
        ("decimal 644", 644, ("octal 1204",)),
        ("setuid symbolic", "u+s", ("setuid, setgid or sticky",)),
        ("not octal", "0999", ("octal mode",)),
        ("injection", "u=rw;rm -rf /", ("octal mode",)),
        ("quotes", "\u2018u=rw\u2019", ("octal mode",)),
        ("bool", True, ("octal mode",)),
        ("list", ["0644"], ("a list of 1 items",)),
        ("huge", "{{ v.huge }}", ("1048576-character string",)),
    ):
        add(f"mode {label}", {**FILE, "dest": "{{ files.out }}/mode.pem", "mode": value}, *_validation("mode", *words))
    add("mode without dest", {**FILE, "mode": "0600"}, "mode (it is the mode of dest")
    add("unknown option", {**FILE, "bogus": "x"}, "Unsupported parameters", "bogus")
    return cases


def host_cases() -> list[Case]:
    """Refused on the controller on every host: none of these may send a WinRM command."""
    cases: list[Case] = []
    chain = {"content": "{{ ca.chain }}"}

    def add(name: str, module: str, args: dict[str, Any], *words: str, **more: Any) -> None:
        cases.append(Case(name, module, args, words=words, **more))

    for module, base, short in (
        (TRUST, chain, "trust"),
        (INFO, {}, "info"),
        (REQUEST, REQUEST_ARGS, "request"),
        (BINDING, BINDING_ARGS, "binding"),
    ):
        for label, value, words in (
            ("nul", "CONTOSO\\{{ v.nul }}", ("control characters",)),
            ("huge", "{{ v.huge }}", ("at most 1024 characters",)),
            ("list", ["a"], (BAD_TYPE,)),
        ):
            add(
                f"{short} shell user {label}",
                module,
                {**base, "exchange_shell_username": value},
                *_validation("exchange_shell_username", *words),
            )
        for label, words in (("pw_nul", ("NUL",)), ("pw_huge", ("at most 1024 characters",))):
            add(
                f"{short} shell password {label}",
                module,
                {**base, "exchange_shell_password": f"{{{{ secrets.{label} }}}}"},
                *_validation("exchange_shell_password", *words),
            )
        for label, value in (("case", "Remote\n"), ("huge", "{{ v.huge }}"), ("list", ["remote"])):
            add(
                f"{short} exchange_shell {label}",
                module,
                {**base, "exchange_shell": value},
                *_validation("exchange_shell", "expected one of snapin, remote"),
            )
        for label, value in (("maybe", "maybe"), ("huge", "{{ v.huge }}")):
            add(
                f"{short} use_facts {label}",
                module,
                {**base, "use_facts": value},
                *_validation("use_facts", "expected true or false"),
            )
        add(f"{short} unknown option", module, {**base, "bogus": 1}, "Unsupported parameters", "bogus")
        add(
            f"{short} ssh connection",
            module,
            base,
            "must be winrm or psrp",
            "is reached with ssh",
            keywords={"vars": {"ansible_connection": "ssh"}},
        )
        add(
            f"{short} local connection",
            module,
            {**base, "bogus": 1},
            "must be winrm or psrp",
            "is reached with local",
            keywords={"vars": {"ansible_connection": "local"}},
        )
        for label, value, words in (
            ("2016", "2016", ("exchange_um_version is '2016'",)),
            ("list", ["2010"], ("exchange_um_version is 'list'",)),
            ("huge", "{{ v.huge }}", ("exchange_um_version is a value",)),
            ("injection", "{{ v.subexpression }}", ("exchange_um_version is '$(Remove-Item",)),
        ):
            add(
                f"{short} exchange_um_version {label}",
                module,
                base,
                *words,
                "Set the host variable exchange_um_version",
                keywords={"vars": {"exchange_um_version": value}},
            )
        for label, fact, words in (
            ("string", "garbage", ("exchange_um_host is a str",)),
            ("stores list", {"stores": []}, ("exchange_um_host.stores is a list",)),
            ("entry", {"stores": {"Root": [{"thumbprint": "$(x)"}]}}, ("stores.Root[0].thumbprint",)),
            ("version", {"stores": {}, "exchange": {"installed": True, "version": "2019"}}, ("exchange.version",)),
            ("fqdn", {"stores": {}, "fqdn": "exch'; Remove-Item C:\\"}, ("exchange_um_host.fqdn is not a DNS name",)),
        ):
            add(
                f"{short} fact {label}",
                module,
                base,
                *words,
                "use_facts: false",
                keywords={"vars": {"ansible_facts": {"exchange_um_host": fact}}},
            )
    add(
        "trust connection password in a message",
        TRUST,
        {"path": "/nonexistent/{{ ansible_password }}.pem"},
        "/nonexistent/********.pem does not exist",
    )
    # root_trust's own options
    for label, args, words in (
        ("certificates bool", {"certificates": True}, ("certificates takes PEM text",)),
        ("certificates deep", {"certificates": [[[[["x"]]]]]}, ("nests deeper",)),
        ("certificates huge", {"certificates": ["{{ v.huge }}x"]}, ("more than 1048576 characters",)),
        ("certificates nul", {"certificates": "{{ v.nul }}"}, ("NUL",)),
        ("content list", {"content": ["x"]}, (BAD_TYPE,)),
        ("content nul", {"content": "{{ v.nul }}"}, ("NUL",)),
        ("content huge", {"content": "{{ v.huge }}x"}, ("at most 1048576",)),
        ("path list", {"path": ["a", "b"]}, ("a list of 2 items",)),
        ("path nul", {"path": "{{ v.nul }}"}, ("NUL",)),
        ("path too long", {"path": "{{ v.long_path }}"}, ("at most 4096 bytes",)),
        ("state", {**chain, "state": "gone"}, ("expected one of present, absent",)),
        ("state huge", {**chain, "state": "{{ v.huge }}"}, ("1048576-character string",)),
    ):
        option = label.split()[0]
        add(f"trust {label}", TRUST, args, *_validation(option, *words))
    for label, value, words in (
        ("missing", "/nonexistent/ca.pem", ("does not exist",)),
        ("directory", "{{ files.directory }}", ("is a directory",)),
        ("device", "/dev/zero", ("is a character device",)),
        ("fifo", "{{ files.fifo }}", ("is a FIFO",)),
        ("huge file", "{{ files.huge }}", ("larger than 1048576 bytes",)),
    ):
        add(f"trust path {label}", TRUST, {"path": value}, "path", *words)
    add("trust two sources", TRUST, {**chain, "path": "{{ ca.bundle }}"}, "mutually exclusive")
    add("trust no source", TRUST, {}, "one of the following is required")
    for label in ("exchange_shell", "exchange_shell_username"):
        value = "remote" if label == "exchange_shell" else "CONTOSO\\admin"
        add(f"trust {label} it never uses", TRUST, {**chain, label: value}, "root_trust loads no Exchange cmdlets")
    add(
        "trust shell password it never uses",
        TRUST,
        {**chain, "exchange_shell_username": "CONTOSO\\a", "exchange_shell_password": "{{ secrets.pw_quotes }}"},
        "root_trust loads no Exchange cmdlets",
    )
    for label, words in (
        ("garbage", ("neither PEM",)),
        ("bad_base64", ("not valid base64",)),
        ("key_only", ("no certificate found",)),
        ("many", ("holds 65 certificates",)),
    ):
        add(f"trust content {label}", TRUST, {"content": f"{{{{ certs.{label} }}}}"}, *words)
    for label, name in (
        ("leaf", "corpus-leaf.contoso.lab"),
        ("not_ca_self_signed", "Corpus Self Leaf"),
        ("expired_root", "Corpus Expired Root"),
        ("future_root", "Corpus Future Root"),
        ("bad_signature_root", "Corpus Root CA"),
    ):
        add(f"trust content {label}", TRUST, {"content": f"{{{{ certs.{label} }}}}", "use_facts": False}, name)
    add(
        "trust content duplicated extension",
        TRUST,
        {"content": "{{ certs.duplicated_extension }}", "use_facts": False},
        "Duplicate 1.2.3.4.5.1 extension found",
        "RFC 5280 4.2",
    )
    # exchange_info's shell combinations
    add(
        "info credential with snapin",
        INFO,
        {"exchange_shell_username": "CONTOSO\\a", "exchange_shell_password": "{{ secrets.pw_code }}"},
        "only with exchange_shell=remote",
    )
    add(
        "info password without user",
        INFO,
        {"exchange_shell": "remote", "exchange_shell_password": "{{ secrets.pw_code }}"},
        "without exchange_shell_username",
    )
    add(
        "info remote to a fact fqdn that is an IP address",
        INFO,
        {
            "exchange_shell": "remote",
            "exchange_shell_username": "CONTOSO\\a",
            "exchange_shell_password": "{{ secrets.pw_code }}",
        },
        any_words=("exchange_um_host.fqdn is an IP address",),
        keywords={"vars": {"ansible_facts": {"exchange_um_host": {"stores": {}, "fqdn": "127.0.0.1"}}}},
    )
    return cases


def request_cases() -> list[Case]:
    """certificate_request's own options and its AD CS options, refused on the controller on every host: no WinRM
    command, no AD CS request."""
    cases: list[Case] = []

    def add(name: str, args: dict[str, Any], *words: str, **more: Any) -> None:
        cases.append(Case(f"request {name}", REQUEST, {**REQUEST_ARGS, **args}, words=words, **more))

    for label, value in HOSTILE_NAMES.items():
        add(f"fqdn {label}", {"fqdn": value}, "fqdn", any_words=("not a DNS name", "control characters", "DNS"))
        add(f"san {label}", {"subject_alt_names": ["exch.contoso.lab", value]}, "subject_alt_names")
    for label, value, words in (
        ("list", ["exch.contoso.lab"], (BAD_TYPE,)),
        ("huge", "{{ v.huge }}", ("at most 253 characters",)),
        ("empty", "", ("fqdn",)),
    ):
        add(f"fqdn {label}", {"fqdn": value}, "fqdn", *words)
    for label, value, words in (
        ("dict", {"a": "b"}, ("a list of DNS names",)),
        ("int", 5, ("a list of DNS names",)),
        ("list of lists", [["a.contoso.lab"]], ("a list of DNS names",)),
        ("101 names", [f"n{n}.contoso.lab" for n in range(101)], ("at most 100 names",)),
        ("huge", ["{{ v.huge }}"], ("subject_alt_names",)),
    ):
        add(f"san {label}", {"subject_alt_names": value}, "subject_alt_names", *words)
    for label, value, words in (
        ("list", ["WebServer"], (BAD_TYPE,)),
        ("empty", "", ("not empty",)),
        ("attribute", "WebServer:x", ("no ':'",)),
        ("huge", "{{ v.huge }}", ("at most 64 characters",)),
        ("newline", "{{ v.newline }}", ("control characters",)),
        ("nul", "{{ v.nul }}", ("control characters",)),
    ):
        add(f"template {label}", {"template": value}, *_validation("template", *words))
    for label, value in (("certutil", "certutil"), ("case", "Exchange"), ("list", ["certreq"])):
        add(f"method {label}", {"method": value}, *_validation("method", "expected one of certreq, exchange"))
    for label, value, words in (
        ("3072", 3072, ("one of 1024, 2048, 4096",)),
        ("512", 512, ("from 1024 to 4096",)),
        ("word", "big", ("whole number",)),
        ("bool", True, ("whole number",)),
    ):
        add(f"key_size {label}", {"key_size": value}, *_validation("key_size", *words))
    add("key_size 1024 without force", {"key_size": 1024}, "key_size 1024", "force: true")
    for option in ("key_exportable", "force"):
        add(f"{option} maybe", {option: "maybe"}, *_validation(option, "expected true or false"))
        add(f"{option} list", {option: [True]}, *_validation(option, "expected true or false"))
    for label, value, words in (
        ("huge", "{{ v.huge }}", ("at most 256 characters",)),
        ("newline", "{{ v.newline }}", ("control characters",)),
        ("nul", "{{ v.nul }}", ("control characters",)),
        ("list", ["x"], (BAD_TYPE,)),
    ):
        add(f"friendly_name {label}", {"friendly_name": value}, *_validation("friendly_name", *words))
    for label, value, words in (
        ("bool", True, ("certificates takes PEM text",)),
        ("garbage", "{{ certs.garbage }}", ("issuer", "neither PEM")),
        ("key only", "{{ certs.key_only }}", ("issuer", "no certificate found")),
        ("leaf", "{{ certs.leaf }}", ("issuer", "is not a CA certificate")),
        ("nul", "{{ v.nul }}", ("NUL",)),
        ("huge", ["{{ v.huge }}x"], ("more than 1048576 characters",)),
        ("deep", [[[[["x"]]]]], ("nests deeper",)),
        ("not hex", "zz" * 20, ("issuer",)),
    ):
        add(f"issuer {label}", {"issuer": value}, "issuer", *words)
    cases.append(Case("request issuer missing", REQUEST, NTLM, words=("issuer",)))
    for option, values in (
        ("renew_before_days", (-1, 3651, "soon", True)),
        ("pending_timeout", (-1, 86401, 1.5)),
        ("pending_poll_interval", (0, 3601, [30])),
    ):
        for index, value in enumerate(values):
            add(f"{option} {index}", {option: value}, *_validation(option, "whole number"))
    for label, value in (("gone", "gone"), ("list", ["present"]), ("huge", "{{ v.huge }}")):
        add(f"state {label}", {"state": value}, *_validation("state", "expected one of present, absent"))
    cases.append(Case("request present without ca_url", REQUEST, {"issuer": "{{ ca.thumbprint }}"}, words=("ca_url",)))
    add("absent with ca_url", {"state": "absent"}, "ca_url", "state=absent sends no request to AD CS")
    cases.append(
        Case(
            "request absent without the fact",
            REQUEST,
            {"issuer": "{{ ca.thumbprint }}", "state": "absent", "use_facts": False},
            words=("state=absent", "exchange_info first"),
        )
    )
    add("certreq with a shell credential", {"exchange_shell": "remote"}, "certreq method", "exchange_shell")
    # the AD CS options
    add("ca_url list", {"ca_url": ["{{ ca.url }}"]}, *_validation("ca_url", BAD_TYPE))
    add("ca_url ftp", {"ca_url": "ftp://{{ ca.host }}/certsrv"}, *_validation("ca_url", "not ftp://"))
    add(
        "ca_url credentials",
        {"ca_url": "http://enroll:{{ ca.password }}@{{ ca.host }}/certsrv"},
        *_validation("ca_url", "must not carry credentials"),
    )
    add("ca_url query", {"ca_url": "{{ ca.url }}?x=$(whoami)"}, *_validation("ca_url", "query"))
    add("auth digest", {"auth": "digest"}, *_validation("auth", "expected one of ntlm, basic"))
    add("auth none with credentials", {"auth": "none"}, "username (auth=none", "password (auth=none")
    add(
        "auth basic over http",
        {"auth": "basic"},
        "auth=basic sends the password itself",
        "allow_insecure_basic",
        "No request was sent to the CA",
    )
    add(
        "auth certificate without client_cert",
        {"auth": "certificate", "username": None, "password": None},
        "auth=certificate needs client_cert",
    )
    add("username nul", {"username": "{{ v.nul }}"}, *_validation("username", "control characters"))
    add("username empty", {"username": ""}, "auth=ntlm needs both username and password")
    add("password list", {"password": ["corpus-list-password"]}, *_validation("password", "got a list"))
    add("password huge", {"password": "{{ secrets.pw_huge }}"}, *_validation("password", "at most 1024"))
    add("password nul", {"password": "{{ secrets.pw_nul }}"}, *_validation("password", "NUL"))
    add("password missing", {"password": None}, "auth=ntlm needs both username and password")
    for option in ("validate_certs", "allow_insecure_basic"):
        add(f"{option} maybe", {option: "maybe"}, *_validation(option, "expected true or false"))
    add("allow_insecure_basic with ntlm", {"allow_insecure_basic": True}, "allow_insecure_basic (it applies")
    for option in ("ca_path", "client_cert"):
        add(f"{option} nul", {option: "{{ v.nul }}"}, *_validation(option, "NUL"))
        add(f"{option} empty", {option: ""}, *_validation(option, "must not be empty"))
    add("client_key without client_cert", {"client_key": "{{ ca.bundle }}"}, "client_key", "client_cert")
    add("timeout zero", {"timeout": 0}, *_validation("timeout", "from 1 to 3600"))
    add("retries eleven", {"retries": 11}, *_validation("retries", "from 0 to 10"))
    return cases


def binding_cases() -> list[Case]:
    """service_binding's own options, refused on the controller on every host: no WinRM command."""
    cases: list[Case] = []
    version_2010 = {"vars": {"ansible_facts": {"exchange_um_host": {"stores": {}, "exchange": _EXCHANGE_2010}}}}

    def add(name: str, args: dict[str, Any], *words: str, **more: Any) -> None:
        cases.append(Case(f"binding {name}", BINDING, {**BINDING_ARGS, **args}, words=words, **more))

    for label, value, words in (
        ("list", ["00" * 20], ("a string of 40 hex digits",)),
        ("int", 5, ("a string of 40 hex digits",)),
        ("not hex", "zz" * 20, ("hexadecimal",)),
        ("sha-256", "00" * 32, ("SHA-1 thumbprint (40 hex digits), got 64 digits",)),
        ("huge", "{{ v.huge }}", ("1048576-character string",)),
        ("result without thumbprint", {"changed": True}, ("certificate_request's registered result",)),
        ("result with a bad thumbprint", {"thumbprint": "$(whoami)"}, ("hexadecimal",)),
        ("quotes", "\u2018" + "00" * 20 + "\u2019", ("hexadecimal",)),
        ("subexpression", "{{ v.subexpression }}", ("hexadecimal",)),
        ("nul", "00" * 10 + "\x00" + "00" * 10, ("hexadecimal",)),
    ):
        add(f"thumbprint {label}", {"thumbprint": value}, *_validation("thumbprint", *words))
    cases.append(Case("binding thumbprint missing", BINDING, {}, words=("thumbprint",)))
    for label, value in (("2016", "2016"), ("list", ["2010"]), ("huge", "{{ v.huge }}")):
        add(f"exchange_version {label}", {"exchange_version": value}, *_validation("exchange_version", "expected one"))
    add(
        "exchange_version against the fact",
        {"exchange_version": "2013"},
        "exchange_version=2013",
        "says this host runs Exchange 2010",
        keywords=version_2010,
    )
    for label, value in (("lower case", "tls"), ("list", ["TLS"]), ("injection", "{{ v.subexpression }}")):
        add(f"startup_mode {label}", {"startup_mode": value}, *_validation("startup_mode", "TLS, Dual, keep"))
    add(
        "startup_mode on 2007 SP1",
        {"startup_mode": "TLS", "exchange_version": "2007sp1", "use_facts": False},
        "startup_mode=TLS needs Exchange 2010 or 2013",
    )
    for option in ("restart", "drain", "rollback"):
        add(f"{option} maybe", {option: "maybe"}, *_validation(option, "expected true or false"))
    for option, values in (("restart_timeout", (9, 86401, "soon", True)), ("drain_timeout", (-1, 86401, 2.5))):
        for index, value in enumerate(values):
            add(f"{option} {index}", {option: value}, *_validation(option, "whole number"))
    add("drain without restart", {"restart": False, "drain": True}, "drain", "restart is false")
    add("drain_timeout without drain", {"drain_timeout": 60}, "drain_timeout", "drain is false")
    add(
        "no version known",
        {"use_facts": False},
        "needs the host's Exchange version",
        "Nothing was sent to the host",
        keywords={"vars": {"exchange_um_version": None}},
    )
    add(
        "no UM role",
        {},
        "no Unified Messaging role",
        "Nothing was sent",
        keywords={
            "vars": {
                "ansible_facts": {"exchange_um_host": {"stores": {}, "exchange": {**_EXCHANGE_2010, "um_role": False}}}
            }
        },
    )
    return cases


_EXCHANGE_2010 = {"installed": True, "version": "2010"}
PROBE_ARGS = {"host": "127.0.0.1", "ports": [5061]}
REPORT_ARGS = {"hosts": ["exch2007"], "dest": "{{ files.reports }}/refused"}


def probe_cases() -> list[Case]:
    """tls_probe's options on the controller: refused before any connection."""
    cases: list[Case] = []

    def add(name: str, args: dict[str, Any], *words: str, **more: Any) -> None:
        cases.append(Case(f"probe {name}", PROBE, {**PROBE_ARGS, **args}, words=words, **more))

    for option in ("host", "fqdn"):
        for label, value in (
            ("list", ["exch.contoso.lab"]),
            ("huge", "{{ v.huge }}"),
            ("leading hyphen", "-exch.contoso.lab"),
            *((label, value) for label, value in HOSTILE_NAMES.items() if label != "ip"),
        ):
            add(f"{option} {label}", {option: value}, *_validation(option), any_words=("DNS name", "host name"))
    for label, value, words in (
        ("zero", 0, ("from 1 to 65535",)),
        ("too big", 65536, ("from 1 to 65535",)),
        ("empty", [], ("1 to 16 ports",)),
        ("seventeen", list(range(5000, 5017)), ("1 to 16 ports",)),
        ("word", "sip", ("from 1 to 65535",)),
        ("bool", True, ("got a bool",)),
        ("nested", [[5061]], ("got a list",)),
        ("injection", "{{ v.subexpression }}", ("from 1 to 65535",)),
    ):
        add(f"ports {label}", {"ports": value}, *_validation("ports", *words))
    for label, value in (("2016", "2016"), ("list", ["2010"])):
        add(f"exchange_version {label}", {"exchange_version": value}, *_validation("exchange_version", "one of"))
    add("exchange_version with ports", {"exchange_version": "2010"}, "exchange_version", "ports are given")
    add(
        "no version known",
        {"ports": None},
        "Exchange version is not known",
        "set ports",
        keywords={"vars": {"exchange_um_version": None}},
    )
    for label, value, words in (
        ("not hex", "zz" * 20, ("hexadecimal",)),
        ("list", ["00" * 20], ("a thumbprint must be a string",)),
        ("huge", "{{ v.huge }}", ("1048576-character string",)),
    ):
        add(f"expected_thumbprint {label}", {"expected_thumbprint": value}, *_validation("expected_thumbprint", *words))
    for label, value, words in (
        ("list", ["x"], (BAD_TYPE,)),
        ("nul", "{{ v.nul }}", ("NUL",)),
        ("huge", "{{ v.huge }}x", ("at most 1048576",)),
    ):
        add(f"ca_certificate {label}", {"ca_certificate": value}, *_validation("ca_certificate", *words))
    for option in ("min_days_left", "timeout"):
        for index, value in enumerate((-1, 10**6, "soon", True, 0.5)):
            add(f"{option} {index}", {option: value}, *_validation(option, "whole number"))
    add("timeout zero", {"timeout": 0}, *_validation("timeout", "from 1 to 600"))
    add("fail_on_error maybe", {"fail_on_error": "maybe"}, *_validation("fail_on_error", "expected true or false"))
    for option in ("client_cert_path", "client_key_path"):
        extra = {"client_cert_path": "{{ ca.bundle }}"} if option == "client_key_path" else {}
        for label, value, words in (
            ("nul", "{{ v.nul }}", ("NUL",)),
            ("empty", "", ("must not be empty",)),
            ("list", ["a", "b"], ("a list of 2 items",)),
        ):
            add(f"{option} {label}", {**extra, option: value}, *_validation(option, *words))
        for label, value, words in (
            ("missing", "/nonexistent/client.pem", ("does not exist",)),
            ("directory", "{{ files.directory }}", ("is a directory",)),
            ("fifo", "{{ files.fifo }}", ("is a FIFO",)),
            ("device", "/dev/zero", ("is a character device",)),
            ("huge file", "{{ files.huge }}", ("larger than 1048576 bytes",)),
        ):
            add(f"{option} {label}", {**extra, option: value}, option, *words)
    add("client_key_path without client_cert_path", {"client_key_path": "{{ ca.bundle }}"}, "client_cert_path")
    add("unknown option", {"bogus": 1}, "Unsupported parameters", "bogus")
    return cases


def report_cases() -> list[Case]:
    """fleet_report's options on the controller: refused without writing a file, or written with the hostile text
    escaped."""
    cases: list[Case] = []

    def add(name: str, args: dict[str, Any], *words: str, **more: Any) -> None:
        cases.append(Case(f"report {name}", REPORT, {**REPORT_ARGS, **args}, words=words, **more))

    cases.append(Case("report dest missing", REPORT, {"hosts": ["exch2007"]}, words=("dest",)))
    for label, value, words in (
        ("list", ["a", "b"], ("a list of 2 items",)),
        ("nul", "{{ v.nul }}", ("NUL",)),
        ("empty", "", ("must not be empty",)),
        ("too long", "{{ v.long_path }}", ("at most 4096 bytes",)),
    ):
        add(f"dest {label}", {"dest": value}, *_validation("dest", *words))
    for label, value, words in (
        ("a file", "{{ files.garbage }}", ("is a regular file, not a directory",)),
        ("a device", "/dev/null", ("is a character device, not a directory",)),
        ("a fifo", "{{ files.fifo }}", ("is a FIFO, not a directory",)),
        ("under a file", "{{ files.garbage }}/reports", ("cannot be written: Not a directory",)),
        ("dangling link", "{{ files.dangling }}", ("is a symbolic link, not a directory",)),
    ):
        add(f"dest {label}", {"dest": value}, *words)
    for label, value, words in (
        ("empty", [], ("hosts is empty",)),
        ("nested", [["exch2007"]], ("an inventory name must be a string",)),
        ("dict", {"exch2007": 1}, ("hosts takes a list of inventory names",)),
        ("nul", ["exch{{ v.nul }}"], ("one line of at most 255 printable characters",)),
        ("huge", ["{{ v.huge }}"], ("one line of at most 255 printable characters",)),
    ):
        add(f"hosts {label}", {"hosts": value}, *words)
    for label, value, words in (
        ("int", 5, ("ca must be",)),
        ("bool", True, ("ca must be",)),
        ("list of dicts", [{"thumbprint": "00" * 20}], ("list of root thumbprints, got a dict",)),
        ("not hex", "$(whoami)", ("ca:", "not hexadecimal")),
        ("nested", [["00" * 20]], ("list of root thumbprints, got a list",)),
    ):
        add(f"ca {label}", {"ca": value}, *words)
    for label, value, words in (
        ("list", ["exchange_um_tls"], (BAD_TYPE,)),
        ("empty", "", ("a variable name",)),
        ("injection", "{{ v.subexpression }}", ("a variable name",)),
        ("huge", "{{ v.huge }}", ("at most 255",)),
    ):
        add(f"tls_result {label}", {"tls_result": value}, *_validation("tls_result", *words))
    for option in ("min_days_left", "renew_before_days"):
        for index, value in enumerate((-1, 3651, "soon", True)):
            add(f"{option} {index}", {option: value}, *_validation(option, "whole number"))
    for label, value, words in (
        ("list", ["x"], (BAD_TYPE,)),
        ("dict", {"a": "b"}, (BAD_TYPE,)),
        ("huge", "{{ v.huge }}", ("at most 200",)),
        ("nul", "{{ v.nul }}", ("at most 200 printable",)),
        ("newline", "{{ v.newline }}", ("at most 200 printable",)),
    ):
        add(f"title {label}", {"title": value}, *_validation("title", *words))
    add("unknown option", {"bogus": 1}, "Unsupported parameters", "bogus")
    # Hostile text that is data: the report is written, every page shows it escaped.
    for label, args in (
        ("hostile title", {"title": HOSTILE_HTML}),
        ("hostile host name", {"hosts": [HOSTILE_HTML]}),
    ):
        cases.append(
            Case(
                f"report {label}",
                REPORT,
                {**REPORT_ARGS, **args, "dest": "{{ files.reports }}/" + label.replace(" ", "-")},
                status="changed",
                check=_escaped_report,
            )
        )
    return cases


HOSTILE_HTML = "<script>alert('x')</script><img src=x onerror=alert(1)> \u2018q\u2019 $(whoami) `n"


def _escaped_report(result: dict[str, Any]) -> None:
    """The hostile text is in every report file as data: escaped in the HTML, never a tag."""
    html = Path(result["files"]["html"]).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html, html[:2000]
    assert "&lt;script&gt;alert" in html, html[:2000]
    document = json.loads(Path(result["files"]["json"]).read_text(encoding="utf-8"))
    assert HOSTILE_HTML in json.dumps(document, ensure_ascii=False), document


# Typographic quotes, a subexpression, backticks: PowerShell would act on each inside a double-quoted string.
HOSTILE_FRIENDLY_NAME = "UM \u2018o'brien\u2019 \u201c$(Remove-Item C:\\ -Recurse)\u201d `n`$x \"; exit 0 #"


def reaching_cases() -> list[Case]:
    """Cases that do reach the hosts, read-only: the host must answer and change nothing."""
    return [
        Case("reach info for the fact", INFO, {}, status="ok"),
        Case(
            "reach trust hostile subject in check mode",
            TRUST,
            {"content": "{{ certs.hostile_subject_root }}", "use_facts": False},
            status="changed",
            keywords={"check_mode": True},
        ),
        Case(
            "reach trust with the shell options of a module_defaults group",
            TRUST,
            {"content": "{{ certs.hostile_subject_root }}", "use_facts": False},
            status="changed",
            keywords={
                "check_mode": True,
                "module_defaults": {
                    "group/exchange_um.certificates.host": {
                        "exchange_shell": "remote",
                        "exchange_shell_username": "CONTOSO\\admin",
                        "exchange_shell_password": "{{ secrets.pw_code }}",
                    }
                },
            },
        ),
        Case(
            "reach request hostile friendly name in check mode",
            REQUEST,
            {**REQUEST_ARGS, "friendly_name": HOSTILE_FRIENDLY_NAME, "use_facts": False},
            status="changed",
            keywords={"check_mode": True},
        ),
        Case(
            "reach binding a thumbprint the host lacks in check mode",
            BINDING,
            {"thumbprint": "AB" * 20},
            words=("AB" * 20,),
            keywords={"check_mode": True},
        ),
        Case(
            "reach info remote with a hostile credential",
            INFO,
            {
                "exchange_shell": "remote",
                "exchange_shell_username": "CONTOSO\\o'brien\u2019$(x)",
                "exchange_shell_password": "{{ secrets.pw_quotes }}",
            },
            any_words=("Check exchange_shell_username and exchange_shell_password", "needs Exchange 2010 or 2013"),
        ),
    ]


def _assert(condition: bool, result: dict[str, Any]) -> None:
    assert condition, result


# -- running it ----------------------------------------------------------------------------------------------------


def _task(case: Case) -> dict[str, Any]:
    args = {key: value for key, value in case.args.items() if value is not None}
    return {"name": case.name, case.module: args, "ignore_errors": True, **case.keywords}


def _play(ca: list[Case], refused: list[Case], reaching: list[Case]) -> list[dict[str, Any]]:
    counters = [
        {
            "name": f"counters {host}",
            "ansible.builtin.uri": {"url": "{{ control_url }}hosts/" + host, "return_content": True},
            "register": f"counters_{host}",
        }
        for host in HOSTS
    ]
    counters.append(
        {
            "name": "counters adcs",
            "ansible.builtin.uri": {"url": "{{ control_url }}adcs/requests", "return_content": True},
        }
    )
    everywhere = [_task(c) for c in refused if c.host is None]
    one_host = [
        {"name": f"host corpus {host}", "hosts": host, "gather_facts": False, "tasks": tasks}
        for host in HOSTS
        if (tasks := [_task(c) for c in refused if c.host == host])
    ]
    return [
        {"name": "ca_certificate corpus", "hosts": "localhost", "gather_facts": False, "tasks": [_task(c) for c in ca]},
        {"name": "host corpus", "hosts": "exchange_um", "gather_facts": False, "tasks": everywhere},
        *one_host,
        {"name": "counters", "hosts": "localhost", "gather_facts": False, "tasks": counters},
        {"name": "reaching", "hosts": "exchange_um", "gather_facts": False, "tasks": [_task(c) for c in reaching]},
    ]


def _files(directory: Path) -> dict[str, str]:
    """The special files the path and dest cases point at."""
    (directory / "dir").mkdir(parents=True)
    os.mkfifo(directory / "fifo")
    (directory / "link-to-dir").symlink_to(directory / "dir")
    (directory / "dangling").symlink_to(directory / "nowhere")
    (directory / "huge.pem").write_bytes(b"-" * (MB + 1))
    (directory / "garbage.pem").write_text("' $(x) \u2018y\u2019 not a certificate")
    (directory / "out").mkdir()
    (directory / "reports").mkdir()
    return {
        "directory": str(directory / "dir"),
        "fifo": str(directory / "fifo"),
        "link_to_directory": str(directory / "link-to-dir"),
        "dangling": str(directory / "dangling"),
        "huge": str(directory / "huge.pem"),
        "garbage": str(directory / "garbage.pem"),
        "out": str(directory / "out"),
        "reports": str(directory / "reports"),
    }


@dataclass
class CorpusRun:
    run: PlaybookRun
    cases: list[Case]
    secrets: list[str]
    before: dict[str, Any]
    after: dict[str, Any]
    adcs: tuple[Any, Any]  # the CA's requests (GET /adcs/requests) before and after the run
    workdir: Path
    lab_log: str


@pytest.fixture(scope="module")
def corpus(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    workdir = tmp_path_factory.mktemp("corpus")
    files = _files(workdir / "files")
    (workdir / "files" / "key.pem").write_text(corpus_certificates()["key_only"])
    files["key_only"] = str(workdir / "files" / "key.pem")
    info = lab.info["adcs"]
    url = urlsplit(info["url"])
    ca_cases_ = ca_cases() + probe_cases() + report_cases()
    refused, reaching = host_cases() + one_host_each(request_cases() + binding_cases()), reaching_cases()
    extra_vars = {
        "ca": {
            "url": info["url"],
            "https_url": info["https_url"],
            "host": url.hostname,
            "port": url.port,
            "username": info["username"],
            "password": info["password"],
            "thumbprint": info["ca_thumbprint"],
            "bundle": info["ca_bundle_path"],
            "chain": Path(info["ca_bundle_path"]).read_text(),
        },
        "control_url": lab.info["control_url"],
        "v": VALUES,
        "secrets": SECRETS,
        "certs": corpus_certificates(),
        "files": files,
    }
    names = [case.name for case in ca_cases_ + refused + reaching]
    assert len(names) == len(set(names)), sorted({name for name in names if names.count(name) > 1})
    play_file = workdir / "play.yml"
    # One argument per line, so that ansible-core 2.19+'s error excerpts of the play stay a few lines long.
    play_file.write_text(yaml.safe_dump(_play(ca_cases_, refused, reaching), allow_unicode=True, width=200))
    vars_file = workdir / "vars.json"
    vars_file.write_text(json.dumps(extra_vars))
    vars_file.chmod(0o600)
    before = {host: lab.dump(host) for host in HOSTS}
    adcs_before = lab.get("adcs/requests")
    runner = PlaybookRunner(lab, workdir)
    results_file = workdir / "results.json"
    (workdir / "ansible.cfg").touch()
    command = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-vvvv",
        "-i",
        str(lab.inventory),
        "-e",
        f"@{vars_file}",
        str(play_file),
    ]
    done = subprocess.run(
        command,
        cwd=workdir,
        env=runner.environment(results_file),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    run = PlaybookRun(rc=done.returncode, stdout=done.stdout, stderr=done.stderr, results=results)
    (workdir / "stdout.txt").write_text(done.stdout + done.stderr)
    after = {host: lab.dump(host) for host in HOSTS}
    adcs_after = lab.get("adcs/requests")
    secrets = [info["password"], lab.info["winrm"]["password"], *SECRETS.values()]
    return CorpusRun(
        run=run,
        cases=ca_cases_ + refused + reaching,
        secrets=secrets,
        before=before,
        after=after,
        adcs=(adcs_before, adcs_after),
        workdir=workdir,
        lab_log=(lab.state_dir / "lab.log").read_text(errors="replace"),
    )


def _hosts_of(case: Case) -> tuple[str, ...]:
    if case.host is not None:
        return (case.host,)
    return ("localhost",) if case.module in CONTROLLER_MODULES else HOSTS


def _check(case: Case, host: str, result: dict[str, Any]) -> None:
    message = str(result.get("msg") or "")
    expected = {"failed": ("failed",), "ok": ("ok",), "changed": ("changed",)}[case.status]
    if (
        case.name.startswith("reach")
        and case.module == TRUST
        and "module_defaults" in case.keywords
        and host == "exch2007"
    ):
        # The group's exchange_shell: remote is validated as everywhere: 2007 SP1 has no remote shell.
        expected = ("failed",)
        assert "needs Exchange 2010 or 2013" in message, message
    if case.name == "reach info remote with a hostile credential" and host == "exch2007":
        expected = ("failed",)  # 2007 SP1 has no remote shell: refused on the controller
    assert result["_status"] in expected, (host, message)
    assert not message.startswith("Task failed"), message
    for text in (
        "Traceback",
        "Unexpected failure during module execution",
        "NoneType",
        "object has no attribute",
        "stopped on an unexpected",
    ):
        assert text not in message, message
    # ansible-core 2.19+ marks every failed result so; a real traceback would be text of its own.
    assert result.get("exception") in (None, "(traceback unavailable)"), result.get("exception")
    assert len(message) < 2000
    for word in case.words:
        assert word in message, (host, word, message)
    if case.any_words:
        assert any(word in message for word in case.any_words), (host, case.any_words, message)
    if case.check is not None:
        case.check(result)


def test_every_case_ends_as_it_should(corpus: CorpusRun) -> None:
    failures = []
    for case in corpus.cases:
        for host in _hosts_of(case):
            try:
                _check(case, host, corpus.run.task(host, case.name))
            except (AssertionError, KeyError) as error:
                failures.append(f"{case.name} on {host}: {error}"[:600])
    assert not failures, "\n".join(failures)


def test_the_run_completed(corpus: CorpusRun) -> None:
    assert corpus.run.rc == 0, corpus.run.stdout[-3000:] + corpus.run.stderr[-3000:]


def test_no_exception_text_in_the_output(corpus: CorpusRun) -> None:
    output = corpus.run.stdout + corpus.run.stderr
    for text in ("Traceback (most recent call last)", "The full traceback is", "Unexpected failure during module"):
        assert text not in output
    # ansible-core 2.19+ shows a returned failure as "Task failed: Action failed: <msg>"; "Task failed: <msg>" alone is
    # how it shows an exception that escaped the action.
    for line in output.splitlines():
        if "Task failed: " in line:
            assert "Task failed: Action failed: " in line, line


def test_no_secret_anywhere(corpus: CorpusRun) -> None:
    output = corpus.run.stdout + corpus.run.stderr
    recorded = json.dumps(corpus.run.results)
    for secret in corpus.secrets:
        for text, where in ((output, "-vvvv output"), (recorded, "results"), (corpus.lab_log, "lab.log")):
            assert secret not in text, f"a secret ({len(secret)} characters) is in the {where}"
            assert json.dumps(secret)[1:-1] not in text, f"a secret ({len(secret)} characters, escaped) in {where}"


def test_the_refusals_sent_no_winrm_command_and_no_host_changed(corpus: CorpusRun) -> None:
    """The refused cases, read back from the lab in the middle of the run: no command, the state exactly as before."""
    for host in HOSTS:
        during = json.loads(corpus.run.task("localhost", f"counters {host}")["content"])
        assert during["counters"]["commands"] == corpus.before[host]["counters"]["commands"], host
        assert during["state"] == corpus.before[host]["state"], host


def test_the_read_only_cases_changed_nothing_that_matters(corpus: CorpusRun) -> None:
    """After the cases that reach the hosts: stores, registry, services and files as before, no file left behind."""
    for host in HOSTS:
        before, after = dict(corpus.before[host]["state"]), dict(corpus.after[host]["state"])
        assert after == before, host
        assert corpus.after[host]["counters"]["commands"] > corpus.before[host]["counters"]["commands"], host


def test_the_refusals_sent_no_adcs_request(corpus: CorpusRun) -> None:
    """certificate_request's refused cases (and its check-mode cases) asked AD CS for nothing."""
    during = json.loads(corpus.run.task("localhost", "counters adcs")["content"])
    assert during == corpus.adcs[0]
    assert corpus.adcs[1] == corpus.adcs[0]


def test_no_key_material_in_the_new_modules_results(corpus: CorpusRun) -> None:
    """certificate_request, service_binding, tls_probe and fleet_report return no private key and no PFX."""
    for case in corpus.cases:
        if case.module not in NEW_MODULES:
            continue
        for host in _hosts_of(case):
            text = json.dumps(corpus.run.task(host, case.name))
            for marker in ("PRIVATE KEY", "pfx_base64", "MIIK", "MIIJ"):
                assert marker not in text, (case.name, host, marker)


def test_no_file_was_written_for_a_refused_dest(corpus: CorpusRun) -> None:
    written = [path.name for path in corpus.workdir.rglob("*") if "[" in path.name or "{" in path.name]
    assert written == []
    assert list((corpus.workdir / "files" / "out").iterdir()) == []
    assert list((corpus.workdir / "files" / "dir").iterdir()) == []
