"""The fleet report as Markdown and as one self-contained HTML page with an SVG expiry timeline.

Every text that comes from a host (names, subjects, findings) is escaped for the format it goes into; the page loads
nothing from anywhere (no script, no font, no image besides the inline SVG), so it can be mailed or archived as it is.
"""

from __future__ import annotations

import datetime
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ansible_collections.exchange_um.certificates.plugins.plugin_utils._fleet_report import (
    DUE,
    FAILED,
    NO_DATA,
    OK,
    STATUSES,
    HostAudit,
    fleet_status,
    parse_time,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import iso_utc

__all__ = ["COLOURS", "ReportMeta", "render_html", "render_markdown", "render_timeline", "report_files"]

# status -> bar colour in the timeline and badge colour in the table
COLOURS = {OK: "#2e7d32", DUE: "#f9a825", FAILED: "#c62828", NO_DATA: "#9e9e9e"}
WINDOW_COLOUR = "#fff3cd"
TODAY_COLOUR = "#1a237e"

_WIDTH = 960
_LABEL = 190
_ROW = 26
_TOP = 34
_BOTTOM = 30


@dataclass(frozen=True)
class ReportMeta:
    """What the report says about itself: title, when, and the thresholds its colours use."""

    title: str
    generated: datetime.datetime
    min_days_left: int
    renew_before_days: int


def _md(value: object) -> str:
    """A table cell: Markdown's table and emphasis characters escaped, one line."""
    text = " ".join(str("" if value is None else value).split())
    for character in "\\|*_`[]<>#":
        text = text.replace(character, "\\" + character)
    return text


def _yes_no(value: bool | None) -> str:
    return "n/a" if value is None else "yes" if value else "no"


def render_markdown(audits: Sequence[HostAudit], meta: ReportMeta) -> str:
    counts = fleet_status(audits)
    lines = [
        f"# {_md(meta.title)}",
        "",
        f"Generated {meta.generated.strftime('%Y-%m-%d %H:%M UTC')} for {len(audits)} servers: "
        + ", ".join(f"{counts[status]} {status}" for status in STATUSES)
        + f". Renewal window {meta.renew_before_days} days, failing below {meta.min_days_left} days left.",
        "",
        "| host | status | Exchange | FQDN | certificate | not after | days left | trusted | bound | TLS | findings |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for audit in audits:
        cells = [
            audit.name,
            audit.status,
            audit.version or "",
            audit.fqdn or "",
            audit.thumbprint or "",
            audit.not_after or "",
            "" if audit.days_left is None else audit.days_left,
            _yes_no(audit.trusted),
            _yes_no(audit.bound),
            _yes_no(audit.tls),
            "; ".join(audit.findings + audit.notes),
        ]
        lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _bounds(audits: Sequence[HostAudit], meta: ReportMeta) -> tuple[datetime.datetime, datetime.datetime]:
    moments = [meta.generated, meta.generated + datetime.timedelta(days=meta.renew_before_days)]
    for audit in audits:
        moments += [
            moment for moment in (parse_time(audit.not_before), parse_time(audit.not_after)) if moment is not None
        ]
    start, end = min(moments), max(moments)
    margin = max((end - start) / 20, datetime.timedelta(days=1))
    return start - margin, end + margin


def render_timeline(audits: Sequence[HostAudit], meta: ReportMeta) -> str:
    """SVG: one row per server, its certificate's validity as a bar coloured by status, today and the window."""
    start, end = _bounds(audits, meta)
    span = (end - start).total_seconds()
    plot = _WIDTH - _LABEL - 10
    height = _TOP + _ROW * max(len(audits), 1) + _BOTTOM

    def x(moment: datetime.datetime) -> float:
        return round(_LABEL + plot * (moment - start).total_seconds() / span, 1)

    today = x(meta.generated)
    window_end = x(meta.generated + datetime.timedelta(days=meta.renew_before_days))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="certificate expiry timeline">',
        f'<rect x="0" y="0" width="{_WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<rect class="window" x="{today}" y="{_TOP - 6}" width="{max(window_end - today, 1)}" '
        f'height="{_ROW * max(len(audits), 1) + 6}" fill="{WINDOW_COLOUR}"/>',
    ]
    for year in range(start.year + 1, end.year + 1):
        tick = x(datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc))
        parts.append(
            f'<line x1="{tick}" y1="{_TOP - 10}" x2="{tick}" y2="{height - _BOTTOM}" stroke="#dddddd"/>'
            f'<text x="{tick}" y="{height - 10}" font-size="11" text-anchor="middle" fill="#555555">{year}</text>'
        )
    for row, audit in enumerate(audits):
        top = _TOP + row * _ROW
        parts.append(
            f'<text x="{_LABEL - 8}" y="{top + 16}" font-size="12" text-anchor="end" fill="#222222">'
            f"{html.escape(audit.name)}</text>"
        )
        begin, finish = parse_time(audit.not_before), parse_time(audit.not_after)
        colour = COLOURS[audit.status]
        if begin is None or finish is None:
            parts.append(
                f'<text x="{_LABEL + 4}" y="{top + 16}" font-size="11" fill="{colour}">no certificate in use</text>'
            )
            continue
        left, right = x(begin), x(finish)
        title = f"{audit.name}: {audit.status}, not after {audit.not_after}, {audit.days_left} days left"
        parts.append(
            f'<rect class="bar" data-host="{html.escape(audit.name)}" data-status="{html.escape(audit.status)}" '
            f'x="{left}" y="{top + 4}" width="{max(right - left, 2)}" height="{_ROW - 8}" rx="3" fill="{colour}">'
            f"<title>{html.escape(title)}</title></rect>"
        )
    parts.append(
        f'<line x1="{today}" y1="{_TOP - 12}" x2="{today}" y2="{height - _BOTTOM}" stroke="{TODAY_COLOUR}" '
        f'stroke-width="2"/><text x="{today}" y="{_TOP - 16}" font-size="11" text-anchor="middle" '
        f'fill="{TODAY_COLOUR}">today</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


_STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 20px; }
table { border-collapse: collapse; margin-top: 16px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.mono { font-family: monospace; }
.badge { color: #fff; padding: 1px 6px; border-radius: 3px; white-space: nowrap; }
.legend span { margin-right: 14px; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }
"""


def _cell(value: object, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<td{attribute}>{html.escape('' if value is None else str(value))}</td>"


def render_html(audits: Sequence[HostAudit], meta: ReportMeta) -> str:
    counts = fleet_status(audits)
    legend = "".join(
        f'<span><i class="swatch" style="background:{COLOURS[status]}"></i>{html.escape(status)} '
        f"({counts[status]})</span>"
        for status in STATUSES
    )
    rows = []
    for audit in audits:
        badge = f'<span class="badge" style="background:{COLOURS[audit.status]}">{html.escape(audit.status)}</span>'
        details = "".join(f"<li>{html.escape(item)}</li>" for item in audit.findings + audit.notes)
        rows.append(
            f'<tr data-host="{html.escape(audit.name)}">'
            + _cell(audit.name)
            + f"<td>{badge}</td>"
            + _cell(audit.version)
            + _cell(audit.fqdn)
            + _cell(audit.thumbprint, "mono")
            + _cell(audit.not_after)
            + _cell(audit.days_left)
            + _cell(_yes_no(audit.trusted))
            + _cell(_yes_no(audit.bound))
            + _cell(_yes_no(audit.tls))
            + f"<td><ul>{details}</ul></td></tr>"
        )
    header = "".join(
        f"<th>{name}</th>"
        for name in (
            "host",
            "status",
            "Exchange",
            "FQDN",
            "certificate",
            "not after",
            "days left",
            "trusted",
            "bound",
            "TLS",
            "findings",
        )
    )
    title = html.escape(meta.title)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        f"<p>Generated {meta.generated.strftime('%Y-%m-%d %H:%M UTC')} for {len(audits)} servers. Renewal window "
        f"{meta.renew_before_days} days (shaded), failing below {meta.min_days_left} days left.</p>"
        f'<p class="legend">{legend}</p>'
        f"{render_timeline(audits, meta)}"
        f'<table id="hosts"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        "</body></html>\n"
    )


def report_files(audits: Sequence[HostAudit], meta: ReportMeta) -> dict[str, str]:
    """File name -> content of every file the report writes."""
    document = {
        "title": meta.title,
        "generated": iso_utc(meta.generated),
        "renew_before_days": meta.renew_before_days,
        "min_days_left": meta.min_days_left,
        "counts": fleet_status(audits),
        "hosts": [audit.as_dict() for audit in audits],
    }
    return {
        "report.md": render_markdown(audits, meta),
        "report.html": render_html(audits, meta),
        "report.json": json.dumps(document, indent=2, sort_keys=True) + "\n",
    }
