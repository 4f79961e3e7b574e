"""tls_probe through ansible-playbook against the lab's UM SIP TLS listeners (docs/tls-probe.md, docs/lab.md).

The 2007 SP1 host (Server 2008: TLS 1.0 only; its listener requires a client certificate by default) is brought
from one certificate to the next the way its platform does it: a PFX imported into ``LocalMachine\\My`` over WinRM,
then ``Restart-Service MSExchangeUM``, at whose start 2007's UM takes the newest valid CA-issued certificate
(host-facts.md "UM"). Before the binding it presents Exchange's self-signed certificate; then a certificate of
another CA, one for another name, one that expires while in use, and finally the right one. On 2010 and 2013
the binding is service_binding's (Enable-ExchangeCertificate, the startup mode, the restarts), after which every UM
TLS port presents the certificate.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import winrm
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.unit.certs import NOW, Issued, make_cert, rsa_key

from .conftest import CREDSSP_WHERE_POSSIBLE

pytestmark = pytest.mark.integration

HOST = "exch2007"
FQDN = "exch2007.contoso.lab"
SERVER_AUTH = (ExtendedKeyUsageOID.SERVER_AUTH,)
CLIENT_AUTH = (ExtendedKeyUsageOID.CLIENT_AUTH,)
PFX_PASSWORD = b"lab-fixture-only"  # protects a throwaway test key inside a test's own script


def _pem(*certs: x509.Certificate) -> str:
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode() for cert in certs)


class Hierarchy:
    """The CA the probe is told to expect, another CA the host also trusts, and the certificates of each stage."""

    def __init__(self) -> None:
        self.root = make_cert("UM Test Root CA", key=rsa_key(), ca=True, dc=("contoso", "lab"))
        self.issuing = make_cert("UM Test Issuing CA", key=rsa_key(), issuer=self.root, ca=True)
        self.other_root = make_cert("Fabrikam Root CA", key=rsa_key(), ca=True, dc=("fabrikam", "test"))
        self.stranger_root = make_cert("Stranger Root CA", key=rsa_key(), ca=True, dc=("stranger", "test"))

    def leaf(self, *, issuer: Issued, name: str, not_before: dt.datetime, not_after: dt.datetime) -> Issued:
        return make_cert(
            name, key=rsa_key(), issuer=issuer, dns=[name], eku=SERVER_AUTH, not_before=not_before, not_after=not_after
        )


def _winrm(lab: Any, name: str) -> winrm.protocol.Protocol:
    winrm_info = lab.info["winrm"]
    host = lab.info["hosts"][name]
    return winrm.protocol.Protocol(
        endpoint=f"http://{host['address']}:{host['port']}/wsman",
        transport="ntlm",
        username=f"{winrm_info['domain']}\\{winrm_info['username']}",
        password=winrm_info["password"],
        server_cert_validation="ignore",
    )


def _powershell(lab: Any, script: str, *, host: str = HOST) -> str:
    """Run ``script`` on ``host`` with ``powershell.exe -Command -`` (the script on stdin: no command-line length
    limit), over NTLM: the stores and services need no directory access."""
    protocol = _winrm(lab, host)
    shell = protocol.open_shell()
    try:
        command = protocol.run_command(shell, "powershell.exe", ["-NoProfile", "-NonInteractive", "-Command", "-"])
        protocol.send_command_input(shell, command, script.encode("utf-8"), end=True)
        stdout, stderr, rc = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    assert rc == 0, f"the lab host refused the fixture's script: {stderr.decode(errors='replace')[-2000:]}"
    return stdout.decode("utf-8", "replace")


def _trust(lab: Any, store: str, cert: x509.Certificate, *, host: str = HOST) -> None:
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    _powershell(
        lab,
        f"""$types = 'System.Security.Cryptography.X509Certificates'
$cert = New-Object "$types.X509Certificate2" -ArgumentList @(,[Convert]::FromBase64String('{der}'))
$store = New-Object "$types.X509Store" -ArgumentList @('{store}', 'LocalMachine')
$store.Open('ReadWrite')
$store.Add($cert)
$store.Close()
""",
        host=host,
    )


def _import(lab: Any, item: Issued, *, host: str = HOST, restart: bool = False) -> None:
    """Import ``item`` with its key as a PFX into LocalMachine\\My; with ``restart``, then restart MSExchangeUM."""
    pfx = pkcs12.serialize_key_and_certificates(
        b"um", item.key, item.cert, None, serialization.BestAvailableEncryption(PFX_PASSWORD)
    )
    _powershell(
        lab,
        f"""$bytes = [Convert]::FromBase64String('{base64.b64encode(pfx).decode()}')
