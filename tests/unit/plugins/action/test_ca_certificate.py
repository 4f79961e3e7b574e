"""The ca_certificate action through ExumActionBase.run(), with the certsrv client replaced by a recorder.

The connection is a recorder too: the action runs on the controller and must never touch it.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible_collections.exchange_um.certificates.plugins.action.ca_certificate import ActionModule
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _action, _ca_certificate
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import OptionError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import (
    CertsrvAuthenticationError,
    CertsrvConfigurationError,
    CertsrvConnectionError,
    CertsrvDenied,
    CertsrvDependencyError,
    CertsrvPending,
    CertsrvUnexpectedPage,
    RenewalInfo,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import (
    HostOperationError,
    HostUnreachable,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import (
    CertificateError,
    fingerprint_sha256,
    thumbprint,
    to_pem,
)
from cryptography import x509

from tests.unit.certs import ec_key, make_cert

PASSWORD = "Pa55-w0rd-that-must-not-leak"
RESULT_KEYS = {
    "certificate",
    "thumbprint",
    "fingerprint_sha256",
    "subject",
    "issuer",
    "not_before",
    "not_after",
    "renewal",
    "renewal_found",
    "chain",
    "root",
    "changed",
    "dest",
}


@pytest.fixture(scope="module")
def chain() -> SimpleNamespace:
    root = make_cert("Lab Root", key=ec_key(), ca=True, dc=())
    issuing = make_cert("Lab Issuing CA", key=ec_key(), issuer=root, ca=True, dc=())
    leaf = make_cert("exch2010.contoso.lab", key=ec_key(), issuer=issuing, dc=())
    return SimpleNamespace(root=root.cert, issuing=issuing.cert, leaf=leaf.cert)


class RecordingClient:
    calls: list[tuple[Any, ...]] = []
    served: tuple[x509.Certificate | None, list[x509.Certificate]] = (None, [])
    failure: Exception | None = None
    warnings: tuple[str, ...] = ()

    def __init__(self, **options: Any) -> None:
        self.calls.append(("init", options))
        self.is_https = options["url"].startswith("https:")

    def __enter__(self) -> RecordingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def current_renewal(self) -> RenewalInfo:
        self.calls.append(("current_renewal",))
        if self.failure is not None:
            raise self.failure
        return RenewalInfo(index=2, found=True)

    def ca_certificate(self, renewal: int) -> x509.Certificate:
        self.calls.append(("ca_certificate", renewal))
        return self.served[0]

    def ca_chain(self, renewal: int) -> list[x509.Certificate]:
        self.calls.append(("ca_chain", renewal))
        return self.served[1]


class RecordingConnection:
    """Records any use beyond the shell's tmpdir, which ActionBase.run() reads, and the password options, which the
    translation layer reads to keep the connection's password out of the result."""

    password = "Winrm-Pa55-that-must-not-leak"

    def __init__(self) -> None:
        self._shell = SimpleNamespace(tmpdir=None)
        self.used: list[str] = []

    def get_option(self, name: str) -> str:
        if name not in ("remote_password", "password"):
            self.used.append(f"get_option({name})")
        return self.password

    def __getattr__(self, name: str) -> Any:
        self.used.append(name)
        raise AttributeError(name)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch, chain: SimpleNamespace) -> type[RecordingClient]:
    monkeypatch.setattr(RecordingClient, "calls", [])
    monkeypatch.setattr(RecordingClient, "failure", None)
    monkeypatch.setattr(RecordingClient, "served", (chain.issuing, [chain.root, chain.issuing]))
    monkeypatch.setattr(_ca_certificate, "CertsrvClient", RecordingClient)
    return RecordingClient


