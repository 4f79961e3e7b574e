"""The argument types every action validates with: what each takes, what it refuses, and that a refusal is short."""

from __future__ import annotations

import os
from typing import Any

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _argspec as argspec
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import (
    OptionError,
    account,
    bounded_int,
    certificate_source,
    certsrv_argument_spec,
    certsrv_unused_options,
    certsrv_url,
    choice,
    file_path,
    flag,
    pem_text,
    read_input_file,
    secret,
    shown,
    thumbprint,
    thumbprint_list,
)

SHA1 = "A909502DD82AE41433E6F83886B00D4277A32A7B"
MB = 1024 * 1024
INJECTIONS = ["a'b", "\u2018x\u2019", "\u201ax\u201b", "$(Remove-Item C:\\)", "`n`0", '"; exit 0 #']

ACCEPTED: list[tuple[Any, object, object]] = [
    (account, "CONTOSO\\enroll", "CONTOSO\\enroll"),
    (account, 12345, "12345"),
    (account, "o\u2019brien@contoso.lab", "o\u2019brien@contoso.lab"),
    (secret, "pw with spaces and 'quotes' $(x) `n", "pw with spaces and 'quotes' $(x) `n"),
    (secret, "line1\nline2", "line1\nline2"),
    (secret, 123456, "123456"),
    (pem_text, "-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----"),
    (file_path, "~/x.pem", os.path.expanduser("~/x.pem")),
    (file_path, "files/ca \u00e9.pem", "files/ca \u00e9.pem"),
    (flag, "yes", True),
    (flag, "off", False),
    (flag, 1, True),
    (bounded_int(1, 3600), "30", 30),
    (bounded_int(1, 3600), 30.0, 30),
    (bounded_int(0, 10), 0, 0),
    (choice("ntlm", "basic"), "basic", "basic"),
    (thumbprint, "a9 09 50 2d d8 2a e4 14 33 e6 f8 38 86 b0 0d 42 77 a3 2a 7b", SHA1),
    (thumbprint_list, SHA1, [SHA1]),
    (thumbprint_list, f"{SHA1},{SHA1.lower()}", [SHA1, SHA1]),
    (certsrv_url, " https://[::1]:8443/certsrv ", "https://[::1]:8443/certsrv"),
    (certificate_source, {"changed": False, "chain": [{"pem": "x", "role": "root"}]}, None),
]


@pytest.mark.parametrize(("check", "value", "expected"), ACCEPTED)
def test_accepted(check: Any, value: object, expected: object) -> None:
    assert check(value) == (value if expected is None else expected)


REFUSED: list[tuple[Any, object, str]] = [
    (account, "a\x00b", "control characters"),
    (account, "a\nb", "control characters"),
    (account, "a" * MB, "at most 1024 characters, got 1048576"),
    (account, ["a"], "must be a string, got a list of 1 items"),
    (account, True, "must be a string, got True"),
    (secret, "a\x00b", "NUL"),
    (secret, "p" * MB, "at most 1024 characters"),
    (secret, {"a": 1}, "a password must be a string, got a dict"),
    (secret, False, "a password must be a string"),
    (pem_text, "x" * (MB + 1), "at most 1048576 characters"),
    (pem_text, "\x00", "NUL"),
    (pem_text, 5, "must be a string"),
    (file_path, ["a", "b"], "must be a string, got a list of 2 items"),
    (file_path, "", "must not be empty"),
    (file_path, "   ", "must not be empty"),
    (file_path, "a\x00b", "NUL"),
    (file_path, "/" + "d/" * 2100, "at most 4096 bytes"),
    (file_path, "x" * 256, "at most 255 bytes"),
    (file_path, 42, "must be a string, got 42"),
    (flag, "maybe", "expected true or false, got 'maybe'"),
    (flag, "y" * MB, "got a 1048576-character string"),
    (flag, [True], "got a list of 1 items"),
    (bounded_int(1, 3600), "1e30", "from 1 to 3600, got '1e30'"),
    (bounded_int(1, 3600), 1e30, "from 1 to 3600, got 1e+30"),
    (bounded_int(1, 3600), 10**30, "from 1 to 3600, got 1000000000000000000000000000000"),
    (bounded_int(1, 3600), True, "got True"),
    (bounded_int(1, 3600), 0, "got 0"),
    (bounded_int(1, 3600), -5, "got -5"),
    (bounded_int(1, 3600), 2.5, "got 2.5"),
    (bounded_int(1, 3600), "9" * 5000, "got a 5000-character string"),
    (bounded_int(1, 3600), None, "got a value of type NoneType"),
    (choice("ntlm", "basic"), "digest", "expected one of ntlm, basic, got 'digest'"),
    (choice("ntlm", "basic"), "NTLM", "got 'NTLM'"),
    (choice("ntlm", "basic"), "ntlm\n", "got a 5-character string"),
    (choice("ntlm", "basic"), "n" * MB, "got a 1048576-character string"),
    (choice("ntlm", "basic"), ["ntlm"], "got a list of 1 items"),
    (thumbprint, "zz" * 20, "hexadecimal"),
    (thumbprint, "a" * MB, "got a 1048576-character string"),
    (thumbprint, 5, "got 5"),
    (thumbprint_list, [SHA1] * 33, "at most 32 thumbprints"),
    (thumbprint_list, {"a": SHA1}, "got a dict of 1 items"),
    (certsrv_url, "http://ca:99999/secret/certsrv", "'99999', is not a number from 1 to 65535"),
    (certsrv_url, ["http://ca"], "must be a string"),
    (certificate_source, 5, "certificates takes PEM text"),
    (certificate_source, [b"bytes"], "certificates takes PEM text"),
    (certificate_source, "\x00", "NUL"),
]


