"""The fleet report's HTML page as a browser draws it: headless Chromium (Debian's ``chromium``) renders a report of
four servers, one per status, to a screenshot; the test reads the PNG's pixels and finds each status's timeline bar
in its colour, as long as its certificate's validity and ending in the order of the expiry dates.
"""

from __future__ import annotations

import datetime
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._fleet_report import (
    DUE,
    FAILED,
    NO_DATA,
    OK,
    HostAudit,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._fleet_report_render import (
    COLOURS,
    ReportMeta,
    render_html,
)

pytestmark = pytest.mark.integration

WIDTH, HEIGHT = 1100, 700
CHROMIUM_TIMEOUT = 90
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    rows: list[bytes]
    channels: int

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        offset = x * self.channels
        red, green, blue = self.rows[y][offset : offset + 3]
        return red, green, blue


def _paeth(left: int, up: int, corner: int) -> int:
    estimate = left + up - corner
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
    return (left, up, corner)[distances.index(min(distances))]


def read_png(data: bytes) -> Image:
    """The pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes), PNG spec section 9 filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for index in range(height):
        start = index * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return Image(width=width, height=height, rows=rows, channels=channels)


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def longest_run(image: Image, colour: str) -> tuple[int, int, int]:
    """(length, y, last x) of the longest horizontal run of exactly ``colour``."""
    wanted = rgb(colour)
    best = (0, -1, -1)
    for y in range(image.height):
        run = 0
        for x in range(image.width):
            run = run + 1 if image.pixel(x, y) == wanted else 0
            if run > best[0]:
                best = (run, y, x)
    return best


def last_x(image: Image, y: int, colour: str) -> int:
    """The rightmost pixel of ``colour`` in row ``y`` (a bar continues past the today line drawn across it)."""
    wanted = rgb(colour)
    return max(x for x in range(image.width) if image.pixel(x, y) == wanted)


def screenshot(page: Path, target: Path, *, width: int = WIDTH, height: int = HEIGHT) -> Image:
    """Render ``page`` in headless Chromium at ``width`` x ``height`` and read the screenshot."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("headless Chromium is needed: apt-get install chromium (.ci/run installs it for make test)")
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={target.parent / 'chromium-profile'}",
            f"--window-size={width},{height}",
            f"--screenshot={target}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0 and target.exists(), done.stderr[-2000:]
    return read_png(target.read_bytes())


def _audit(name: str, status: str, days_left: int | None, *, lifetime: int = 730) -> HostAudit:
    if days_left is None:
        return HostAudit(name=name, status=status, findings=["no exchange_um_host fact"])
    end = NOW + datetime.timedelta(days=days_left)
    return HostAudit(
        name=name,
        status=status,
        version="2010",
        fqdn=f"{name}.contoso.lab",
        thumbprint="3C5B7E9A8C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F",
        not_before=(end - datetime.timedelta(days=lifetime)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        not_after=end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        days_left=days_left,
    )


def test_timeline_bars_in_their_colours_and_order(tmp_path: Path) -> None:
    audits = [
        _audit("um-unreached", NO_DATA, None),
        _audit("um-failed", FAILED, 5),
        _audit("um-due", DUE, 20),
        _audit("um-ok", OK, 600),
    ]
    meta = ReportMeta(title="Fleet", generated=NOW, min_days_left=14, renew_before_days=30)
    page = tmp_path / "report.html"
    page.write_text(render_html(audits, meta), encoding="utf-8")
    image = screenshot(page, tmp_path / "report.png")
    assert (image.width, image.height) == (WIDTH, HEIGHT)
    runs = {status: longest_run(image, COLOURS[status]) for status in (OK, DUE, FAILED)}
    # a bar spans two years of validity: hundreds of pixels, far longer than a legend swatch or a table badge
    for status, (length, _y, _end) in runs.items():
        assert length > 300, f"no timeline bar of {status} ({COLOURS[status]}) in the screenshot: {runs}"
    # rows top to bottom in the report's order, and the bars end in the order of the expiry dates
    assert runs[FAILED][1] < runs[DUE][1] < runs[OK][1]
    ends = {status: last_x(image, y, COLOURS[status]) for status, (_length, y, _x) in runs.items()}
    assert ends[FAILED] < ends[DUE] < ends[OK], ends
    # the page's background is white where nothing is drawn
    assert image.pixel(WIDTH - 5, HEIGHT - 5) == (255, 255, 255)
