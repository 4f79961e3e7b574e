"""root_trust and exchange_info actions through ExumActionBase.run(), with a connection that records each
exec_command and replays recorded host output (test_data/*.json; certificate placeholders are filled from
certificates made in the fixtures)."""

from __future__ import annotations

import base64
import importlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from ansible.errors import AnsibleConnectionFailure
from ansible.parsing.dataloader import DataLoader
from ansible_collections.exchange_um.certificates.plugins.action.exchange_info import (
    ActionModule as ExchangeInfoAction,
)
from ansible_collections.exchange_um.certificates.plugins.action.root_trust import ActionModule as RootTrustAction
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import BOOTSTRAP
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._ps_compact import compact_lines
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import thumbprint, to_pem
from cryptography.hazmat.primitives.serialization import Encoding

from tests.unit.certs import ec_key, make_cert
from tests.unit.host_payload import parse_data, split_stdin

DATA = Path(__file__).parent / "test_data"
SCRIPTS = Path(_host_channel.__file__).parent / "host_scripts"
CMD_LIMIT = 8191


@pytest.fixture(scope="module")
def pki() -> SimpleNamespace:
    root = make_cert("Contoso Root CA", key=ec_key(), ca=True, dc=())
    issuing = make_cert("Contoso Issuing CA", key=ec_key(), issuer=root, ca=True, dc=())
    server = make_cert("exch2010.contoso.lab", key=ec_key(), issuer=issuing, dns=["exch2010.contoso.lab"], dc=())
    public_root = make_cert("Public Root", key=ec_key(), ca=True, dc=())
    self_signed_leaf = make_cert("selfsigned.contoso.lab", key=ec_key(), dc=())
    return SimpleNamespace(
        root=root.cert,
        issuing=issuing.cert,
        server=server.cert,
        public_root=public_root.cert,
        self_signed=self_signed_leaf.cert,
    )


def recorded(name: str, pki: SimpleNamespace) -> tuple[int, bytes, bytes]:
    document = json.loads((DATA / name).read_text())
    text = json.dumps(document)
    for label in ("root", "issuing", "server", "public_root"):
        cert = getattr(pki, label)
        der = base64.b64encode(cert.public_bytes(Encoding.DER)).decode()
        text = text.replace("{" + label + "_der}", der).replace("{" + label + "}", thumbprint(cert))
    document = json.loads(text)
    return document["rc"], document["stdout"].encode(), document["stderr"].encode()


class RecordingConnection:
    """Records every exec_command and answers from a queue of recorded outputs (or raises). It passes for a psrp
    connection (which takes the bootstrap through exec_command as it is) whose password the translation layer reads
    to keep it out of results."""

    password = "PSRP-pa55-never-shown"

    def __init__(self, answers: list[tuple[int, bytes, bytes] | Exception], *, transport: str = "psrp") -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, bytes]] = []
        self._shell = SimpleNamespace(tmpdir=None)
        self.transport = transport

    def get_option(self, name: str) -> str:
        if name != "remote_password":
            raise KeyError(name)
        return self.password

    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        assert in_data is not None
        self.calls.append((cmd, in_data))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def payload(self, index: int) -> str:
        """The script of call ``index`` (the first part of its stdin)."""
        return split_stdin(self.calls[index][1])[0]

    def arguments(self, index: int) -> dict[str, object]:
        """The arguments of call ``index``, from the data block beside its script."""
        return parse_data(split_stdin(self.calls[index][1])[1])