def run_action(
    args: dict[str, Any],
    basedir: Path,
    *,
    check: bool = False,
    diff: bool = False,
    module_defaults: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    task = SimpleNamespace(
        args=args,
        check_mode=check,
        diff=diff,
        async_val=0,
        action="ca_certificate",
        module_defaults=module_defaults or [],
    )
    loader = DataLoader()
    loader.set_basedir(str(basedir))
    connection = RecordingConnection()
    action = ActionModule(task, connection, SimpleNamespace(), loader=loader, templar=None, shared_loader_obj=None)
    action._load_name = "exchange_um.certificates.ca_certificate"
    result = action.run(task_vars={})
    assert connection.used == [], "ca_certificate must not use the host connection"
    for secret in (PASSWORD, RecordingConnection.password):
        assert secret not in json.dumps(result, default=str)
    assert set(result) >= RESULT_KEYS
    return result


def http_args(**extra: Any) -> dict[str, Any]:
    return {"ca_url": "http://ca.contoso.lab/certsrv", "username": "CONTOSO\\enroll", "password": PASSWORD, **extra}


def odd(pin: str) -> str:
    """A pin as people paste it: lower case, pairs split by spaces or colons, the dialog's invisible U+200E first."""
    pairs = [pin[i : i + 2].lower() for i in range(0, len(pin), 2)]
    return "\u200e" + " ".join(pairs[: len(pairs) // 2]) + " " + ":".join(pairs[len(pairs) // 2 :])


@pytest.mark.parametrize("kind", ["sha1", "sha256"])
@pytest.mark.parametrize("which", ["issuing", "root"])
def test_pin_in_any_format(
    client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path, kind: str, which: str
) -> None:
    cert = getattr(chain, which)
    pin = thumbprint(cert) if kind == "sha1" else fingerprint_sha256(cert)
    result = run_action(http_args(expected_thumbprint=odd(pin)), tmp_path)
    assert not result.get("failed"), result
    assert result["thumbprint"] == thumbprint(chain.issuing)
    assert result["certificate"] == to_pem(chain.issuing)
    assert [c["role"] for c in result["chain"]] == ["intermediate", "root"]
    assert result["renewal"] == 2 and result["changed"] is False


def test_client_options_from_the_shared_spec(
    client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path
) -> None:
    args = {
        "url": "https://ca.contoso.lab/",
        "auth": "basic",
        "username": "enroll",
        "password": PASSWORD,
        "ca_path": "bundle.pem",
        "timeout": 5,
        "retries": 0,
        "renewal": "1",
    }
    result = run_action(args, tmp_path)
    assert not result.get("failed"), result
    assert client.calls[0] == (
        "init",
        {
            "url": "https://ca.contoso.lab/",
            "auth": "basic",
            "username": "enroll",
            "password": PASSWORD,
            "validate_certs": True,
            "allow_insecure_basic": False,
            "ca_path": "bundle.pem",
            "client_cert": None,
            "client_key": None,
            "timeout": 5,
            "retries": 0,
        },
    )
    assert client.calls[1:] == [("ca_certificate", 1), ("ca_chain", 1)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param({"content": "x", "path": "y"}, ["mutually exclusive", "content", "path"], id="two-sources"),
        pytest.param({}, ["one of the following is required", "ca_url"], id="no-source"),
        pytest.param(http_args(expected_thumbprint="12:34"), ["expected_thumbprint", "40"], id="short-pin"),
        pytest.param(
            http_args(expected_thumbprint=["zz" * 20]), ["expected_thumbprint", "hexadecimal"], id="non-hex-pin"
        ),
        pytest.param(http_args(auth="digest"), ["auth", "ntlm, basic"], id="bad-auth"),
        pytest.param(http_args(renewal="latest"), ["renewal", "current"], id="bad-renewal"),
        pytest.param(http_args(bogus=1), ["Unsupported parameters", "bogus"], id="unknown-option"),
        pytest.param({"ca_url": "http://ca/certsrv", "username": "u"}, ["username and password"], id="no-password"),
        pytest.param({"ca_url": "http://ca/certsrv", "auth": "certificate"}, ["client_cert"], id="no-client-cert"),
        pytest.param(http_args(client_key="k.pem"), ["client_cert"], id="key-without-cert"),
        pytest.param(http_args(timeout=0), ["timeout"], id="zero-timeout"),
        pytest.param(http_args(mode="u=rwx,g=rs", dest="ca.pem"), ["mode", "setuid"], id="setgid-mode"),
        pytest.param(http_args(mode="7777", dest="ca.pem"), ["mode", "setuid"], id="mode-7777"),
    ],
)
def test_argument_errors(client: type[RecordingClient], tmp_path: Path, args: dict[str, Any], words: list[str]) -> None:
    result = run_action(args, tmp_path)
    assert result["failed"] is True and result["changed"] is False
    for word in words:
        assert word in result["msg"]
    assert "Traceback" not in result["msg"] and "exception" not in result
    assert not any(call[0] in ("ca_certificate", "current_renewal") for call in client.calls)


def test_pin_mismatch_names_both_and_keeps_dest(
    client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path
) -> None:
    wrong = fingerprint_sha256(chain.leaf)
    result = run_action(http_args(expected_thumbprint=[wrong], dest="ca.pem"), tmp_path)
    assert result["failed"] is True
    assert wrong in result["msg"] and thumbprint(chain.issuing) in result["msg"]
    assert result["certificate"] is None and result["chain"] == [] and result["dest"] is None
    assert not (tmp_path / "ca.pem").exists()


def test_unpinned_http_refused_then_allowed(client: type[RecordingClient], tmp_path: Path) -> None:
    refused = run_action(http_args(dest="ca.pem"), tmp_path)
    assert refused["failed"] is True
    assert "expected_thumbprint" in refused["msg"] and "allow_unpinned_http" in refused["msg"]
    assert not (tmp_path / "ca.pem").exists()
    allowed = run_action(http_args(dest="ca.pem", allow_unpinned_http=True), tmp_path)
    assert not allowed.get("failed") and allowed["changed"] is True
    assert allowed["dest"] == str(tmp_path / "ca.pem")
    assert any("allow_unpinned_http" in warning for warning in allowed["warnings"])


def test_secrets_scrubbed_from_messages(client: type[RecordingClient], tmp_path: Path) -> None:
    # The connection's password pasted into a path ends up in the message, which must still not show it.
    result = run_action({"path": f"files/{RecordingConnection.password}.pem"}, tmp_path)
    assert result["failed"] is True and "files/********.pem does not exist" in result["msg"]


def test_a_password_in_a_malformed_url_is_never_shown(client: type[RecordingClient], tmp_path: Path) -> None:
    result = run_action(http_args(ca_url=f"http://ca.contoso.lab:99999/{PASSWORD}/certsrv"), tmp_path)
    assert result["failed"] is True and "ca_url" in result["msg"] and "'99999'" in result["msg"]
    assert client.calls == []


def _default_group(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"group/exchange_um.certificates.certsrv": values}]


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        pytest.param({"path": "x.pem", "username": "u"}, ["username (it applies to a ca_url download"], id="path+user"),
        pytest.param(
            {"content": "x", "renewal": 1}, ["renewal (it applies to a ca_url download"], id="content+renewal"
        ),
        pytest.param(http_args(auth="none"), ["username (auth=none", "password (auth=none"], id="none+credentials"),
        pytest.param(http_args(allow_insecure_basic=True), ["allow_insecure_basic (it applies only"], id="ntlm+allow"),
        pytest.param(http_args(mode="0600"), ["mode (it is the mode of dest"], id="mode-no-dest"),
        pytest.param(
            http_args(expected_thumbprint="00" * 20, allow_unpinned_http=True),
            ["allow_unpinned_http (expected_thumbprint authenticates"],
            id="pin+allow",
        ),
    ],
)
def test_options_that_cannot_apply_are_refused(
    client: type[RecordingClient], tmp_path: Path, args: dict[str, Any], refused: list[str]
) -> None:
    result = run_action(args, tmp_path)
    assert result["failed"] is True and "not apply to the task" in result["msg"], result["msg"]
    for words in refused:
        assert words in result["msg"]
    assert client.calls == []


