"""Lab-level fixtures: one CA per test session (RSA keys are slow to make), lab accounts, their NTLM user file and a
browser-like NTLM session."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests_ntlm import HttpNtlmAuth

from tests.lab.adcs import AdcsEmulator
from tests.lab.httpauth import Account, install_ntlm_users
from tests.lab.pki import LabPki

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


@pytest.fixture(scope="session")
def lab_pki(tmp_path_factory: pytest.TempPathFactory) -> LabPki:
    """The lab CA shared by the whole session; tests that renew it make their own instead."""
    return LabPki.create(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def lab_accounts() -> dict[str, Account]:
    """The lab's AD CS and WinRM accounts, with passwords made for this session."""
    return {
        "enroll": Account("CONTOSO", "enroll", "Enr-" + secrets.token_urlsafe(12)),
        "Administrator": Account("CONTOSO", "Administrator", "Adm-" + secrets.token_urlsafe(12)),
    }


@pytest.fixture(scope="session")
def lab_ntlm_file(tmp_path_factory: pytest.TempPathFactory, lab_accounts: dict[str, Account]) -> Path:
    path = tmp_path_factory.mktemp("ntlm") / "ntlm-users"
    install_ntlm_users(path, lab_accounts.values())
    return path


@pytest.fixture
def ntlm_users(lab_ntlm_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point pyspnego's NTLM acceptor at the lab accounts for this test (other tests may point it elsewhere)."""
    monkeypatch.setenv("NTLM_USER_FILE", str(lab_ntlm_file))
    return lab_ntlm_file


@pytest.fixture(scope="module")
def adcs_server(lab_pki: LabPki, lab_accounts: dict[str, Account]) -> Iterator[AdcsEmulator]:
    emulator = AdcsEmulator(lab_pki, lab_accounts, "127.0.0.1")
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def adcs(adcs_server: AdcsEmulator, ntlm_users: Path) -> AdcsEmulator:
    """The module's emulator, answering in English with the issue policy."""
    adcs_server.set_policy("issue")
    adcs_server.set_locale("en")
    return adcs_server


def ntlm_session(account: Account) -> requests.Session:
    """A browser-like session that authenticates as ``account`` with NTLM, not yet connected."""
    session = requests.Session()
    session.trust_env = False
    session.auth = HttpNtlmAuth(f"{account.domain}\\{account.user}", account.password)
    session.headers["User-Agent"] = BROWSER
    return session


@pytest.fixture
def ntlm(adcs: AdcsEmulator, lab_accounts: dict[str, Account]) -> Iterator[requests.Session]:
    """A browser-like session authenticated with NTLM (one handshake per keep-alive connection)."""
    session = ntlm_session(lab_accounts["enroll"])
    yield session
    session.close()
