"""``python -m tests.lab up/dump/down`` as a user runs it, with ``--hosts none`` (AD CS emulator and control API)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

REPO_ROOT = Path(__file__).resolve().parents[3]
SUBNET = "127.10.9"


def lab(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.lab", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its (re)parent to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("lab")
    started = lab(
        "up", "--state-dir", str(directory), "--hosts", "none", "--subnet", SUBNET, "--adcs-policy", "pending"
    )
    assert started.returncode == 0, started.stderr
    yield directory
    lab("down", "--state-dir", str(directory))


@pytest.fixture(scope="module")
def info(state_dir: Path) -> dict[str, Any]:
    return json.loads((state_dir / "lab.json").read_text())


@pytest.fixture
def control(info: dict[str, Any]) -> Iterator[Any]:
    session = requests.Session()
    session.trust_env = False

    def call(method: str, path: str, body: object = None) -> tuple[int, Any]:
        answer = session.request(method, info["control_url"] + path, json=body, timeout=30)
        return answer.status_code, answer.json()

    yield call
    call("POST", "adcs/policy", {"policy": "pending"})
    call("POST", "adcs/locale", {"locale": "en"})
    session.close()


@pytest.fixture
def certsrv(info: dict[str, Any]) -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False
    session.auth = (info["adcs"]["username"], info["adcs"]["password"])
    session.verify = info["adcs"]["ca_bundle_path"]
    yield session
    session.close()


def submit(session: requests.Session, info: dict[str, Any]) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "exch2013.contoso.lab")]))
        .sign(key, hashes.SHA256())
    )
    form = {
        "Mode": "newreq",
        "CertRequest": csr.public_bytes(serialization.Encoding.PEM).decode(),
        "CertAttrib": "CertificateTemplate:WebServer",
    }
    return session.post(info["adcs"]["https_url"] + "certfnsh.asp", data=form, timeout=30).text


def test_lab_json(state_dir: Path, info: dict[str, Any]) -> None:
    adcs = info["adcs"]
    assert info["state_dir"] == str(state_dir) and info["hosts"] == {}
    assert info["control_url"].startswith(f"http://{SUBNET}.1:")
    assert adcs["url"].startswith(f"http://{SUBNET}.1:") and adcs["url"].endswith("/certsrv/")
    assert adcs["https_url"].startswith(f"https://{SUBNET}.1:")
    assert adcs["username"] == "CONTOSO\\enroll" and len(adcs["password"]) >= 20
    issuing = x509.load_pem_x509_certificate(Path(adcs["ca_cert_path"]).read_bytes())
    root = x509.load_pem_x509_certificate(Path(adcs["root_cert_path"]).read_bytes())
    assert adcs["ca_thumbprint"] == issuing.fingerprint(hashes.SHA1()).hex().upper()
    assert adcs["root_thumbprint"] == root.fingerprint(hashes.SHA1()).hex().upper()
    assert adcs["ca_name"] == "Contoso Issuing CA"


@pytest.mark.parametrize("name", ["lab.json", "inventory.yml"])
def test_secret_files_are_private(state_dir: Path, name: str) -> None:
    assert stat.S_IMODE((state_dir / name).stat().st_mode) == 0o600


def test_passwords_stay_out_of_the_log_and_the_process_table(state_dir: Path, info: dict[str, Any]) -> None:
    passwords = [info["adcs"]["password"]]
    proc = Path(f"/proc/{info['pid']}")
    exposed = (state_dir / "lab.log").read_text() + (proc / "cmdline").read_bytes().decode(errors="replace")
    exposed += (proc / "environ").read_bytes().decode(errors="replace")
    assert not [password for password in passwords if password in exposed]


def test_inventory(state_dir: Path, info: dict[str, Any]) -> None:
    inventory = yaml.safe_load((state_dir / "inventory.yml").read_text())
    adcs = info["adcs"]
    assert inventory["all"]["vars"] == {
        "exchange_um_ca_url": adcs["url"],
        "exchange_um_ca_https_url": adcs["https_url"],
        "exchange_um_ca_username": adcs["username"],
        "exchange_um_ca_password": adcs["password"],
        "exchange_um_ca_thumbprint": adcs["ca_thumbprint"],
        "exchange_um_root_thumbprint": adcs["root_thumbprint"],
        "exchange_um_ca_bundle": adcs["ca_bundle_path"],
        "exchange_um_template": "WebServer",
    }


def test_pending_request_approved_through_the_control_api(
    info: dict[str, Any], control: Any, certsrv: requests.Session
) -> None:
    page = submit(certsrv, info)
    assert "Certificate Pending" in page
    request_id = int(page.split("Your Request Id is ", 1)[1].split(".", 1)[0])
    status, requests_ = control("GET", "adcs/requests")
    assert status == 200 and {"id": request_id, "disposition": 5}.items() <= requests_[-1].items()
    assert control("POST", f"adcs/requests/{request_id}/approve")[1]["disposition"] == 3
    assert control("POST", f"adcs/requests/{request_id}/approve")[0] == 409  # no longer pending
    answer = certsrv.get(f"{info['adcs']['https_url']}certnew.cer?ReqID={request_id}&Enc=b64", timeout=30)
    assert answer.headers["Content-Type"] == "application/pkix-cert"


def test_policy_locale_faults_and_renewal_through_the_control_api(
    info: dict[str, Any], control: Any, certsrv: requests.Session
) -> None:
    url = info["adcs"]["url"]
    assert control("POST", "adcs/policy", {"policy": "deny"}) == (200, {"policy": "deny"})
    assert "0x80094012" in submit(certsrv, info)
    assert control("POST", "adcs/locale", {"locale": "de"})[0] == 200
    assert "Willkommen" in certsrv.get(url, timeout=30).content.decode()
    assert control("POST", "adcs/faults", {"kind": "status_500", "count": 1})[0] == 200
    assert certsrv.get(url, timeout=30).status_code == 500
    assert certsrv.get(url, timeout=30).status_code == 200
    status, renewed = control("POST", "adcs/renew-ca")
    assert status == 200 and renewed["renewal"] >= 1
    assert f"var nRenewals={renewed['renewal']};" in certsrv.get(url + "certcarc.asp", timeout=30).text


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "", None, 200),
        ("GET", "nowhere", None, 404),
        ("GET", "hosts/exch2010", None, 404),
        ("POST", "hosts/exch2010/reset-counters", None, 404),
        ("POST", "adcs/requests/99999/deny", None, 404),
        ("POST", "adcs/policy", {"policy": "sometimes"}, 400),
        ("POST", "adcs/policy", {}, 400),
        ("POST", "adcs/locale", {"locale": "fr"}, 400),
        ("POST", "adcs/faults", {"kind": "drop", "count": "2"}, 400),
        ("POST", "adcs/faults", {"kind": "meltdown"}, 400),
        ("POST", "adcs/policy", ["issue"], 400),
    ],
)
def test_control_api_answers(control: Any, method: str, path: str, body: object, status: int) -> None:
    got, answer = control(method, path, body)
    assert got == status
    assert ("error" in answer) is (status != 200)


def test_dump_without_hosts(state_dir: Path) -> None:
    result = lab("dump", "--state-dir", str(state_dir), "exch2010")
    assert result.returncode == 1 and "no simulated host 'exch2010'" in result.stderr


def test_second_up_is_refused(state_dir: Path, info: dict[str, Any]) -> None:
    result = lab("up", "--state-dir", str(state_dir), "--hosts", "none", "--subnet", SUBNET)
    assert result.returncode == 1 and f"already running in {state_dir} (pid {info['pid']})" in result.stderr


def test_up_reports_a_failed_start_with_the_log(tmp_path: Path) -> None:
    result = lab("up", "--state-dir", str(tmp_path), "--hosts", "no-such-version", "--subnet", SUBNET)
    assert result.returncode == 1
    assert "the lab did not start" in result.stderr and "lab.log (tail)" in result.stderr
    assert not (tmp_path / "lab.json").exists()


@pytest.mark.parametrize("subnet", ["10.0.0", "127.300.0", "127.10"])
def test_subnet_must_be_loopback(tmp_path: Path, subnet: str) -> None:
    result = lab("up", "--state-dir", str(tmp_path), "--hosts", "none", "--subnet", subnet)
    assert result.returncode == 2 and "loopback" in result.stderr


def test_down_is_idempotent(tmp_path: Path) -> None:
    assert lab("up", "--state-dir", str(tmp_path), "--hosts", "none", "--subnet", SUBNET).returncode == 0
    info = json.loads((tmp_path / "lab.json").read_text())
    first = lab("down", "--state-dir", str(tmp_path))
    assert first.returncode == 0 and first.stdout.strip() == f"lab stopped (pid {info['pid']})"
    assert not running(info["pid"])
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.ConnectionError):
        session.get(info["control_url"], timeout=5)
    second = lab("down", "--state-dir", str(tmp_path))
    assert second.returncode == 0 and "already stopped" in second.stdout
    assert lab("down", "--state-dir", str(tmp_path / "never")).stdout.startswith("no lab in")