$types = 'System.Security.Cryptography.X509Certificates'
$flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]'MachineKeySet,PersistKeySet'
$cert = New-Object "$types.X509Certificate2" -ArgumentList @($bytes, '{PFX_PASSWORD.decode()}', $flags)
$store = New-Object "$types.X509Store" -ArgumentList @('My', 'LocalMachine')
$store.Open('ReadWrite')
$store.Add($cert)
$store.Close()
"""
        + ("Restart-Service -Name MSExchangeUM\n" if restart else ""),
        host=host,
    )


def _bind(lab: Any, item: Issued) -> None:
    """Import the PFX into My, restart UM: 2007 SP1 takes the newest valid CA-issued certificate at start."""
    _import(lab, item, restart=True)
    presented = lab.dump(HOST)["state"]["presented"]
    assert presented.get("MSExchangeUM") == item_thumbprint(item), f"UM took another certificate: {presented}"


def item_thumbprint(item: Issued) -> str:
    return item.cert.fingerprint(hashes.SHA1()).hex().upper()


PLAY = """
- hosts: exch2007
  gather_facts: false
  tasks:
    - name: probe
      exchange_um.certificates.tls_probe:
        fqdn: exch2007.contoso.lab
        ca_certificate: "{{ expected_ca }}"
        expected_thumbprint: "{{ expected_thumbprint | default(omit) }}"
        min_days_left: 30
        fail_on_error: false
      register: probe

    - name: probe that fails
      exchange_um.certificates.tls_probe:
        fqdn: exch2007.contoso.lab
        ca_certificate: "{{ expected_ca }}"
      ignore_errors: true

    - name: with client certificate
      exchange_um.certificates.tls_probe:
        ca_certificate: "{{ expected_ca }}"
        client_cert_path: "{{ client_cert }}"
        fail_on_error: false
      when: client_cert is defined

    - name: with an untrusted client certificate
      exchange_um.certificates.tls_probe:
        client_cert_path: "{{ stranger_cert }}"
        fail_on_error: false
      when: stranger_cert is defined

    - name: check mode
      exchange_um.certificates.tls_probe:
        ca_certificate: "{{ expected_ca }}"
        fail_on_error: false
      check_mode: true
"""

# Only before the binding: the UM services of 2010 and 2013 in TCP mode (nothing listens), and bad options.
OTHER_HOSTS = """
- hosts: exch2010,exch2013
  gather_facts: false
  tasks:
    - name: probe in TCP mode
      exchange_um.certificates.tls_probe:
        fail_on_error: false

    - name: ports and exchange_version
      exchange_um.certificates.tls_probe:
        ports: [5061]
        exchange_version: "2013"
      ignore_errors: true

    - name: no address
      exchange_um.certificates.tls_probe:
        host: "not a host!"
      ignore_errors: true
