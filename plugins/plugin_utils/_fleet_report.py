"""The fleet audit: what each Exchange UM server's snapshot and TLS probe say, as findings per host.

Pure data in, data out (no Ansible, no I/O), so that the report's verdicts are unit-tested apart from its rendering
and from the playbook that gathers the inputs. A finding is a problem Lync would meet (no trust, no certificate,
expired, not bound, not on the wire); a renewal inside the window is a note, not a finding.
"""

from __future__ import annotations

import datetime
import typing as t
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ._x509 import CertificateError, normalize_thumbprint

__all__ = ["CaExpectation", "HostAudit", "audit_host", "ca_expectation", "fleet_status", "parse_time"]

# status of a host, worst last: the report sorts and colours by it
OK = "ok"
DUE = "renewal due"
FAILED = "failed"
NO_DATA = "no data"
STATUSES = (OK, DUE, FAILED, NO_DATA)


@dataclass(frozen=True)
class CaExpectation:
    """What the pinned CA says a converged server holds: the root in Root, the intermediates in CA, and the issuer."""

    roots: tuple[str, ...] = ()
    intermediates: tuple[str, ...] = ()
    issuer_subjects: tuple[str, ...] = ()


@dataclass
class HostAudit:
    """One server's verdict and the facts behind it, in the shape the report renders."""

    name: str
    status: str
    version: str | None = None
    fqdn: str | None = None
    thumbprint: str | None = None
    subject: str | None = None
    issuer: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    days_left: int | None = None
    startup_mode: str | None = None
    trusted: bool | None = None
    bound: bool | None = None
    tls: bool | None = None
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, t.Any]:
        return dict(self.__dict__)

    def summary(self) -> str:
        """One line for the playbook's output."""
        facts = [f"Exchange {self.version}" if self.version else "Exchange unknown"]
        if self.thumbprint:
            facts.append(f"certificate {self.thumbprint}, {self.days_left} days left")
        text = f"{self.name}: {self.status} ({'; '.join(facts)})"
        details = self.findings + self.notes
        return f"{text}: {'; '.join(details)}" if details else text


def _upper(value: object) -> str:
    return str(value or "").replace(" ", "").replace(":", "").upper()


def _root_thumbprint(value: object) -> str:
    """A root thumbprint of ``ca`` as given: hex digits, with or without spaces and colons."""
    if not isinstance(value, str):
        kind = "dict" if isinstance(value, Mapping) else "list" if isinstance(value, Sequence) else type(value).__name__
        raise ValueError(f"ca takes ca_certificate's result or a list of root thumbprints, got a {kind}")
    try:
        return normalize_thumbprint(value)
    except CertificateError as exc:
        raise ValueError(f"ca: {exc}") from None


def _name(value: object) -> str:
    """A distinguished name compared as Windows prints it, spacing and case aside."""
    return ",".join(part.strip().lower() for part in str(value or "").split(","))


def ca_expectation(ca: object) -> CaExpectation:
    """From ca_certificate's result (its chain and root), or a list of root thumbprints, or nothing."""
    if ca is None or ca == "":
        return CaExpectation()
    if isinstance(ca, str):
        return CaExpectation(roots=(_root_thumbprint(ca),))
    if isinstance(ca, Sequence):
        return CaExpectation(roots=tuple(_root_thumbprint(item) for item in ca))
    if not isinstance(ca, Mapping):
        raise ValueError(f"ca must be the result of exchange_um.certificates.ca_certificate, got {type(ca).__name__}")
    chain = [item for item in ca.get("chain") or () if isinstance(item, Mapping)]
    root = ca.get("root") if isinstance(ca.get("root"), Mapping) else None
    roots = [_upper(item.get("thumbprint")) for item in chain if item.get("role") == "root"]
    if root and root.get("thumbprint"):
        roots.append(_upper(root["thumbprint"]))
    intermediates = [_upper(item.get("thumbprint")) for item in chain if item.get("role") == "intermediate"]
    issuers = [_name(ca.get("subject"))] if ca.get("subject") else []
    if not roots and ca.get("thumbprint"):
        roots.append(_upper(ca["thumbprint"]))
    return CaExpectation(
        roots=tuple(dict.fromkeys(roots)),
        intermediates=tuple(dict.fromkeys(intermediates)),
        issuer_subjects=tuple(issuers),
    )


def parse_time(value: object) -> datetime.datetime | None:
    """An ISO 8601 time of a snapshot or probe as an aware datetime (UTC when it names no zone); else ``None``."""
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _store(snapshot: Mapping[str, t.Any], name: str) -> list[Mapping[str, t.Any]]:
    stores = snapshot.get("stores") or {}
    return [item for item in stores.get(name) or () if isinstance(item, Mapping)]


def _check_trust(audit: HostAudit, snapshot: Mapping[str, t.Any], ca: CaExpectation) -> None:
    if not ca.roots:
        return
    in_root = {_upper(item.get("thumbprint")) for item in _store(snapshot, "Root")}
    in_ca = {_upper(item.get("thumbprint")) for item in _store(snapshot, "CA")}
    missing_roots = [thumbprint for thumbprint in ca.roots if thumbprint not in in_root]
    missing_intermediates = [thumbprint for thumbprint in ca.intermediates if thumbprint not in in_ca]
    audit.trusted = not missing_roots and not missing_intermediates
    if missing_roots:
        audit.findings.append(f"root {', '.join(missing_roots)} not in LocalMachine\\Root")
    if missing_intermediates:
        audit.findings.append(f"intermediate {', '.join(missing_intermediates)} not in LocalMachine\\CA")


