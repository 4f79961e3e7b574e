"""Certificates for the plugin_utils tests, made here with cryptography (no key is ever committed)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.unit.certs import NOW, Issued, PrivateKey, ec_key, make_cert, rsa_key

__all__ = ["NOW", "Issued", "Pki", "PrivateKey", "ec_key", "make_cert", "pki", "rsa_key"]


@dataclass(frozen=True)
class Pki:
    """Two hierarchies (RSA and EC), a PSS-signed branch and a renewed issuing CA with a new key."""

    root: Issued
    issuing: Issued
    issuing_renewed: Issued
    leaf: Issued
    renewed_leaf: Issued
    pss_issuing: Issued
    pss_leaf: Issued
    ec_root: Issued
    ec_issuing: Issued
    ec_leaf: Issued
    other_root: Issued


@pytest.fixture(scope="session")
def pki() -> Pki:
    root = make_cert("Contoso Root CA", key=rsa_key(), ca=True)
    issuing = make_cert("Contoso Issuing CA", key=rsa_key(), issuer=root, ca=True)
    issuing_renewed = make_cert("Contoso Issuing CA", key=rsa_key(), issuer=root, ca=True)
    leaf_key = ec_key()
    server = ExtendedKeyUsageOID.SERVER_AUTH
    leaf = make_cert(
        "exch2010.contoso.lab",
        key=leaf_key,
        issuer=issuing,
        dns=["exch2010.contoso.lab", "exch2010"],
        ips=["127.10.0.12"],
        eku=[server],
    )
    renewed_leaf = make_cert("exch2013.contoso.lab", key=leaf_key, issuer=issuing_renewed, dns=["exch2013"])
    pss_issuing = make_cert("Contoso PSS CA", key=rsa_key(), issuer=root, ca=True, pss=True)
    pss_leaf = make_cert("pss.contoso.lab", key=leaf_key, issuer=pss_issuing, pss=True, eku=[server])
    ec_root = make_cert("Fabrikam EC Root", key=ec_key(), ca=True, dc=("fabrikam", "lab"))
    ec_issuing = make_cert("Fabrikam EC Issuing", key=ec_key(), issuer=ec_root, ca=True, dc=("fabrikam", "lab"))
    ec_leaf = make_cert("lync.fabrikam.lab", key=leaf_key, issuer=ec_issuing, dns=["lync.fabrikam.lab"])
    other_root = make_cert("Contoso Root CA", key=rsa_key(), ca=True)  # same name as root, other key
    return Pki(
        root=root,
        issuing=issuing,
        issuing_renewed=issuing_renewed,
        leaf=leaf,
        renewed_leaf=renewed_leaf,
        pss_issuing=pss_issuing,
        pss_leaf=pss_leaf,
        ec_root=ec_root,
        ec_issuing=ec_issuing,
        ec_leaf=ec_leaf,
        other_root=other_root,
    )
