"""Artwork files: read, then held to core.episode.artwork's rules."""
from __future__ import annotations

from pathlib import Path

from ..core.episode.artwork import Artwork, problem
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


def placeholder(path: Path, title: str, size: int = 1400) -> Path:
    """A cover that passes our own rules (square, 1400 px, RGB JPEG) with the title on
    it, until the show has its own."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (size, size), (32, 58, 96))
    draw = ImageDraw.Draw(img)
    draw.rectangle([size // 14, size // 14, size - size // 14, size - size // 14], outline=(240, 196, 25),
                   width=size // 70)
    font = ImageFont.load_default(size=size // 12)
    lines = _wrap(title, 16)
    top = size // 2 - len(lines) * size // 22
    for i, line in enumerate(lines):
        draw.text((size // 2, top + i * size // 11), line, fill=(255, 255, 255), font=font, anchor="mm")
    img.save(path, "JPEG", quality=88)
    load(path)  # our own rules, so init never writes a cover publish would refuse
    return path


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:4] or [""]
