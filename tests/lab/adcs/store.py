"""The CA's request database: every submitted request gets an id and a disposition, like the AD CS database.

Dispositions follow certsrv-protocol.md: 2 denied, 3 issued, 5 under submission (pending). Policies say how a new
request is answered: ``issue`` (WebServer issues at once), ``pending`` (the policy module marks every request pending,
as with "CA certificate manager approval") or ``deny`` (the requester has no Enroll permission on the template).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..pki import TEMPLATES, LabPki, SanAttributeError

__all__ = ["POLICIES", "Disposition", "Outcome", "Request", "RequestStateError", "RequestStore", "parse_attributes"]

POLICIES = ("issue", "pending", "deny")
# The CA administrator of the lab (the account that resolves pending requests through the control API).
OFFICER = "CONTOSO\\Administrator"


class Disposition(IntEnum):
    """certsrv-protocol.md "Disposition codes"."""

    DENIED = 2
    ISSUED = 3
    PENDING = 5


@dataclass(frozen=True)
class Outcome:
    """Why a request has its disposition: a message key of messages.TEXTS plus the status behind it."""

    message: str  # "disp_issued", "disp_pending", "disp_policy", "disp_parse", ...
    status: str  # key of messages.STATUSES
    values: Mapping[str, str] = field(default_factory=dict)


class RequestStateError(Exception):
    """A control action that does not fit the request's disposition (approve an issued request...)."""

    def __init__(self, request_id: int, disposition: Disposition | None, action: str) -> None:
        state = "unknown" if disposition is None else disposition.name.lower()
        super().__init__(f"request {request_id} is {state}: cannot {action}")
        self.request_id = request_id
        self.disposition = disposition
        self.action = action


@dataclass
class Request:
    id: int
    requester: str
    submitted: datetime.datetime
    disposition: Disposition
    outcome: Outcome
    template: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    csr: x509.CertificateSigningRequest | None = None
    certificate: x509.Certificate | None = None

    def summary(self) -> dict[str, object]:
        """What the control API shows for this request (no key material beyond the public certificate)."""
        return {
            "id": self.id,
            "requester": self.requester,
            "submitted": self.submitted.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "disposition": int(self.disposition),
            "disposition_name": self.disposition.name.lower(),
            "reason": self.outcome.message,
            "status": self.outcome.status,
            "template": self.template,
            "subject": self.csr.subject.rfc4514_string() if self.csr is not None else None,
            "thumbprint": self.certificate.fingerprint(hashes.SHA1()).hex().upper() if self.certificate else None,
        }


_DISPOSITIONS = {"disp_issued": Disposition.ISSUED, "disp_pending": Disposition.PENDING}
_ATTRIBUTE_SPLIT = re.compile(r"\r\n|\n|\r")
_PEM_LINE = re.compile(r"^-----(BEGIN|END) [A-Z0-9 ]+-----$")


def parse_attributes(text: str) -> dict[str, str]:
    """``CertAttrib``: ``Name:Value`` lines separated by CRLF or LF (certsrv-protocol.md); names case-insensitive."""
    attributes: dict[str, str] = {}
    for line in _ATTRIBUTE_SPLIT.split(text):
        name, sep, value = line.partition(":")
        if sep and name.strip():
            attributes[name.strip().lower()] = value.strip()
    return attributes


def _signature_valid(csr: x509.CertificateSigningRequest) -> bool:
    """RFC 2986 4.2's check of the request's signature with its own key, SHA-1 included: AD CS takes SHA-1-signed
    requests, which Windows Server 2003's certreq and Exchange 2007-2013's New-ExchangeCertificate make
    (cryptography's is_signature_valid refuses SHA-1 under OpenSSL 3's default security level)."""
    key = csr.public_key()
    algorithm = csr.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(csr.signature, csr.tbs_certrequest_bytes, padding.PKCS1v15(), algorithm)
            return True
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return csr.is_signature_valid