def test_values_left_at_the_default_or_from_module_defaults_are_not_refused(
    client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path
) -> None:
    content = to_pem(chain.issuing) + to_pem(chain.root)
    assert not run_action({"content": content, "validate_certs": True, "chain": True}, tmp_path).get("failed")
    # ca_path and validate_certs are taken with any ca_url: playbooks pass them for whatever URL the inventory has.
    assert not run_action(http_args(ca_path="b.pem", expected_thumbprint=thumbprint(chain.root)), tmp_path).get(
        "failed"
    )
    defaults = _default_group({"ca_url": "https://ca/", "username": "u", "password": PASSWORD})
    given = {"content": content, "username": "u", "password": PASSWORD}
    assert not run_action(given, tmp_path, module_defaults=defaults).get("failed")
    assert run_action(given, tmp_path, module_defaults=_default_group({"timeout": 5}))["failed"] is True


def test_check_mode_and_diff(client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path) -> None:
    args = {"content": to_pem(chain.issuing) + to_pem(chain.root), "dest": "out/chain.pem", "chain": True}
    (tmp_path / "out").mkdir()
    checked = run_action(args, tmp_path, check=True, diff=True)
    assert checked["changed"] is True and not (tmp_path / "out" / "chain.pem").exists()
    assert checked["diff"]["after"] == to_pem(chain.issuing) + to_pem(chain.root)
    written = run_action(args, tmp_path)
    assert written["changed"] is True and "diff" not in written
    again = run_action(args, tmp_path, diff=True)
    assert again["changed"] is False and again["diff"]["before"] == again["diff"]["after"]
    assert client.calls == []


def test_path_relative_to_the_playbook(client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "root.pem").write_text(to_pem(chain.root))
    result = run_action({"path": "files/root.pem"}, tmp_path)
    assert result["thumbprint"] == result["root"]["thumbprint"] == thumbprint(chain.root)


def test_non_ca_refused(client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path) -> None:
    result = run_action({"content": to_pem(chain.leaf) + to_pem(chain.issuing) + to_pem(chain.root)}, tmp_path)
    assert result["failed"] is True and "not a CA certificate" in result["msg"]