def run(
    action_class: type,
    args: dict[str, Any],
    connection: RecordingConnection,
    *,
    task_vars: dict[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    module_defaults: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    task = SimpleNamespace(
        args=args, check_mode=check, diff=diff, async_val=0, action="x", module_defaults=module_defaults or []
    )
    action = action_class(
        task, connection, SimpleNamespace(), loader=DataLoader(), templar=None, shared_loader_obj=None
    )
    result = action.run(task_vars=task_vars or {})
    assert RecordingConnection.password not in json.dumps(result, default=str)
    for cmd, in_data in connection.calls:
        assert cmd == BOOTSTRAP
        assert len(cmd) < CMD_LIMIT
        assert in_data.isascii()
        parse_data(split_stdin(in_data)[1])  # a script and a well-formed data block
    return result


def chain_pem(pki: SimpleNamespace) -> str:
    return to_pem(pki.issuing) + to_pem(pki.root)


def fact(pki: SimpleNamespace, *, root: bool, issuing: bool) -> dict[str, Any]:
    def entry(cert: Any) -> dict[str, str]:
        return {"thumbprint": thumbprint(cert), "subject": cert.subject.rfc4514_string()}

    return {
        "fqdn": "exch2010.contoso.lab",
        "exchange": {"installed": True, "version": "2010"},
        "stores": {
            "Root": [entry(pki.public_root)] + ([entry(pki.root)] if root else []),
            "CA": [entry(pki.issuing)] if issuing else [],
            "My": [],
        },
    }


@pytest.mark.parametrize(
    "certificates",
    [
        "chain_list_of_dicts",
        "registered_result",
        "pem_list",
        "pem_string",
    ],
)
def test_first_run_adds_root_and_intermediate(pki: SimpleNamespace, certificates: str) -> None:
    chain = [{"pem": to_pem(pki.issuing), "role": "intermediate"}, {"pem": to_pem(pki.root), "role": "root"}]
    value = {
        "chain_list_of_dicts": chain,
        "registered_result": {"changed": False, "certificate": to_pem(pki.issuing), "chain": chain},
        "pem_list": [to_pem(pki.root), to_pem(pki.issuing)],
        "pem_string": chain_pem(pki),
    }[certificates]
    connection = RecordingConnection([recorded("root_trust_added.json", pki)])
    result = run(RootTrustAction, {"certificates": value}, connection, diff=True)
    assert result["changed"] is True and not result.get("failed")
    assert result["roots"] == [thumbprint(pki.root)]
    assert result["intermediates"] == [thumbprint(pki.issuing)]
    assert result["added"] == [
        {"store": "Root", "thumbprint": thumbprint(pki.root)},
        {"store": "CA", "thumbprint": thumbprint(pki.issuing)},
    ]
    assert f"LocalMachine\\Root\\{thumbprint(pki.root)}" in result["diff"]["after"]
    assert thumbprint(pki.root) not in result["diff"]["before"]
    assert len(connection.calls) == 1
    payload = connection.payload(0)
    der_root = base64.b64encode(pki.root.public_bytes(Encoding.DER)).decode()
    der_issuing = base64.b64encode(pki.issuing.public_bytes(Encoding.DER)).decode()
    assert connection.arguments(0) == {
        "Root": [der_root],
        "Intermediate": [der_issuing],
        "State": "present",
        "CheckMode": False,
    }
    assert der_root not in payload and der_issuing not in payload
    assert "Add-PSSnapin" not in payload
    assert "ansible_facts" not in result


def test_fact_shows_converged_no_host_call(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([])
    task_vars = {"ansible_facts": {"exchange_um_host": fact(pki, root=True, issuing=True)}}
    result = run(RootTrustAction, {"content": chain_pem(pki)}, connection, task_vars=task_vars)
    assert result["changed"] is False
    assert connection.calls == []


def test_fact_missing_root_changes_and_returns_updated_fact(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("root_trust_added.json", pki)])
    task_vars = {"ansible_facts": {"exchange_um_host": fact(pki, root=False, issuing=False)}}
    result = run(RootTrustAction, {"content": chain_pem(pki)}, connection, task_vars=task_vars)
    assert result["changed"] is True
    stores = result["ansible_facts"]["exchange_um_host"]["stores"]
    assert [entry["thumbprint"] for entry in stores["Root"]] == [thumbprint(pki.public_root), thumbprint(pki.root)]
    assert stores["Root"][1]["role"] == "root"
    assert stores["CA"][0]["thumbprint"] == thumbprint(pki.issuing)
    assert stores["My"] == []


def test_check_mode_from_fact_makes_no_call(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([])
    task_vars = {"ansible_facts": {"exchange_um_host": fact(pki, root=False, issuing=True)}}
    result = run(RootTrustAction, {"content": chain_pem(pki)}, connection, task_vars=task_vars, check=True, diff=True)
    assert result["changed"] is True
    assert result["added"] == [{"store": "Root", "thumbprint": thumbprint(pki.root)}]
    assert connection.calls == []
    assert "ansible_facts" not in result
    assert thumbprint(pki.root) in result["diff"]["after"]


def test_check_mode_without_fact_asks_read_only(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("root_trust_check.json", pki)])
    result = run(RootTrustAction, {"content": chain_pem(pki)}, connection, check=True, diff=True)
    assert result["changed"] is True
    assert connection.arguments(0)["CheckMode"] is True
    assert thumbprint(pki.issuing) in result["diff"]["after"]
    assert thumbprint(pki.issuing) not in result["diff"]["before"]


def test_second_run_without_fact_is_unchanged(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("root_trust_unchanged.json", pki)])
    result = run(RootTrustAction, {"content": chain_pem(pki)}, connection)
    assert result["changed"] is False
    assert result["chain"] == {"built": True, "status": []}


def test_absent_from_fact(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("root_trust_unchanged.json", pki)])
    task_vars = {"ansible_facts": {"exchange_um_host": fact(pki, root=True, issuing=True)}}
    # The fact says both are present: the host is asked to remove them.
    run(RootTrustAction, {"content": chain_pem(pki), "state": "absent"}, connection, task_vars=task_vars)
    assert connection.arguments(0)["State"] == "absent"
    connection = RecordingConnection([])
    task_vars = {"ansible_facts": {"exchange_um_host": fact(pki, root=False, issuing=False)}}
    result = run(RootTrustAction, {"content": chain_pem(pki), "state": "absent"}, connection, task_vars=task_vars)
    assert result["changed"] is False and connection.calls == []


