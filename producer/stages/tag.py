"""Tag: ID3v2.3 text frames, front cover and CTOC/CHAP in the MP3, each
rendition's own tags and cover (and the Opus file's chapters), and the
Podcasting 2.0 chapters.json beside them."""
from __future__ import annotations

from pathlib import Path

from ..core.chapters import chapters
from ..core.episode.artwork import Artwork
from ..core.episode.episode_files import CHAPTERS
from ..core.episode.formats import FORMATS
from ..core.episode.plan import BuildPlan
from ..io import tags


def tag(plan: BuildPlan, cover: Artwork, files: dict[str, Path], duration_ms: int, out_dir: Path) -> None:
    for fmt, path in files.items():
        tags.write(path, FORMATS[fmt], plan, cover, duration_ms)
    (out_dir / CHAPTERS).write_text(chapters.json_text(plan.chapters), encoding="utf-8")
