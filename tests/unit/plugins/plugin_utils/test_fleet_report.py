"""The fleet audit's verdicts and the report's two formats: every finding, the colours, escaping, no secret."""

from __future__ import annotations

import datetime
import html.parser
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._fleet_report import (
    DUE,
    FAILED,
    NO_DATA,
    OK,
    CaExpectation,
    audit_host,
    ca_expectation,
    fleet_status,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._fleet_report_render import (
    COLOURS,
    ReportMeta,
    render_html,
    render_markdown,
    render_timeline,
    report_files,
)

NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)
ROOT = "1C7BD5F027768B4D9C38D29F6DCB8E3CF9AB44B0"
ISSUING = "490079FEA56247E1FACFE421D200640079FAFCDD"
LEAF = "3C5B7E9A8C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
ISSUER = "CN=Contoso Issuing CA, DC=contoso, DC=lab"
CA_RESULT = {
    "thumbprint": ISSUING,
    "subject": ISSUER,
    "chain": [
        {"thumbprint": ROOT, "role": "root", "subject": "CN=Contoso Root CA"},
        {"thumbprint": ISSUING, "role": "intermediate", "subject": ISSUER},
    ],
    "root": {"thumbprint": ROOT, "subject": "CN=Contoso Root CA"},
}
META = ReportMeta(title="Fleet", generated=NOW, min_days_left=14, renew_before_days=30)


