"""WS-Management SOAP envelopes: parse a request, build a response or a fault.

Kept apart from the shell logic so the wire format can be read on its own (winrm-protocol.md, "WS-Management
operations a faithful endpoint must serve").
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from ..httpauth import Logon

__all__ = [
    "ERROR_WINRS_CODE_PAGE_NOT_SUPPORTED",
    "ERROR_WSMAN_ACTION_NOT_SUPPORTED",
    "ERROR_WSMAN_INVALID_PARAMETER",
    "ERROR_WSMAN_MAX_ENVELOPE_SIZE",
    "ERROR_WSMAN_OPERATION_TIMEDOUT",
    "ERROR_WSMAN_SCHEMA_VALIDATION_ERROR",
    "ERROR_WSMAN_UNEXPECTED_SELECTORS",
    "NS",
    "SHELL_ACTION",
    "TRANSFER_ACTION",
    "WsmanFault",
    "WsmanRequest",
    "envelope",
    "fault_envelope",
    "parse_duration",
    "parse_request",
]

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
SHELL_ACTION = NS["rsp"] + "/"
TRANSFER_ACTION = NS["x"] + "/"
_FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
_ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
_WMI_ERROR_NS = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"
# WSManFault codes (winerror.h values, as published in Win32::System::RemoteManagement of the windows crate).
ERROR_WSMAN_OPERATION_TIMEDOUT = 2150858793
ERROR_WSMAN_UNEXPECTED_SELECTORS = 2150858843  # what WinRS sends with w:InvalidSelectors for an unknown shell
ERROR_WSMAN_ACTION_NOT_SUPPORTED = 2150858771
ERROR_WSMAN_SCHEMA_VALIDATION_ERROR = 2150858817
ERROR_WSMAN_INVALID_PARAMETER = 2150858810
ERROR_WSMAN_MAX_ENVELOPE_SIZE = 2150858823
ERROR_WINRS_CODE_PAGE_NOT_SUPPORTED = 2150859072
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class WsmanFault(Exception):
    """A WS-Management fault to send back: SOAP code, WS-Man subcode, reason and the WSManFault number.

    ``wmi_error`` carries the number in an ``MSFT_WmiError`` detail instead of ``WSManFault``, as WinRM does for
    its operation quota (the form pywinrm reads as ``wmierror_code``).
    """

    def __init__(
        self, *, sender: bool, subcode: str, reason: str, code: int, status: int = 500, wmi_error: bool = False
    ) -> None:
        super().__init__(reason)
        self.sender = sender
        self.subcode = subcode
        self.reason = reason
        self.code = code
        self.status = status
        self.wmi_error = wmi_error


@dataclass
class WsmanRequest:
    """The parts of a WS-Management request that the shell operations need."""

    action: str
    message_id: str
    resource_uri: str
    body: ET.Element
    selectors: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    operation_timeout: float | None = None
    max_envelope_size: int | None = None
    logon: Logon | None = None  # set by the transport (_http.py): the logon the request authenticated as

    def option_true(self, name: str, *, default: bool) -> bool:
        value = self.options.get(name)
        return default if value is None else value.strip().upper() == "TRUE"


def parse_duration(text: str) -> float:
    """Seconds of an xs:duration such as ``PT20S`` or ``PT1.500S`` (the form WS-Man clients send)."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"not an xs:duration: {text!r}")
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


