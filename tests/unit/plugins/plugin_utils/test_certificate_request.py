"""certificate_request's flow with its host script run by a lab host's PowerShell engine and a CA client backed by the
lab's CA (real keys, real certificates), and its fact decisions as tables."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certificate_request import (
    Request,
    ensure_absent,
    ensure_certificate,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certificate_request_checks import (
    CertificateRequestError,
    Issuer,
    covers,
    read_issuer,
    request_names,
    usable_in_fact,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._certsrv import (
    CertsrvConnectionError,
    CertsrvDenied,
    CertsrvPending,
    Enrollment,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_facts import normalize_snapshot
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import thumbprint, to_pem
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.lab.hosts import PRESETS, HostSpec, SimulatedHost
from tests.lab.hosts.certs import StoredCertificate
from tests.lab.pki import LabPki, UnknownTemplateError
from tests.unit.host_payload import lab_host, run_on_lab_host

CA = "http://ca.contoso.lab/certsrv/"


@pytest.fixture(scope="module")
def lab_pki(tmp_path_factory: pytest.TempPathFactory) -> LabPki:
    return LabPki.create(Path(tmp_path_factory.mktemp("pki")))


class FakeCa:
    """A CertsrvClient stand-in: ``mode`` issue / pending / deny / down; what it was asked, in ``calls``."""

    base_url = CA

    def __init__(self, pki: LabPki, mode: str = "issue") -> None:
        self.pki = pki
        self.mode = mode
        self.calls: list[tuple[str, Any]] = []
        self.held: dict[int, x509.CertificateSigningRequest] = {}
        self.attributes: list[Mapping[str, str]] = []

    def __enter__(self) -> FakeCa:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, csr_pem: str, *, template: str, attributes: Mapping[str, str] | None = None) -> Enrollment:
        self.calls.append(("submit", template))
        self.attributes.append(dict(attributes or {}))
        if self.mode == "down":
            raise CertsrvConnectionError("cannot reach AD CS", url=CA, reason="refused", attempts=1)
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        number = len(self.calls)
        if self.mode == "pending":
            self.held[number] = csr
            raise CertsrvPending("held", url=CA, request_id=number)
        try:
            cert = self.pki.sign_csr(csr, template=template, san_attribute=(attributes or {}).get("SAN"))
        except UnknownTemplateError:
            message = (
                "Denied by Policy Module  0x80094800, The request was for a certificate template that is not "
                f"supported by the Active Directory Certificate Services policy: {template}."
            )
            raise CertsrvDenied(
                f"AD CS denied request {number}: {message}",
                url=CA,
                request_id=number,
                disposition_message=message,
                code="0x80094800",
            ) from None
        return Enrollment(number, cert)

    def retrieve(self, request_id: int) -> x509.Certificate:
        self.calls.append(("retrieve", request_id))
        if self.mode == "pending":
            raise CertsrvPending("held", url=CA, request_id=request_id)
        if self.mode == "deny":
            raise CertsrvDenied(
                f"AD CS denied request {request_id}",
                url=CA,
                request_id=request_id,
                disposition_message="Denied by CONTOSO\\Administrator",
                code="0x80094014",
            )
        return self.pki.sign_csr(self.held.pop(request_id), template="WebServer")


class Host:
    """A lab host whose PowerShell engine runs the payloads the channel builds."""

    def __init__(self, pki: LabPki, preset: str = "2010", spec: HostSpec | None = None) -> None:
        self.lab = SimulatedHost(spec) if spec is not None else lab_host(preset)
        self.lab.state.machine_store("Root", create=True).add(StoredCertificate(pki.root))
        self.lab.state.machine_store("CA", create=True).add(StoredCertificate(pki.issuing))
        self.steps: list[str] = []

    def __call__(self, arguments: Mapping[str, object]) -> dict[str, Any]:
        self.steps.append(str(arguments["Step"]))
        payload = channel.build_payload(operation="certificate_request", arguments=arguments, exchange=None)
        data, _out, _err = run_on_lab_host(payload, self.lab, operation="certificate_request")
        return data

    def store(self, name: str) -> dict[str, StoredCertificate]:
        store = self.lab.state.machine_store(name)
        return {} if store is None else {entry.thumbprint: entry for entry in store.entries()}

    def records(self) -> list[str]:
        return [key for key in self.lab.state.registry if "exchange_um" in key and key.endswith(".lab")]

    @property
    def fqdn(self) -> str:
        return self.lab.spec.fqdn


def raw_entry(cert: x509.Certificate, *, has_key: bool = False) -> dict[str, Any]:
    """A store entry as the host script prints it (the controller derives the rest from the DER)."""
    return {
        "thumbprint": thumbprint(cert),
        "has_private_key": has_key,
        "friendly_name": "",
        "der": base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def make_request(pki: LabPki, host: Host, **changes: Any) -> Request:
    values: dict[str, Any] = {
        "fqdn": host.fqdn,
        "names": (host.fqdn, "um.contoso.lab"),
        "issuer": Issuer((thumbprint(pki.issuing),), (pki.issuing,)),
        "template": "WebServer",
        "ca": CA,
        "key_size": 2048,
        "exportable": False,
        "friendly_name": "",
        "renew_before_days": 30,
        "force": False,
        "pending_timeout": 0,
        "pending_poll_interval": 1,
    }
    values.update(changes)
    return Request(**values)


def ensure(pki: LabPki, host: Host, ca: FakeCa, **options: Any) -> Any:
    snapshot = options.pop("snapshot", None)
    check_mode = options.pop("check_mode", False)
    return ensure_certificate(
        request=make_request(pki, host, **options), check_mode=check_mode, diff=True,
        snapshot=snapshot, call_host=host, client=lambda: ca, sleep=lambda _s: None,
    )  # fmt: skip


@pytest.mark.parametrize("preset", ["2007sp1", "2010", "2013"])
def test_fresh_issue_then_converged(lab_pki: LabPki, preset: str) -> None:
    host, ca = Host(lab_pki, preset), FakeCa(lab_pki)
    outcome = ensure(lab_pki, host, ca)
    result = outcome.result
    assert result["changed"] is True and result["action"] == "issued"
    assert host.steps == ["prepare", "install"] and [c[0] for c in ca.calls] == ["submit"]
    installed = host.store("My")[result["thumbprint"]]
    assert installed.private_key is not None and installed.key_exportable is False
    assert result["certificate"]["dns_names"] == [host.fqdn, "um.contoso.lab"]
    assert host.store("REQUEST") == {} and host.records() == []
    assert ca.attributes == [{}]  # 2008 and later: the SANs are in the request's extension
    again = ensure(lab_pki, host, ca)
    assert again.result["changed"] is False and again.result["thumbprint"] == result["thumbprint"]
    assert host.steps == ["prepare", "install", "prepare"] and len(ca.calls) == 1


def test_only_the_exchanges_with_the_ca_wait_for_a_slot(lab_pki: LabPki) -> None:
    """The slot (max_concurrent_submissions) is held around each exchange with AD CS, never around a host step."""
    host = Host(lab_pki)
    held: list[bool] = []
    inside: list[str] = []

    @contextlib.contextmanager
    def slot() -> Iterator[None]:
        held.append(True)
        try:
            yield
        finally:
            held.pop()

    class Watched(FakeCa):
        def submit(self, *args: Any, **kwargs: Any) -> Enrollment:
            inside.append(f"submit {bool(held)}")
            return super().submit(*args, **kwargs)

        def retrieve(self, request_id: int) -> x509.Certificate:
            inside.append(f"retrieve {bool(held)}")
            return super().retrieve(request_id)

    watched = Watched(lab_pki, "pending")

    def call_host(arguments: Mapping[str, object]) -> Mapping[str, Any]:
        inside.append(f"{arguments['Step']} {bool(held)}")
        return host(arguments)

    ensure_certificate(
        request=make_request(lab_pki, host, pending_timeout=2), check_mode=False, diff=False, snapshot=None,
        call_host=call_host, client=lambda: watched, slot=slot, sleep=lambda _s: None,
    )  # fmt: skip
    assert inside == ["prepare False", "submit True", "record False", "retrieve True", "retrieve True"]


def test_windows_2003_sends_the_sans_as_a_request_attribute(lab_pki: LabPki) -> None:
    # host-facts.md "certreq / certutil": 2003's certreq has no [Extensions] {text} syntax and no -machine option;
    # the SANs go in the SAN request attribute, which the controller sends with the submission too.
    spec = PRESETS["2007sp1"].configured(
        os_version="5.2.3790", os_caption="Microsoft Windows Server 2003 R2 Enterprise Edition"
    )
    host, ca = Host(lab_pki, spec=spec), FakeCa(lab_pki)
    lab_pki.editf_attribute_subject_alt_name2 = True
    try:
        outcome = ensure(lab_pki, host, ca)
    finally:
        lab_pki.editf_attribute_subject_alt_name2 = False
    assert ca.attributes == [{"SAN": f"dns={host.fqdn}&dns=um.contoso.lab"}]
    assert outcome.result["action"] == "issued" and host.store("My")[outcome.result["thumbprint"]].private_key


def test_the_fact_spares_the_host(lab_pki: LabPki) -> None:
    host, ca = Host(lab_pki), FakeCa(lab_pki)
    ensure(lab_pki, host, ca)
    raw = {"fqdn": host.fqdn, "stores": {}}
    for name in ("My", "Root", "CA"):
        raw["stores"][name] = [
            raw_entry(e.certificate, has_key=e.private_key is not None) for e in host.store(name).values()
        ]
    snapshot = normalize_snapshot(raw)
    steps = len(host.steps)
    converged = ensure(lab_pki, host, ca, snapshot=snapshot)
    assert converged.result["changed"] is False and len(host.steps) == steps and len(ca.calls) == 1
    renewing = ensure(lab_pki, host, ca, snapshot=snapshot, renew_before_days=800, check_mode=True)
    assert renewing.result["action"] == "renewed" and len(host.steps) == steps
    assert renewing.result["previous_thumbprint"] == converged.result["thumbprint"]
    assert host.store("REQUEST") == {}


def test_pending_is_recorded_and_resumed_with_the_same_key(lab_pki: LabPki) -> None:
    host, ca = Host(lab_pki), FakeCa(lab_pki, "pending")
    first = ensure(lab_pki, host, ca)
    assert first.result["failed"] is True and first.result["action"] == "pending"
    request_id = first.result["request_id"]
    assert f"request {request_id}" in first.result["msg"] and "certutil -resubmit" in first.result["msg"]
    [key] = host.store("REQUEST")
    assert host.steps == ["prepare", "record"]
    still = ensure(lab_pki, host, ca, pending_timeout=3)
    assert still.result["action"] == "pending" and still.result["request_id"] == request_id
    assert [c for c in ca.calls if c[0] == "submit"] == [("submit", "WebServer")]
    assert list(host.store("REQUEST")) == [key]
    ca.mode = "issue"
    done = ensure(lab_pki, host, ca)
    assert done.result["action"] == "issued" and done.result["request_id"] == request_id
    assert host.store("REQUEST") == {} and host.records() == []


def test_denied_removes_the_key_and_the_record(lab_pki: LabPki) -> None:
    host, ca = Host(lab_pki), FakeCa(lab_pki, "pending")
    ensure(lab_pki, host, ca)
    ca.mode = "deny"
    with pytest.raises(CertificateRequestError) as caught:
        ensure(lab_pki, host, ca)
    assert "Denied by CONTOSO\\Administrator" in caught.value.message and "0x80094014" in caught.value.message
    assert host.store("REQUEST") == {} and host.records() == []


@pytest.mark.parametrize(
    ("template", "expected"), [("Web Server", "display name"), ("NoSuch", "does not offer template 'NoSuch'")]
)
def test_template_errors(lab_pki: LabPki, template: str, expected: str) -> None:
    host, ca = Host(lab_pki), FakeCa(lab_pki)
    with pytest.raises(CertificateRequestError) as caught:
        ensure(lab_pki, host, ca, template=template)
    assert expected in caught.value.message and "0x80094800" in caught.value.message
    assert host.store("REQUEST") == {} and host.records() == []


def test_ca_down_keeps_the_key_for_the_next_run(lab_pki: LabPki) -> None:
    host, ca = Host(lab_pki), FakeCa(lab_pki, "down")
    with pytest.raises(CertificateRequestError) as caught:
        ensure(lab_pki, host, ca)
    assert "run the task again" in caught.value.message
    [key] = host.store("REQUEST")
    ca.mode = "issue"
    done = ensure(lab_pki, host, ca)
    assert done.result["action"] == "issued"
    installed = host.store("My")[done.result["thumbprint"]]
    assert installed.key_container is not None and host.store("REQUEST") == {}
    assert key not in host.store("My")


def test_check_mode_makes_no_key(lab_pki: LabPki) -> None:
    host, ca = Host(lab_pki), FakeCa(lab_pki)
    outcome = ensure(lab_pki, host, ca, check_mode=True)
    assert outcome.result["changed"] is True and outcome.result["action"] == "issued"
    assert "a new certificate from AD CS" in outcome.result["diff"]["after"]
    assert host.store("REQUEST") == {} and host.records() == [] and ca.calls == []


def test_wrong_issuer_is_not_installed(lab_pki: LabPki, tmp_path: Path) -> None:
    other = LabPki.create(tmp_path / "other")
    host, ca = Host(lab_pki), FakeCa(other)
    with pytest.raises(CertificateRequestError) as caught:
        ensure(lab_pki, host, ca)
    assert "not by the issuer given" in caught.value.message
    assert all(e.certificate.issuer != other.issuing.subject for e in host.store("My").values())
    assert host.store("REQUEST") == {} and host.records() == []


def test_absent_removes_unused_managed_certificates(lab_pki: LabPki) -> None:
    host, ca = Host(lab_pki), FakeCa(lab_pki)
    issued = ensure(lab_pki, host, ca).result["thumbprint"]
    snapshot = ensure(lab_pki, host, ca, force=True, snapshot={"fqdn": host.fqdn, "stores": {}}).snapshot
    assert snapshot is not None
    raw = {"stores": {"Root": [raw_entry(lab_pki.root)], "CA": [raw_entry(lab_pki.issuing)]}}
    snapshot["stores"].update(normalize_snapshot(raw)["stores"])
    newest = next(
        e for e in snapshot["stores"]["My"] if e["thumbprint"] != issued and "um.contoso.lab" in e["dns_names"]
    )
    newest["services"] = "UM"
    outcome = ensure_absent(
        request=make_request(lab_pki, host), check_mode=False, diff=False, snapshot=snapshot, call_host=host
    )
    assert outcome.result["removed"] == [issued] and issued not in host.store("My")
    assert newest["thumbprint"] in host.store("My")


def test_names_and_issuer_options(lab_pki: LabPki) -> None:
    assert request_names("EXCH.contoso.lab", ["exch.contoso.lab", "*.contoso.lab"]) == [
        "exch.contoso.lab",
        "*.contoso.lab",
    ]
    with pytest.raises(CertificateRequestError, match="fqdn"):
        request_names("exch'$(x).contoso.lab", [])
    assert covers(["*.contoso.lab"], "exch.contoso.lab") and not covers(["*.contoso.lab"], "a.b.contoso.lab")
    chain = [to_pem(lab_pki.issuing), to_pem(lab_pki.root)]
    assert set(read_issuer(chain).thumbprints) == {thumbprint(lab_pki.issuing), thumbprint(lab_pki.root)}
    assert read_issuer(thumbprint(lab_pki.issuing).lower()).thumbprints == (thumbprint(lab_pki.issuing),)
    with pytest.raises(CertificateRequestError, match="not a CA certificate"):
        read_issuer(to_pem(lab_pki.sign_csr(_csr(), template="WebServer")))


def _csr() -> x509.CertificateSigningRequest:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x.contoso.lab")])
    return x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())


def test_fact_without_eku_is_not_trusted_to_decide() -> None:
    now = dt.datetime.now(dt.timezone.utc)
    entry = {
        "thumbprint": "A" * 40,
        "subject": "CN=x.contoso.lab",
        "issuer": "CN=CA",
        "has_private_key": True,
        "dns_names": ["x.contoso.lab"],
        "not_before": "2020-01-01T00:00:00Z",
        "not_after": "2099-01-01T00:00:00Z",
    }
    best, certain = usable_in_fact(
        {"stores": {"My": [entry]}}, names=["x.contoso.lab"], issuer=Issuer(("B" * 40,)), renew_before_days=30, now=now
    )
    assert best is None and certain is False
