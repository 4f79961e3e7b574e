"""``python -m tests.lab``: see tests/lab/cli.py and docs/lab.md."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
