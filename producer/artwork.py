"""Cover art rules (Apple Podcasts): square, 1400–3000 px, RGB, JPEG or PNG."""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .errors import MediaError

MIN_PX, MAX_PX = 1400, 3000
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class Artwork:
    data: bytes
    mime: str
    width: int
    height: int


def problem(data: bytes) -> tuple[str | None, Artwork | None]:
    """(what is wrong, None) or (None, the artwork)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, mode, (w, h) = img.format, img.mode, img.size
    except (UnidentifiedImageError, OSError):
        return "is not a readable image", None
    if fmt not in MIME:
        return f"is {fmt}, but cover art must be JPEG or PNG", None
    if w != h:
        return f"is {w}×{h} px, but cover art must be square", None
    if not MIN_PX <= w <= MAX_PX:
        return f"is {w}×{h} px, but cover art must be {MIN_PX}–{MAX_PX} px square", None
    if mode != "RGB":
        return f"is in colour mode {mode}, but cover art must be RGB", None
    return None, Artwork(data, MIME[fmt], w, h)


def load(path: Path, where: str = "") -> Artwork:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise MediaError(f"{where}{path}: cannot be read: {e.strerror}") from None
    reason, art = problem(data)
    if reason:
        raise MediaError(f"{where}{path}: {reason}")
    assert art is not None
    return art


def load_any(path: Path) -> Artwork:
    """A chapter image: any size, but still JPEG or PNG."""
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as img:
            fmt, (w, h) = img.format, img.size
    except (UnidentifiedImageError, OSError):
        raise MediaError(f"{path}: is not a readable image") from None
    if fmt not in MIME:
        raise MediaError(f"{path}: is {fmt}, but chapter images must be JPEG or PNG")
    return Artwork(data, MIME[fmt], w, h)