def _load_csr(text: str) -> x509.CertificateSigningRequest | None:
    """A PKCS#10 request as certfnsh.asp takes it: with or without PEM armour (``NEW CERTIFICATE REQUEST`` too)."""
    body = "".join(line.strip() for line in text.splitlines() if not _PEM_LINE.match(line.strip()))
    try:
        return x509.load_der_x509_csr(base64.b64decode(body, validate=True))
    except (binascii.Error, ValueError):
        return None


class RequestStore:
    """Thread-safe request database with a policy for new requests."""

    def __init__(self, pki: LabPki, *, policy: str = "issue") -> None:
        self._pki = pki
        self._lock = threading.Lock()
        self._requests: dict[int, Request] = {}
        self._next_id = 1
        self.policy = policy

    @property
    def policy(self) -> str:
        return self._policy

    @policy.setter
    def policy(self, value: str) -> None:
        if value not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {value!r}")
        self._policy = value

    def get(self, request_id: int) -> Request | None:
        with self._lock:
            return self._requests.get(request_id)

    def all(self) -> list[Request]:
        with self._lock:
            return list(self._requests.values())

    def submit(self, *, csr_text: str, attributes: Mapping[str, str], requester: str) -> Request:
        """Run a new request through the checks of the CA and its policy module, in their order."""
        csr = _load_csr(csr_text)
        template = attributes.get("certificatetemplate")
        if csr is None:
            outcome = Outcome("disp_parse", "bad_tag")
        elif not _signature_valid(csr):
            outcome = Outcome("disp_signature", "bad_signature")
        elif not template:
            outcome = Outcome("disp_policy", "no_template")
        elif template.lower() not in TEMPLATES:
            outcome = Outcome("disp_policy", "unsupported_template", {"template": template})
        elif self.policy == "deny":
            outcome = Outcome("disp_policy", "template_denied")
        elif self.policy == "pending":
            outcome = Outcome("disp_pending", "success")
        else:
            outcome = Outcome("disp_issued", "success")
        with self._lock:
            request = Request(
                id=self._next_id,
                requester=requester,
                submitted=datetime.datetime.now(datetime.timezone.utc),
                disposition=_DISPOSITIONS.get(outcome.message, Disposition.DENIED),
                outcome=outcome,
                template=template,
                attributes=dict(attributes),
                csr=csr,
            )
            self._next_id += 1
            self._requests[request.id] = request
            if csr is not None and template and request.disposition is Disposition.ISSUED:
                self._issue(request, csr, template)
            return request

    def approve(self, request_id: int) -> Request:
        """Issue a pending request (certutil -resubmit)."""
        with self._lock:
            request = self._pending(request_id, "approve")
            if request.csr is None or not request.template:  # only parsed requests with a template go pending
                raise RequestStateError(request_id, request.disposition, "approve")
            self._issue(request, request.csr, request.template)
            return request

    def deny(self, request_id: int) -> Request:
        """Deny a pending request (certutil -deny): LastStatus 0x80094014, certsrv-protocol.md."""
        with self._lock:
            request = self._pending(request_id, "deny")
            request.disposition = Disposition.DENIED
            request.outcome = Outcome("disp_admin", "admin_denied", {"officer": OFFICER})
            return request

    def _pending(self, request_id: int, action: str) -> Request:
        request = self._requests.get(request_id)
        if request is None or request.disposition is not Disposition.PENDING:
            raise RequestStateError(request_id, request.disposition if request else None, action)
        return request

    def _issue(self, request: Request, csr: x509.CertificateSigningRequest, template: str) -> None:
        try:
            request.certificate = self._pki.sign_csr(
                csr, template=template, san_attribute=request.attributes.get("san")
            )
        except SanAttributeError:
            request.disposition = Disposition.DENIED
            request.outcome = Outcome("disp_attribute", "invalid_parameter")
        else:
            request.disposition = Disposition.ISSUED
            request.outcome = Outcome("disp_issued", "success")