URL = "https://ca.contoso.lab/certsrv/"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(
            CertificateError("bad chain", reason="incomplete_chain"),
            {"failed": True, "msg": "bad chain. Check the certificate source"},
            id="certificate",
        ),
        pytest.param(
            HostUnreachable("winrm timed out", operation="exchange_info"),
            {"unreachable": True, "msg": "winrm timed out"},
            id="unreachable",
        ),
        pytest.param(
            HostOperationError("Access is denied", operation="root_trust", fqid="UnauthorizedAccess"),
            {"failed": True, "msg": "root_trust failed on the host: Access is denied [UnauthorizedAccess]. Check"},
            id="host-operation",
        ),
        pytest.param(
            OptionError("auth=basic needs both", options=("auth",)),
            {"failed": True, "msg": "auth=basic needs both. Correct the task's options."},
            id="option",
        ),
        pytest.param(
            CertsrvAuthenticationError("refused (HTTP 401)", url=URL, status=401, offered=("NTLM",), auth="ntlm"),
            {"failed": True, "msg": "refused (HTTP 401). Check username, password and auth"},
            id="certsrv-401",
        ),
        pytest.param(
            CertsrvConnectionError("cannot reach", url=URL, reason="refused", attempts=4),
            {"failed": True, "msg": "cannot reach. Check ca_url"},
            id="certsrv-connection",
        ),
        pytest.param(
            CertsrvPending("request 7 is pending.", url=URL, request_id=7),
            {"failed": True, "msg": "request 7 is pending. The CA holds the request"},
            id="certsrv-pending",
        ),
        pytest.param(
            CertsrvDenied("denied 0x80094800", url=URL, request_id=8, disposition_message="x", code="0x80094800"),
            {"failed": True, "msg": "denied 0x80094800. The CA refused the request"},
            id="certsrv-denied",
        ),
        pytest.param(
            CertsrvDependencyError("Kerberos needs requests-kerberos", package="requests-kerberos"),
            {"failed": True, "msg": "Kerberos needs requests-kerberos. Install the missing package"},
            id="certsrv-dependency",
        ),
        pytest.param(
            CertsrvConfigurationError("ca_url must be http or https", url=None),
            {"failed": True, "msg": "ca_url must be http or https. Correct the certsrv options"},
            id="certsrv-configuration",
        ),
        pytest.param(
            CertsrvUnexpectedPage("HTTP 404 Not Found", url=URL, status=404),
            {"failed": True, "msg": "HTTP 404 Not Found. Check that ca_url points at the /certsrv"},
            id="certsrv-page",
        ),
    ],
)
def test_error_translation(error: Exception, expected: dict[str, Any]) -> None:
    result = _action.error_result(error)
    assert result is not None
    for key, value in expected.items():
        if key == "msg":
            assert result["msg"].startswith(value)
        else:
            assert result[key] == value
    assert result["changed"] is False


def test_unexpected_errors_become_a_short_message(client: type[RecordingClient], tmp_path: Path) -> None:
    RecordingClient.failure = ZeroDivisionError(f"a bug near {PASSWORD} and {RecordingConnection.password}")
    result = run_action(http_args(**{"expected_thumbprint": "00" * 20}), tmp_path)
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith(
        "exchange_um.certificates.ca_certificate stopped on an unexpected ZeroDivisionError"
    )
    assert "defect of the collection" in result["msg"] and "********" in result["msg"]
    assert "Traceback" not in result["msg"] and "exception" not in result


def test_transport_warnings_are_returned_on_success_and_on_failure(
    client: type[RecordingClient], chain: SimpleNamespace, tmp_path: Path
) -> None:
    pinned = http_args(expected_thumbprint=thumbprint(chain.root))
    ok = run_action(pinned, tmp_path)
    assert not ok.get("failed") and [w for w in ok["warnings"] if "relay" in w] == ok["warnings"] != []
    RecordingClient.failure = CertsrvAuthenticationError("refused", url=URL, status=401, offered=(), auth="ntlm")
    failed = run_action(pinned, tmp_path)
    assert failed["failed"] is True and any("relay" in w for w in failed["warnings"])
    insecure = run_action(http_args(auth="basic", allow_insecure_basic=True, expected_thumbprint="00" * 20), tmp_path)
    assert any("allow_insecure_basic is true" in w for w in insecure["warnings"])


def test_basic_over_http_is_refused_before_the_client_exists(client: type[RecordingClient], tmp_path: Path) -> None:
    result = run_action(http_args(auth="basic", expected_thumbprint="00" * 20), tmp_path)
    assert result["failed"] is True and "No request was sent to the CA" in result["msg"]
    assert client.calls == []