@pytest.mark.parametrize("label", ["server", "self_signed"])
def test_non_ca_is_refused_before_any_host_call(pki: SimpleNamespace, label: str) -> None:
    connection = RecordingConnection([])
    cert = getattr(pki, label)
    result = run(RootTrustAction, {"content": to_pem(pki.root) + to_pem(cert)}, connection)
    assert result["failed"] is True
    assert thumbprint(cert) in result["msg"] and "not a CA certificate" in result["msg"]
    assert connection.calls == []
    assert result["changed"] is False


def test_host_refusal_is_a_clear_failure(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("root_trust_refused.json", pki)])
    result = run(RootTrustAction, {"content": chain_pem(pki)}, connection)
    assert result["failed"] is True
    assert "never goes into Root" in result["msg"] and "ExumNotRootCertificate" in result["msg"]
    assert "(root_trust.ps1 line " in result["msg"]


def test_chain_that_does_not_build_fails(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("root_trust_partial_chain.json", pki)])
    result = run(RootTrustAction, {"content": to_pem(pki.issuing)}, connection)
    assert result["failed"] is True and result["changed"] is True
    assert "PartialChain" in result["msg"]


def test_connection_failure_is_unreachable(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([AnsibleConnectionFailure("ntlm: the specified credentials were rejected")])
    result = run(RootTrustAction, {"content": chain_pem(pki)}, connection)
    assert result["unreachable"] is True


def test_exchange_info_with_version_variable_is_one_call(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("exchange_info_2010.json", pki)])
    result = run(ExchangeInfoAction, {}, connection, task_vars={"exchange_um_version": "2010"})
    assert len(connection.calls) == 1
    payload = connection.payload(0)
    assert "Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.E2010'" in payload
    assert connection.arguments(0) == {"Services": ["MSExchangeUM"]}
    snapshot = result["ansible_facts"]["exchange_um_host"]
    assert result["changed"] is False
    assert result["exchange"]["version"] == "2010"
    [my] = snapshot["stores"]["My"]
    assert my["services"] == "IMAP, POP, IIS, SMTP" and my["dns_names"] == ["exch2010.contoso.lab"]
    assert my["role"] == "leaf" and "der" not in my
    assert snapshot["stores"]["Root"][0]["role"] == "root"
    assert "exchange_certificates" not in snapshot
    assert result["stores"] == snapshot["stores"]


