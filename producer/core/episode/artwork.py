"""Image rules: cover art as Apple Podcasts wants it (square, 1400–3000 px, RGB,
JPEG or PNG), chapter images any size but JPEG or PNG. Bytes in, verdict out."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

MIN_PX, MAX_PX = 1400, 3000
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class Artwork:
    data: bytes
    mime: str
    width: int
    height: int


def problem(data: bytes, cover: bool = True) -> tuple[str | None, Artwork | None]:
    """(what is wrong, None) or (None, the image). A cover must meet every rule;
    a chapter image (cover=False) only needs to be a JPEG or PNG."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt, mode, (w, h) = img.format, img.mode, img.size
    except (UnidentifiedImageError, OSError):
        return "is not a readable image", None
    what = "cover art" if cover else "chapter images"
    if fmt not in MIME:
        return f"is {fmt}, but {what} must be JPEG or PNG", None
    if cover:
        if w != h:
            return f"is {w}×{h} px, but cover art must be square", None
        if not MIN_PX <= w <= MAX_PX:
            return f"is {w}×{h} px, but cover art must be {MIN_PX}–{MAX_PX} px square", None
        if mode != "RGB":
            return f"is in colour mode {mode}, but cover art must be RGB", None
    return None, Artwork(data, MIME[fmt], w, h)
