"""tls_probe's checks on a presented chain: pin, path to the given CA, name (RFC 6125), serverAuth, days left."""

from __future__ import annotations

import datetime as dt

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._tls_probe_checks import (
    check_chain,
    describe_chain,
    name_matches,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import thumbprint
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.unit.certs import NOW, Issued, make_cert, rsa_key

SERVER_AUTH = (ExtendedKeyUsageOID.SERVER_AUTH,)
ROOT = make_cert("Contoso Root CA", key=rsa_key(), ca=True)
ISSUING = make_cert("Contoso Issuing CA", key=rsa_key(), issuer=ROOT, ca=True)
OTHER_ROOT = make_cert("Fabrikam Root CA", key=rsa_key(), ca=True)
LEAF = make_cert("exch2010.contoso.lab", key=rsa_key(), issuer=ISSUING, dns=["exch2010.contoso.lab"], eku=SERVER_AUTH)


def _check(
    chain: list[Issued],
    *,
    expected_thumbprint: str | None = None,
    fqdn: str | None = None,
    ca: tuple[x509.Certificate, ...] | list[x509.Certificate] = (),
    min_days_left: int = 0,
) -> list[str]:
    return check_chain(
        [item.cert for item in chain],
        expected_thumbprint=expected_thumbprint,
        fqdn=fqdn,
        ca=ca,
        min_days_left=min_days_left,
    )


def test_a_good_chain_has_no_finding() -> None:
    findings = _check(
        [LEAF, ISSUING],
        expected_thumbprint=thumbprint(LEAF.cert).lower(),
        fqdn="EXCH2010.contoso.lab.",
        ca=[ROOT.cert],
        min_days_left=30,
    )
    assert findings == []


def test_the_path_may_end_at_the_issuing_ca_given() -> None:
    assert _check([LEAF], ca=[ISSUING.cert]) == []


def test_another_leaf_than_the_expected_one() -> None:
    (finding,) = _check([LEAF, ISSUING], expected_thumbprint="00" * 20)
    assert thumbprint(LEAF.cert) in finding and "not the expected certificate" in finding


def test_self_signed_and_wrong_ca() -> None:
    self_signed = make_cert("exch2007.contoso.lab", key=rsa_key(), dns=["exch2007.contoso.lab"])
    findings = _check([self_signed], ca=[ROOT.cert])
    assert any("is self-signed" in f for f in findings)
    assert any("does not chain to the given CA" in f for f in findings)


def test_a_chain_to_another_root_is_the_wrong_ca() -> None:
    (finding,) = _check([LEAF, ISSUING], ca=[OTHER_ROOT.cert])
    assert "does not chain to the given CA" in finding and "Fabrikam Root CA" in finding


def test_an_intermediate_that_does_not_sign_is_no_path() -> None:
    """Names alone make no path: a CA with the issuing CA's name but another key does not verify the leaf."""
    impostor = make_cert("Contoso Issuing CA", key=rsa_key(), issuer=ROOT, ca=True)
    (finding,) = _check([LEAF, impostor], ca=[ROOT.cert])
    assert "does not chain" in finding


def test_an_expired_intermediate_in_the_path() -> None:
    old = make_cert(
        "Old Issuing CA",
        key=rsa_key(),
        issuer=ROOT,
        ca=True,
        not_before=NOW - dt.timedelta(days=900),
        not_after=NOW - dt.timedelta(days=1),
    )
    leaf = make_cert("exch.contoso.lab", key=rsa_key(), issuer=old, dns=["exch.contoso.lab"])
    (finding,) = _check([leaf, old], ca=[ROOT.cert])
    assert "is not valid now" in finding


@pytest.mark.parametrize(
    ("names", "fqdn", "matches"),
    [
        (["exch.contoso.lab"], "exch.contoso.lab", True),
        (["EXCH.Contoso.Lab"], "exch.contoso.lab", True),
        (["*.contoso.lab"], "exch.contoso.lab", True),
        (["*.contoso.lab"], "a.exch.contoso.lab", False),
        (["*.contoso.lab"], "contoso.lab", False),
        (["*.lab"], "contoso.lab", False),
        (["ex*.contoso.lab"], "exch.contoso.lab", False),
        (["exch"], "exch.contoso.lab", False),
        (["other.contoso.lab", "exch.contoso.lab"], "exch.contoso.lab", True),
    ],
)
def test_names_and_wildcards(names: list[str], fqdn: str, matches: bool) -> None:
    cert = make_cert("ignored-cn", key=rsa_key(), issuer=ISSUING, dns=names).cert
    assert name_matches(cert, fqdn) is matches


def test_the_cn_counts_only_without_dns_names() -> None:
    without_san = make_cert("exch.contoso.lab", key=rsa_key(), issuer=ISSUING).cert
    with_san = make_cert("exch.contoso.lab", key=rsa_key(), issuer=ISSUING, dns=["other.contoso.lab"]).cert
    assert name_matches(without_san, "exch.contoso.lab") is True
    assert name_matches(with_san, "exch.contoso.lab") is False


def test_name_mismatch_finding_lists_the_names() -> None:
    (finding,) = _check([LEAF, ISSUING], fqdn="exch2013.contoso.lab")
    assert "names exch2010.contoso.lab, not exch2013.contoso.lab" in finding


def test_no_server_auth() -> None:
    client_only = make_cert(
        "exch.contoso.lab",
        key=rsa_key(),
        issuer=ISSUING,
        dns=["exch.contoso.lab"],
        eku=(ExtendedKeyUsageOID.CLIENT_AUTH,),
    )
    (finding,) = _check([client_only, ISSUING])
    assert "lacks serverAuth" in finding and "1.3.6.1.5.5.7.3.2" in finding


def test_expired_not_yet_valid_and_few_days_left() -> None:
    expired = make_cert(
        "e", key=rsa_key(), issuer=ISSUING, not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(days=2)
    )
    future = make_cert("f", key=rsa_key(), issuer=ISSUING, not_before=NOW + dt.timedelta(days=2))
    soon = make_cert("s", key=rsa_key(), issuer=ISSUING, not_after=NOW + dt.timedelta(days=10, hours=1))
    assert "expired on" in _check([expired])[0]
    assert "is not valid before" in _check([future])[0]
    (finding,) = _check([soon], min_days_left=30)
    assert "has 10 days left" in finding and "min_days_left 30" in finding
    assert _check([soon], min_days_left=10) == []


def test_no_certificate() -> None:
    assert check_chain([], expected_thumbprint=None, fqdn=None, ca=[], min_days_left=0) == [
        "the server presented no certificate"
    ]


def test_the_chain_as_the_result_shows_it() -> None:
    (leaf, issuing) = describe_chain([LEAF.cert, ISSUING.cert])
    assert leaf["subject"] == "CN=exch2010.contoso.lab, DC=contoso, DC=lab"
    assert leaf["issuer"] == issuing["subject"]
    assert leaf["thumbprint"] == thumbprint(LEAF.cert)
    assert leaf["not_after"].endswith("Z")
