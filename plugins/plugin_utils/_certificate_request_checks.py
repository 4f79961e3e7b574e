"""certificate_request's checks on the controller: the issuer option, names, and what makes a certificate usable.

The same rules as the host script's (host_scripts/certificate_request.ps1): a certificate in LocalMachine\\My with
its private key, naming the FQDN and every SAN, allowing serverAuth, valid for more than ``renew_before_days`` and
chaining to one of the expected issuers. The fact carries no DER, so from the fact the chain is followed by name
through the host's CA and Root stores; the host script builds it with its own chain engine.
"""

from __future__ import annotations

import re
import typing as t
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ._argspec import shown
from ._exchange import dns_name_problem
from ._root_trust import read_certificates
from ._x509 import (
    CertificateError,
    allows_server_auth,
    dns_names,
    is_ca,
    is_signed_by,
    iso_utc,
    normalize_thumbprint,
    not_after,
    not_before,
    parse_iso_utc,
    thumbprint,
    usages_allow_server_auth,
    windows_name,
)

if t.TYPE_CHECKING:  # annotations only: ansible-test's import check runs without cryptography
    from cryptography import x509

__all__ = [
    "CertificateRequestError",
    "Issuer",
    "covers",
    "fact_problems",
    "issued_problems",
    "read_issuer",
    "request_names",
    "summary",
    "usable_in_fact",
]

_MAX_NAMES = 100
_MAX_DEPTH = 10
_CN = re.compile(r"(?:^|,\s*)CN=([^,]+)", re.IGNORECASE)


