"""`producer status [SHOW]`: per episode folder, built or not, stale since (and
which inputs), published or not (the target's objects against dist/ by size and
SHA-256, and the feed's items), and the build's own check. Decodes no audio:
it reads report.json's stamps, the inputs' stats and one HEAD per published file."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TextIO

from ..core.feed import feed
from ..core.episode.build_report import Stamp
from ..core.episode.episode_files import CHAPTERS
from ..core.feed.feed import FEED_KEY
from ..core.episode.plan import episode_files
from ..core.episode.status import Published, Remote, Row, publication, table
from ..errors import InputError
from ..io import files as files_io
from ..io.config import Context, find_show_file, load_context, load_show
from ..io.episode_dirs import show_episodes
from ..io.inputs import Freshness, freshness
from ..io.storage import Storage, show_target

HEADS_AT_ONCE = 8


def status(where: Path, target: str | None, as_json: bool, out: TextIO) -> list[Row]:
    show = load_show(find_show_file(where))
    storage = show_target(show, target)
    current = storage.read(FEED_KEY)
    guids = set(feed.item_guids(current[0])) if current else set()
    with ThreadPoolExecutor(HEADS_AT_ONCE) as pool:
        rows = [_row(folder, storage, guids, pool) for folder in show_episodes(show.root)]
    if as_json:
        json.dump([r.as_dict() for r in rows], out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(table(rows) if rows else f"{show.root}: no episode folder yet (producer new makes one)\n")
    return rows


def _row(folder: Path, storage: Storage, guids: set[str], pool: ThreadPoolExecutor) -> Row:
    try:
        ctx = load_context(folder)
    except InputError as e:
        return Row(folder.name, built=False, stale=True, published=False, error=str(e))
    fresh = freshness(ctx)
    in_feed = ctx.episode.guid is not None and ctx.episode.guid in guids
    published = _published(ctx, fresh, storage, in_feed, pool)
    report = fresh.report
    return Row(folder.name, built=fresh.built, stale=fresh.stale, published=published.state == "current",
               built_at=report.built_at if report else None,
               formats=tuple(f for f in episode_files(ctx.show, ctx.episode, ctx.preset).formats)
               if fresh.built else (),
               changed=tuple(fresh.missing + fresh.changed) if fresh.built or fresh.report else (),
               publication=published.state, differing=published.differing, in_feed=in_feed,
               check=_verdict(report.checks) if report else None,
               integrated_lufs=report.output.integrated if report else None)


def _published(ctx: Context, fresh: Freshness, storage: Storage, in_feed: bool,
               pool: ThreadPoolExecutor) -> Published:
    if not fresh.built:
        return Published("absent" if not in_feed else "not built here")
    expected = _expected(ctx, fresh)
    found = dict(zip(expected, pool.map(lambda key: _remote(storage, key), expected)))
    return publication(expected, found, in_feed)


def _expected(ctx: Context, fresh: Freshness) -> dict[str, Stamp]:
    """Target key → dist/'s stamp, for every published file whose bytes are dist/'s
    own (a chapters.json with images is rewritten with their URLs at publish)."""
    files = episode_files(ctx.show, ctx.episode, ctx.preset)
    dist = ctx.episode.folder / "dist"
    generated = {CHAPTERS} if any(c.image for c in ctx.episode.chapters) else set()
    recorded = fresh.report.outputs if fresh.report else {}
    return {files.key(name): _dist_stamp(dist / name, recorded.get(name))
            for name in files.published() if name not in generated}


def _dist_stamp(path: Path, recorded: Stamp | None) -> Stamp:
    st = path.stat()
    if recorded is not None and recorded.same_stat(st.st_size, st.st_mtime_ns):
        return recorded
    return Stamp(st.st_size, st.st_mtime_ns, files_io.sha256(path))  # dist/ changed since its build


def _remote(storage: Storage, key: str) -> Remote | None:
    info = storage.head(key)
    return Remote(info.size, info.sha256) if info is not None else None


def _verdict(checks: dict) -> str | None:
    return None if "pass" not in checks else ("pass" if checks["pass"] else "fail")