def _check_binding(audit: HostAudit, snapshot: Mapping[str, t.Any]) -> str | None:
    """The thumbprint UM uses (after checking the startup modes and, on 2013, the Call Router's agreement)."""
    um = snapshot.get("um")
    if not isinstance(um, Mapping):
        error = snapshot.get("exchange_error")
        reason = f": {error.get('message')}" if isinstance(error, Mapping) and error.get("message") else ""
        audit.findings.append(f"UM state not readable{reason}")
        audit.bound = False
        return None
    thumbprint = _upper(um.get("certificate_thumbprint")) or None
    audit.startup_mode = um.get("startup_mode")
    if audit.startup_mode == "TCP":
        audit.findings.append("UM startup mode is TCP: UM offers no TLS to Lync")
    router = um.get("call_router")
    if isinstance(router, Mapping):
        if router.get("startup_mode") == "TCP":
            audit.findings.append("UM Call Router startup mode is TCP")
        if _upper(router.get("certificate_thumbprint")) != (thumbprint or ""):
            audit.findings.append(
                f"UM Call Router uses {router.get('certificate_thumbprint') or 'no certificate'}, UM {thumbprint}"
            )
    stopped = [
        str(service.get("name"))
        for service in snapshot.get("services") or ()
        if isinstance(service, Mapping) and service.get("status") not in (None, "Running")
    ]
    if stopped:
        audit.findings.append(f"not running: {', '.join(stopped)}")
    audit.bound = thumbprint is not None and not stopped
    if thumbprint is None:
        audit.findings.append("UM uses no certificate")
    return thumbprint


def _check_certificate(
    audit: HostAudit,
    snapshot: Mapping[str, t.Any],
    thumbprint: str,
    ca: CaExpectation,
    *,
    now: datetime.datetime,
    min_days_left: int,
    renew_before_days: int,
) -> None:
    audit.thumbprint = thumbprint
    found = [item for item in _store(snapshot, "My") if _upper(item.get("thumbprint")) == thumbprint]
    if not found:
        audit.findings.append(f"UM's certificate {thumbprint} is not in LocalMachine\\My")
        return
    certificate = found[0]
    audit.subject, audit.issuer = certificate.get("subject"), certificate.get("issuer")
    audit.not_before, audit.not_after = certificate.get("not_before"), certificate.get("not_after")
    expires = parse_time(audit.not_after)
    if expires is not None:
        audit.days_left = (expires - now).days
        if expires <= now:
            audit.findings.append(f"certificate expired on {audit.not_after}")
        elif audit.days_left < min_days_left:
            audit.findings.append(f"certificate expires in {audit.days_left} days (fewer than {min_days_left})")
        elif audit.days_left < renew_before_days:
            audit.notes.append(f"renewal due: {audit.days_left} days left, window {renew_before_days}")
    if not certificate.get("has_private_key"):
        audit.findings.append("certificate has no private key on the server")
    names = [str(name).lower() for name in certificate.get("dns_names") or ()]
    if audit.fqdn and audit.fqdn.lower() not in names:
        audit.findings.append(f"certificate does not name {audit.fqdn}")
    if ca.issuer_subjects and _name(audit.issuer) not in ca.issuer_subjects:
        audit.findings.append(f"certificate issued by {audit.issuer}, not by the pinned CA")


def _check_tls(audit: HostAudit, tls: object) -> None:
    if not isinstance(tls, Mapping) or tls.get("skipped"):
        audit.notes.append("TLS not probed")
        return
    ports = [port for port in tls.get("ports") or () if isinstance(port, Mapping)]
    audit.tls = bool(tls.get("ok")) and not tls.get("failed")
    for port in ports:
        for finding in port.get("findings") or ():
            audit.findings.append(f"TLS {port.get('port')}: {finding}")
    if not audit.tls and not any(port.get("findings") for port in ports):
        audit.findings.append(f"TLS probe failed: {tls.get('msg') or 'no port answered as expected'}")


def audit_host(
    name: str,
    snapshot: object,
    tls: object,
    ca: CaExpectation,
    *,
    now: datetime.datetime,
    min_days_left: int,
    renew_before_days: int,
) -> HostAudit:
    """The verdict on one server from its exchange_um_host fact and its tls_probe result."""
    if not isinstance(snapshot, Mapping) or not snapshot.get("fqdn"):
        return HostAudit(
            name=name,
            status=NO_DATA,
            findings=["no exchange_um_host fact: the server was not reached or exchange_info failed"],
        )
    exchange = snapshot.get("exchange") or {}
    audit = HostAudit(name=name, status=OK, version=exchange.get("version"), fqdn=snapshot.get("fqdn"))
    _check_trust(audit, snapshot, ca)
    thumbprint = _check_binding(audit, snapshot)
    if thumbprint is not None:
        _check_certificate(
            audit,
            snapshot,
            thumbprint,
            ca,
            now=now,
            min_days_left=min_days_left,
            renew_before_days=renew_before_days,
        )
    _check_tls(audit, tls)
    due = any(note.startswith("renewal due") for note in audit.notes)
    audit.status = FAILED if audit.findings else DUE if due else OK
    return audit


def fleet_status(audits: Sequence[HostAudit]) -> dict[str, int]:
    """How many servers are in each status, every status listed."""
    return {status: sum(1 for audit in audits if audit.status == status) for status in STATUSES}
