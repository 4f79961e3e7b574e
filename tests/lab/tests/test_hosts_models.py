"""The operation models of the simulated hosts: exchange_info and root_trust, through run_command."""

from __future__ import annotations

import copy

import pytest

from tests.lab.hosts import PRESETS, SimulatedHost
from tests.lab.hosts.result import ScriptError, error_line, result_line, to_exum_json
from tests.lab.tests.test_hosts_payloads import (
    BOOTSTRAP_JOIN,
    SNAPINS,
    TestCa,
    b64der,
    command_line,
    exum_result,
    make_ca,
    payload_stdin,
    payload_text,
)

UM_SERVICES = ["MSExchangeUM", "MSExchangeUMCR"]


@pytest.fixture(scope="module")
def ca() -> TestCa:
    return make_ca()


@pytest.fixture(scope="module")
def fresh_hosts() -> dict[str, SimulatedHost]:
    return {name: SimulatedHost(spec) for name, spec in PRESETS.items()}


def run(host: SimulatedHost, text: str) -> tuple[str, str, int]:
    return host.run_command(command_line(BOOTSTRAP_JOIN), payload_stdin(text), 65001)


def exchange_info(host: SimulatedHost, *, fragment: str | None = None) -> dict:
    version = host.spec.exchange_version
    fragment = fragment or (version if version else "none")
    loader = [f"Add-PSSnapin -Name '{SNAPINS[fragment]}' -ErrorAction Stop"] if fragment != "none" else []
    text = payload_text(
        "exchange_info", {"Services": UM_SERVICES}, loader=loader, fragment=f"exchange_info.{fragment}.ps1"
    )
    out, err, rc = run(host, text)
    assert (err, rc) == ("", 0), out
    return exum_result(out)["data"]


def root_trust(host: SimulatedHost, **arguments: object) -> dict:
    out, err, rc = run(host, payload_text("root_trust", arguments))
    assert err == ""
    document = exum_result(out)
    assert rc == (0 if document["ok"] else 1)
    return document


# ---------------------------------------------------------------- exchange_info


@pytest.mark.parametrize(
    ("preset", "exchange", "um", "services"),
    [
        (
            "2007sp1",
            {"installed": True, "version": "2007sp1", "build": "8.1.240.6", "um_role": True},
            {"startup_mode": None, "certificate_thumbprint": None, "certificate_event_time": None, "call_router": None},
            ["MSExchangeUM"],
        ),
        (
            "2010",
            {"installed": True, "version": "2010", "build": "14.3.123.4", "um_role": True},
            {"startup_mode": "TCP", "certificate_thumbprint": None, "call_router": None},
            ["MSExchangeUM"],
        ),
        (
            "2013",
            {"installed": True, "version": "2013", "build": "15.0.1497.2", "um_role": True},
            {
                "startup_mode": "TCP",
                "certificate_thumbprint": None,
                "call_router": {"startup_mode": "TCP", "certificate_thumbprint": None},
            },
            ["MSExchangeUM", "MSExchangeUMCR"],
        ),
        ("windows", {"installed": False, "version": None, "build": None, "um_role": False}, None, []),
    ],
)
def test_exchange_info_per_version(
    fresh_hosts: dict[str, SimulatedHost], preset: str, exchange: dict, um: dict | None, services: list[str]
) -> None:
    host = fresh_hosts[preset]
    data = exchange_info(host)
    spec = host.spec
    assert {key: data["exchange"][key] for key in exchange} == exchange
    assert data["um"] == um
    assert [service["name"] for service in data["services"]] == services
    assert all(service["status"] == "Running" and service["start_mode"] == "Auto" for service in data["services"])
    assert (data["computer_name"], data["fqdn"], data["powershell_version"]) == (
        spec.computer_name,
        spec.fqdn,
        spec.powershell_version,
    )
    assert data["os"] == {"caption": spec.os_caption, "version": spec.os_version}
    assert len(data["stores"]["Root"]) >= 2 and data["stores"]["CA"] == []
    assert data["pending_requests"] == []


