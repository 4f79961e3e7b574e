"""ca_certificate through ansible-playbook against the lab's AD CS emulator.

Cases that leave the CA as it was run as one playbook (one task per case, ``ignore_errors``) and are checked one by
one; cases that change the CA (faults, locale, renewal) run their own playbooks, in that order, on a lab of their
own (``--hosts none``), so other test files keep a CA in its initial state.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import fingerprint_sha256, thumbprint
from cryptography import x509
from requests_ntlm import HttpNtlmAuth

from .conftest import Lab, PlaybookRun

pytestmark = pytest.mark.integration

WRONG_PASSWORD = "Not-the-Enroll-Password-42"
ZERO_PIN = "00" * 20


@dataclass(frozen=True)
class Context:
    """What expectations compare against: the lab's CA as lab.json describes it, and the output directory."""

    ca_thumbprint: str
    root_thumbprint: str
    ca_pem: str
    root_pem: str
    out: Path


@dataclass(frozen=True)
class Case:
    name: str
    args: dict[str, Any]
    check: Callable[[dict[str, Any], Context], None]
    keywords: dict[str, Any] | None = None


# -- expectations --------------------------------------------------------------------------------------------------


def fetched(result: dict[str, Any], ctx: Context) -> None:
    assert result["_status"] in ("ok", "changed"), result.get("msg")
    assert result["thumbprint"] == ctx.ca_thumbprint
    assert result["certificate"] == ctx.ca_pem
    assert [(c["role"], c["thumbprint"]) for c in result["chain"]] == [
        ("intermediate", ctx.ca_thumbprint),
        ("root", ctx.root_thumbprint),
    ]
    assert result["root"]["thumbprint"] == ctx.root_thumbprint and result["root"]["pem"] == ctx.root_pem
    assert result["issuer"] == result["root"]["subject"]


def fetched_quietly(result: dict[str, Any], ctx: Context) -> None:
    fetched(result, ctx)
    assert result["renewal"] == 0 and result["renewal_found"] is True
    assert not result["warnings"]


def fetched_with_relay_warning(result: dict[str, Any], ctx: Context) -> None:
    """NTLM over plain http works, and warns that the logon can be relayed (docs/security.md)."""
    fetched(result, ctx)
    assert result["renewal"] == 0 and result["renewal_found"] is True
    assert [w for w in result["warnings"] if "relay" in w and "Extended Protection" in w] == result["warnings"] != []


def failed_with(*words: str, dest: str | None = None) -> Callable[[dict[str, Any], Context], None]:
    def check(result: dict[str, Any], ctx: Context) -> None:
        assert result["_status"] == "failed", result
        for word in words:
            assert word.format(ca=ctx.ca_thumbprint, root=ctx.root_thumbprint) in result["msg"], result["msg"]
        assert "Traceback" not in result["msg"]
        assert result["certificate"] is None
        if dest:
            assert not (ctx.out / dest).exists()

    return check


def warned_unpinned(result: dict[str, Any], ctx: Context) -> None:
    fetched(result, ctx)
    assert any("allow_unpinned_http" in w and ctx.ca_thumbprint in w for w in result["warnings"]), result["warnings"]


def wrote(name: str, *, chain: bool, changed: bool, diff: bool = False) -> Callable[[dict[str, Any], Context], None]:
    def check(result: dict[str, Any], ctx: Context) -> None:
        fetched(result, ctx)
        expected = ctx.ca_pem + (ctx.root_pem if chain else "")
        assert result["changed"] is changed
        assert result["dest"] == str(ctx.out / name)
        assert (ctx.out / name).read_text() == expected
        assert ("diff" in result) is diff

    return check


def check_mode_left_alone(result: dict[str, Any], ctx: Context) -> None:
    fetched(result, ctx)
    assert result["changed"] is True
    # Later tasks write the file; that the next task ("dest written") still reports a change shows this one did not.
    assert result["diff"]["before"] == "" and result["diff"]["after"] == ctx.ca_pem


HTTP = {"ca_url": "{{ ca.url }}", "username": "{{ ca.username }}", "password": "{{ ca.password }}"}
HTTPS = {**HTTP, "ca_url": "{{ ca.https_url }}", "ca_path": "{{ ca.bundle }}"}
PIN = {"expected_thumbprint": "{{ ca.thumbprint }}"}

