"""`producer cuts EP`: the suggestions of the episode's last build as a numbered
table; with `--accept all` or `--accept 3,5,9`, the chosen ones appended to
episode.toml's [[cuts]] (with their reason), which the next build applies like
any hand cut. dist/ is never touched."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TextIO

from ..core.chapters.timecode import format_time
from ..core.cutting import suggested
from ..errors import InputError
from ..io.config import append_cuts, load_context


def cuts_command(episode_dir: Path, accept: str | None, out: TextIO) -> None:
    ctx = load_context(episode_dir)  # a broken episode.toml is refused before anything is written
    path = ctx.episode.folder / "dist" / suggested.FILE
    if not path.is_file():
        raise InputError(f"{path}: no suggested cuts: set a detector of [cutting] to \"suggest\" in show.toml or "
                         f"episode.toml and build {ctx.episode.slug}")
    try:
        found = suggested.parse(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except (tomllib.TOMLDecodeError, ValueError) as e:
        raise InputError(f"{path}: cannot be read ({e}); build again") from None
    if accept is None:
        _table(found, out)
        return
    try:
        picked = suggested.chosen(len(found), accept, str(path))
    except ValueError as e:
        raise InputError(str(e)) from None
    held = [(a, b) for a, b, _ in ctx.episode.cuts]
    new = [found[i] for i in picked if not any(s < found[i].end_ms and found[i].start_ms < e for s, e in held)]
    skipped = len(picked) - len(new)
    if new:
        append_cuts(ctx.episode.file, [s.accepted() for s in new])
    out.write(f"{ctx.episode.file}: {len(new)} cut{'s' if len(new) != 1 else ''} added to [[cuts]]"
              + (f" ({skipped} already there)" if skipped else "")
              + f"; the next build applies them (producer build {ctx.episode.folder.name})\n")


def _table(found: list[suggested.Suggestion], out: TextIO) -> None:
    if not found:
        out.write("no cuts suggested\n")
        return
    out.write(f"{'#':>3}  {'start':<12}  {'end':<12}  {'length':>7}  {'detector':<9}  words\n")
    for n, s in enumerate(found, 1):
        out.write(f"{n:>3}  {format_time(s.start_ms, True):<12}  {format_time(s.end_ms, True):<12}  "
                  f"{(s.end_ms - s.start_ms) / 1000:>5.2f} s  {s.detector:<9}  {s.words}\n")
    total = sum(s.end_ms - s.start_ms for s in found) / 1000
    out.write(f"{len(found)} suggested, {total:.1f} s in all; accept with: producer cuts EP --accept all "
              f"(or --accept 1,3)\n")