@pytest.mark.parametrize("preset", ["2007sp1", "2010", "2013"])
def test_exchange_setup_certificate(fresh_hosts: dict[str, SimulatedHost], preset: str) -> None:
    data = exchange_info(fresh_hosts[preset])
    (mine,) = data["stores"]["My"]
    assert mine["subject"] == f"CN={fresh_hosts[preset].spec.computer_name}" == mine["issuer"]
    assert mine["has_private_key"] is True
    assert data["exchange_certificates"] == [
        {"thumbprint": mine["thumbprint"], "services": "IMAP, POP, IIS, SMTP", "status": "Valid"}
    ]


def test_exchange_info_without_exchange_cmdlets_on_an_exchange_host() -> None:
    host = SimulatedHost(PRESETS["2010"])
    data = exchange_info(host, fragment="none")
    assert data["exchange"]["installed"] is True and data["exchange"]["version"] == "2010"
    assert data["um"] is None and data["exchange_certificates"] == []
    assert host.counters.exchange_shell_loads == 0


def test_exchange_info_changes_nothing(fresh_hosts: dict[str, SimulatedHost]) -> None:
    host = fresh_hosts["2013"]
    before = copy.deepcopy(host.dump()["state"])
    exchange_info(host)
    assert host.dump()["state"] == before


def test_exchange_info_2007_reads_event_1112() -> None:
    host = SimulatedHost(PRESETS["2007sp1"])
    thumbprint = host.state.stores["My"].entries()[0].thumbprint
    host.state.write_event(
        event_id=1112,
        source="MSExchange Unified Messaging",
        entry_type="Information",
        message=f"The certificate with thumbprint {thumbprint.lower()} will be used.",
    )
    um = exchange_info(host)["um"]
    assert um["certificate_thumbprint"] == thumbprint
    assert um["certificate_event_time"] == host.state.events[-1].time_generated


def test_exchange_info_2013_bindings(fresh_hosts: dict[str, SimulatedHost]) -> None:
    host = SimulatedHost(PRESETS["2013"])
    thumbprint = host.state.stores["My"].entries()[0].thumbprint
    host.state.exchange_services[thumbprint] |= {"UM", "UMCallRouter"}
    host.state.um.startup_mode = "TLS"
    data = exchange_info(host)
    assert data["exchange_certificates"][0]["services"] == "IMAP, POP, UM, IIS, SMTP, UMCallRouter"
    assert data["um"]["startup_mode"] == "TLS"
    assert data["um"]["certificate_thumbprint"] == thumbprint
    assert data["um"]["call_router"]["certificate_thumbprint"] == thumbprint


# ---------------------------------------------------------------- root_trust


def thumbprints(host: SimulatedHost, store: str) -> list[str]:
    return [entry.thumbprint for entry in host.state.stores[store].entries()]


def test_root_trust_adds_then_converges(ca: TestCa) -> None:
    from tests.lab.hosts.certs import thumbprint

    host = SimulatedHost(PRESETS["2010"])
    root_tp, issuing_tp = thumbprint(ca.root), thumbprint(ca.intermediate)
    roots_before = thumbprints(host, "Root")

    first = root_trust(host, Root=[b64der(ca.root)], Intermediate=[b64der(ca.intermediate)], State="present")["data"]
    assert first["changed"] is True
    assert first["added"] == [{"store": "Root", "thumbprint": root_tp}, {"store": "CA", "thumbprint": issuing_tp}]
    assert first["removed"] == []
    assert first["before"] == {"Root": roots_before, "CA": []}
    assert first["after"] == {"Root": [*roots_before, root_tp], "CA": [issuing_tp]}
    assert first["chain"] == {"built": True, "status": []}

    second = root_trust(host, Root=[b64der(ca.root)], Intermediate=[b64der(ca.intermediate)])["data"]
    assert second["changed"] is False and second["added"] == []
    assert second["after"] == first["after"]


