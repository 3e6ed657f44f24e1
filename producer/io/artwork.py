"""Artwork files: read, then held to core.artwork's rules."""
from __future__ import annotations

from pathlib import Path

from ..core.artwork import Artwork, problem
from ..errors import MediaError


def load(path: Path, where: str = "", cover: bool = True) -> Artwork:
    """A cover (every rule) or, with cover=False, a chapter image (JPEG or PNG)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise MediaError(f"{where}{path}: cannot be read: {e.strerror}") from None
    reason, art = problem(data, cover)
    if reason:
        raise MediaError(f"{where}{path}: {reason}")
    assert art is not None
    return art
