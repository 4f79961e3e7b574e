"""Role lync_trust against a lab with a Lync front end and an Exchange server, in one playbook run and its re-run.

The Lync front end (group ``lync``) trusts the lab CA that issues the Exchange UM certificates, from the inventory's
exchange_um_ca_* variables; the Exchange server trusts the Lync pool's CA, here another CA given as PEM. The second
run changes nothing and costs each host one read-only WinRM command (root_trust's own read: no fact was left).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.lab.pki import ca_certificate

from .conftest import Lab, PlaybookRun

pytestmark = pytest.mark.integration

ROLE = "exchange_um.certificates.lync_trust"
PLAY = """
- name: Mutual trust between the Lync pool and Exchange UM
  hosts: lync:exchange_um
  gather_facts: false
  roles:
    - role: exchange_um.certificates.lync_trust
"""


def _other_root() -> tuple[str, str]:
    """A self-signed root CA unlike the lab's (the Lync pool's own CA): its PEM and SHA-1 thumbprint."""
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = ca_certificate(
        name=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fabrikam Lync Root CA")]),
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        not_before=now - datetime.timedelta(days=1),
        not_after=now + datetime.timedelta(days=3650),
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return pem, certificate.fingerprint(hashes.SHA1()).hex().upper()


@pytest.fixture(scope="module")
def lync_lab(lab_factory: Callable[..., Lab]) -> Lab:
    # Two front ends on different Windows versions (Server 2012 R2 and 2008 R2): the same role and channel for both.
    return lab_factory("lync", hosts="2010,lync-2008r2", extra=("--lync", "1", "--winrm-port", "0"))


def _stores(lab: Lab, host: str) -> dict[str, set[str]]:
    state = lab.dump(host)["state"]["stores"]
    return {name: {entry["thumbprint"] for entry in state.get(name, [])} for name in ("Root", "CA")}


def _statuses(run: PlaybookRun, host: str) -> dict[str, str]:
    return {result["_task"]: result["_status"] for result in run.results.get(host, [])}


def test_lync_front_end_and_exchange_server_trust_each_other(
    lync_lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]
) -> None:
    run = playbook_runner(lync_lab)
    root, issuing = lync_lab.info["adcs"]["root_thumbprint"], lync_lab.info["adcs"]["ca_thumbprint"]
    pool_pem, pool_root = _other_root()
    extra = {"exchange_um_lync_ca_certificate": pool_pem, "exchange_um_lync_ca_thumbprint": pool_root}
    front_ends = ("lync01", "lync2008r2")
    assert not [host for host in front_ends if root in _stores(lync_lab, host)["Root"]]

    first = run(PLAY, extra_vars=extra)
    assert first.rc == 0, first.stdout[-4000:]
    trust = f"{ROLE} : Trust the chain on the Lync front end (root to Root, intermediates to CA)"
    pool = f"{ROLE} : Trust the Lync pool's CA chain on the Exchange server"
    assert [_statuses(first, host)[trust] for host in front_ends] == ["changed", "changed"]
    assert _statuses(first, "exch2010")[pool] == "changed"
    assert pool not in _statuses(first, "lync01") and trust not in _statuses(first, "exch2010")
    lync = {host: _stores(lync_lab, host) for host in front_ends}
    for stores in lync.values():
        assert root in stores["Root"] and issuing in stores["CA"] and issuing not in stores["Root"]
        assert pool_root not in stores["Root"]
    exchange = _stores(lync_lab, "exch2010")
    assert pool_root in exchange["Root"]

    lync_lab.reset_counters((*front_ends, "exch2010"))
    second = run(PLAY, extra_vars=extra)
    assert second.rc == 0, second.stdout[-4000:]
    for host in (*front_ends, "exch2010"):
        assert "changed" not in _statuses(second, host).values(), _statuses(second, host)
        assert lync_lab.dump(host)["counters"]["commands"] == 1, host
    assert {host: _stores(lync_lab, host) for host in front_ends} == lync
    assert _stores(lync_lab, "exch2010") == exchange


def test_a_lync_front_end_without_the_ca_url_fails_clearly(
    lync_lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]
) -> None:
    run = playbook_runner(lync_lab)
    play = PLAY.replace("hosts: lync:exchange_um", "hosts: lync").replace(
        "- role: exchange_um.certificates.lync_trust",
        "- role: exchange_um.certificates.lync_trust\n      vars:\n        exchange_um_ca_url: !!null",
    )
    lync_lab.reset_counters(["lync01"])
    done = run(play)
    assert done.rc != 0
    assert "needs exchange_um_ca_url" in done.stdout
    assert lync_lab.dump("lync01")["counters"]["commands"] == 0


def test_exchange_server_fetches_the_lync_pool_ca_from_its_web_enrollment_site(
    lync_lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]
) -> None:
    """The Lync pool's CA by URL and pin (here the lab's own AD CS, which exch2010 has not been given to trust)."""
    run = playbook_runner(lync_lab)
    adcs = lync_lab.info["adcs"]
    by_url = {
        "exchange_um_lync_ca_url": adcs["url"],
        "exchange_um_lync_ca_username": adcs["username"],
        "exchange_um_lync_ca_password": adcs["password"],
        "exchange_um_lync_ca_thumbprint": adcs["root_thumbprint"],
    }
    both = {**by_url, "exchange_um_lync_ca_certificate": _other_root()[0]}
    refused = run(PLAY, extra_vars=both, limit="exch2010")
    assert refused.rc != 0 and "exclude each other" in refused.stdout
    assert adcs["root_thumbprint"] not in _stores(lync_lab, "exch2010")["Root"]

    done = run(PLAY, extra_vars=by_url, limit="exch2010")
    assert done.rc == 0, done.stdout[-4000:]
    assert _statuses(done, "exch2010")[f"{ROLE} : Trust the Lync pool's CA chain on the Exchange server"] == "changed"
    stores = _stores(lync_lab, "exch2010")
    assert adcs["root_thumbprint"] in stores["Root"] and adcs["ca_thumbprint"] in stores["CA"]
    assert adcs["password"] not in done.stdout
