"""HTML pages of the certsrv site, with the structural anchors of certsrv-protocol.md in every language.

Anchors kept identical across locales: ``var nRenewals=N;``, ``certnew.cer?ReqID=N&``, the element ids of the ASP
pages, hex error codes, the numeric disposition, and the ``Disposition message:`` / ``LastStatus:`` rows followed by
CRLF and two tabs (their labels are localized, as the whole page is).

The result pages follow the ASP sources of certsrv (Windows Server 2003, ds/security/services/ca/certweb in the public
selfrender/Windows-Server-2003 repository): certrspn.asp (pending), certrsdn.asp (denied), certrser.asp (error).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .messages import STATUSES, TEXTS, status_line
from .store import Disposition, Outcome, Request

__all__ = [
    "carc_page",
    "denied_page",
    "disposition_message",
    "error_page",
    "iis_error_page",
    "issued_page",
    "last_status",
    "page_for",
    "pending_page",
    "welcome_page",
]

CRLF = "\r\n"
# certrser.asp names only CR_DISP_INCOMPLETE (0) and CR_DISP_ERROR (1); every other code shows as "(unknown)".
_DISPOSITION_NAMES = {0: ("locDispIncomplete", "disp_incomplete"), 1: ("locDispError", "disp_error")}


def disposition_message(outcome: Outcome, locale: str) -> str:
    """The CA's disposition message, e.g. ``Denied by Policy Module  0x80094800, <text>`` (note the two spaces)."""
    texts = TEXTS[locale]
    status = STATUSES[outcome.status]
    return texts[outcome.message].format(
        code=status.hex,
        text=status.text[locale].format(**outcome.values),
        status=status_line(status, locale, **outcome.values),
        **outcome.values,
    )


def last_status(outcome: Outcome, locale: str) -> str:
    status = STATUSES[outcome.status]
    return status_line(status, locale, **outcome.values)


def _page(locale: str, ca_name: str, title: str, body: list[str], *, head: Sequence[str] = ()) -> str:
    texts = TEXTS[locale]
    lines = [
        "<HTML>",
        "<Head>",
        '\t<Meta HTTP-Equiv="Content-Type" Content="text/html; charset=UTF-8">',
        f"\t<Title>{texts['site']}</Title>",
        *head,
        "</Head>",
        '<Body BgColor=#FFFFFF Link=#0000FF VLink=#0000FF ALink=#0000FF><Font ID=locPageFont Face="Arial">',
        "",
        "<Table Border=0 CellSpacing=0 CellPadding=4 Width=100% BgColor=#008080>",
        "<TR>",
        f'\t<TD><Font Color=#FFFFFF><Font Face="Arial" Size=-1><B><I>Microsoft</I></B> {texts["service"]}'
        f" &nbsp;--&nbsp; {html.escape(ca_name)} &nbsp;</Font></Font></TD>",
        f'\t<TD ID=locHomeAlign Align=Right><A Href="/certsrv"><Font Color=#FFFFFF><Font Face="Arial" Size=-1>'
        f"<B>{texts['home']}</B></Font></Font></A></TD>",
        "</TR>",
        "</Table>",
        "",
        f"<P ID=locPageTitle> <B> {title} </B>",
        *body,
        "",
        "</Font>",
        "</Body>",
        "</HTML>",
    ]
    return CRLF.join(lines) + CRLF


def welcome_page(locale: str, ca_name: str) -> str:
    texts = TEXTS[locale]
    return _page(locale, ca_name, texts["welcome"], [f"<P ID=locPageDesc>{texts['welcome_desc']}"])


def carc_page(locale: str, ca_name: str, renewals: int) -> str:
    """certcarc.asp: the script carries ``var nRenewals=N;`` (index of the current CA certificate)."""
    texts = TEXTS[locale]
    options = [
        f"\t<Option Value={index}>{texts['current' if index == renewals else 'previous']}"
        f" [{html.escape(ca_name)}({index})]"
        for index in range(renewals, -1, -1)
    ]
    head = ['<Script Language="JavaScript">', f"\tvar nRenewals={renewals};", "</Script>"]
    body = [
        f"<P ID=locPageDesc>{texts['carc_desc']}",
        "<Form Name=UIForm>",
        "<Select Name=lbCAInstance Size=4>",
        *options,
        "</Select>",
        "</Form>",
    ]
    return _page(locale, ca_name, texts["carc_title"], body, head=head)