def iso(days: float) -> str:
    return (NOW + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot(*, version: str = "2010", days_left: float = 400, **changes: Any) -> dict[str, Any]:
    """A converged server's exchange_um_host fact; ``changes`` replace top-level keys."""
    fqdn = changes.pop("fqdn", "um001.contoso.lab")
    leaf_changes = changes.pop("leaf", {})
    leaf = {
        "thumbprint": LEAF,
        "subject": f"CN={fqdn}",
        "issuer": ISSUER,
        "not_before": iso(days_left - 730),
        "not_after": iso(days_left),
        "has_private_key": True,
        "dns_names": [fqdn],
        "role": "leaf",
        **leaf_changes,
    }
    router = {"startup_mode": "Dual", "certificate_thumbprint": LEAF} if version == "2013" else None
    fact = {
        "fqdn": fqdn,
        "exchange": {"installed": True, "version": version, "build": "14.3.123.4"},
        "um": {"startup_mode": "Dual", "certificate_thumbprint": LEAF, "call_router": router},
        "services": [{"name": "MSExchangeUM", "status": "Running"}],
        "stores": {
            "Root": [{"thumbprint": ROOT}],
            "CA": [{"thumbprint": ISSUING}],
            "My": [leaf],
        },
    }
    fact.update(changes)
    return fact


TLS_OK = {"ok": True, "ports": [{"port": 5061, "ok": True, "findings": []}]}


def judge(fact: object, tls: object = "converged", ca: CaExpectation | None = None, name: str = "um001") -> Any:
    return audit_host(
        name,
        fact,
        TLS_OK if tls == "converged" else tls,
        ca_expectation(CA_RESULT) if ca is None else ca,
        now=NOW,
        min_days_left=14,
        renew_before_days=30,
    )


def test_ca_expectation_from_the_ca_certificate_result() -> None:
    expected = ca_expectation(CA_RESULT)
    assert expected.roots == (ROOT,)
    assert expected.intermediates == (ISSUING,)
    assert expected.issuer_subjects == ("cn=contoso issuing ca,dc=contoso,dc=lab",)
    assert ca_expectation([ROOT.lower()]).roots == (ROOT,)
    assert ca_expectation(None) == CaExpectation()
    with pytest.raises(ValueError, match="ca must be the result"):
        ca_expectation(5)


def test_converged_server_is_ok() -> None:
    audit = judge(snapshot())
    assert audit.status == OK and audit.findings == [] and audit.notes == []
    assert (audit.trusted, audit.bound, audit.tls, audit.days_left) == (True, True, True, 400)
    assert audit.summary() == f"um001: ok (Exchange 2010; certificate {LEAF}, 400 days left)"


def test_inside_the_renewal_window_is_due_not_failed() -> None:
    audit = judge(snapshot(days_left=20.5))
    assert audit.status == DUE and audit.findings == []
    assert audit.notes == ["renewal due: 20 days left, window 30"]


@pytest.mark.parametrize(
    ("fact", "finding"),
    [
        (snapshot(days_left=5.5), "certificate expires in 5 days (fewer than 14)"),
        (snapshot(days_left=-1), "certificate expired on"),
        (snapshot(stores={"Root": [], "CA": [{"thumbprint": ISSUING}], "My": []}), f"root {ROOT} not in"),
        (snapshot(stores={"Root": [{"thumbprint": ROOT}], "CA": [], "My": []}), f"intermediate {ISSUING} not in"),
        (snapshot(um={"startup_mode": "TCP", "certificate_thumbprint": LEAF}), "UM startup mode is TCP"),
        (snapshot(um={"startup_mode": "Dual", "certificate_thumbprint": None}), "UM uses no certificate"),
        (snapshot(um=None, exchange_error={"message": "second hop"}), "UM state not readable: second hop"),
        (snapshot(services=[{"name": "MSExchangeUM", "status": "Stopped"}]), "not running: MSExchangeUM"),
        (snapshot(leaf={"has_private_key": False}), "certificate has no private key on the server"),
        (snapshot(leaf={"dns_names": ["x.lab"]}), "certificate does not name um001.contoso.lab"),
        (snapshot(leaf={"issuer": "CN=Other"}), "certificate issued by CN=Other, not by the pinned CA"),
    ],
)
def test_each_problem_is_a_finding(fact: dict[str, Any], finding: str) -> None:
    audit = judge(fact)
    assert audit.status == FAILED
    assert any(item.startswith(finding) for item in audit.findings), audit.findings


def test_2013_call_router_must_use_the_same_certificate() -> None:
    fact = snapshot(version="2013")
    assert judge(fact).status == OK
    fact["um"]["call_router"]["certificate_thumbprint"] = ISSUING
    assert any("UM Call Router uses" in item for item in judge(fact).findings)


def test_bound_certificate_missing_from_my() -> None:
    fact = snapshot()
    fact["stores"]["My"] = []
    assert judge(fact).findings == [f"UM's certificate {LEAF} is not in LocalMachine\\My"]


def test_tls_findings_come_per_port_and_a_missing_probe_is_a_note() -> None:
    tls = {"ok": False, "ports": [{"port": 5063, "ok": False, "findings": ["presents a self-signed certificate"]}]}
    assert judge(snapshot(), tls).findings == ["TLS 5063: presents a self-signed certificate"]
    assert judge(snapshot(), {"failed": True, "msg": "refused"}).findings == ["TLS probe failed: refused"]
    audit = judge(snapshot(), None)
    assert audit.status == OK and audit.tls is None and audit.notes == ["TLS not probed"]
    assert judge(snapshot(), {"skipped": True}).notes == ["TLS not probed"]


def test_no_fact_is_no_data() -> None:
    audit = judge(None)
    assert audit.status == NO_DATA and "not reached" in audit.findings[0]


def test_without_a_ca_trust_is_not_judged() -> None:
    audit = judge(snapshot(stores={"Root": [], "CA": [], "My": snapshot()["stores"]["My"]}), ca=CaExpectation())
    assert audit.status == OK and audit.trusted is None


HOSTILE = '<script>alert("x")</script>|*_&'


def fleet() -> list[Any]:
    return [
        judge(snapshot(), name="um-ok"),
        judge(snapshot(days_left=20), name="um-due"),
        judge(snapshot(days_left=3), name="um-failed"),
        judge(None, name="um-unreached"),
        judge(snapshot(fqdn=HOSTILE), name=HOSTILE),
    ]


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_host_texts_and_loads_nothing() -> None:
    page = render_html(fleet(), META)
    assert "<script" not in page and HOSTILE not in page
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert HOSTILE in "".join(parser.text)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for name in ("um-ok", "um-due", "um-failed", "um-unreached"):
        assert f'<tr data-host="{name}">' in page


def test_timeline_is_valid_svg_with_one_coloured_bar_per_certificate() -> None:
    svg = ET.fromstring(render_timeline(fleet(), META))
    bars = {
        rect.get("data-host"): rect for rect in svg.iter("{http://www.w3.org/2000/svg}rect") if rect.get("data-host")
    }
    assert set(bars) == {"um-ok", "um-due", "um-failed", HOSTILE}
    assert bars["um-ok"].get("fill") == COLOURS[OK]
    assert bars["um-due"].get("fill") == COLOURS[DUE]
    assert bars["um-failed"].get("fill") == COLOURS[FAILED]
    # bars end in the order of their expiry; the failing one before today + 14 days
    ends = {name: float(rect.get("x", 0)) + float(rect.get("width", 0)) for name, rect in bars.items()}
    assert ends["um-failed"] < ends["um-due"] < ends["um-ok"]


def test_markdown_table_has_a_row_per_host_and_escapes_cells() -> None:
    text = render_markdown(fleet(), META)
    rows = [line for line in text.splitlines() if line.startswith("| um") or line.startswith("| \\<")]
    assert len(rows) == 5
    assert all(row.count(" | ") == 10 for row in rows)
    assert "2 ok, 1 renewal due, 1 failed, 1 no data" in text
    assert "<" not in text.replace("\\<", "")


def test_report_files_and_counts() -> None:
    files = report_files(fleet(), META)
    assert set(files) == {"report.md", "report.html", "report.json"}
    document = json.loads(files["report.json"])
    assert [host["name"] for host in document["hosts"]] == [audit.name for audit in fleet()]
    assert document["counts"] == fleet_status(fleet()) == {OK: 2, DUE: 1, FAILED: 1, NO_DATA: 1}
