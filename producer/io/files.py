"""Reading files in blocks: the one loop behind every digest we keep."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterator

from ..errors import EnvironmentFailure

BLOCK = 1 << 20


def blocks(path: Path, size: int = BLOCK) -> Iterator[bytes]:
    with path.open("rb") as f:
        yield from iter(lambda: f.read(size), b"")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    for block in blocks(path):
        h.update(block)
    return h.hexdigest()


def replace_text(path: Path, text: str) -> None:
    """Written beside, then renamed over: a reader never sees half a file, and a
    failed write leaves the old one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise EnvironmentFailure(f"{path}: cannot be written ({e.strerror or e})") from None
    finally:
        tmp.unlink(missing_ok=True)
