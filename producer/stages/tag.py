"""Tag: ID3v2.3 text frames, front cover and CTOC/CHAP in the MP3, and the
Podcasting 2.0 chapters.json beside it."""
from __future__ import annotations

from pathlib import Path

from ..core import chapters
from ..core.artwork import Artwork
from ..core.episode_files import CHAPTERS
from ..core.formats import MAIN
from ..core.plan import BuildPlan
from ..io import tags


def tag(plan: BuildPlan, cover: Artwork, mp3: Path, duration_ms: int, out_dir: Path) -> None:
    tags.write(mp3, MAIN, plan, cover, duration_ms)
    (out_dir / CHAPTERS).write_text(chapters.json_text(plan.chapters), encoding="utf-8")