def test_exchange_info_discovers_the_version_with_one_extra_call(pki: SimpleNamespace) -> None:
    connection = RecordingConnection(
        [recorded("exchange_info_2010.json", pki), recorded("exchange_info_2010.json", pki)]
    )
    run(ExchangeInfoAction, {}, connection)
    assert len(connection.calls) == 2
    assert "Add-PSSnapin" not in connection.payload(0)
    none_fragment = (SCRIPTS / "exchange_info.none.ps1").read_text(encoding="utf-8")
    assert "\r\n".join(line for _number, line in compact_lines(none_fragment)) in connection.payload(0)
    assert "Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.E2010'" in connection.payload(1)


def test_exchange_info_without_exchange(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("exchange_info_none.json", pki)])
    result = run(ExchangeInfoAction, {}, connection)
    assert len(connection.calls) == 1
    assert result["exchange"]["installed"] is False and result["um"] is None
    assert not result.get("failed")
    assert result["ansible_facts"]["exchange_um_host"]["exchange"]["installed"] is False


def test_exchange_info_snapin_missing_is_clear(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("exchange_info_snapin_missing.json", pki)])
    result = run(ExchangeInfoAction, {}, connection, task_vars={"exchange_um_version": "2010"})
    assert result["failed"] is True
    assert "No snap-ins have been registered" in result["msg"]
    assert "AddPSSnapInRead" in result["msg"]
    assert set(result) >= {"stores", "exchange", "um", "services"}


def documented_keys(module: str) -> set[str]:
    """Top-level RETURN keys documented as returned always."""
    doc = importlib.import_module(f"ansible_collections.exchange_um.certificates.plugins.modules.{module}")
    return {key for key, value in yaml.safe_load(doc.RETURN).items() if value.get("returned") == "always"}


@pytest.mark.parametrize(
    ("action_class", "module", "args", "answer"),
    [
        (RootTrustAction, "root_trust", {"content": "chain"}, "root_trust_added.json"),
        (RootTrustAction, "root_trust", {"content": "chain"}, "root_trust_refused.json"),
        (RootTrustAction, "root_trust", {"content": "chain"}, AnsibleConnectionFailure("refused")),
        (
            RootTrustAction,
            "root_trust",
            {"content": "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----"},
            None,
        ),
        (ExchangeInfoAction, "exchange_info", {}, "exchange_info_2010.json"),
        (ExchangeInfoAction, "exchange_info", {}, "exchange_info_snapin_missing.json"),
        (ExchangeInfoAction, "exchange_info", {}, AnsibleConnectionFailure("refused")),
    ],
)
def test_documented_keys_on_success_and_failure(
    pki: SimpleNamespace, action_class: type, module: str, args: dict[str, Any], answer: object
) -> None:
    if args.get("content") == "chain":
        args = {"content": chain_pem(pki)}
    answers = [] if answer is None else [answer if isinstance(answer, Exception) else recorded(str(answer), pki)]
    result = run(action_class, args, RecordingConnection(answers), task_vars={"exchange_um_version": "2010"})
    expected = documented_keys(module)
    assert expected and expected <= set(result)


# ---------------------------------------------------------------- remote Exchange shell with a credential

SHELL_PASSWORD = "Sh3ll'\u2019$(Get-Date)`pw"
REMOTE = {
    "exchange_shell": "remote",
    "exchange_shell_username": "CONTOSO\\exchadmin",
    "exchange_shell_password": SHELL_PASSWORD,
}


def failure_line(message: str, fqid: str) -> tuple[int, bytes, bytes]:
    error = {"message": message, "fqid": fqid, "category": "OpenError", "line": 120, "exception": "X"}
    return 1, ("@@EXUM_RESULT@@" + json.dumps({"ok": False, "error": error}) + "\r\n").encode(), b""


def assert_no_password(result: dict[str, Any], connection: RecordingConnection) -> None:
    assert SHELL_PASSWORD not in json.dumps(result)
    for cmd, in_data in connection.calls:
        assert SHELL_PASSWORD not in cmd
        assert SHELL_PASSWORD.encode("utf-8") not in in_data
        assert SHELL_PASSWORD not in split_stdin(in_data)[0]


