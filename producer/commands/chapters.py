"""`producer chapters import`, `export` and `suggest`: chapter lists in and out of
episodes, and chapters proposed from the built transcript."""
from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ..core.audio.cuts import unmoved_ms
from ..core.chapters.chapter_formats import WRITERS, to_toml
from ..core.chapters.chapters import Chapter
from ..core.episode.episode_files import TRANSCRIPT_JSON
from ..core.transcripts import topics, transcript
from ..errors import InputError
from ..io.config import as_built, load_chapters_file, load_context, write_chapters
from ..io.reports import read_report


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


def suggest_command(episode_dir: Path, write: bool, replace: bool, out: TextIO) -> None:
    """Chapters where the built transcript's topic changes (core.transcripts.topics),
    as TOML [[chapters]] to review; with --write, into episode.toml: the existing
    chapters kept and the suggestions at least MIN_GAP_S from them added, or with
    --replace, the suggestions alone."""
    ctx = load_context(episode_dir)
    dist = ctx.episode.folder / "dist"
    path = dist / TRANSCRIPT_JSON
    if not path.is_file():
        raise InputError(f"{path}: no transcript: build {ctx.episode.slug} with [transcript] engine = \"auto\" "
                         f"(or a hand transcript) first")
    segments = transcript.json_segments(path.read_text(encoding="utf-8"), str(path))
    cut_list = read_report(ctx.episode.folder).cut_list  # chapters are written against the uncut episode
    found = [Chapter(unmoved_ms(s.start_ms, cut_list), s.title) for s in topics.suggest(segments)]
    if not found:
        raise InputError(f"{path}: holds no words to suggest chapters from")
    if replace and not write:
        raise InputError("--replace goes with --write")
    if not write:
        out.write(to_toml(found))
        return
    existing = list(ctx.episode.chapters)
    kept = [] if replace else existing
    added = [c for c in found if all(abs(c.start_ms - e.start_ms) >= topics.MIN_GAP_S * 1000 for e in kept)]
    chapters = sorted([*kept, *added], key=lambda c: c.start_ms)
    written = write_chapters(ctx.episode.folder, chapters)
    out.write(f"{written}: {len(added)} suggested chapters written"
              + (f", {len(kept)} kept" if kept else "") + "\n")
