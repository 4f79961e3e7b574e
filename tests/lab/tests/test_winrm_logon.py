"""The logon each WinRM authentication gives, and CredSSP on the lab's WinRM endpoint, with pywinrm as the client.

Facts: Ansible's os_guide/windows_winrm.rst ("WinRM authentication options": credential delegation only with Kerberos
and CredSSP; "CredSSP and TLS 1.2"; "Set CredSSP Certificate"), windows_faq.rst, MS-WSMV 2.2.9.1.3 (CredSSP
encrypted messages, 16 KB chunks), MS-CSSP 3.1.5, TechNet ee922649 (CredSSP from WinRM 2.0).
"""

from __future__ import annotations

import base64
import logging
import ssl
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import requests_credssp.exceptions
import spnego
import spnego.tls
import winrm
import winrm.exceptions

from tests.lab.cli import main as lab_main
from tests.lab.hosts import PRESETS, Fleet, HostSpec, SimulatedHost
from tests.lab.hosts.credssp import CredsspOptionError, credssp_settings
from tests.lab.httpauth import Account, CredsspRefused, DelegatedCredential, Logon, install_ntlm_users
from tests.lab.tests.test_hosts_payloads import BOOTSTRAP_STRINGBUILDER, command_line, payload_stdin, payload_text
from tests.lab.tests.winrm_helpers import FakeHost, make_tls_files
from tests.lab.winrm import CredsspSettings, WinrmEndpoint
from tests.lab.winrm._credssp import CredsspListener

USER = "CONTOSO\\Administrator"
PASSWORD = "Cssp-Passw0rd!"
ADDRESS = "127.10.0.11"

EndpointFactory = Callable[..., WinrmEndpoint]


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Account]:
    accounts = {"Administrator": Account("CONTOSO", "Administrator", PASSWORD)}
    install_ntlm_users(tmp_path / "ntlm-users", accounts.values())
    monkeypatch.setenv("NTLM_USER_FILE", str(tmp_path / "ntlm-users"))
    return accounts


@pytest.fixture
def endpoint(accounts: dict[str, Account]) -> Iterator[EndpointFactory]:
    started: list[WinrmEndpoint] = []

    def start(
        *,
        auth: str = "ntlm",
        credssp: CredsspSettings | None = None,
        ssl_context: ssl.SSLContext | None = None,
        host: FakeHost | None = None,
    ) -> WinrmEndpoint:
        ep = WinrmEndpoint(
            host=host or FakeHost(),
            address=ADDRESS,
            port=0,
            accounts=accounts,
            auth=auth,
            ssl_context=ssl_context,
            credssp=credssp,
        )
        ep.start()
        started.append(ep)
        return ep

    yield start
    for ep in started:
        ep.stop()
        assert ep.errors == []


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    ca, cert, key = make_tls_files(tmp_path, ADDRESS)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return ca, context


def session(ep: WinrmEndpoint, transport: str, *, password: str = PASSWORD, ca: Path | None = None) -> winrm.Session:
    return winrm.Session(
        ep.url,
        auth=(USER, password),
        transport=transport,
        server_cert_validation="validate" if ca else "ignore",
        ca_trust_path=str(ca) if ca else None,
    )


def ps_line(script: str) -> str:
    return "powershell -NoProfile -EncodedCommand " + base64.b64encode(script.encode("utf-16-le")).decode()


# ---------------------------------------------------------------- the logon of each method


@pytest.mark.parametrize(
    ("listener", "transport", "https", "network"),
    [
        ("basic", "basic", False, False),
        ("basic", "basic", True, False),
        ("ntlm", "ntlm", False, False),
        ("ntlm", "ntlm", True, False),
        ("ntlm", "credssp", False, True),
        ("ntlm", "credssp", True, True),
        ("basic", "credssp", True, True),
    ],
)
def test_each_authentication_gives_its_logon(
    endpoint: EndpointFactory,
    tls: tuple[Path, ssl.SSLContext],
    listener: str,
    transport: str,
    https: bool,
    network: bool,
) -> None:
    ca, context = tls
    host = FakeHost()
    credssp = CredsspSettings() if transport == "credssp" else None
    ep = endpoint(auth=listener, credssp=credssp, ssl_context=context if https else None, host=host)
    result = session(ep, transport, ca=ca if https else None).run_ps("Write-Output 'hi'")

    assert (result.status_code, result.std_out) == (0, b"hi\r\n")
    (logon,) = host.logons
    assert isinstance(logon, Logon)
    assert (logon.user, logon.domain, logon.principal) == ("Administrator", "CONTOSO", USER)
    assert logon.method == transport
    assert logon.network_credentials is network
    assert (logon.credential is not None) is network
    if logon.credential is not None:
        assert (logon.credential.domain, logon.credential.user, logon.credential.password) == (
            "CONTOSO",
            "Administrator",
            PASSWORD,
        )