@pytest.mark.parametrize(
    ("args", "version", "expected"),
    [
        ({"exchange_shell_password": SHELL_PASSWORD}, "2013", "used only with exchange_shell=remote"),
        ({"exchange_shell_username": "CONTOSO\\a", "exchange_shell_password": SHELL_PASSWORD}, "2013", "only with"),
        (
            {"exchange_shell": "remote", "exchange_shell_password": SHELL_PASSWORD},
            "2013",
            "without exchange_shell_username",
        ),
        ({"exchange_shell": "remote", "exchange_shell_username": "CONTOSO\\a"}, "2010", "needs exchange_shell_pass"),
        ({"exchange_shell": "remote"}, "2007sp1", "needs Exchange 2010 or 2013"),
        (REMOTE, "2007sp1", "use exchange_shell=snapin"),
    ],
)
def test_shell_option_errors_make_no_host_call(args: dict[str, Any], version: str, expected: str) -> None:
    connection = RecordingConnection([])
    result = run(ExchangeInfoAction, dict(args), connection, task_vars={"exchange_um_version": version})
    assert result["failed"] is True
    assert expected in result["msg"] and "Correct the task's options." in result["msg"]
    assert connection.calls == []
    assert SHELL_PASSWORD not in result["msg"]


@pytest.mark.parametrize("version", ["2010", "2013"])
def test_remote_shell_with_credential_is_one_call(pki: SimpleNamespace, version: str) -> None:
    connection = RecordingConnection([recorded("exchange_info_2010.json", pki)])
    task_vars = {"exchange_um_version": version, "inventory_hostname": f"exch{version}.contoso.lab"}
    result = run(ExchangeInfoAction, dict(REMOTE), connection, task_vars=task_vars)
    assert not result.get("failed"), result.get("msg")
    assert len(connection.calls) == 1
    payload = connection.payload(0)
    assert "Add-PSSnapin" not in payload
    assert (
        "-ArgumentList $ExumArguments['ExchangeShellUser'], "
        "(ConvertTo-SecureString -String $ExumArguments['ExchangeShellPassword'] -AsPlainText -Force)"
    ) in payload
    assert "-ConnectionUri $ExumArguments['ExchangeShellUri']" in payload
    arguments = connection.arguments(0)
    assert arguments["ExchangeShellUri"] == f"http://exch{version}.contoso.lab/PowerShell/"
    assert arguments["ExchangeShellUser"] == "CONTOSO\\exchadmin"
    assert arguments["ExchangeShellPassword"] == SHELL_PASSWORD
    assert "exchadmin" not in payload and f"exch{version}.contoso.lab" not in payload
    assert "-Credential $ExumShellCredential" in payload
    assert payload.rstrip().endswith(
        "finally { Remove-PSSession -Session $ExumExchangeSession -ErrorAction SilentlyContinue }"
    )
    assert_no_password(result, connection)
    assert "exchange_shell_password" not in result


@pytest.mark.parametrize(
    ("args", "message", "fqid", "advice"),
    [
        (
            REMOTE,
            "Connecting to remote server exch2013.contoso.lab failed with the following error message : "
            "The user name or password is incorrect. For more information, see the about_Remote_Troubleshooting "
            "Help topic.",
            "LogonFailure,PSSessionOpenFailed",
            "Check exchange_shell_username and exchange_shell_password",
        ),
        (
            {"exchange_shell": "remote"},
            "Connecting to remote server exch2013.contoso.lab failed with the following error message : WinRM "
            "cannot process the request. The following error with errorcode 0x8009030e occurred while using "
            "Kerberos authentication: A specified logon session does not exist.",
            "1312,PSSessionOpenFailed",
            "second hop: set exchange_shell_username and exchange_shell_password",
        ),
    ],
)
def test_session_open_failure_says_what_to_do(
    pki: SimpleNamespace, args: dict[str, Any], message: str, fqid: str, advice: str
) -> None:
    connection = RecordingConnection([failure_line(message, fqid)])
    task_vars = {"exchange_um_version": "2013", "inventory_hostname": "exch2013.contoso.lab"}
    result = run(ExchangeInfoAction, dict(args), connection, task_vars=task_vars)
    assert result["failed"] is True
    assert "the remote Exchange shell did not open" in result["msg"]
    assert advice in result["msg"] and fqid in result["msg"]
    assert_no_password(result, connection)


