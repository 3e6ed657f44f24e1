"""`producer chapters import` and `export`: chapter lists in and out of episodes."""
from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..core.chapters.chapter_formats import WRITERS, to_toml
from ..errors import InputError
from ..io.config import as_built, load_chapters_file, load_context, write_chapters


def import_command(file: Path, fmt: str, write: Path | None, out: TextIO) -> None:
    chapters = load_chapters_file(file, fmt)
    if write is not None:
        path = write_chapters(write, chapters)
        out.write(f"{path}: wrote {len(chapters)} chapters\n")
    else:
        out.write(to_toml(chapters))


def export_command(episode_dir: Path, fmt: str, out: TextIO) -> None:
    chapters = list(as_built(load_context(episode_dir).episode).chapters)  # moved by the build's cuts
    if not chapters:
        raise InputError(f"{episode_dir}: the episode declares no chapters")
    out.write(WRITERS[fmt](chapters))