class CertificateRequestError(Exception):
    """A request that cannot go on; ``reason`` says which kind (``input``, ``denied``, ``pending``...)."""

    def __init__(self, message: str, *, reason: str, request_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.request_id = request_id


@dataclass(frozen=True)
class Issuer:
    """The CA certificates the certificate must chain to (by thumbprint); ``certificates`` when given as PEM."""

    thumbprints: tuple[str, ...]
    certificates: tuple[x509.Certificate, ...] = ()


def _thumbprint_text(value: object) -> str | None:
    if not isinstance(value, str) or "-----BEGIN" in value:
        return None
    try:
        return normalize_thumbprint(value)
    except CertificateError:
        return None


def read_issuer(value: object) -> Issuer:
    """``issuer``: a thumbprint, PEM text, a list of PEMs (a chain), or ca_certificate's result."""
    print_ = _thumbprint_text(value)
    if print_ is not None:
        return Issuer((print_,))
    try:
        certificates = read_certificates(certificates=value)
    except CertificateError as exc:
        raise CertificateRequestError(
            f"issuer: {exc}. Give the CA certificate (PEM), its chain, its thumbprint, or ca_certificate's result",
            reason="input",
        ) from None
    for cert in certificates.values():
        if not is_ca(cert):
            raise CertificateRequestError(
                f"issuer: {windows_name(cert.subject)} ({thumbprint(cert)}) is not a CA certificate; give the CA "
                "that issues the server certificate (or its chain)",
                reason="input",
            )
    return Issuer(tuple(certificates), tuple(certificates.values()))


def request_names(fqdn: str | None, sans: Sequence[str]) -> list[str]:
    """The FQDN first (when known), then each SAN once, lower case; each must be a DNS name (a wildcard label first
    allowed). Without the FQDN the host puts its own first."""
    names: list[str] = []
    given = ((("fqdn", fqdn),) if fqdn is not None else ()) + tuple(("subject_alt_names", item) for item in sans)
    for option, value in given:
        text = value.strip().lower().rstrip(".") if isinstance(value, str) else value
        problem = dns_name_problem(text[2:] if isinstance(text, str) and text.startswith("*.") else text)
        if problem is not None:
            raise CertificateRequestError(
                f"{option}: {shown(value)} {problem}; give DNS names such as exch01.contoso.com", reason="input"
            )
        if text not in names:
            names.append(text)
    if len(names) > _MAX_NAMES:
        raise CertificateRequestError(
            f"subject_alt_names: at most {_MAX_NAMES} names, got {len(names)}", reason="input"
        )
    return names


def covers(certificate_names: Iterable[str], name: str) -> bool:
    """A name is covered by itself or by a wildcard for its first label (RFC 6125 6.4.3), without case."""
    wanted = name.lower()
    have = {item.lower() for item in certificate_names}
    head, dot, rest = wanted.partition(".")
    return wanted in have or bool(head and dot and f"*.{rest}" in have)


def _names_of_entry(entry: Mapping[str, t.Any]) -> list[str]:
    """SAN DNS names, or the subject's CN when the certificate has none (as the host script reads them)."""
    names = [str(name) for name in entry.get("dns_names") or ()]
    if names:
        return names
    found = _CN.search(str(entry.get("subject") or ""))
    return [found.group(1).strip()] if found else []


def _chains_by_name(entry: Mapping[str, t.Any], snapshot: Mapping[str, t.Any], issuer: Issuer) -> bool:
    """From the fact: the issuer names lead through CA and Root to a Root entry, passing an expected issuer."""
    stores = snapshot.get("stores") or {}
    by_subject: dict[str, list[tuple[str, Mapping[str, t.Any]]]] = {}
    for store in ("CA", "Root"):
        for item in stores.get(store) or ():
            if isinstance(item, Mapping):
                by_subject.setdefault(str(item.get("subject")), []).append((store, item))
    name, seen, passed = str(entry.get("issuer")), set[str](), False
    while name not in seen and len(seen) < _MAX_DEPTH:
        seen.add(name)
        candidates = by_subject.get(name) or []
        if not candidates:
            return False
        store, found = next(((s, i) for s, i in candidates if str(i.get("thumbprint")).upper() in issuer.thumbprints),
                            candidates[0])  # fmt: skip
        passed = passed or str(found.get("thumbprint")).upper() in issuer.thumbprints
        if str(found.get("issuer")) == name:
            return passed and store == "Root"
        name = str(found.get("issuer"))
    return False


def fact_problems(
    entry: Mapping[str, t.Any],
    *,
    snapshot: Mapping[str, t.Any],
    names: Sequence[str],
    issuer: Issuer,
    renew_before_days: int,
    now: datetime,
) -> list[str] | None:
    """Why a My entry of the fact is not usable ([] when it is); None when the fact cannot tell (no ``eku``)."""
    if "eku" not in entry:
        return None
    problems: list[str] = []
    if not entry.get("has_private_key"):
        problems.append("no private key")
    have = _names_of_entry(entry)
    problems += [f"does not name {name}" for name in names if not covers(have, name)]
    usages = [str(oid) for oid in entry.get("eku") or ()]
    if not usages_allow_server_auth(usages):
        problems.append("no serverAuth usage")
    start, end = parse_iso_utc(entry.get("not_before")), parse_iso_utc(entry.get("not_after"))
    if start is None or end is None:
        return None
    if now < start:
        problems.append("not valid yet")
    if end <= now + timedelta(days=renew_before_days):
        problems.append(f"expires within {renew_before_days} days")
    if not problems and not _chains_by_name(entry, snapshot, issuer):
        problems.append("its chain does not reach the issuer in the host's stores")
    return problems


def usable_in_fact(
    snapshot: Mapping[str, t.Any], *, names: Sequence[str], issuer: Issuer, renew_before_days: int, now: datetime
) -> tuple[Mapping[str, t.Any] | None, bool]:
    """(the usable My entry with the latest expiry or None, whether the fact could judge every candidate)."""
    best: Mapping[str, t.Any] | None = None
    certain = True
    for entry in (snapshot.get("stores") or {}).get("My") or ():
        if not isinstance(entry, Mapping) or not covers(_names_of_entry(entry), names[0]):
            continue
        problems = fact_problems(
            entry, snapshot=snapshot, names=names, issuer=issuer, renew_before_days=renew_before_days, now=now
        )
        if problems is None:
            certain = False
        elif not problems and (best is None or str(entry.get("not_after")) > str(best.get("not_after"))):
            best = entry
    return best, certain


def issued_problems(cert: x509.Certificate, *, public_key: bytes, names: Sequence[str], issuer: Issuer) -> list[str]:
    """What is wrong with what the CA issued, before it goes to the host: the key, names, usage, the issuer."""
    from cryptography.hazmat.primitives import serialization

    problems: list[str] = []
    key = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key != public_key:
        problems.append("it is not for the key of the request")
    have = dns_names(cert) or [windows_name(cert.subject).partition("CN=")[2].split(",")[0]]
    missing = [name for name in names if not covers(have, name)]
    if missing:
        problems.append(f"it does not name {', '.join(missing)}")
    if not allows_server_auth(cert):
        problems.append("its extended key usage does not allow server authentication")
    if issuer.certificates and not any(is_signed_by(cert, ca) for ca in issuer.certificates if is_ca(ca)):
        problems.append(f"it was signed by {windows_name(cert.issuer)}, not by the issuer given")
    return problems


def summary(cert: x509.Certificate, *, now: datetime | None = None) -> dict[str, t.Any]:
    """The result's ``certificate``: subject, issuer, dates, DNS names, days left."""
    moment = now or datetime.now(timezone.utc)
    return {
        "subject": windows_name(cert.subject),
        "issuer": windows_name(cert.issuer),
        "not_before": iso_utc(not_before(cert)),
        "not_after": iso_utc(not_after(cert)),
        "dns_names": dns_names(cert),
        "days_left": max(0, (not_after(cert) - moment).days),
    }
