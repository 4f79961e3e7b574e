"""What tls_probe checks in a presented chain: pin, path to the given CA, name, serverAuth, days left.

Each check gives findings, plain sentences that say what is wrong with which certificate; no finding means the check
passed. The rules are those a TLS client such as Lync's applies to UM's certificate (RFC 5280 for paths and
extensions, RFC 6125 for names), kept to what can be decided on the controller: revocation is not checked.
"""

from __future__ import annotations

import typing as t
from collections.abc import Sequence
from datetime import datetime, timezone

from ._x509 import (
    allows_server_auth,
    dns_names,
    extended_key_usages,
    is_ca,
    is_self_signed,
    is_signed_by,
    iso_utc,
    matches_pin,
    not_after,
    not_before,
    thumbprint,
    windows_name,
)

if t.TYPE_CHECKING:  # annotations only: ansible-test's import check runs without cryptography
    from cryptography import x509

__all__ = ["check_chain", "describe_chain", "name_matches"]

_MAX_DEPTH = 10  # CA levels followed from the leaf; more means a loop of names
_COMMON_NAME = "2.5.4.3"


def describe_chain(chain: Sequence[x509.Certificate]) -> list[dict[str, str]]:
    """The presented chain as the result shows it: names as Windows writes them, ISO 8601 UTC end of validity."""
    return [
        {
            "subject": windows_name(cert.subject),
            "issuer": windows_name(cert.issuer),
            "thumbprint": thumbprint(cert),
            "not_after": iso_utc(not_after(cert)),
        }
        for cert in chain
    ]


def check_chain(
    chain: Sequence[x509.Certificate],
    *,
    expected_thumbprint: str | None,
    fqdn: str | None,
    ca: Sequence[x509.Certificate],
    min_days_left: int,
    now: datetime | None = None,
) -> list[str]:
    """Every finding about ``chain`` (leaf first, as the server sent it); checks without their option are skipped."""
    if not chain:
        return ["the server presented no certificate"]
    moment = now or datetime.now(timezone.utc)
    leaf = chain[0]
    findings: list[str] = []
    if expected_thumbprint and not matches_pin(leaf, [expected_thumbprint]):
        findings.append(f"the server presents {_named(leaf)}, not the expected certificate {expected_thumbprint}")
    if is_self_signed(leaf):
        findings.append(
            f"the certificate {_named(leaf)} is self-signed (Lync does not accept self-signed UM certificates)"
        )
    if ca:
        findings.extend(_path_findings(leaf, chain[1:], ca, moment))
    if fqdn and not name_matches(leaf, fqdn):
        names = _names(leaf)
        shown = ", ".join(names) if names else "no DNS name"
        findings.append(f"the certificate {_named(leaf)} names {shown}, not {fqdn}")
    if not allows_server_auth(leaf):
        usages = ", ".join(extended_key_usages(leaf))
        findings.append(
            f"the certificate {_named(leaf)} is not for TLS servers: its extended key usage ({usages}) lacks "
            "serverAuth (1.3.6.1.5.5.7.3.1)"
        )
    findings.extend(_validity_findings(leaf, min_days_left, moment))
    return findings


def _path_findings(
    leaf: x509.Certificate, presented: Sequence[x509.Certificate], ca: Sequence[x509.Certificate], now: datetime
) -> list[str]:
    """A signature path from the leaf through presented CA certificates to one of ``ca`` (RFC 5280 6.1, without
    revocation): each step is a CA certificate whose key verifies the certificate below it, valid now."""
    anchors = {thumbprint(cert) for cert in ca}
    current, used = leaf, {thumbprint(leaf)}
    for _level in range(_MAX_DEPTH):
        if thumbprint(current) in anchors and current is not leaf:
            return []
        anchor = next((cert for cert in ca if is_signed_by(current, cert)), None)
        if anchor is not None:
            return _expired_ca_findings([anchor], now)
        issuer = next(
            (
                cert
                for cert in presented
                if thumbprint(cert) not in used and is_ca(cert) and is_signed_by(current, cert)
            ),
            None,
        )
        if issuer is None:
            break
        expired = _expired_ca_findings([issuer], now)
        if expired:
            return expired
        used.add(thumbprint(issuer))
        current = issuer
    given = ", ".join(_named(cert) for cert in ca)
    return [
        f"the certificate {_named(leaf)} does not chain to the given CA ({given}): no certificate presented or "
        f"given verifies the signature of {_named(current)}, issued by {windows_name(current.issuer)!r}"
    ]


def _expired_ca_findings(certificates: Sequence[x509.Certificate], now: datetime) -> list[str]:
    return [
        f"the CA certificate {_named(cert)} in the path is not valid now "
        f"({_day(not_before(cert))} to {_day(not_after(cert))})"
        for cert in certificates
        if not not_before(cert) <= now <= not_after(cert)
    ]


def _validity_findings(leaf: x509.Certificate, min_days_left: int, now: datetime) -> list[str]:
    if now < not_before(leaf):
        return [f"the certificate {_named(leaf)} is not valid before {_day(not_before(leaf))}"]
    if now > not_after(leaf):
        return [f"the certificate {_named(leaf)} expired on {_day(not_after(leaf))}"]
    days_left = (not_after(leaf) - now).days
    if days_left < min_days_left:
        return [
            f"the certificate {_named(leaf)} has {days_left} days left (until {_day(not_after(leaf))}), "
            f"fewer than min_days_left {min_days_left}"
        ]
    return []


def name_matches(cert: x509.Certificate, fqdn: str) -> bool:
    """RFC 6125 6.4: the DNS names of the subjectAltName, or the CN when the certificate has no DNS name there;
    case-insensitive; a wildcard only as the whole leftmost label, standing for exactly one label."""
    wanted = fqdn.rstrip(".").lower()
    return any(_dns_match(name, wanted) for name in _names(cert))


def _names(cert: x509.Certificate) -> list[str]:
    names = dns_names(cert)
    if names:
        return names
    return [str(attribute.value) for attribute in cert.subject if attribute.oid.dotted_string == _COMMON_NAME]


def _dns_match(pattern: str, wanted: str) -> bool:
    pattern = pattern.rstrip(".").lower()
    if not pattern.startswith("*."):
        return pattern == wanted
    suffix = pattern[2:]
    # "*.com" would stand for a whole top-level domain: at least two labels after the wildcard (RFC 6125 7.2).
    if "*" in suffix or suffix.count(".") < 1:
        return False
    first, dot, rest = wanted.partition(".")
    return bool(first) and bool(dot) and rest == suffix


def _named(cert: x509.Certificate) -> str:
    return f"{windows_name(cert.subject)!r} ({thumbprint(cert)})"


def _day(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
