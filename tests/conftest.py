"""Make the collection importable as ``ansible_collections.exchange_um.certificates`` for every test."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS_ROOT = REPO_ROOT / ".build" / "collections"


def _link_collection() -> None:
    namespace_dir = COLLECTIONS_ROOT / "ansible_collections" / "exchange_um"
    link = namespace_dir / "certificates"
    namespace_dir.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        with contextlib.suppress(FileExistsError):  # another test process made it first
            link.symlink_to(REPO_ROOT, target_is_directory=True)


_link_collection()
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS_ROOT))