"""


@pytest.fixture(scope="module")
def tls_lab(lab_factory: Callable[..., Any]) -> Any:
    return lab_factory("tls", hosts="2007sp1,2010,2013", auth="ntlm")


def _findings(result: dict[str, Any]) -> str:
    return " | ".join(finding for entry in result["ports"] for finding in entry["findings"])


def test_tls_probe_before_and_after_the_binding(
    tls_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]], tmp_path: Path
) -> None:
    run = playbook_runner(tls_lab)
    pki = Hierarchy()
    expected = {"expected_ca": _pem(pki.root.cert)}
    day = dt.timedelta(days=1)

    # Before the binding: 2007's UM started secured with Exchange's self-signed certificate; 2010 is in TCP mode.
    before = run(PLAY + OTHER_HOSTS, extra_vars=expected)
    probe = before.task(HOST, "probe")
    (port,) = probe["ports"]
    assert (port["port"], port["protocol"], port["client_certificate"]) == (5061, "TLSv1", "required")
    assert "self-signed" in _findings(probe) and "does not chain to the given CA" in _findings(probe)
    assert probe["ok"] is False and probe["changed"] is False and probe["_status"] == "ok"
    failing = before.task(HOST, "probe that fails")
    assert failing["_status"] == "failed" and "port 5061" in failing["msg"] and "self-signed" in failing["msg"]
    assert before.task(HOST, "check mode")["ok"] is False
    for host, ports in (("exch2010", [5061]), ("exch2013", [5061, 5063])):
        tcp = before.task(host, "probe in TCP mode")
        assert [entry["port"] for entry in tcp["ports"]] == ports  # the default ports of the version
        assert all(not entry["reachable"] for entry in tcp["ports"]) and "refused the connection" in _findings(tcp)
    both = before.task("exch2010", "ports and exchange_version")
    assert both["_status"] == "failed" and "exchange_version" in both["msg"] and "do" in both["msg"]
    address = before.task("exch2010", "no address")
    assert address["_status"] == "failed" and "host" in address["msg"] and "DNS name or IP address" in address["msg"]

    for root in (pki.root, pki.other_root):
        _trust(tls_lab, "Root", root.cert)
    _trust(tls_lab, "CA", pki.issuing.cert)

    # Another CA (trusted by the host, not the one expected).
    other = pki.leaf(issuer=pki.other_root, name=FQDN, not_before=NOW - 4 * day, not_after=NOW + 300 * day)
    _bind(tls_lab, other)
    result = run(PLAY, extra_vars=expected).task(HOST, "probe")
    assert "does not chain to the given CA" in _findings(result) and "self-signed" not in _findings(result)

    # The expected CA, another name.
    mismatch = pki.leaf(
        issuer=pki.issuing, name="exch2010.contoso.lab", not_before=NOW - 3 * day, not_after=NOW + 300 * day
    )
    _bind(tls_lab, mismatch)
    result = run(PLAY, extra_vars=expected).task(HOST, "probe")
    assert _findings(result).endswith("names exch2010.contoso.lab, not exch2007.contoso.lab")

    # Valid when UM started, expired when probed.
    now = dt.datetime.now(dt.timezone.utc)
    expiring = pki.leaf(
        issuer=pki.issuing, name=FQDN, not_before=NOW - 2 * day, not_after=now + dt.timedelta(seconds=3)
    )
    _bind(tls_lab, expiring)
    time.sleep(max(0.0, (now + dt.timedelta(seconds=4) - dt.datetime.now(dt.timezone.utc)).total_seconds()))
    result = run(PLAY, extra_vars=expected).task(HOST, "probe")
    assert "expired on" in _findings(result)

    # The binding: the expected CA, the server's name, a year left.
    good = pki.leaf(issuer=pki.issuing, name=FQDN, not_before=NOW - day, not_after=NOW + 365 * day)
    _bind(tls_lab, good)
    client = make_cert("fe01.contoso.lab", key=rsa_key(), issuer=pki.issuing, eku=CLIENT_AUTH)
    stranger = make_cert("fe02.fabrikam.test", key=rsa_key(), issuer=pki.stranger_root, eku=CLIENT_AUTH)
    files = {}
    for name, item, chain in (("client", client, pki.issuing.cert), ("stranger", stranger, pki.stranger_root.cert)):
        path = tmp_path / f"{name}.pem"
        key = item.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(
            key + item.cert.public_bytes(serialization.Encoding.PEM) + chain.public_bytes(serialization.Encoding.PEM)
        )
        path.chmod(0o600)
        files[f"{name}_cert"] = str(path)
    after = run(PLAY, extra_vars={**expected, **files, "expected_thumbprint": item_thumbprint(good)})
    probe = after.task(HOST, "probe")
    (port,) = probe["ports"]
    assert probe["ok"] is True, _findings(probe)
    assert port["protocol"] == "TLSv1" and port["client_certificate"] == "required"
    assert [entry["thumbprint"] for entry in port["chain"]] == [item_thumbprint(good), item_thumbprint(pki.issuing)]
    assert after.task(HOST, "probe that fails")["_status"] == "ok"
    mutual = after.task(HOST, "with client certificate")
    assert mutual["ok"] is True and mutual["ports"][0]["client_certificate"] == "accepted"
    refused = after.task(HOST, "with an untrusted client certificate")
    assert refused["ports"][0]["client_certificate"] == "refused"
    assert "refused the probe's client certificate" in _findings(refused)
    assert after.task(HOST, "check mode")["ok"] is True


BIND_THEN_PROBE = """
- hosts: exch2010,exch2013
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:

    - name: bind
      exchange_um.certificates.service_binding:
        thumbprint: "{{ wanted[inventory_hostname] }}"
      register: bound

    - name: probe
      exchange_um.certificates.tls_probe:
        expected_thumbprint: "{{ bound.thumbprint }}"
        fqdn: "{{ ansible_facts.exchange_um_host.fqdn }}"
        ca_certificate: "{{ expected_ca }}"
        min_days_left: 30
"""


@pytest.fixture(scope="module")
def bound_lab(lab_factory: Callable[..., Any]) -> Any:
    """2010 and 2013 as docs/connection-setup.md connects them (CredSSP: their Exchange cmdlets reach the
    directory), with Schannel's TLS 1.2 on for Server 2008 R2 too."""
    return lab_factory("tls-bound", hosts="2010,2013", auth="ntlm", extra=CREDSSP_WHERE_POSSIBLE)


def test_tls_probe_passes_after_service_binding_on_2010_and_2013(
    bound_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]
) -> None:
    pki = Hierarchy()
    wanted = {}
    for host in ("exch2010", "exch2013"):
        fqdn = bound_lab.info["hosts"][host]["fqdn"]
        _trust(bound_lab, "Root", pki.root.cert, host=host)
        _trust(bound_lab, "CA", pki.issuing.cert, host=host)
        item = pki.leaf(
            issuer=pki.issuing, name=fqdn, not_before=NOW - dt.timedelta(days=1), not_after=NOW + dt.timedelta(days=365)
        )
        _import(bound_lab, item, host=host)
        wanted[host] = item_thumbprint(item)
    done = playbook_runner(bound_lab)(
        BIND_THEN_PROBE, extra_vars={"wanted": wanted, "expected_ca": _pem(pki.root.cert)}
    )
    assert done.rc == 0, done.stdout[-3000:]
    for host, ports in (("exch2010", [5061]), ("exch2013", [5061, 5063])):
        assert done.task(host, "bind")["changed"] is True
        probe = done.task(host, "probe")
        assert probe["ok"] is True, _findings(probe)
        assert [entry["port"] for entry in probe["ports"]] == ports
        for entry in probe["ports"]:
            assert entry["protocol"] == "TLSv1.2" and entry["client_certificate"] == "required"
            assert [item["thumbprint"] for item in entry["chain"]] == [wanted[host], item_thumbprint(pki.issuing)]