def issued_page(locale: str, ca_name: str, request_id: int, *, internet_explorer: bool) -> str:
    """Issued: plain links ``certnew.cer?ReqID=N&amp;Enc=...``; for Internet Explorer the JavaScript form
    ``location="certnew.cer?ReqID=N&"+getEncoding();`` instead (certsrv-protocol.md)."""
    texts = TEXTS[locale]
    body = [f"<P ID=locPageDesc> {texts['issued_desc']}", "<Form Name=UIForm>", "<Table Border=0>"]
    head: list[str] = []
    if internet_explorer:
        head = [
            '<Script Language="JavaScript">',
            "\tfunction getEncoding() {",
            "\t\tif (true==document.UIForm.rbEncoding[0].checked) {",
            '\t\t\treturn "Enc=bin";',
            "\t\t}",
            '\t\treturn "Enc=b64";',
            "\t}",
            "\tfunction handleGetCert() {",
            f'\t\tlocation="certnew.cer?ReqID={request_id}&"+getEncoding();',
            "\t}",
            "\tfunction handleGetChain() {",
            f'\t\tlocation="certnew.p7b?ReqID={request_id}&"+getEncoding();',
            "\t}",
            "</Script>",
        ]
        body += [
            f"<TR><TD><Input Type=Radio Name=rbEncoding ID=rbDerEnc Value=bin><Label For=rbDerEnc>{texts['der']}"
            f"</Label> <Input Type=Radio Name=rbEncoding ID=rbB64Enc Value=b64 Checked><Label For=rbB64Enc>"
            f"{texts['b64']}</Label></TD></TR>",
            f'<TR><TD><A Href="javascript:handleGetCert();">{texts["download_cert"]}</A></TD></TR>',
            f'<TR><TD><A Href="javascript:handleGetChain();">{texts["download_chain"]}</A></TD></TR>',
        ]
    else:
        for encoding in ("bin", "b64"):
            label = texts["der" if encoding == "bin" else "b64"]
            body += [
                f'<TR><TD><A Href="certnew.cer?ReqID={request_id}&amp;Enc={encoding}">{texts["download_cert"]}'
                f"</A> ({label})</TD></TR>",
                f'<TR><TD><A Href="certnew.p7b?ReqID={request_id}&amp;Enc={encoding}">{texts["download_chain"]}'
                f"</A> ({label})</TD></TR>",
            ]
    body += ["</Table>", "</Form>"]
    return _page(locale, ca_name, texts["issued_title"], body, head=head)


def pending_page(locale: str, ca_name: str, request_id: int, *, check_pending: bool = False) -> str:
    """certrspn.asp: after a new request ``ID=locInfoNewReq`` and ``ID=locInfoReqID`` (the request id); when a
    pending request is checked (``Mode=chkpnd``) ``ID=locInfoChkPnd`` instead, and the id only in the form that removes
    the request from the browser's list."""
    texts = TEXTS[locale]
    if check_pending:
        body = [f"<P ID=locInfoChkPnd> {texts['chkpnd_desc']} </P>"]
    else:
        body = [
            f"<P ID=locInfoNewReq> {texts['pending_desc']} </P>",
            "",
            "<P ID=locInfoReqID>",
            texts["request_id"].format(id=request_id),
            "</P>",
        ]
    body += ["", f"<P ID=locInstructions> {texts['pending_instructions']}</P>"]
    if check_pending:
        body += [
            '<Form Action="certrmpn.asp" Method=Post>',
            '<Input Type=Hidden Name=Action Value="rmpn">',
            f'<Input Type=Hidden Name=ReqID Value="{request_id}">',
            f'<P><Input ID=locBtnRemove Type=Submit Value="{texts["remove"]}"> - {texts["remove_desc"]}',
            "</Form>",
        ]
    return _page(locale, ca_name, texts["pending_title"], body)


