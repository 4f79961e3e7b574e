"""What the host channel sends, read back as the host reads it, to check payloads from the outside: stdin split into
its script and data parts (as the bootstrap does), the data block parsed into arguments (as the prelude's
ConvertFrom-ExumData does), and a payload run on a lab host, whose engine executes the PowerShell itself."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any

from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel

from tests.lab.hosts import PRESETS, SimulatedHost
from tests.lab.httpauth import Account

__all__ = ["lab_host", "parse_data", "run_on_lab_host", "split_stdin"]

UTF8 = 65001


def _base64_text(part: str) -> str:
    try:
        return base64.b64decode(part, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise AssertionError(f"a stdin part is not base64 of UTF-8: {error}") from None


def split_stdin(stdin: bytes) -> tuple[str, str]:
    """(script, data block) of stdin: ASCII, whitespace between base64 characters ignored, exactly one ``.``."""
    assert stdin.isascii()
    parts = "".join(stdin.decode("ascii").split()).split(".")
    assert len(parts) == 2, f"stdin has {len(parts)} parts"
    script, data = parts
    return _base64_text(script), _base64_text(data)


def parse_data(text: str) -> dict[str, object]:
    """The arguments of a data block, read field by field as the prelude reads them (and as strictly)."""
    arguments: dict[str, object] = {}
    for line in text.split("\n"):
        fields = line.split(" ")
        if not fields[0]:
            assert fields == [""], f"a data line without a name: {line!r}"
            continue
        name, kind, *encoded = fields
        values = [_base64_text(value) for value in encoded]
        assert name not in arguments, f"{name} twice"
        if kind == "l":
            arguments[name] = values
            continue
        assert len(values) == 1, f"{name}: {len(values)} values for kind {kind}"
        if kind == "s":
            arguments[name] = values[0]
        elif kind == "b":
            assert values[0] in ("0", "1"), values[0]
            arguments[name] = values[0] == "1"
        elif kind == "i":
            arguments[name] = int(values[0])
        else:
            raise AssertionError(f"{name}: unknown kind {kind!r}")
    return arguments


def lab_host(preset: str = "2010", accounts: Iterable[Account] = ()) -> SimulatedHost:
    """A lab host of ``preset`` whose domain has ``accounts`` (for an explicit credential to log on with)."""
    return SimulatedHost(PRESETS[preset], domain_accounts=accounts)


def run_on_lab_host(
    payload: channel.Payload, host: SimulatedHost | None = None, *, operation: str = "payload"
) -> tuple[dict[str, Any], str, str]:
    """Run ``payload`` as the channel sends it over WinRM on ``host`` (a 2010 one by default): (result data, stdout,
    stderr); a failure raises the channel's error, as ``run_operation`` does."""
    host = host or lab_host()
    stdout, stderr, rc = host.run_command(channel.command_line(), channel.encode_stdin(payload), UTF8)
    data = channel.parse_result(operation=operation, rc=rc, stdout=stdout, stderr=stderr, payload=payload)
    return data, stdout, stderr
