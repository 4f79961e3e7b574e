"""The translation layer's helpers: scrubbing secrets out of any result shape, and finding the connection's password."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._action import (
    MASK,
    connection_secrets,
    error_result,
    no_log_values,
    scrub,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import OptionError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import CertsrvInsecureTransport
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import HostFactError

SECRET = "S3cret-value"


def test_scrub_reaches_every_shape() -> None:
    result = {
        "msg": f"a {SECRET} b",
        "warnings": (f"w {SECRET}",),
        "nested": [{"k": {SECRET}}, b"bytes " + SECRET.encode()],
        "number": 5,
        "none": None,
    }
    cleaned = scrub(result, {SECRET, ""})
    assert SECRET not in repr(cleaned)
    assert set(cleaned) == set(result)
    assert cleaned["msg"] == f"a {MASK} b" and cleaned["warnings"] == [f"w {MASK}"]
    assert cleaned["nested"] == [{"k": [MASK]}, f"bytes {MASK}"]
    assert cleaned["number"] == 5 and cleaned["none"] is None


def test_scrub_keeps_the_result_keys_whatever_the_secret() -> None:
    """A one-letter password must not turn "failed" into something ansible does not read."""
    cleaned = scrub({"failed": True, "msg": "a task failed", "changed": False}, {"a"})
    assert cleaned == {"failed": True, "msg": f"{MASK} t{MASK}sk f{MASK}iled", "changed": False}


def test_scrub_masks_the_longest_secret_first() -> None:
    assert scrub("abc-abcdef", {"abc", "abcdef"}) == f"{MASK}-{MASK}"


def test_no_log_values_by_name_and_alias() -> None:
    spec = {"password": {"no_log": True, "aliases": ["pw"]}, "username": {}}
    assert no_log_values(spec, {"pw": ["a", {"x": "b"}], "username": "u"}, {"password": "c"}) == {"a", "b", "c"}


class _Connection:
    def __init__(self, options: dict[str, str]) -> None:
        self.options = options

    def get_option(self, name: str) -> str:
        if name not in self.options:
            raise AnsibleError(f"Requested entry ({name}) was not defined in configuration.")
        return self.options[name]


def test_connection_secrets_from_the_inventory_the_play_context_and_the_plugin() -> None:
    found = connection_secrets(
        _Connection({"remote_password": "resolved"}),
        SimpleNamespace(password="from-play-context", become_pass=None),
        {"ansible_winrm_password": "from-inventory", "ansible_psrp_pass": ["listed"], "ansible_user": "not-secret"},
    )
    assert found == {"resolved", "from-play-context", "from-inventory", "listed"}
    assert connection_secrets(object(), object(), {}) == set()


@pytest.mark.parametrize(
    ("error", "start", "advice"),
    [
        (OptionError("x is bad", options=("x",)), "x is bad.", "Correct the task's options."),
        (OptionError("x is bad", options=("x",), advice="Fix the inventory."), "x is bad.", "Fix the inventory."),
        (CertsrvInsecureTransport("basic over http"), "basic over http.", "No request was sent to the CA."),
        (HostFactError(".fqdn", "is odd"), "the fact ansible_facts.exchange_um_host.fqdn is odd.", "use_facts: false"),
    ],
)
def test_error_result_advice(error: Exception, start: str, advice: str) -> None:
    result = error_result(error)
    assert result is not None and result["failed"] is True
    assert result["msg"].startswith(start) and advice in result["msg"]


def test_error_result_leaves_the_unforeseen_to_the_catch_all() -> None:
    assert error_result(ZeroDivisionError("x")) is None


def test_a_duplicated_extension_is_a_malformed_certificate() -> None:
    from cryptography import x509

    error = x509.DuplicateExtension("Duplicate 2.5.29.19 extension found", x509.ObjectIdentifier("2.5.29.19"))
    result = error_result(error)
    assert result is not None and result["failed"] is True
    assert result["msg"].startswith("Duplicate 2.5.29.19 extension found.") and "RFC 5280 4.2" in result["msg"]