def test_logon_never_shows_the_delegated_password(endpoint: EndpointFactory, caplog: pytest.LogCaptureFixture) -> None:
    host = FakeHost()
    ep = endpoint(credssp=CredsspSettings(), host=host)
    with caplog.at_level(logging.DEBUG):
        assert session(ep, "credssp").run_cmd("echo", ["x"]).status_code == 0
    (logon,) = host.logons
    assert logon is not None and logon.credential is not None
    assert PASSWORD not in repr(logon) and PASSWORD not in repr(logon.credential) and PASSWORD not in str(logon)
    assert all(PASSWORD not in record.getMessage() for record in caplog.records)


def test_logon_records_refuse_an_inconsistent_method() -> None:
    with pytest.raises(ValueError, match="logon method"):
        Logon("Administrator", "CONTOSO", "kerberos")
    with pytest.raises(ValueError, match="credssp logon needs"):
        Logon("Administrator", "CONTOSO", "credssp")


def test_commands_run_in_the_logon_of_the_shells_create(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(credssp=CredsspSettings(), host=host)
    creator = winrm.Protocol(ep.url, transport="credssp", username=USER, password=PASSWORD)
    shell = creator.open_shell()
    other = winrm.Protocol(ep.url, transport="ntlm", username=USER, password=PASSWORD)
    command = other.run_command(shell, "echo", ["x"])
    assert other.get_command_output(shell, command)[2] == 0
    other.cleanup_command(shell, command)
    creator.close_shell(shell)
    (logon,) = host.logons
    assert logon is not None and logon.method == "credssp"  # the shell's process, not the NTLM request, runs it


# ---------------------------------------------------------------- CredSSP on the endpoint


def test_credssp_over_http_seals_messages_with_the_tls_channel(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(credssp=CredsspSettings(), host=host)
    proto = winrm.Protocol(ep.url, transport="credssp", username=USER, password=PASSWORD)
    shell = proto.open_shell()
    encryption, http = proto.transport.encryption, proto.transport.session
    assert encryption is not None and encryption.protocol == "credssp" and http is not None
    reply_types: list[str] = []
    http.hooks["response"].append(lambda reply, **_: reply_types.append(reply.headers.get("Content-Type", "")))
    # Over 16 KB both ways: pywinrm sends multipart/x-multi-encrypted, the reply comes back in 16 KB chunks.
    command = proto.run_command(shell, ps_line("$input"), console_mode_stdin=False)
    proto.send_command_input(shell, command, b"s" * 50000, end=True)
    out, _err, rc = proto.get_command_output(shell, command)
    assert (rc, out) == (0, b"stdin:" + b"s" * 50000)
    command = proto.run_command(shell, ps_line("'y' * 60000"))
    assert proto.get_command_output(shell, command)[0] == b"y" * 60000
    assert any(kind.startswith("multipart/x-multi-encrypted;") for kind in reply_types)

    soap = b"<s:Envelope/>"
    sealed = encryption.prepare_encrypted_request(http, ep.url, soap)
    assert 'protocol="application/HTTP-CredSSP-session-encrypted"' in sealed.headers["Content-Type"]
    fault = http.send(sealed, timeout=5)
    assert fault.status_code == 500 and fault.headers["Content-Type"].startswith("multipart/encrypted;")
    assert 'protocol="application/HTTP-CredSSP-session-encrypted"' in fault.headers["Content-Type"]
    assert b"SchemaValidationError" in encryption.parse_encrypted_response(fault)
    plain = http.post(ep.url, data=soap, headers={"Content-Type": "application/soap+xml;charset=UTF-8"}, timeout=5)
    assert plain.status_code == 500  # AllowUnencrypted is false on this NTLM listener over http
    proto.close_shell(shell)


def test_credssp_sealed_data_on_another_connection_gets_400(endpoint: EndpointFactory) -> None:
    ep = endpoint(credssp=CredsspSettings())
    first = winrm.Protocol(ep.url, transport="credssp", username=USER, password=PASSWORD)
    second = winrm.Protocol(ep.url, transport="credssp", username=USER, password=PASSWORD)
    first.open_shell()
    second.open_shell()
    encryption, first_http, second_http = first.transport.encryption, first.transport.session, second.transport.session
    assert encryption is not None and first_http is not None and second_http is not None
    sealed = encryption.prepare_encrypted_request(first_http, ep.url, b"<s:Envelope/>")
    assert second_http.send(sealed, timeout=5).status_code == 400


def test_credssp_over_https(endpoint: EndpointFactory, tls: tuple[Path, ssl.SSLContext]) -> None:
    ca, context = tls
    ep = endpoint(credssp=CredsspSettings(), ssl_context=context)
    proto = winrm.Protocol(
        ep.url, transport="credssp", username=USER, password=PASSWORD, server_cert_validation="validate",
        ca_trust_path=str(ca),
    )  # fmt: skip
    shell = proto.open_shell()
    assert proto.transport.encryption is None  # TLS protects the messages; no message encryption over https
    command = proto.run_command(shell, ps_line("Write-Output 'over tls'"))
    assert proto.get_command_output(shell, command)[:2] == (b"over tls\r\n", b"")
    proto.close_shell(shell)


def test_credssp_wrong_password_is_rejected(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(credssp=CredsspSettings(), host=host)
    # MS-CSSP 2.2.1: from version 3 the acceptor answers a failed SPNEGO logon with a TSRequest errorCode (here
    # pyspnego's SEC_E_LOGON_DENIED), which the client raises.
    with pytest.raises(requests_credssp.exceptions.NTStatusException, match="0x8009030c"):
        session(ep, "credssp", password="Wrong-Passw0rd").run_cmd("echo", ["x"])
    assert host.commands == 0 and host.logons == []


def test_credssp_is_off_unless_turned_on(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    anonymous = requests.post(ep.url, data=b"", timeout=5)
    assert anonymous.status_code == 401
    assert "credssp" not in anonymous.headers["WWW-Authenticate"].lower()
    with pytest.raises(requests_credssp.exceptions.AuthenticationException, match="did not response CredSSP"):
        session(ep, "credssp").run_cmd("echo", ["x"])
    with_credssp = endpoint(credssp=CredsspSettings())
    challenge = requests.post(with_credssp.url, data=b"", timeout=5).headers["WWW-Authenticate"]
    assert "CredSSP" in challenge and "Negotiate" in challenge


def test_credssp_needs_winrm_2(accounts: dict[str, Account]) -> None:
    with pytest.raises(ValueError, match=r"CredSSP needs WinRM 2\.0"):
        WinrmEndpoint(
            host=FakeHost(), address=ADDRESS, port=0, accounts=accounts, winrm_version="1.1", credssp=CredsspSettings()
        )


def _client_offers_tls10() -> bool:
    """Whether this Python's default client ciphers include a TLS 1.0 suite (from 3.10 on they have no SHA-1 MACs,
    so they do not: Python 3.10 "What's New", ssl)."""
    return any(
        cipher["protocol"] in ("TLSv1", "TLSv1.0", "SSLv3") for cipher in ssl.create_default_context().get_ciphers()
    )


def test_credssp_on_a_host_without_tls_1_2(endpoint: EndpointFactory) -> None:
    ep = endpoint(credssp=CredsspSettings(max_tls="1.0"))
    # requests-credssp insists on TLS 1.2 unless told otherwise (windows_winrm.rst "CredSSP and TLS 1.2").
    # A handshake the host's Schannel refuses ends in a 401 without a token (assumed: Schannel's alert is not sent).
    with pytest.raises(requests_credssp.exceptions.AuthenticationException, match="after step TLS Handshake"):
        session(ep, "credssp").run_cmd("echo", ["x"])
    lowered = winrm.Session(ep.url, auth=(USER, PASSWORD), transport="credssp", credssp_disable_tlsv1_2=True)
    if _client_offers_tls10():
        assert lowered.run_cmd("echo", ["x"]).status_code == 0
    else:
        with pytest.raises(requests_credssp.exceptions.AuthenticationException, match="after step TLS Handshake"):
            lowered.run_cmd("echo", ["x"])


def test_credssp_tls_1_0_channel_with_a_client_that_offers_it(accounts: dict[str, Account]) -> None:
    """What a client with TLS 1.0 suites (an older OpenSSL) gets from such a host: the exchange completes on TLS 1.0."""
    listener = CredsspListener(
        settings=CredsspSettings(max_tls="1.0"), computer_name="EXCH2007", accounts=list(accounts.values())
    )
    client_tls = spnego.tls.default_tls_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # ssl deprecates setting TLSVersion.TLSv1
        client_tls.context.minimum_version = ssl.TLSVersion.TLSv1
    client_tls.context.set_ciphers("DEFAULT:@SECLEVEL=0")
    client = spnego.client(USER, PASSWORD, hostname="exch2007", protocol="credssp", credssp_tls_context=client_tls)
    acceptor = listener.acceptor()
    token = client.step()
    while token is not None:
        answer = acceptor.step(token)
        token = None if acceptor.logon is not None else client.step(answer)
    assert acceptor.context is not None and acceptor.logon is not None
    assert acceptor.context.get_extra_info("ssl_object").version() == "TLSv1"
    assert acceptor.logon.method == "credssp" and acceptor.logon.network_credentials


def test_credssp_refuses_a_credential_of_another_account(accounts: dict[str, Account], tmp_path: Path) -> None:
    """The client authenticates as one account and delegates another's credential: refused (assumed, pessimistic)."""
    other = Account("CONTOSO", "enroll", "Enr-Passw0rd!")
    both = [*accounts.values(), other]
    install_ntlm_users(tmp_path / "both", both)
    listener = CredsspListener(settings=CredsspSettings(), computer_name="EXCH2013", accounts=both)
    negotiate = spnego.client(USER, PASSWORD, hostname="exch2013", protocol="negotiate")
    client = spnego.client(
        "CONTOSO\\enroll", other.password, hostname="exch2013", protocol="credssp", credssp_negotiate_context=negotiate
    )
    acceptor = listener.acceptor()
    token = client.step()
    with pytest.raises(CredsspRefused, match="not the authenticated account"):
        while token is not None:
            token = client.step(acceptor.step(token))


# ---------------------------------------------------------------- the lab's CredSSP options


def _specs(*presets: str) -> list[HostSpec]:
    return [PRESETS[preset] for preset in presets]


def test_credssp_settings_per_host() -> None:
    specs = _specs("2007sp1", "2010", "2013", "windows")
    assert credssp_settings(specs, enabled="none", tls12="none") == {}
    # all: every host with WinRM 2.0 or later; TLS 1.2 on 2012 R2, not on 2008 R2 until it is turned on.
    assert credssp_settings(specs, enabled="all", tls12="none") == {
        "exch2010": CredsspSettings(max_tls="1.0"),
        "exch2013": CredsspSettings(max_tls="1.2"),
        "win2008r2": CredsspSettings(max_tls="1.0"),
    }
    assert credssp_settings(specs, enabled="EXCH2010", tls12="exch2010") == {"exch2010": CredsspSettings()}
    assert credssp_settings(specs, enabled="exch2010,exch2013", tls12="all")["exch2010"].max_tls == "1.2"


@pytest.mark.parametrize(
    ("enabled", "tls12", "message"),
    [
        ("exch2007", "none", "--winrm-credssp: exch2007 has WinRM 1.1, which has no CredSSP"),
        ("exch9999", "none", "--winrm-credssp: no host 'exch9999' in this lab"),
        ("all", "exch2013", "--credssp-tls12: exch2013 is not on Server 2008 R2"),
        ("all", "exch2007", "--credssp-tls12: exch2007 is not on Server 2008 R2"),
    ],
)
def test_credssp_settings_refuse(enabled: str, tls12: str, message: str) -> None:
    with pytest.raises(CredsspOptionError, match=message):
        credssp_settings(_specs("2007sp1", "2010", "2013"), enabled=enabled, tls12=tls12)


def test_lab_up_refuses_credssp_on_winrm_1_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = lab_main(["up", "--state-dir", str(tmp_path), "--hosts", "2007sp1,2010", "--winrm-credssp", "exch2007"])
    err = capsys.readouterr().err
    assert rc == 1
    assert err.startswith("error: --winrm-credssp: exch2007 has WinRM 1.1") and "Traceback" not in err
    assert not (tmp_path / "lab.json").exists()


def test_fleet_inventory_and_lab_json_with_credssp(accounts: dict[str, Account]) -> None:
    specs = _specs("2007sp1", "2010", "2013")
    credssp = credssp_settings(specs, enabled="all", tls12="none")
    fleet = Fleet(specs=specs, subnet="127.10.9", winrm_port=0, accounts=accounts, credssp=credssp)
    hosts = fleet.lab_json()["hosts"]
    assert hosts["exch2007"]["winrm_auth"] == ["ntlm"] and hosts["exch2007"]["credssp_max_tls"] is None
    assert hosts["exch2010"]["winrm_auth"] == ["ntlm", "credssp"] and hosts["exch2010"]["credssp_max_tls"] == "1.0"
    assert hosts["exch2013"]["credssp_max_tls"] == "1.2"
    groups = fleet.inventory()["all"]["children"]["exchange_um"]
    assert groups["vars"]["ansible_winrm_transport"] == "ntlm"
    members = {name: values for group in groups["children"].values() for name, values in group["hosts"].items()}
    assert "ansible_winrm_transport" not in members["exch2007"]
    assert members["exch2010"]["ansible_winrm_transport"] == "credssp"
    assert members["exch2010"]["ansible_winrm_credssp_disable_tlsv1_2"] is True
    assert members["exch2013"]["ansible_winrm_transport"] == "credssp"
    assert "ansible_winrm_credssp_disable_tlsv1_2" not in members["exch2013"]


# ---------------------------------------------------------------- the logon on the simulated host


REMOTE_LOADER = [
    "$session = New-PSSession -ConfigurationName 'Microsoft.Exchange' "
    "-ConnectionUri 'http://exch2013.contoso.lab/PowerShell/' -Authentication Kerberos -ErrorAction Stop",
    "[void](Import-PSSession -Session $session -AllowClobber -ErrorAction Stop)",
]


@pytest.mark.parametrize(("method", "loads"), [(None, False), ("ntlm", False), ("basic", False), ("credssp", True)])
def test_remote_session_without_credential_needs_network_credentials(method: str | None, loads: bool) -> None:
    """host-facts.md: the Exchange session from a WinRM logon is a second hop; CredSSP's delegated credential
    makes it."""
    host = SimulatedHost(PRESETS["2013"])
    logon = None
    if method == "credssp":
        credential = DelegatedCredential(domain="CONTOSO", user="Administrator", password=PASSWORD)
        logon = Logon("Administrator", "CONTOSO", "credssp", credential=credential)
    elif method is not None:
        logon = Logon("Administrator", "CONTOSO", method)
    text = payload_text("exchange_info", {}, loader=REMOTE_LOADER, fragment="exchange_info.2013.ps1")
    out, _err, rc = host.run_command(command_line(BOOTSTRAP_STRINGBUILDER), payload_stdin(text), 65001, logon=logon)
    assert (rc == 0) is loads, out
    assert ("0x8009030e" in out) is not loads
    if loads:  # the imported session's cmdlets run there, with the session's own directory access
        assert '"exchange_error":null' in out and '"um":{' in out
    assert host.counters.exchange_shell_loads == (1 if loads else 0)
    assert host.logon is None  # held only while the command runs


@pytest.mark.parametrize("name", ["CONTOSO\\Administrator", "administrator@contoso.lab", "Administrator"])
def test_credssp_logon_names(endpoint: EndpointFactory, name: str) -> None:
    """The delegated user name in the forms Windows accepts resolves to the account (docs/lab.md "Logon names")."""
    host = FakeHost()
    ep = endpoint(credssp=CredsspSettings(), host=host)
    result = winrm.Session(ep.url, auth=(name, PASSWORD), transport="credssp").run_cmd("echo", ["x"])
    assert result.status_code == 0
    (logon,) = host.logons
    assert logon is not None and logon.principal == USER and logon.method == "credssp"