def test_root_trust_check_mode_changes_nothing(ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2013"])
    before = copy.deepcopy(host.dump()["state"])
    data = root_trust(host, Root=[b64der(ca.root)], CheckMode=True)["data"]
    assert data["changed"] is True and len(data["added"]) == 1
    assert data["after"] == data["before"]
    assert data["chain"] is None
    assert host.dump()["state"] == before


def test_root_trust_absent_removes(ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2007sp1"])
    root_trust(host, Root=[b64der(ca.root)], Intermediate=[b64der(ca.intermediate)])
    data = root_trust(host, Root=[b64der(ca.root)], Intermediate=[b64der(ca.intermediate)], State="absent")["data"]
    assert data["changed"] is True and len(data["removed"]) == 2
    assert data["chain"] is None
    assert b64der(ca.root) not in {b64der(entry.certificate) for entry in host.state.stores["Root"].entries()}
    assert host.state.stores["CA"].entries() == []
    assert root_trust(host, Root=[b64der(ca.root)], State="absent")["data"]["changed"] is False


def test_root_trust_chain_of_an_intermediate_without_its_root(ca: TestCa) -> None:
    host = SimulatedHost(PRESETS["2010"])
    before = copy.deepcopy(host.dump()["state"])
    error = root_trust(host, Intermediate=[b64der(ca.intermediate)])["error"]
    assert error["fqid"] == "ExumIssuerNotFound" and "CN=Test Issuing" in error["message"]
    assert host.dump()["state"] == before  # refused before any store was opened


@pytest.mark.parametrize(
    ("arguments", "error_id"),
    [
        (lambda ca: {"Root": [b64der(ca.leaf)]}, "ExumNotCertificateAuthority"),
        (lambda ca: {"Root": [b64der(ca.self_signed_leaf)]}, "ExumNotCertificateAuthority"),
        (lambda ca: {"Intermediate": [b64der(ca.leaf)]}, "ExumNotCertificateAuthority"),
        (lambda ca: {"Root": [b64der(ca.intermediate)]}, "ExumNotRootCertificate"),
        (lambda ca: {"Root": [b64der(ca.root), b64der(ca.intermediate)]}, "ExumNotRootCertificate"),
        (lambda ca: {"Intermediate": [b64der(ca.root)]}, "ExumNotIntermediateCertificate"),
    ],
)
def test_root_trust_refuses_wrong_placements(ca: TestCa, arguments, error_id: str) -> None:
    host = SimulatedHost(PRESETS["2013"])
    before = copy.deepcopy(host.dump()["state"])
    given = arguments(ca)
    out, err, rc = run(host, payload_text("root_trust", given))
    document = exum_result(out)
    assert (err, rc, document["ok"]) == ("", 1, False)
    error = document["error"]
    assert error["fqid"] == error_id
    assert (error["category"], error["exception"]) == ("InvalidArgument", "System.InvalidOperationException")
    assert error["message"].startswith("CN=")
    # The record is thrown by Stop-ExumOperation in the prelude: its line is that throw's.
    assert payload_text("root_trust", given).splitlines()[error["line"] - 1].strip() == "throw $record"
    assert host.dump()["state"] == before  # refused before any store was opened


def test_root_trust_with_undecodable_certificate_has_no_model() -> None:
    host = SimulatedHost(PRESETS["2010"])
    out, err, rc = run(host, payload_text("root_trust", {"Root": ["bm90IGEgY2VydGlmaWNhdGU="]}))
    assert (out, rc) == ("", 1) and "The lab has no model for this script" in err


# ---------------------------------------------------------------- the result writer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": [1, True, None]}, '{"a":[1,true,null]}'),
        ('Größe "q" \\ \t', '"Gr\\u00f6\\u00dfe \\"q\\" \\\\ \\u0009"'),
        ("\x7f~", '"\\u007f~"'),
        ("\U0001f600", '"\\ud83d\\ude00"'),
        ([], "[]"),
        ({}, "{}"),
    ],
)
def test_result_json_is_the_prelude_writer(value: object, expected: str) -> None:
    assert to_exum_json(value) == expected


def test_result_lines() -> None:
    assert result_line({"x": 1}) == '@@EXUM_RESULT@@{"ok":true,"data":{"x":1}}\r\n'
    error = ScriptError("boom", fqid="Id", category="InvalidArgument", exception="System.Exception", line=3)
    assert error_line(error) == (
        '@@EXUM_RESULT@@{"ok":false,"error":{"message":"boom","fqid":"Id","category":"InvalidArgument",'
        '"line":3,"exception":"System.Exception"}}\r\n'
    )
