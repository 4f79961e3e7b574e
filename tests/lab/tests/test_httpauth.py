"""Per-connection authentication: the logon name forms Windows accepts over NTLM and Basic, and the ones it refuses."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest
import spnego

from tests.lab.httpauth import Account, ConnectionAuth

ACCEPTED = ["CONTOSO\\enroll", "contoso\\ENROLL", "enroll", "enroll@contoso.lab", "Enroll@CONTOSO.LAB"]
REFUSED = ["enroll@contoso", "enroll@fabrikam.lab", "FABRIKAM\\enroll", "administrator@contoso.lab", "nobody"]


def _fields(message: bytes, offset: int) -> str:
    """A UTF-16 string field of an NTLM message (MS-NLMP 2.2.1.3: length, max length, payload offset)."""
    length, _, start = struct.unpack_from("<HHI", message, offset)
    return message[start : start + length].decode("utf-16-le")


def _ntlm_logon(auth: ConnectionAuth, logon: str, password: str) -> tuple[bool, str, str, str | None]:
    """Run the NTLM exchange; the AUTHENTICATE message's domain and user name as sent, and the outcome."""
    client = spnego.client(logon, password, protocol="ntlm")
    challenge = auth.check("NTLM " + base64.b64encode(client.step() or b"").decode())
    assert not challenge.ok
    (header,) = [value for name, value in challenge.headers if name == "WWW-Authenticate"]
    authenticate = client.step(base64.b64decode(header.split(" ", 1)[1])) or b""
    result = auth.check("NTLM " + base64.b64encode(authenticate).decode())
    return result.ok, _fields(authenticate, 28), _fields(authenticate, 36), result.principal


@pytest.mark.parametrize("logon", ACCEPTED + REFUSED)
def test_ntlm_logon_names(logon: str, lab_accounts: dict[str, Account], ntlm_users: Path) -> None:
    account = lab_accounts["enroll"]
    ok, domain, user, principal = _ntlm_logon(ConnectionAuth(lab_accounts, ["ntlm"]), logon, account.password)
    if "@" in logon:
        assert (domain, user) == ("", logon)  # a UPN travels whole as the user name, with an empty domain
    assert ok is (logon in ACCEPTED)
    assert principal == ("CONTOSO\\enroll" if logon in ACCEPTED else None)


def test_ntlm_upn_with_a_wrong_password_is_refused(lab_accounts: dict[str, Account], ntlm_users: Path) -> None:
    ok, _, _, principal = _ntlm_logon(ConnectionAuth(lab_accounts, ["ntlm"]), "enroll@contoso.lab", "wrong")
    assert (ok, principal) == (False, None)


@pytest.mark.parametrize("logon", ACCEPTED + REFUSED)
def test_basic_logon_names(logon: str, lab_accounts: dict[str, Account]) -> None:
    token = base64.b64encode(f"{logon}:{lab_accounts['enroll'].password}".encode()).decode()
    result = ConnectionAuth(lab_accounts, ["basic"], realm="ca").check(f"Basic {token}")
    assert result.ok is (logon in ACCEPTED)
    assert result.principal == ("CONTOSO\\enroll" if logon in ACCEPTED else None)


def test_the_ntlm_user_file_has_a_upn_line_per_account(lab_ntlm_file: Path, lab_accounts: dict[str, Account]) -> None:
    lines = lab_ntlm_file.read_text(encoding="utf-8").splitlines()
    for account in lab_accounts.values():
        assert f":{account.user}@contoso.lab:{account.password}" in lines
