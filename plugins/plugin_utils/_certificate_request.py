"""certificate_request's flow: decide from the fact, make key and request on the host, enrol at AD CS, install.

The action plugin validates options and hands in the host call and the AD CS client factory, so this module needs
no Ansible object. Host commands per run (docs/certificate-request.md): none when the fact shows a usable
certificate; ``prepare`` (inspect, and when needed make the key and request); then one of ``install`` (issued),
``record`` (pending: the request id goes into the host's record), ``discard`` (denied: the key and record go).
The private key never leaves the host; only the PKCS#10 request and the issued certificate travel.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import time
import typing as t
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from ._certificate_request_checks import (
    CertificateRequestError,
    Issuer,
    fact_problems,
    issued_problems,
    summary,
    usable_in_fact,
)
from ._certsrv import CertsrvConnectionError, CertsrvDenied, CertsrvPending, CertsrvUnexpectedPage
from ._host_facts import normalize_snapshot
from ._x509 import thumbprint

if t.TYPE_CHECKING:  # annotations only: ansible-test's import check runs without cryptography
    from cryptography import x509

    from ._certsrv import CertsrvClient

__all__ = ["EMPTY_RESULT", "RECORD_KEY", "Request", "ensure_absent", "ensure_certificate"]

RECORD_KEY = "HKLM\\SOFTWARE\\exchange_um\\certificates\\Requests"
# Every documented result key, with its value for a task that fails before it knows the value.
EMPTY_RESULT: dict[str, t.Any] = {
    "thumbprint": None,
    "action": "none",
    "request_id": None,
    "certificate": None,
    "previous_thumbprint": None,
    "removed": [],
}
# AD CS's "The request was for a certificate template that is not supported" (certsrv-protocol.md).
_TEMPLATE_NOT_SUPPORTED = "0x80094800"

HostCall = Callable[[Mapping[str, object]], Mapping[str, t.Any]]
ClientFactory = Callable[[], "CertsrvClient"]
SlotFactory = Callable[[], t.ContextManager[None]]


@dataclass(frozen=True)
class Request:
    """What the task asks for, validated."""

    fqdn: str | None
    names: tuple[str, ...]
    issuer: Issuer
    template: str
    ca: str
    key_size: int
    exportable: bool
    friendly_name: str
    renew_before_days: int
    force: bool
    pending_timeout: int
    pending_poll_interval: int


@dataclass(frozen=True)
class Outcome:
    """``result``: the RETURN keys (and ``changed``, ``failed``/``msg``, ``diff``); ``snapshot``: the updated fact."""

    result: dict[str, t.Any]
    snapshot: dict[str, t.Any] | None


def _load(der_base64: str) -> x509.Certificate:
    from cryptography import x509 as _x509

    return _x509.load_der_x509_certificate(base64.b64decode(der_base64))


def _entry_summary(entry: Mapping[str, t.Any], now: datetime) -> dict[str, t.Any]:
    end = datetime.strptime(str(entry["not_after"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return {
        "subject": entry.get("subject"),
        "issuer": entry.get("issuer"),
        "not_before": entry.get("not_before"),
        "not_after": entry.get("not_after"),
        "dns_names": list(entry.get("dns_names") or ()),
        "days_left": max(0, (end - now).days),
    }


def _diff(fqdn: str, before: str | None, after: str) -> dict[str, str]:
    def text(what: str | None) -> str:
        return f"LocalMachine\\My {fqdn}: {what}\n" if what else ""

    return {"before": text(before), "after": text(after)}


def _host_arguments(request: Request, fqdn: str | None, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "Fqdn": fqdn or "",
        "Names": [name for name in request.names if name != fqdn],
        "Issuers": list(request.issuer.thumbprints),
        "RenewBeforeDays": request.renew_before_days,
        "KeyLength": request.key_size,
        "Exportable": request.exportable,
        "Force": request.force,
        "Template": request.template,
        "Ca": request.ca,
        "FriendlyName": request.friendly_name,
    }
    base.update(extra)
    return base


def _updated_snapshot(
    snapshot: Mapping[str, t.Any] | None, reply: Mapping[str, t.Any], fqdn: str
) -> dict[str, t.Any] | None:
    """The fact with the host's My as the reply lists it and the FQDN's request record as it now is."""
    if snapshot is None:
        return None
    updated = copy.deepcopy(dict(snapshot))
    if "My" in reply:
        previous = {str(e.get("thumbprint")).upper(): e for e in (snapshot.get("stores") or {}).get("My") or ()}
        fresh = normalize_snapshot({"stores": {"My": reply["My"]}})["stores"]["My"]
        for entry in fresh:
            known = previous.get(str(entry.get("thumbprint")).upper())
            if known is not None and "services" in known:
                entry["services"], entry["status"] = known.get("services"), known.get("status")
        updated.setdefault("stores", {})["My"] = fresh
    records = [r for r in updated.get("request_records") or () if str(r.get("fqdn")).lower() != fqdn]
    record = reply.get("record")
    if record and not reply.get("record_removed") and not reply.get("discarded"):
        records.append(_record_entry(fqdn, record))
    updated["request_records"] = records
    return updated


def _record_entry(fqdn: str, record: Mapping[str, t.Any]) -> dict[str, t.Any]:
    """A request record as exchange_info reports it (without the request itself)."""
    return {
        "fqdn": fqdn,
        "request_id": int(record["RequestId"]) if str(record.get("RequestId") or "").isdigit() else None,
        "ca": record.get("Ca"),
        "template": record.get("Template"),
        "names": [name for name in str(record.get("Names") or "").split(",") if name],
        "key_thumbprint": record.get("KeyThumbprint"),
        "created": record.get("Created"),
    }


def _fact_record(snapshot: Mapping[str, t.Any] | None, fqdn: str | None) -> bool:
    if snapshot is None or fqdn is None:
        return False
    return any(str(r.get("fqdn")).lower() == fqdn for r in snapshot.get("request_records") or () if r)


def ensure_certificate(
    *,
    request: Request,
    check_mode: bool,
    diff: bool,
    snapshot: Mapping[str, t.Any] | None,
    call_host: HostCall,
    client: ClientFactory,
    slot: SlotFactory = contextlib.nullcontext,
    sleep: Callable[[float], None] = time.sleep,
    now: datetime | None = None,
) -> Outcome:
    """Bring a usable certificate for ``request.fqdn`` into LocalMachine\\My (``state: present``); each exchange
    with AD CS within ``slot()`` (the throttle on the CA)."""
    moment = now or datetime.now(timezone.utc)
    fqdn = request.fqdn
    result: dict[str, t.Any] = copy.deepcopy(EMPTY_RESULT)
    if snapshot is not None and fqdn is not None and not request.force:
        best, certain = usable_in_fact(
            snapshot, names=request.names, issuer=request.issuer, renew_before_days=request.renew_before_days,
            now=moment,
        )  # fmt: skip
        if best is not None and not _fact_record(snapshot, fqdn):
            result.update(changed=False, thumbprint=str(best["thumbprint"]).upper())
            result["certificate"] = _entry_summary(best, moment)
            return Outcome(result, None)
        if check_mode and certain and not _fact_record(snapshot, fqdn):
            previous = _previous_in_fact(snapshot, request, moment)
            result.update(changed=True, action="renewed" if previous else "issued", previous_thumbprint=previous)
            if diff:
                result["diff"] = _diff(fqdn, previous, "a new certificate from AD CS")
            return Outcome(result, None)
    reply = call_host(_host_arguments(request, fqdn, Step="prepare", CheckMode=check_mode))
    fqdn = str(reply["fqdn"])
    previous = reply["previous"]["thumbprint"] if reply.get("previous") else None
    result["previous_thumbprint"] = previous
    if reply["action"] == "none":
        usable = _load(reply["usable"]["der"])
        result.update(changed=bool(reply.get("discarded")), thumbprint=thumbprint(usable))
        result["certificate"] = summary(usable, now=moment)
        return Outcome(result, _updated_snapshot(snapshot, reply, fqdn) if reply.get("discarded") else None)
    result["action"] = "renewed" if previous else "issued"
    if check_mode:
        result["changed"] = True
        if reply.get("record"):
            result["request_id"] = _record_entry(fqdn, reply["record"])["request_id"]
        if diff:
            result["diff"] = _diff(fqdn, previous, "a new certificate from AD CS")
        return Outcome(result, None)
    return _enrol(request, reply, fqdn, result, snapshot, call_host, client, slot, sleep, moment, diff)


def _previous_in_fact(snapshot: Mapping[str, t.Any], request: Request, now: datetime) -> str | None:
    """From the fact: the newest certificate for the FQDN with its key that only needs renewing."""
    best: Mapping[str, t.Any] | None = None
    for entry in (snapshot.get("stores") or {}).get("My") or ():
        problems = fact_problems(
            entry, snapshot=snapshot, names=request.names, issuer=request.issuer, renew_before_days=-36500, now=now
        )
        if problems == [] and (best is None or str(entry.get("not_after")) > str(best.get("not_after"))):
            best = entry
    return str(best["thumbprint"]).upper() if best else None


def _enrol(
    request: Request,
    reply: Mapping[str, t.Any],
    fqdn: str,
    result: dict[str, t.Any],
    snapshot: Mapping[str, t.Any] | None,
    call_host: HostCall,
    client_factory: ClientFactory,
    slot: SlotFactory,
    sleep: Callable[[float], None],
    now: datetime,
    diff: bool,
) -> Outcome:
    from cryptography import x509 as _x509
    from cryptography.hazmat.primitives import serialization

    made_key = not reply.get("resumed")
    csr = _x509.load_pem_x509_csr(str(reply["request"]).encode("ascii"))
    public_key = csr.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    names = tuple(reply.get("names") or request.names)
    request_id = int(reply["request_id"]) if str(reply.get("request_id") or "").isdigit() else None
    result["request_id"] = request_id
    where = f"{RECORD_KEY}\\{fqdn}"
    with client_factory() as client:
        try:
            if request_id is None:
                attributes = {"SAN": "&".join(f"dns={name}" for name in names)} if reply.get("san_attribute") else {}
                with slot():
                    enrollment = client.submit(str(reply["request"]), template=request.template, attributes=attributes)
                request_id, issued = enrollment.request_id, enrollment.certificate
            else:
                with slot():
                    issued = client.retrieve(request_id)
        except CertsrvPending as pending:
            request_id = pending.request_id
            result["request_id"] = request_id
            recorded = call_host({"Step": "record", "Fqdn": fqdn, "RequestId": str(request_id)})
            try:
                polled = _poll(client, request, request_id, slot, sleep)
            except CertsrvDenied as denied:
                call_host({"Step": "discard", "Fqdn": fqdn})
                raise CertificateRequestError(_denied_message(denied, request), reason="denied") from None
            if polled is None:
                return _pending_failure(request, result, snapshot, recorded, fqdn, where, client.base_url)
            issued = polled
        except CertsrvDenied as denied:
            call_host({"Step": "discard", "Fqdn": fqdn})
            raise CertificateRequestError(_denied_message(denied, request), reason="denied") from None
        except (CertsrvConnectionError, CertsrvUnexpectedPage) as down:  # an HTTP 500 is such a page
            result.update(changed=made_key, request_id=request_id)
            raise CertificateRequestError(
                f"{down.message}. The key and the request stay on the host, recorded at {where}: run the task "
                "again once AD CS answers, and it submits the same request (same key)",
                reason="unreachable",
            ) from None
    result["request_id"] = request_id
    problems = issued_problems(issued, public_key=public_key, names=names, issuer=request.issuer)
    if problems:
        call_host({"Step": "discard", "Fqdn": fqdn})
        raise CertificateRequestError(
            f"AD CS issued request {request_id} as {thumbprint(issued)}, but {'; '.join(problems)}: it was not "
            f"installed, and the pending key was removed. Check template {request.template!r} (serverAuth, subject "
            "and SANs from the request; on Windows Server 2003 the CA needs EDITF_ATTRIBUTESUBJECTALTNAME2 for the "
            "SAN attribute) and the issuer option",
            reason="issued_wrong",
        )
    return _install(request, issued, fqdn, result, snapshot, call_host, now, diff)


def _poll(
    client: CertsrvClient, request: Request, request_id: int, slot: SlotFactory, sleep: Callable[[float], None]
) -> x509.Certificate | None:
    """The issued certificate once the CA has it, asking every ``pending_poll_interval`` up to ``pending_timeout``."""
    waited = 0
    while waited + request.pending_poll_interval <= request.pending_timeout:
        sleep(request.pending_poll_interval)
        waited += request.pending_poll_interval
        try:
            with slot():
                return client.retrieve(request_id)
        except CertsrvPending:
            continue
    return None


def _pending_failure(
    request: Request,
    result: dict[str, t.Any],
    snapshot: Mapping[str, t.Any] | None,
    recorded: Mapping[str, t.Any],
    fqdn: str,
    where: str,
    ca_url: str,
) -> Outcome:
    result.update(changed=True, action="pending")
    waited = f" after waiting {request.pending_timeout} s" if request.pending_timeout else ""
    result["failed"] = True
    result["msg"] = (
        f"AD CS at {ca_url} holds request {result['request_id']} for {fqdn} for approval by a certificate "
        f"manager{waited}. Approve it on the CA (certutil -resubmit {result['request_id']}, or the Certification "
        f"Authority console's Pending Requests), then run the task again: it resumes the same request with the same "
        f"key, recorded on the host at {where}. To give up, deny it on the CA and run again, or run with state=absent."
    )
    return Outcome(result, _updated_snapshot(snapshot, recorded, fqdn))


def _denied_message(denied: CertsrvDenied, request: Request) -> str:
    text = denied.message.rstrip(".")
    if denied.disposition_message and denied.disposition_message not in text:
        text = f"{text}: {denied.disposition_message.rstrip('.')}"
    if denied.code == _TEMPLATE_NOT_SUPPORTED or _TEMPLATE_NOT_SUPPORTED in (denied.disposition_message or ""):
        if any(ch.isspace() for ch in request.template):
            return (
                f"{text}. The template option takes the template's name, not its display name: {request.template!r} "
                "looks like a display name (AD CS knows 'Web Server' as WebServer). Set template to the name the CA "
                "shows in certtmpl.msc or certutil -CATemplates (no spaces). The pending key was removed from the host"
            )
        return (
            f"{text}. The CA does not offer template {request.template!r}: give a template the CA publishes "
            "(certutil -CATemplates) whose subject comes from the request and that allows server authentication. "
            "The pending key was removed from the host"
        )
    code = f" (code {denied.code})" if denied.code and denied.code not in text else ""
    return f"{text}{code}. The pending key and the host's record of the request were removed"


def _install(
    request: Request,
    issued: x509.Certificate,
    fqdn: str,
    result: dict[str, t.Any],
    snapshot: Mapping[str, t.Any] | None,
    call_host: HostCall,
    now: datetime,
    diff: bool,
) -> Outcome:
    from cryptography.hazmat.primitives import serialization

    der = base64.b64encode(issued.public_bytes(serialization.Encoding.DER)).decode("ascii")
    reply = call_host(
        {
            "Step": "install",
            "Fqdn": fqdn,
            "Issuers": list(request.issuer.thumbprints),
            "Certificate": der,
            "FriendlyName": request.friendly_name,
        }
    )
    if not reply.get("installed"):
        chain = reply.get("chain") or {}
        status = ", ".join(chain.get("status") or ()) or "no issuer given reached"
        raise CertificateRequestError(
            f"AD CS issued request {result['request_id']} as {thumbprint(issued)}, but its chain does not build on "
            f"the host to the issuer ({status}): it was not installed. Trust the CA on the host first "
            "(exchange_um.certificates.root_trust with ca_certificate's chain), then run again: the request and its "
            f"key stay recorded at {RECORD_KEY}\\{fqdn}",
            reason="chain",
            request_id=result["request_id"],
        )
    result.update(changed=True, thumbprint=str(reply["thumbprint"]).upper(), certificate=summary(issued, now=now))
    if diff:
        result["diff"] = _diff(fqdn, result["previous_thumbprint"], result["thumbprint"])
    return Outcome(result, _updated_snapshot(snapshot, reply, fqdn))


def ensure_absent(
    *,
    request: Request,
    check_mode: bool,
    diff: bool,
    snapshot: Mapping[str, t.Any],
    call_host: HostCall,
    now: datetime | None = None,
) -> Outcome:
    """Remove the certificates this module manages for the FQDN that no Exchange service uses, and its pending key.

    Managed: in LocalMachine\\My, issued to the FQDN (it names it), chaining to the issuer. Which services use a
    certificate comes from the fact (Exchange's ``services``, UM's and the Call Router's thumbprints).
    """
    moment = now or datetime.now(timezone.utc)
    fqdn = str(request.fqdn)
    result: dict[str, t.Any] = copy.deepcopy(EMPTY_RESULT)
    if snapshot.get("exchange_error"):
        raise CertificateRequestError(
            "state=absent removes only certificates no Exchange service uses, and the exchange_um_host fact does "
            "not say which are used (exchange_info could not read Exchange: see its exchange_error). Run "
            "exchange_info so that it reads Exchange (exchange_shell=remote with a credential, or CredSSP)",
            reason="input",
        )
    used = _used_thumbprints(snapshot)
    remove: list[str] = []
    for entry in (snapshot.get("stores") or {}).get("My") or ():
        problems = fact_problems(
            entry, snapshot=snapshot, names=request.names[:1], issuer=request.issuer, renew_before_days=-36500,
            now=moment,
        )  # fmt: skip
        print_ = str(entry.get("thumbprint")).upper()
        managed = problems is not None and not [p for p in problems if p != "no private key"]
        if managed and print_ not in used:
            remove.append(print_)
    pending = _fact_record(snapshot, fqdn)
    result["action"] = "removed" if remove or pending else "none"
    if not remove and not pending:
        result["changed"] = False
        return Outcome(result, None)
    if diff:
        result["diff"] = {
            "before": "".join(f"LocalMachine\\My\\{p}\n" for p in remove),
            "after": "",
        }
    if check_mode:
        result.update(changed=True, removed=remove)
        return Outcome(result, None)
    reply = call_host({"Step": "remove", "Fqdn": fqdn, "Remove": remove, "CheckMode": False})
    removed = [str(p).upper() for p in reply.get("removed") or ()]
    result.update(changed=bool(removed or reply.get("discarded")), removed=removed)
    return Outcome(result, _updated_snapshot(snapshot, {**reply, "record": None}, fqdn))


def _used_thumbprints(snapshot: Mapping[str, t.Any]) -> set[str]:
    used: set[str] = set()
    for entry in (snapshot.get("stores") or {}).get("My") or ():
        services = str(entry.get("services") or "").strip()
        if services and services.lower() != "none":
            used.add(str(entry.get("thumbprint")).upper())
    um = snapshot.get("um") or {}
    for part in (um, um.get("call_router") or {}):
        if part.get("certificate_thumbprint"):
            used.add(str(part["certificate_thumbprint"]).upper())
    return used
