"""The texts a certsrv site shows, in English and German, and the CA status codes behind them.

certsrv-protocol.md: pages are localized on non-English servers while the structural anchors (``certnew.cer?ReqID=``,
``nRenewals``, element ids, hex error codes) stay the same. Status codes and their symbolic names are the ones the CA
writes into ``LastStatus:`` (winerror.h values, e.g. ``0x80094014 (-2146877420 CERTSRV_E_ADMIN_DENIED_REQUEST)``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LOCALES", "STATUSES", "TEXTS", "Status", "status_line"]

LOCALES = ("en", "de")


@dataclass(frozen=True)
class Status:
    """An HRESULT as the CA reports it: code, facility tag + symbol, and its localized text."""

    code: int
    facility: str  # "" for CERTSRV codes (decimal value shown), else "WIN32: 87" / "ASN: 267"
    symbol: str
    text: dict[str, str]

    @property
    def hex(self) -> str:
        return f"0x{self.code:x}" if self.code == 0 else f"0x{self.code:08x}"


STATUSES: dict[str, Status] = {
    "success": Status(
        0,
        "WIN32: 0",
        "ERROR_SUCCESS",
        {"en": "The operation completed successfully.", "de": "Der Vorgang wurde erfolgreich beendet."},
    ),
    "property_empty": Status(
        0x80094004,
        "",
        "CERTSRV_E_PROPERTY_EMPTY",
        {"en": "The requested property value is empty.", "de": "Der angeforderte Eigenschaftswert ist leer."},
    ),
    "admin_denied": Status(
        0x80094014,
        "",
        "CERTSRV_E_ADMIN_DENIED_REQUEST",
        {
            "en": "The request was denied by a certificate manager or CA administrator.",
            "de": "Die Anforderung wurde von einem Zertifikatverwalter oder Zertifizierungsstellenadministrator "
            "verweigert.",
        },
    ),
    "unsupported_template": Status(
        0x80094800,
        "",
        "CERTSRV_E_UNSUPPORTED_CERT_TYPE",
        {
            "en": "The request was for a certificate template that is not supported by the Active Directory "
            "Certificate Services policy: {template}.",
            "de": "Die Anforderung bezog sich auf eine Zertifikatvorlage, die von der Active Directory-"
            "Zertifikatdienste-Richtlinie nicht unterstützt wird: {template}.",
        },
    ),
    "no_template": Status(
        0x80094801,
        "",
        "CERTSRV_E_NO_CERT_TYPE",
        {
            "en": "The request contains no certificate template information.",
            "de": "Die Anforderung enthält keine Zertifikatvorlageninformationen.",
        },
    ),
    "template_denied": Status(
        0x80094012,
        "",
        "CERTSRV_E_TEMPLATE_DENIED",
        {
            "en": "The permissions on the certificate template do not allow the current user to enroll for this "
            "type of certificate.",
            "de": "Die Berechtigungen für die Zertifikatvorlage erlauben dem aktuellen Benutzer nicht, sich für "
            "diesen Zertifikattyp zu registrieren.",
        },
    ),
    "bad_tag": Status(
        0x8009310B,
        "ASN: 267",
        "CRYPT_E_ASN1_BADTAG",
        {"en": "ASN1 bad tag value met.", "de": "Ungültiger ASN1-Tagwert gefunden."},
    ),
    "bad_signature": Status(
        0x80090006, "", "NTE_BAD_SIGNATURE", {"en": "Invalid Signature.", "de": "Ungültige Signatur."}
    ),
    "invalid_parameter": Status(
        0x80070057,
        "WIN32: 87",
        "ERROR_INVALID_PARAMETER",
        {"en": "The parameter is incorrect.", "de": "Falscher Parameter."},
    ),
}


def status_line(status: Status, locale: str, **values: str) -> str:
    """``LastStatus:`` text: message, hex code, then ``(decimal SYMBOL)`` or ``(FACILITY: n SYMBOL)``."""
    signed = status.code - (1 << 32) if status.code & 0x80000000 else status.code
    origin = status.facility or str(signed)
    return f"{status.text[locale].format(**values)} {status.hex} ({origin} {status.symbol})"


# Page texts. Keys are the same in every locale; ``{id}`` etc. are filled in by the page builder.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "site": "Microsoft Active Directory Certificate Services",
        "service": "Active Directory Certificate Services",
        "home": "Home",
        "welcome": "Welcome",
        "welcome_desc": "Use this Web site to request a certificate for your Web browser, e-mail client, or other "
        "program.",
        "carc_title": "Download a CA Certificate, Certificate Chain, or CRL",
        "carc_desc": "To trust certificates issued from this certification authority, install this CA certificate.",
        "current": "Current",
        "previous": "Previous",
        "issued_title": "Certificate Issued",
        "issued_desc": "The certificate you requested was issued to you.",
        "der": "DER encoded",
        "b64": "Base 64 encoded",
        "download_cert": "Download certificate",
        "download_chain": "Download certificate chain",
        "pending_title": "Certificate Pending",
        "pending_desc": "Your certificate request has been received. However, you must wait for an administrator "
        "to issue the certificate you requested.",
        "request_id": "Your Request Id is {id}.",
        "chkpnd_desc": "Your certificate request is still pending. You must wait for an administrator to issue the "
        "certificate you requested.",
        "pending_instructions": "Please return to this web site in a day or two to retrieve your certificate.",
        "remove": "Remove",
        "remove_desc": "Remove this request from your list of pending requests.",
        "denied_title": "Certificate Request Denied",
        "denied_desc": "Your certificate request was denied.",
        "disposition_is": 'The disposition message is "{message}"',
        "contact_admin": "Contact your administrator for further information.",
        "contact_admin_assistance": "Contact your administrator for further assistance.",
        "error_title": "Error",
        "disposition_number_label": "Disposition:",
        "disp_never_set": "(never set)",
        "disp_unknown": "(unknown)",
        "disp_incomplete": "Incomplete",
        "disp_error": "Error",
        "disp_msg_none": "(none)",
        "disposition_label": "Disposition message:",
        "last_status_label": "LastStatus:",
        # CA disposition messages (the CA writes them in its own language).
        "disp_issued": "Issued",
        "disp_pending": "Taken Under Submission",
        "disp_policy": "Denied by Policy Module  {code}, {text}",
        "disp_parse": "Error Parsing Request  {status}",
        "disp_signature": "Error Verifying Request Signature or signing certificate  {status}",
        "disp_admin": "Denied by {officer}",
        "disp_attribute": "Error Constructing or Publishing Certificate  {status}",
        "unauthorized": "401 - Unauthorized: Access is denied due to invalid credentials.",
        "unauthorized_desc": "You do not have permission to view this directory or page using the credentials that "
        "you supplied.",
        "not_found": "404 - File or directory not found.",
        "server_error": "500 - Internal server error.",
        "server_error_desc": "There is a problem with the resource you are looking for, and it cannot be displayed.",
    },
    "de": {
        "site": "Microsoft Active Directory-Zertifikatdienste",
        "service": "Active Directory-Zertifikatdienste",
        "home": "Startseite",
        "welcome": "Willkommen",
        "welcome_desc": "Verwenden Sie diese Website, um ein Zertifikat für Ihren Webbrowser, E-Mail-Client oder "
        "ein anderes Programm anzufordern.",
        "carc_title": "Download eines Zertifizierungsstellenzertifikats, einer Zertifikatkette oder einer Sperrliste",
        "carc_desc": "Installieren Sie dieses Zertifizierungsstellenzertifikat, um Zertifikaten zu vertrauen, die "
        "von dieser Zertifizierungsstelle ausgestellt wurden.",
        "current": "Aktuell",
        "previous": "Vorherig",
        "issued_title": "Zertifikat wurde ausgestellt",
        "issued_desc": "Das angeforderte Zertifikat wurde für Sie ausgestellt.",
        "der": "DER-codiert",
        "b64": "Base64-codiert",
        "download_cert": "Zertifikat herunterladen",
        "download_chain": "Zertifikatkette herunterladen",
        "pending_title": "Zertifikat ausstehend",
        "pending_desc": "Ihre Zertifikatanforderung wurde empfangen. Sie müssen jedoch warten, bis ein "
        "Administrator das angeforderte Zertifikat ausstellt.",
        "request_id": "Ihre Anforderungs-ID ist {id}.",
        "chkpnd_desc": "Ihre Zertifikatanforderung ist noch ausstehend. Sie müssen warten, bis ein Administrator das "
        "angeforderte Zertifikat ausstellt.",
        "pending_instructions": "Kehren Sie in ein bis zwei Tagen zu dieser Website zurück, um das Zertifikat "
        "abzurufen.",
        "remove": "Entfernen",
        "remove_desc": "Diese Anforderung aus der Liste der ausstehenden Anforderungen entfernen.",
        "denied_title": "Zertifikatanforderung wurde verweigert",
        "denied_desc": "Ihre Zertifikatanforderung wurde verweigert.",
        "disposition_is": 'Die Dispositionsmeldung lautet "{message}"',
        "contact_admin": "Wenden Sie sich an den Administrator, um weitere Informationen zu erhalten.",
        "contact_admin_assistance": "Wenden Sie sich an den Administrator, um weitere Unterstützung zu erhalten.",
        "error_title": "Fehler",
        "disposition_number_label": "Disposition:",
        "disp_never_set": "(nie festgelegt)",
        "disp_unknown": "(unbekannt)",
        "disp_incomplete": "Unvollständig",
        "disp_error": "Fehler",
        "disp_msg_none": "(keine)",
        "disposition_label": "Dispositionsmeldung:",
        "last_status_label": "Letzter Status:",
        "disp_issued": "Ausgestellt",
        "disp_pending": "Zur Bearbeitung angenommen",
        "disp_policy": "Vom Richtlinienmodul verweigert  {code}, {text}",
        "disp_parse": "Fehler beim Analysieren der Anforderung  {status}",
        "disp_signature": "Fehler beim Überprüfen der Anforderungssignatur oder des Signaturzertifikats  {status}",
        "disp_admin": "Verweigert von {officer}",
        "disp_attribute": "Fehler beim Erstellen oder Veröffentlichen des Zertifikats  {status}",
        "unauthorized": "401 - Nicht autorisiert: Zugriff aufgrund ungültiger Anmeldeinformationen verweigert.",
        "unauthorized_desc": "Sie verfügen nicht über die Berechtigung zum Anzeigen dieses Verzeichnisses bzw. "
        "dieser Seite unter Verwendung der angegebenen Anmeldeinformationen.",
        "not_found": "404 - Datei oder Verzeichnis wurde nicht gefunden.",
        "server_error": "500 - Interner Serverfehler.",
        "server_error_desc": "Es besteht ein Problem mit der gesuchten Ressource, daher kann sie nicht angezeigt "
        "werden.",
    },
}
