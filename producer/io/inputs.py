"""The files a build depends on, and whether dist/ is up to date with them."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from .. import __version__
from ..core.episode.build_report import BuildReport, Inputs, Stamp
from ..core.episode.episode_files import REPORT_JSON
from ..core.episode.plan import episode_files
from . import files
from .config import Context
from .reports import read_report

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


def settings_digest(ctx: Context) -> str:
    """The producer version and the preset: a new version or a changed preset rebuilds."""
    return hashlib.sha256(f"producer {__version__}\n{ctx.preset!r}\n".encode()).hexdigest()


def _all_inputs(ctx: Context) -> dict[str, Path]:
    paths = input_paths(ctx) + ([ctx.episode.chapters_file] if ctx.episode.chapters_file else [])
    return {path.relative_to(ctx.show.root).as_posix(): path for path in paths}


def stamp(ctx: Context, path: Path) -> Stamp:
    """The stat first: a file written while we read it shows up as changed next time."""
    st = path.stat()
    ignored = {ctx.episode.file: "guid", ctx.show.file: "publish"}.get(path)
    if ignored is not None:
        digest = hashlib.sha256(_without(path, ignored)).hexdigest()
    else:
        h = hashlib.sha256()
        _digest_file(h, path)
        digest = h.hexdigest()
    return Stamp(st.st_size, st.st_mtime_ns, digest)


def record_inputs(ctx: Context) -> Inputs:
    """Every input as the build begins: report.json keeps it, `--if-stale`, publish and
    status compare against it."""
    return Inputs(settings_digest(ctx), {rel: stamp(ctx, path) for rel, path in _all_inputs(ctx).items()})


def output_stamps(folder: Path, names: list[str]) -> dict[str, Stamp]:
    """dist/'s files as built, so status knows their checksums without reading them."""
    found = {}
    for name in names:
        st = (folder / name).stat()
        found[name] = Stamp(st.st_size, st.st_mtime_ns, files.sha256(folder / name))
    return found


def _without(manifest: Path, key: str) -> bytes:
    """A manifest as the build sees it, without what changes nothing in dist/:
    episode.toml's guid (publish records it there; it names the feed item) and
    show.toml's [publish] (where and under which URL it is uploaded: the build
    reads none of it, so moving a show to another bucket re-encodes nothing)."""
    doc = tomlkit.parse(manifest.read_text(encoding="utf-8"))
    doc.pop(key, None)
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


def changed_inputs(ctx: Context, recorded: Inputs) -> list[str]:
    """The inputs that differ from the build's record, by name. A file whose size and
    modification time are as recorded is taken as unchanged (as git and make do);
    otherwise its digest decides, so a file only touched is still current."""
    changed = [] if recorded.settings_sha256 == settings_digest(ctx) else ["the producer version or the preset"]
    current = _all_inputs(ctx)
    for rel in sorted(set(current) | set(recorded.files)):
        if rel not in current:
            changed.append(f"{rel} (no longer an input)")
        elif rel not in recorded.files:
            changed.append(f"{rel} (new)")
        elif _differs(ctx, current[rel], recorded.files[rel]):
            changed.append(rel)
    return changed


def _differs(ctx: Context, path: Path, was: Stamp) -> bool:
    try:
        st = path.stat()
    except OSError:
        return True
    return not was.same_stat(st.st_size, st.st_mtime_ns) and stamp(ctx, path).sha256 != was.sha256


@dataclass(frozen=True)
class Freshness:
    """dist/ against the inputs: what a complete build lacks, and what changed since."""

    report: BuildReport | None
    missing: list[str]
    changed: list[str]

    @property
    def built(self) -> bool:
        return self.report is not None and not self.missing

    @property
    def stale(self) -> bool:
        return not self.built or bool(self.changed)


def freshness(ctx: Context) -> Freshness:
    dist = ctx.episode.folder / "dist"
    try:
        report = read_report(ctx.episode.folder)
    except (OSError, ValueError):
        return Freshness(None, [REPORT_JSON], [])
    wanted = episode_files(ctx.show, ctx.episode, ctx.preset).built()
    missing = [name for name in wanted if not (dist / name).is_file()]
    if report.inputs is None:
        return Freshness(report, missing, ["report.json (written by an earlier producer)"])
    return Freshness(report, missing, changed_inputs(ctx, report.inputs))


def is_stale(ctx: Context) -> bool:
    """dist/ lacks a file the build makes (episode_files: the one list publish uploads
    from too), or its report is unreadable, or an input changed since."""
    return freshness(ctx).stale