def parse_request(payload: bytes) -> WsmanRequest:
    """Parse a SOAP request; a malformed one raises :class:`WsmanFault` as the service would."""
    try:
        root = ET.fromstring(payload)
    except ET.ParseError as exc:
        raise WsmanFault(
            sender=True,
            subcode="w:SchemaValidationError",
            reason=f"Malformed XML: {exc}",
            code=ERROR_WSMAN_SCHEMA_VALIDATION_ERROR,
        ) from exc
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None or body is None:
        raise WsmanFault(
            sender=True,
            subcode="w:SchemaValidationError",
            reason="SOAP Header or Body missing.",
            code=ERROR_WSMAN_SCHEMA_VALIDATION_ERROR,
        )
    selectors = {sel.get("Name", ""): (sel.text or "") for sel in header.findall("w:SelectorSet/w:Selector", NS)}
    options = {opt.get("Name", ""): (opt.text or "") for opt in header.findall("w:OptionSet/w:Option", NS)}
    timeout_text = header.findtext("w:OperationTimeout", namespaces=NS)
    envelope_text = header.findtext("w:MaxEnvelopeSize", namespaces=NS)
    try:
        timeout = parse_duration(timeout_text) if timeout_text else None
        max_envelope = int(envelope_text) if envelope_text else None
    except ValueError as exc:
        raise WsmanFault(
            sender=True, subcode="w:SchemaValidationError", reason=str(exc), code=ERROR_WSMAN_SCHEMA_VALIDATION_ERROR
        ) from exc
    return WsmanRequest(
        action=(header.findtext("a:Action", default="", namespaces=NS) or "").strip(),
        message_id=(header.findtext("a:MessageID", default="", namespaces=NS) or "").strip(),
        resource_uri=(header.findtext("w:ResourceURI", default="", namespaces=NS) or "").strip(),
        body=body,
        selectors=selectors,
        options=options,
        operation_timeout=timeout,
        max_envelope_size=max_envelope,
    )


def envelope(action: str, relates_to: str, body: str) -> bytes:
    """A response envelope; ``a:RelatesTo`` carries the request's MessageID (pywinrm asserts it on Signal/Delete)."""
    namespaces = " ".join(f"xmlns:{prefix}={quoteattr(uri)}" for prefix, uri in NS.items() if prefix != "f")
    text = (
        f'<s:Envelope xml:lang="en-US" {namespaces}><s:Header>'
        f"<a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
        f"<a:To>{_ANONYMOUS}</a:To>"
        f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>"
        f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    )
    return text.encode("utf-8")


def fault_envelope(fault: WsmanFault, *, relates_to: str, machine: str) -> bytes:
    """The SOAP fault body WinRM sends; clients read ``Detail/WSManFault/@Code`` (winrm-protocol.md, "Faults")."""
    code = "s:Sender" if fault.sender else "s:Receiver"
    detail = (
        _wmi_error_detail(fault)
        if fault.wmi_error
        else f'<f:WSManFault xmlns:f="{NS["f"]}" Code="{fault.code}" Machine={quoteattr(machine)}>'
        f"<f:Message>{escape(fault.reason)}</f:Message></f:WSManFault>"
    )
    body = (
        f"<s:Fault><s:Code><s:Value>{code}</s:Value><s:Subcode><s:Value>{escape(fault.subcode)}</s:Value>"
        f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
        f"<s:Detail>{detail}</s:Detail></s:Fault>"
    )
    return envelope(_FAULT_ACTION, relates_to, body)


def _wmi_error_detail(fault: WsmanFault) -> str:
    """``p:MSFT_WmiError`` with the code as ``error_Code`` and ``HRESULT 0x…`` as MessageID (the shape of the fault
    in pywinrm's winrm/tests/test_protocol.py: CIMStatusCode 27, error_Category 30, error_Type HRESULT)."""
    return (
        f'<p:MSFT_WmiError xmlns:p="{_WMI_ERROR_NS}">'
        "<p:CIMStatusCode>27</p:CIMStatusCode>"
        f"<p:Message>{escape(fault.reason)}</p:Message>"
        f"<p:MessageID>HRESULT 0x{fault.code:08x}</p:MessageID>"
        "<p:error_Category>30</p:error_Category>"
        f"<p:error_Code>{fault.code}</p:error_Code>"
        "<p:error_Type>HRESULT</p:error_Type>"
        f"<p:error_WindowsErrorMessage>{escape(fault.reason)}</p:error_WindowsErrorMessage>"
        "</p:MSFT_WmiError>"
    )
