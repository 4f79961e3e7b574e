"""What cmd.exe and the console do to a WinRS command: the command-line limit and the output code page."""

from __future__ import annotations

import codecs

__all__ = ["CMD_MAX_COMMAND_LINE", "CMD_TOO_LONG", "codec_for", "encode_output"]

# winrm-protocol.md: WinRS runs commands through cmd.exe unless WINRS_SKIP_CMD_SHELL is TRUE; cmd.exe refuses a
# command line over 8191 characters with "The command line is too long." and exit code 1.
CMD_MAX_COMMAND_LINE = 8191
CMD_TOO_LONG = "The command line is too long.\r\n"


def codec_for(codepage: int) -> str:
    """Python codec of a Windows code page (65001 is UTF-8); raises LookupError for a page Windows would refuse."""
    name = "utf-8" if codepage == 65001 else f"cp{codepage}"
    return codecs.lookup(name).name


def encode_output(text: str, codepage: int) -> bytes:
    """Console output in the shell's code page; characters the page lacks become '?' as WideCharToMultiByte does."""
    return text.encode(codec_for(codepage), errors="replace")