def test_password_echoed_by_the_host_is_scrubbed_from_the_result(pki: SimpleNamespace) -> None:
    """PowerShell's error texts quote argument values and source lines; a password in them never reaches the result."""
    text = (
        f'New-Object : Cannot convert argument "1", with value: "{SHELL_PASSWORD}", for "PSCredential" to type '
        '"System.Security.SecureString"_x000D__x000A_At line:115 char:35_x000D__x000A_'
        f"+ $ExumShellCredential = New-Object -ArgumentList 'CONTOSO\\exchadmin', (ConvertTo-SecureString -String "
        f"'{SHELL_PASSWORD}' -AsPlainText -Force)_x000D__x000A_"
        "    + FullyQualifiedErrorId : ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand"
    )
    stderr = (
        '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
        f'<S S="Error">{text.replace("<", "&lt;")}</S></Objs>'
    )
    connection = RecordingConnection([(1, b"", stderr.encode())])
    task_vars = {"exchange_um_version": "2010", "inventory_hostname": "exch2010.contoso.lab"}
    result = run(ExchangeInfoAction, dict(REMOTE), connection, task_vars=task_vars)
    assert result["failed"] is True and "ConstructorInvokedThrowException" in result["msg"]
    assert 'with value: "********"' in result["msg"]
    assert_no_password(result, connection)


# ---------------------------------------------------------------- one translation layer, the same checks everywhere

HOST_ACTIONS = [
    pytest.param(RootTrustAction, {"content": "chain"}, id="root_trust"),
    pytest.param(ExchangeInfoAction, {}, id="exchange_info"),
]


def _args(pki: SimpleNamespace, args: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**args, **({"content": chain_pem(pki)} if args.get("content") == "chain" else {}), **extra}


@pytest.mark.parametrize(("action_class", "args"), HOST_ACTIONS)
@pytest.mark.parametrize("transport", ["ssh", "local", "paramiko"])
def test_a_connection_that_is_not_winrm_or_psrp_is_refused_first(
    pki: SimpleNamespace, action_class: type, args: dict[str, Any], transport: str
) -> None:
    connection = RecordingConnection([], transport=transport)
    # Even bad options are not looked at: the connection type is the first thing that must be right.
    result = run(action_class, _args(pki, args, bogus=1), connection, task_vars={"inventory_hostname": "exch1"})
    assert result["failed"] is True and connection.calls == []
    assert f"must be winrm or psrp; exch1 is reached with {transport}" in result["msg"]
    assert "Set ansible_connection: winrm" in result["msg"] and "Correct the task's options" not in result["msg"]


@pytest.mark.parametrize(("action_class", "args"), HOST_ACTIONS)
@pytest.mark.parametrize(
    ("version", "words"),
    [
        ("2016", "the host variable exchange_um_version is '2016', which names no Exchange version"),
        (["2010"], "the host variable exchange_um_version is 'list'"),
        ("x" * 100000, "the host variable exchange_um_version is a value"),
    ],
)
def test_an_unknown_exchange_um_version_is_named_alike_by_every_module(
    pki: SimpleNamespace, action_class: type, args: dict[str, Any], version: object, words: str
) -> None:
    connection = RecordingConnection([])
    result = run(action_class, _args(pki, args), connection, task_vars={"exchange_um_version": version})
    assert result["failed"] is True and connection.calls == []
    assert words in result["msg"] and "Set the host variable exchange_um_version to 2007sp1" in result["msg"]
    assert len(result["msg"]) < 600


def _good_fact(pki: SimpleNamespace) -> dict[str, Any]:
    return fact(pki, root=True, issuing=True)


