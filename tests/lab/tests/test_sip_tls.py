"""The UM SIP TLS listeners (tests/lab/hosts/tls.py) with Python's ssl as the client: what listens when, protocol
versions per Windows version, the chain sent, and the client certificate settings."""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.lab.control import ControlApi, ControlError
from tests.lab.hosts.certs import StoredCertificate
from tests.lab.hosts.specs import PRESETS
from tests.lab.hosts.state import HostState
from tests.lab.hosts.tls import SipTlsListeners, presented_chain
from tests.unit.certs import Issued, make_cert, rsa_key

ROOT = make_cert("Contoso Root CA", key=rsa_key(), ca=True)
ISSUING = make_cert("Contoso Issuing CA", key=rsa_key(), issuer=ROOT, ca=True)
SERVER_AUTH = (ExtendedKeyUsageOID.SERVER_AUTH,)
FIRST = make_cert("exch.contoso.lab", key=rsa_key(), issuer=ISSUING, dns=["exch.contoso.lab"], eku=SERVER_AUTH)
SECOND = make_cert("exch.contoso.lab", key=rsa_key(), issuer=ISSUING, dns=["exch.contoso.lab"], eku=SERVER_AUTH)
CLIENT = make_cert("fe01.contoso.lab", key=rsa_key(), issuer=ISSUING, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
STRANGER = make_cert("stranger", key=rsa_key())
ADDRESS = "127.0.0.1"

if TYPE_CHECKING:
    from tests.lab.adcs import AdcsEmulator
    from tests.lab.control import HostFleet


def _state(preset: str) -> HostState:
    state = HostState.fresh(PRESETS[preset])
    state.stores["Root"].add(StoredCertificate(ROOT.cert))
    state.stores["CA"].add(StoredCertificate(ISSUING.cert))
    for item in (FIRST, SECOND):
        state.stores["My"].add(StoredCertificate(item.cert, item.key))
    state.presented.clear()
    return state


@pytest.fixture
def listeners(request: pytest.FixtureRequest) -> Iterator[SipTlsListeners]:
    state = _state(request.param)
    ports = {service: 0 for service in ("MSExchangeUM", "MSExchangeUMCR")} if request.param == "2013" else None
    running = SipTlsListeners(state=state, address=ADDRESS, ports=ports or {"MSExchangeUM": 0})
    running.start()
    yield running
    running.stop()


def _present(listeners: SipTlsListeners, **services: Issued | None) -> None:
    """What a service start does to the state (B1's runtime): record the certificate taken, then tell the hook."""
    for service, item in services.items():
        if item is None:
            listeners.state.presented.pop(service, None)
        else:
            listeners.state.presented[service] = StoredCertificate(item.cert).thumbprint
    listeners.state.notify_presented()


def _client(
    *, low: ssl.TLSVersion = ssl.TLSVersion.TLSv1, high: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2
) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(cadata=ROOT.cert.public_bytes(serialization.Encoding.PEM).decode())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version, context.maximum_version = low, high
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def _with_client_cert(context: ssl.SSLContext, item: Issued, tmp_path: Path) -> ssl.SSLContext:
    path = tmp_path / "client.pem"
    path.write_bytes(
        item.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        + item.cert.public_bytes(serialization.Encoding.PEM)
        + ISSUING.cert.public_bytes(serialization.Encoding.PEM)
    )
    context.load_cert_chain(path)
    return context


def _handshake(port: int, context: ssl.SSLContext) -> tuple[str, bytes]:
    """Protocol and leaf (DER) of a completed handshake; the client verifies the chain up to ROOT, which only works
    when the server sends the issuing CA."""
    with socket.create_connection((ADDRESS, port), timeout=5) as raw, context.wrap_socket(raw) as tls:
        version, leaf = tls.version(), tls.getpeercert(binary_form=True)
    assert version is not None and leaf is not None
    return version, leaf


def _der(item: Issued) -> bytes:
    return item.cert.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("listeners", ["2007sp1"], indirect=True)
def test_nothing_listens_until_a_service_presents_a_certificate_then_it_changes_with_presented(
    listeners: SipTlsListeners, tmp_path: Path
) -> None:
    assert listeners.port_of("MSExchangeUM") is None
    _present(listeners, MSExchangeUM=FIRST)
    port = listeners.port_of("MSExchangeUM")
    assert port is not None
    context = _with_client_cert(_client(), CLIENT, tmp_path)
    assert _handshake(port, context)[1] == _der(FIRST)
    _present(listeners, MSExchangeUM=SECOND)
    assert listeners.port_of("MSExchangeUM") == port
    assert _handshake(port, context)[1] == _der(SECOND)
    _present(listeners, MSExchangeUM=None)
    assert listeners.port_of("MSExchangeUM") is None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((ADDRESS, port), timeout=5).close()


@pytest.mark.parametrize("listeners", ["2007sp1"], indirect=True)
def test_server_2008_speaks_tls10_only(listeners: SipTlsListeners, tmp_path: Path) -> None:
    listeners.configure(um_tls_client_certificate="none")
    _present(listeners, MSExchangeUM=FIRST)
    port = listeners.port_of("MSExchangeUM")
    assert port is not None
    assert _handshake(port, _client())[0] == "TLSv1"
    with pytest.raises(ssl.SSLError):
        _handshake(port, _client(low=ssl.TLSVersion.TLSv1_1))
    with pytest.raises(ValueError, match="Server 2008 R2"):
        listeners.configure(tls12=True)


@pytest.mark.parametrize("listeners", ["2010"], indirect=True)
def test_server_2008_r2_speaks_tls12_only_with_the_setting(listeners: SipTlsListeners) -> None:
    listeners.configure(um_tls_client_certificate="none")
    _present(listeners, MSExchangeUM=FIRST)
    port = listeners.port_of("MSExchangeUM")
    assert port is not None
    assert _handshake(port, _client())[0] == "TLSv1"
    listeners.configure(tls12=True)
    assert _handshake(port, _client())[0] == "TLSv1.2"


@pytest.mark.parametrize("listeners", ["2013"], indirect=True)
def test_exchange_2013_has_both_services_on_tls12(listeners: SipTlsListeners, tmp_path: Path) -> None:
    _present(listeners, MSExchangeUMCR=FIRST, MSExchangeUM=SECOND)
    context = _with_client_cert(_client(), CLIENT, tmp_path)
    router, um = listeners.port_of("MSExchangeUMCR"), listeners.port_of("MSExchangeUM")
    assert router is not None and um is not None and router != um
    assert _handshake(router, context) == ("TLSv1.2", _der(FIRST))
    assert _handshake(um, context) == ("TLSv1.2", _der(SECOND))


@pytest.mark.parametrize("listeners", ["2013"], indirect=True)
def test_client_certificate_settings(listeners: SipTlsListeners, tmp_path: Path) -> None:
    _present(listeners, MSExchangeUM=FIRST)
    port = listeners.port_of("MSExchangeUM")
    assert port is not None
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        _handshake(port, _client())  # required (the default): no client certificate, no handshake
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        _handshake(port, _with_client_cert(_client(), STRANGER, tmp_path))  # not from a root in the host's Root
    assert _handshake(port, _with_client_cert(_client(), CLIENT, tmp_path))[1] == _der(FIRST)
    listeners.configure(um_tls_client_certificate="requested")
    assert _handshake(port, _client())[1] == _der(FIRST)
    with pytest.raises(ValueError, match="um_tls_client_certificate"):
        listeners.configure(um_tls_client_certificate="sometimes")


@pytest.mark.parametrize("listeners", ["2010"], indirect=True)
def test_a_certificate_without_its_key_is_not_served(listeners: SipTlsListeners) -> None:
    listeners.state.stores["My"].add(StoredCertificate(CLIENT.cert))
    _present(listeners, MSExchangeUM=CLIENT)
    assert listeners.port_of("MSExchangeUM") is None
    assert "not in My with a private key" in listeners.errors[-1]


def test_the_chain_sent_has_the_intermediates_but_not_the_root() -> None:
    state = _state("2010")
    entry = state.stores["My"].get(StoredCertificate(FIRST.cert).thumbprint)
    assert entry is not None
    assert [item.certificate for item in presented_chain(state, entry)] == [FIRST.cert, ISSUING.cert]
    state.stores["CA"].remove(StoredCertificate(ISSUING.cert).thumbprint)
    assert [item.certificate for item in presented_chain(state, entry)] == [FIRST.cert]


@pytest.mark.parametrize("listeners", ["2010"], indirect=True)
def test_the_control_api_reads_and_changes_the_settings(listeners: SipTlsListeners) -> None:
    fleet = cast("HostFleet", object())  # the sip-tls routes only check that the host is one of the lab's
    api = ControlApi(
        adcs=cast("AdcsEmulator", None),
        fleet=fleet,
        host_names=["exch2010", "exch2007"],
        pid=1,
        sip_tls={"exch2010": listeners},
    )
    described = api.call("GET", "/hosts/exch2010/sip-tls", {})
    assert described["settings"] == {"um_tls_client_certificate": "required", "tls12": False}
    changed = api.call("POST", "/hosts/exch2010/sip-tls", {"um_tls_client_certificate": "none", "tls12": True})
    assert changed["settings"] == {"um_tls_client_certificate": "none", "tls12": True}
    _present(listeners, MSExchangeUM=FIRST)
    port = listeners.port_of("MSExchangeUM")
    assert port is not None
    assert _handshake(port, _client()) == ("TLSv1.2", _der(FIRST))
    for body, message in (
        ({"um_tls_client_certificate": "always"}, "must be one of required, requested, none"),
        ({"tls12": "yes"}, "must be true or false"),
        ({"tls": True}, "unknown field"),
    ):
        with pytest.raises(ControlError, match=message) as raised:
            api.call("POST", "/hosts/exch2010/sip-tls", body)
        assert raised.value.status == 400
    with pytest.raises(ControlError, match="no UM SIP TLS listener") as missing:
        api.call("GET", "/hosts/exch2007/sip-tls", {})
    assert missing.value.status == 404
