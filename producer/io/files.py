"""Reading files in blocks: the one loop behind every digest we keep."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterator

BLOCK = 1 << 20


def blocks(path: Path, size: int = BLOCK) -> Iterator[bytes]:
    with path.open("rb") as f:
        yield from iter(lambda: f.read(size), b"")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    for block in blocks(path):
        h.update(block)
    return h.hexdigest()