@pytest.mark.parametrize(("action_class", "args"), HOST_ACTIONS)
@pytest.mark.parametrize(
    ("broken", "words"),
    [
        (lambda f: "a string", "exchange_um_host is a str, not the mapping"),
        (lambda f: {**f, "stores": []}, "exchange_um_host.stores is a list, not a mapping"),
        (lambda f: {**f, "stores": {"Root": "x"}}, "exchange_um_host.stores.Root is a str, not a list"),
        (lambda f: {**f, "stores": {"Root": [5]}}, "exchange_um_host.stores.Root[0] is a int, not a certificate"),
        (lambda f: {**f, "stores": {"Root": [{"thumbprint": "zz"}]}}, "stores.Root[0].thumbprint is not a SHA-1"),
        (lambda f: {**f, "exchange": "2010"}, "exchange_um_host.exchange is a str, not a mapping"),
        (lambda f: {**f, "exchange": {"installed": "yes"}}, "exchange.installed is not true or false"),
        (lambda f: {**f, "exchange": {"installed": True, "version": "2019"}}, "exchange.version names no supported"),
        (lambda f: {**f, "fqdn": "exch'; Remove-Item C:\\"}, "exchange_um_host.fqdn is not a DNS name"),
        (lambda f: {**f, "fqdn": "127.0.0.1"}, "exchange_um_host.fqdn is an IP address"),
    ],
)
def test_a_malformed_fact_is_refused_and_named(
    pki: SimpleNamespace, action_class: type, args: dict[str, Any], broken: Any, words: str
) -> None:
    connection = RecordingConnection([])
    task_vars = {"ansible_facts": {"exchange_um_host": broken(_good_fact(pki))}}
    result = run(action_class, _args(pki, args), connection, task_vars=task_vars)
    assert result["failed"] is True and connection.calls == []
    assert f"the fact ansible_facts.{words}" in result["msg"] or words in result["msg"], result["msg"]
    assert "use_facts: false" in result["msg"]


def test_use_facts_false_ignores_a_malformed_fact(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([recorded("root_trust_unchanged.json", pki)])
    task_vars = {"ansible_facts": {"exchange_um_host": "garbage"}}
    result = run(RootTrustAction, {"content": chain_pem(pki), "use_facts": False}, connection, task_vars=task_vars)
    assert not result.get("failed") and len(connection.calls) == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({"exchange_shell_username": "CONTOSO\\a\x00b"}, "exchange_shell_username"),
        ({"exchange_shell_username": "a" * 1024 * 1024}, "at most 1024 characters"),
        ({"exchange_shell_username": ["a", "b"]}, "must be a string, got a list of 2 items"),
        ({"exchange_shell_password": "pw\x00rest"}, "NUL"),
        ({"exchange_shell_password": "p" * 1024 * 1024}, "a password has at most 1024 characters"),
        ({"exchange_shell": "Remote\n"}, "exchange_shell"),
        ({"exchange_shell": "x" * 100000}, "a 100000-character string"),
        ({"use_facts": "maybe"}, "expected true or false, got 'maybe'"),
        ({"use_facts": "y" * 100000}, "a 100000-character string"),
    ],
)
@pytest.mark.parametrize(("action_class", "base"), HOST_ACTIONS)
def test_the_host_options_are_validated_alike_everywhere(
    pki: SimpleNamespace, action_class: type, base: dict[str, Any], args: dict[str, Any], words: str
) -> None:
    connection = RecordingConnection([])
    result = run(action_class, _args(pki, base, **args), connection, task_vars={"exchange_um_version": "2010"})
    assert result["failed"] is True and connection.calls == []
    assert words in result["msg"] and len(result["msg"]) < 1000
    assert "pw\x00rest" not in result["msg"]


@pytest.mark.parametrize(
    "args",
    [
        {"exchange_shell": "remote"},
        {"exchange_shell_username": "CONTOSO\\a", "exchange_shell_password": "pw"},
        REMOTE,
    ],
)
def test_root_trust_refuses_the_shell_options_it_never_uses(pki: SimpleNamespace, args: dict[str, Any]) -> None:
    connection = RecordingConnection([])
    result = run(RootTrustAction, {"content": chain_pem(pki), **args}, connection)
    assert result["failed"] is True and connection.calls == []
    assert "not apply to the task" in result["msg"] and "root_trust loads no Exchange cmdlets" in result["msg"]
    assert SHELL_PASSWORD not in result["msg"]


def test_root_trust_takes_the_shell_options_from_a_module_defaults_group(pki: SimpleNamespace) -> None:
    defaults = [{"group/exchange_um.certificates.host": dict(REMOTE)}]
    connection = RecordingConnection([recorded("root_trust_unchanged.json", pki)])
    args = {"content": chain_pem(pki), **REMOTE}
    result = run(RootTrustAction, args, connection, task_vars={"exchange_um_version": "2013"}, module_defaults=defaults)
    assert not result.get("failed"), result["msg"]
    assert "ConvertTo-SecureString" not in connection.payload(0)
    # The same group default on a 2007 SP1 host is refused as it is for exchange_info.
    connection = RecordingConnection([])
    result = run(
        RootTrustAction, args, connection, task_vars={"exchange_um_version": "2007sp1"}, module_defaults=defaults
    )
    assert result["failed"] is True and "needs Exchange 2010 or 2013" in result["msg"] and connection.calls == []