CASES = [
    Case("ntlm over http, pinned", {**HTTP, **PIN}, fetched_with_relay_warning),
    Case("ntlm over validated https", HTTPS, fetched_quietly),
    Case("basic over validated https", {**HTTPS, "auth": "basic"}, fetched_quietly),
    Case("url alias", {**{k: v for k, v in HTTP.items() if k != "ca_url"}, "url": "{{ ca.url }}", **PIN}, fetched),
    Case("pin sha1 lower case with spaces", {**HTTP, "expected_thumbprint": "{{ ca.pin_sha1_spaced }}"}, fetched),
    Case("pin sha256 of the root with colons", {**HTTP, "expected_thumbprint": ["{{ ca.pin_root_sha256 }}"]}, fetched),
    Case(
        "pin mismatch",
        {**HTTP, "expected_thumbprint": ZERO_PIN, "dest": "{{ out }}/mismatch.pem"},
        failed_with(ZERO_PIN, "{ca}", "{root}", dest="mismatch.pem"),
    ),
    Case(
        "unpinned http refused",
        {**HTTP, "dest": "{{ out }}/unpinned.pem"},
        failed_with("expected_thumbprint", "allow_unpinned_http", dest="unpinned.pem"),
    ),
    Case(
        "unvalidated https refused",
        {**HTTPS, "validate_certs": False},
        failed_with("expected_thumbprint", "allow_unpinned_http"),
    ),
    Case("allow_unpinned_http warns", {**HTTP, "allow_unpinned_http": True}, warned_unpinned),
    Case(
        "https without the lab bundle",
        {**HTTP, "ca_url": "{{ ca.https_url }}", "retries": 0},
        failed_with("validate_certs", "ca_path"),
    ),
    Case(
        "bad url",
        {**HTTP, **PIN, "ca_url": "http://{{ ca.address }}:9/certsrv/", "retries": 0, "timeout": 5},
        failed_with("ca_url"),
    ),
    Case("wrong password", {**HTTPS, "password": WRONG_PASSWORD}, failed_with("401", "password")),
    Case("path to the lab bundle", {"path": "{{ ca.bundle }}"}, fetched),
    Case("content of the lab bundle", {"content": "{{ lookup('file', ca.bundle) }}"}, fetched),
    Case("non-ca refused", {"content": "{{ ca.tls_leaf }}{{ lookup('file', ca.bundle) }}"}, failed_with("not a CA")),
    Case(
        "chain to dest",
        {**HTTPS, "chain": True, "dest": "{{ out }}/chain.pem"},
        wrote("chain.pem", chain=True, changed=True),
    ),
    Case(
        "dest in check mode",
        {**HTTPS, "dest": "{{ out }}/idempotent.pem"},
        check_mode_left_alone,
        {"check_mode": True, "diff": True},
    ),
    Case(
        "dest written",
        {**HTTPS, "dest": "{{ out }}/idempotent.pem"},
        wrote("idempotent.pem", chain=False, changed=True),
    ),
    Case(
        "dest unchanged",
        {**HTTPS, "dest": "{{ out }}/idempotent.pem"},
        wrote("idempotent.pem", chain=False, changed=False, diff=True),
        {"diff": True},
    ),
    Case(
        "module_defaults group",
        PIN,
        fetched_with_relay_warning,
        {"module_defaults": {"group/exchange_um.certificates.certsrv": HTTP}},
    ),
]


# -- fixtures ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def adcs(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("adcs", hosts="none")


@pytest.fixture(scope="module")
def run(adcs: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]) -> Callable[..., PlaybookRun]:
    return playbook_runner(adcs)


def _pem(path: str) -> str:
    return Path(path).read_text()