def denied_page(locale: str, ca_name: str, request: Request) -> str:
    """certrsdn.asp: ``ID=locDenied``, then ``ID=locInfoReqIDandReason`` with ``Your Request Id is N.`` and
    ``The disposition message is "..."``."""
    texts = TEXTS[locale]
    message = html.escape(disposition_message(request.outcome, locale))
    body = [
        f"<P ID=locDenied> {texts['denied_desc']} </P>",
        "",
        "<P ID=locInfoReqIDandReason>",
        f"{texts['request_id'].format(id=request.id)} {texts['disposition_is'].format(message=message)}",
        "</P>",
        "",
        f"<P ID=locContactAdmin>{texts['contact_admin']}",
        "</P>",
    ]
    return _page(locale, ca_name, texts["denied_title"], body)


def page_for(
    locale: str, ca_name: str, request: Request, *, internet_explorer: bool, check_pending: bool = False
) -> str:
    """The certfnsh.asp answer for a request in its current disposition (``check_pending``: ``Mode=chkpnd``)."""
    if request.disposition is Disposition.ISSUED:
        return issued_page(locale, ca_name, request.id, internet_explorer=internet_explorer)
    if request.disposition is Disposition.PENDING:
        return pending_page(locale, ca_name, request.id, check_pending=check_pending)
    return denied_page(locale, ca_name, request)


def error_page(locale: str, ca_name: str, *, disposition: int | None, message: str | None, status: str) -> str:
    """certrser.asp as a certificate fetch shows it: rows ``<DT ID=loc...Label>`` label ``<DD>`` CRLF, two tabs,
    value. ``Disposition:`` is the number as ``HEX(nDisposition)`` prints it and its name (``(never set)`` when no
    request was read); then ``Disposition message:`` and ``LastStatus:``."""
    texts = TEXTS[locale]
    if disposition is None:
        number = f"<LocID ID=locDispNeverSet>{texts['disp_never_set']}</LocID>"
    else:
        name_id, name_key = _DISPOSITION_NAMES.get(disposition, ("locDispUnknown", "disp_unknown"))
        number = f"{disposition:X} <LocID ID=locDispSpacer>-</LocID> <LocID ID={name_id}>{texts[name_key]}</LocID>"
    shown = html.escape(message) if message else f"<LocID ID=locDispMsgNone>{texts['disp_msg_none']}</LocID>"
    rows = [
        ("locDispLabel", texts["disposition_number_label"], number),
        ("locDispMsgLabel", texts["disposition_label"], shown),
        ("locLastStatLabel", texts["last_status_label"], html.escape(status)),
    ]
    body = [f"<P ID=locContactAdmin>{texts['contact_admin_assistance']}", "</P>", "", "<DL><DD>", "\t<DL>"]
    for element_id, label, value in rows:
        body += [f"\t<DT ID={element_id}><Font Size=-1><B>{label}</B></Font></DT><DD>", f"\t\t{value}", "\t</DD>"]
    body += ["\t</DD></DL>", "</DD></DL>"]
    return _page(locale, ca_name, texts["error_title"], body)


def iis_error_page(locale: str, key: str, description_key: str | None = None) -> str:
    """IIS's own error pages (401 from Windows Authentication, 404, 500), outside the certsrv application."""
    texts = TEXTS[locale]
    lines = [
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
        '<html xmlns="http://www.w3.org/1999/xhtml">',
        "<head>",
        f"<title>{texts[key]}</title>",
        "</head>",
        "<body>",
        '<div id="header"><h1>Server Error</h1></div>',
        '<div id="content">',
        ' <div class="content-container"><fieldset>',
        f"  <h2>{texts[key]}</h2>",
    ]
    if description_key:
        lines.append(f"  <h3>{texts[description_key]}</h3>")
    lines += [" </fieldset></div>", "</div>", "</body>", "</html>"]
    return CRLF.join(lines) + CRLF
