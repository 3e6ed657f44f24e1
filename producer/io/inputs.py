"""The files a build depends on, and whether dist/ is up to date with them."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import tomlkit

from .. import __version__
from ..core.build_report import BuildReport
from ..core.episode_files import REPORT_JSON
from ..core.plan import episode_files
from . import files
from .config import Context

WHOLE_HASH_BYTES = 64 << 20


def audio_inputs(ctx: Context) -> list[Path]:
    audio = ctx.show.audio
    return [*ctx.episode.recordings, *(p for p in (audio.intro, audio.outro) if p)]


def input_paths(ctx: Context) -> list[Path]:
    """Every file whose content the build depends on (for staleness checks)."""
    paths = [ctx.show.file, ctx.episode.file, ctx.episode.artwork or ctx.show.artwork, *audio_inputs(ctx)]
    paths += [Path(c.image) for c in ctx.episode.chapters if c.image]
    paths += [ctx.episode.transcript] if ctx.episode.transcript else []
    return paths


def inputs_digest(ctx: Context) -> str:
    """Changes when any input file, setting or the producer version changes: publish rebuilds then."""
    h = hashlib.sha256(f"producer {__version__}\n{ctx.preset!r}\n".encode())
    paths = input_paths(ctx) + ([ctx.episode.chapters_file] if ctx.episode.chapters_file else [])
    for path in paths:
        h.update(f"{path.relative_to(ctx.show.root)}\n".encode())
        if path == ctx.episode.file:
            h.update(_without_guid(path))
        else:
            _digest_file(h, path)
    return h.hexdigest()


def _without_guid(episode_file: Path) -> bytes:
    """episode.toml as the build sees it: the guid that publish records there
    names the feed item and changes nothing in dist/."""
    doc = tomlkit.parse(episode_file.read_text(encoding="utf-8"))
    doc.pop("guid", None)
    return tomlkit.dumps(doc).encode()


def _digest_file(h: "hashlib._Hash", path: Path) -> None:
    """Whole content for manifests, artwork and short media. A long recording is
    known by its size, modification time and first and last MiB: hashing a 2-hour
    WAV would cost seconds on every build."""
    stat = path.stat()
    if stat.st_size <= WHOLE_HASH_BYTES:
        for block in files.blocks(path):
            h.update(block)
        return
    h.update(f"{stat.st_size} {stat.st_mtime_ns}\n".encode())
    with path.open("rb") as f:
        h.update(f.read(files.BLOCK))
        f.seek(-files.BLOCK, os.SEEK_END)
        h.update(f.read(files.BLOCK))


def is_stale(ctx: Context) -> bool:
    """dist/ lacks a file the build makes (episode_files: the one list publish uploads
    from too), or its report is unreadable, or an input changed since."""
    dist = ctx.episode.folder / "dist"
    try:
        report = BuildReport.from_json((dist / REPORT_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    wanted = episode_files(ctx.show, ctx.episode, ctx.preset).built()
    if not all((dist / name).is_file() for name in wanted):
        return True
    return report.inputs_sha256 != inputs_digest(ctx)