@pytest.mark.parametrize(
    ("task_vars", "words"),
    [
        ({"inventory_hostname": "127.0.0.1"}, "inventory_hostname ('127.0.0.1') is an IP address"),
        ({"inventory_hostname": "exch 2013"}, "inventory_hostname ('exch 2013') is not a DNS name"),
    ],
)
def test_the_remote_shell_needs_a_dns_name(pki: SimpleNamespace, task_vars: dict[str, Any], words: str) -> None:
    connection = RecordingConnection([])
    result = run(ExchangeInfoAction, dict(REMOTE), connection, task_vars={**task_vars, "exchange_um_version": "2013"})
    assert result["failed"] is True and connection.calls == []
    assert words in result["msg"] and "with Kerberos" in result["msg"] and "Nothing was sent" in result["msg"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({"path": "missing.pem"}, "missing.pem does not exist"),
        ({"path": "."}, "is a directory, not a regular file"),
        ({"path": "/dev/zero"}, "is a character device"),
        ({"path": "a\x00b"}, "NUL"),
        ({"path": "x" * 5000}, "at most 4096 bytes"),
        ({"path": "d/" + "x" * 300}, "at most 255 bytes"),
        ({"path": ["a", "b"]}, "must be a string, got a list of 2 items"),
        ({"content": "x" * (1024 * 1024 + 1)}, "PEM content has at most 1048576 characters"),
        ({"content": "-----BEGIN CERTIFICATE-----\x00"}, "NUL"),
        ({"certificates": True}, "certificates takes PEM text"),
        ({"certificates": [[[[["x"]]]]]}, "nests deeper"),
        ({"certificates": ["x" * (1024 * 1024 + 1)]}, "more than 1048576 characters"),
        ({"content": "chain", "state": "gone"}, "expected one of present, absent, got 'gone'"),
    ],
)
def test_root_trust_input_errors_make_no_host_call(
    pki: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: dict[str, Any], words: str
) -> None:
    monkeypatch.chdir(tmp_path)
    connection = RecordingConnection([])
    result = run(RootTrustAction, _args(pki, args), connection)
    assert result["failed"] is True and connection.calls == [], result
    assert words in result["msg"] and len(result["msg"]) < 1000
    assert "Traceback" not in result["msg"]


def test_root_trust_refuses_a_bundle_of_thousands(pki: SimpleNamespace) -> None:
    connection = RecordingConnection([])
    many = "".join(to_pem(make_cert(f"CA {n}", key=ec_key(), ca=True, dc=()).cert) for n in range(65))
    result = run(RootTrustAction, {"content": many}, connection)
    assert result["failed"] is True and "holds 65 certificates" in result["msg"] and connection.calls == []


def test_anything_unforeseen_becomes_a_short_scrubbed_message(pki: SimpleNamespace) -> None:
    secret = RecordingConnection.password
    connection = RecordingConnection([RuntimeError(f"something odd near {secret} and {SHELL_PASSWORD}")])
    task_vars = {"exchange_um_version": "2013", "inventory_hostname": "exch2013.contoso.lab"}
    result = run(ExchangeInfoAction, dict(REMOTE), connection, task_vars=task_vars)
    assert result["failed"] is True and "stopped on an unexpected RuntimeError: something odd near" in result["msg"]
    assert secret not in result["msg"] and SHELL_PASSWORD not in result["msg"] and "exception" not in result


def test_the_connection_password_from_the_inventory_is_scrubbed(pki: SimpleNamespace) -> None:
    inventory_password = "Inventory-pa55-42"
    connection = RecordingConnection([])
    task_vars = {"ansible_winrm_password": inventory_password}
    result = run(RootTrustAction, {"path": f"/nonexistent/{inventory_password}.pem"}, connection, task_vars=task_vars)
    assert result["failed"] is True and "/nonexistent/********.pem does not exist" in result["msg"]