@pytest.fixture(scope="module")
def ca_vars(adcs: Lab, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    info = adcs.info["adcs"]
    root = x509.load_pem_x509_certificate(Path(info["root_cert_path"]).read_bytes())
    https = urlsplit(info["https_url"])
    # The certsrv site's own TLS certificate: a real leaf issued by the lab CA, not a CA certificate.
    tls_leaf = ssl.get_server_certificate((https.hostname, https.port))
    sha1 = info["ca_thumbprint"].lower()
    return {
        "out": str(tmp_path_factory.mktemp("ca-out")),
        "ca": {
            "url": info["url"],
            "https_url": info["https_url"],
            "username": info["username"],
            "password": info["password"],
            "thumbprint": info["ca_thumbprint"],
            "bundle": info["ca_bundle_path"],
            "address": https.hostname,
            "tls_leaf": tls_leaf,
            "pin_sha1_spaced": " ".join(sha1[i : i + 2] for i in range(0, 40, 2)),
            "pin_root_sha256": ":".join(fingerprint_sha256(root)[i : i + 2].lower() for i in range(0, 64, 2)),
        },
    }


@pytest.fixture(scope="module")
def context(adcs: Lab, ca_vars: dict[str, Any]) -> Context:
    info = adcs.info["adcs"]
    return Context(
        ca_thumbprint=info["ca_thumbprint"],
        root_thumbprint=info["root_thumbprint"],
        ca_pem=_pem(info["ca_cert_path"]),
        root_pem=_pem(info["root_cert_path"]),
        out=Path(ca_vars["out"]),
    )


def play(tasks: list[dict[str, Any]]) -> str:
    """A play on the implicit localhost: ca_certificate never uses the host's connection."""
    return json.dumps([{"name": "ca_certificate", "hosts": "localhost", "gather_facts": False, "tasks": tasks}])


def task(name: str, args: dict[str, Any], **keywords: Any) -> dict[str, Any]:
    return {"name": name, "exchange_um.certificates.ca_certificate": args, "ignore_errors": True, **keywords}


@pytest.fixture(scope="module")
def table(run: Callable[..., PlaybookRun], ca_vars: dict[str, Any]) -> PlaybookRun:
    tasks = [task(case.name, case.args, **(case.keywords or {})) for case in CASES]
    return run(play(tasks), extra_vars=ca_vars)


# -- tests ---------------------------------------------------------------------------------------------------------


def test_table_run_completed(table: PlaybookRun, ca_vars: dict[str, Any]) -> None:
    assert table.rc == 0, table.stdout[-3000:] + table.stderr[-3000:]
    recorded = json.dumps(table.results)
    for secret in (ca_vars["ca"]["password"], WRONG_PASSWORD):
        assert secret not in table.stdout + table.stderr
        assert secret not in recorded


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(table: PlaybookRun, context: Context, case: Case) -> None:
    case.check(table.task("localhost", case.name), context)


def _fetch(run: Callable[..., PlaybookRun], ca_vars: dict[str, Any], **args: Any) -> dict[str, Any]:
    result = run(play([task("fetch", {**HTTPS, **args})]), extra_vars=ca_vars)
    return result.task("localhost", "fetch")


@pytest.mark.parametrize(
    ("fault", "args", "succeeds"),
    [
        pytest.param({"kind": "status_500", "count": 1}, {}, True, id="500-then-success"),
        pytest.param({"kind": "status_500", "count": 1}, {"retries": 0}, False, id="500-without-retries"),
        pytest.param({"kind": "drop", "count": 1}, {}, True, id="dropped-then-success"),
        pytest.param({"kind": "slow", "count": 1, "seconds": 4}, {"timeout": 1}, True, id="timeout-then-success"),
    ],
)
def test_faults_and_retries(
    adcs: Lab,
    run: Callable[..., PlaybookRun],
    ca_vars: dict[str, Any],
    context: Context,
    fault: dict[str, Any],
    args: dict[str, Any],
    succeeds: bool,
) -> None:
    adcs.control("adcs/faults", fault)
    result = _fetch(run, ca_vars, **args)
    if succeeds:
        fetched_quietly(result, context)
    else:
        failed_with("500")(result, context)


def test_german_pages(adcs: Lab, run: Callable[..., PlaybookRun], ca_vars: dict[str, Any], context: Context) -> None:
    adcs.control("adcs/locale", {"locale": "de"})
    try:
        result = _fetch(run, ca_vars, chain=True)
    finally:
        adcs.control("adcs/locale", {"locale": "en"})
    fetched_quietly(result, context)


def test_renewal_selection(
    adcs: Lab, run: Callable[..., PlaybookRun], ca_vars: dict[str, Any], context: Context
) -> None:
    adcs.control("adcs/renew-ca")
    pin_root = {**HTTP, "expected_thumbprint": "{{ ca.pin_root_sha256 }}"}
    outcome = run(
        play(
            [
                task("current", pin_root),
                task("renewal 0", {**pin_root, "renewal": 0}),
                task("renewal 1", {**pin_root, "renewal": "1"}),
            ]
        ),
        extra_vars=ca_vars,
    )
    current, first, second = (outcome.task("localhost", name) for name in ("current", "renewal 0", "renewal 1"))
    assert (current["renewal"], current["renewal_found"]) == (1, True)
    assert first["thumbprint"] == context.ca_thumbprint and first["renewal"] == 0
    assert current["thumbprint"] == second["thumbprint"] != context.ca_thumbprint
    assert current["subject"] == first["subject"]
    for result in (current, first):
        assert result["root"]["thumbprint"] == context.root_thumbprint
        assert [c["role"] for c in result["chain"]] == ["intermediate", "root"]
    new_ca = x509.load_pem_x509_certificate(current["certificate"].encode())
    assert thumbprint(new_ca) == current["thumbprint"]
    assert new_ca.public_key() != x509.load_pem_x509_certificate(context.ca_pem.encode()).public_key()


def test_run_once_over_the_fleet(lab: Lab, run_playbook: Callable[..., PlaybookRun]) -> None:
    hosts = sorted(lab.info["hosts"])
    before = {name: lab.dump(name) for name in hosts}
    playbook = json.dumps(
        [
            {
                "name": "fleet",
                "hosts": "exchange_um",
                "gather_facts": False,
                "tasks": [
                    {
                        "name": "fetch once",
                        "exchange_um.certificates.ca_certificate": {
                            "ca_url": "{{ exchange_um_ca_url }}",
                            "username": "{{ exchange_um_ca_username }}",
                            "password": "{{ exchange_um_ca_password }}",
                            "expected_thumbprint": "{{ exchange_um_ca_thumbprint }}",
                            "chain": True,
                        },
                        "run_once": True,
                        "register": "exum_ca",
                    },
                    {"name": "seen by every host", "ansible.builtin.debug": {"msg": "{{ exum_ca.thumbprint }}"}},
                ],
            }
        ]
    )
    outcome = run_playbook(playbook)
    assert outcome.rc == 0, outcome.stdout[-3000:]
    fetched_by = [host for host in hosts if any(r["_task"] == "fetch once" for r in outcome.results.get(host, []))]
    assert len(fetched_by) == 1
    assert outcome.task(fetched_by[0], "fetch once")["thumbprint"] == lab.info["adcs"]["ca_thumbprint"]
    for host in hosts:
        assert outcome.task(host, "seen by every host")["msg"] == lab.info["adcs"]["ca_thumbprint"]
        assert lab.dump(host)["counters"]["commands"] == before[host]["counters"]["commands"]


# -- Extended Protection ---------------------------------------------------------------------------------------------

EPA_CASES = [
    Case("ntlm over validated https with channel bindings", HTTPS, fetched_quietly),
    Case("basic over validated https", {**HTTPS, "auth": "basic"}, fetched_quietly),
    Case("ntlm over http, pinned", {**HTTP, **PIN}, fetched_with_relay_warning),
]


@pytest.fixture(scope="module")
def epa_adcs(lab_factory: Callable[..., Lab]) -> Lab:
    """A certsrv site with Extended Protection required (IIS tokenChecking=Require, Windows Server 2025's default)."""
    return lab_factory("adcs-epa", hosts="none", extra=("--adcs-epa", "required"))


def test_extended_protection_required(
    epa_adcs: Lab,
    playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The collection's client (requests_ntlm) sends the tls-server-end-point bindings the site requires."""
    info = epa_adcs.info["adcs"]
    assert info["extended_protection"] == "required"
    # The site does refuse NTLM without bindings over https: the successes below are not Extended Protection off.
    without_bindings = HttpNtlmAuth(info["username"], info["password"], send_cbt=False)
    with requests.Session() as session:
        session.trust_env = False
        refused = session.get(info["https_url"], auth=without_bindings, verify=info["ca_bundle_path"], timeout=30)
    assert refused.status_code == 401
    out = tmp_path_factory.mktemp("epa-out")
    ca = {
        "url": info["url"],
        "https_url": info["https_url"],
        "username": info["username"],
        "password": info["password"],
        "thumbprint": info["ca_thumbprint"],
        "bundle": info["ca_bundle_path"],
    }
    outcome = playbook_runner(epa_adcs)(
        play([task(case.name, case.args) for case in EPA_CASES]), extra_vars={"ca": ca, "out": str(out)}
    )
    assert outcome.rc == 0, outcome.stdout[-3000:] + outcome.stderr[-3000:]
    assert info["password"] not in outcome.stdout + outcome.stderr + json.dumps(outcome.results)
    context = Context(
        ca_thumbprint=info["ca_thumbprint"],
        root_thumbprint=info["root_thumbprint"],
        ca_pem=_pem(info["ca_cert_path"]),
        root_pem=_pem(info["root_cert_path"]),
        out=out,
    )
    for case in EPA_CASES:
        case.check(outcome.task("localhost", case.name), context)