@pytest.mark.parametrize(("check", "value", "words"), REFUSED)
def test_refused_with_a_short_message(check: Any, value: object, words: str) -> None:
    with pytest.raises((TypeError, ValueError)) as caught:
        check(value)
    assert words in str(caught.value)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_strings_are_plain_values(value: str) -> None:
    """Quotes, subexpressions and backticks mean nothing to the types: they are data all the way to the host."""
    assert account(value) == value and secret(value) == value and pem_text(value) == value


def test_a_password_is_never_shown() -> None:
    for value in ("x" * 2000, "a\x00Hidden-Pw"):
        with pytest.raises(ValueError) as caught:
            secret(value)
        assert "Hidden-Pw" not in str(caught.value) and "xxxx" not in str(caught.value)


def test_shown() -> None:
    assert shown("ntlm") == "'ntlm'"
    assert shown("a\nb") == "a 3-character string"
    assert shown(None) == "a value of type NoneType"
    assert shown([1, 2]) == "a list of 2 items"


def test_the_spec_reads_as_ansible_validates_it() -> None:
    """Through ansible-core's own validator, as validate_argument_spec runs it; a list for a path is refused."""
    spec = certsrv_argument_spec()
    validator = ArgumentSpecValidator(spec["argument_spec"], required_by=spec["required_by"])
    good = validator.validate({"ca_url": "https://ca/certsrv", "timeout": "45", "validate_certs": "no"})
    assert not good.error_messages
    assert good.validated_parameters["timeout"] == 45 and good.validated_parameters["validate_certs"] is False
    bad = validator.validate({"ca_path": ["a", "b"], "timeout": True, "password": "a\x00b"})
    messages = " | ".join(bad.error_messages)
    assert "'ca_path'" in messages and "list of 2 items" in messages
    assert "'timeout'" in messages and "got True" in messages
    assert "'password'" in messages and "a\x00b" not in messages


@pytest.mark.parametrize(
    ("params", "unused"),
    [
        ({"auth": "ntlm", "ca_url": "https://ca/", "validate_certs": True}, {"allow_insecure_basic"}),
        ({"auth": "basic", "ca_url": "https://ca/", "validate_certs": True}, {"allow_insecure_basic"}),
        ({"auth": "basic", "ca_url": "http://ca/", "validate_certs": True}, set()),
        ({"auth": "basic", "ca_url": "https://ca/", "validate_certs": False}, set()),
        (
            {"auth": "none", "ca_url": "https://ca/", "validate_certs": False},
            {"username", "password", "allow_insecure_basic"},
        ),
        (
            {"auth": "certificate", "ca_url": "https://ca/", "validate_certs": True},
            {"username", "password", "allow_insecure_basic"},
        ),
    ],
)
def test_certsrv_unused_options(params: dict[str, Any], unused: set[str]) -> None:
    assert set(certsrv_unused_options(params)) == unused


@pytest.mark.parametrize(
    ("kind", "words"),
    [("missing", "does not exist"), ("directory", "is a directory"), ("fifo", "is a FIFO"), ("big", "larger than 10")],
)
def test_read_input_file_refuses_what_is_not_a_small_regular_file(tmp_path, kind: str, words: str) -> None:
    path = tmp_path / "f"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "big":
        path.write_bytes(b"x" * 11)
    with pytest.raises(OptionError, match=words) as caught:
        read_input_file(str(path), option="path", limit=10)
    assert caught.value.options == ("path",)


def test_read_input_file_reads_a_regular_file(tmp_path) -> None:
    (tmp_path / "f").write_bytes(b"0123456789")
    assert read_input_file(str(tmp_path / "f"), option="path", limit=10) == b"0123456789"


def test_option_error_advice() -> None:
    assert OptionError("x", options=("a",)).advice is None
    assert argspec.OptionError("x", options=("a",), advice="Do y.").advice == "Do y."
