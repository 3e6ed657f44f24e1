"""`producer publish`: build if stale, upload media first, then move the feed.

Order is what keeps listeners safe: every object the new feed item points at
is uploaded and verified (size and checksum) before the feed changes, and the
feed itself is written with a conditional write, re-read and retried when
someone else published in between.
"""
from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ..core.chapters import chapters as chap

from ..core.feed import feed, lint
from ..core.audio.cuts import moved_episode
from ..core.episode.episode_files import CHAPTERS, REPORT_JSON, REPORT_PAGE, EpisodeFiles
from ..core.feed.episode_item import (Stored, channel_info, chapter_image_key, cover_key, item_info, main_format,
                                 person_key, show_artwork_key, url)
from ..core.feed.feed import FEED_KEY
from ..core.feed.media_types import CACHE_FEED, CACHE_MEDIA, CACHE_PAGE, FEED_TYPE, content_type
from ..core.episode.models import LOCAL_BASE_URL, PublishSettings
from ..core.episode.plan import episode_files
from ..errors import Conflict, InputError, StorageError
from ..io import artwork, files as files_io
from ..io.config import Context, episodes_sharing_guid, load_context, write_guid
from ..io.inputs import is_stale
from ..io.progress import Progress
from ..io.resolve import StorageResolver
from ..io.storage import LocalStorage, Storage, holds, show_target
from .build import build_context
from ..stages.website import publish_site
from ..io.reports import read_report

FEED_TRIES = 12


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class Planned:
    upload: Upload
    state: str  # new | changed | unchanged
    sha256: str


def publish(episode_dir: Path, progress: Progress, target: str | None = None, dry_run: bool = False,
            out: TextIO | None = None, now: dt.datetime | None = None) -> str:
    """Returns the result line (also printed)."""
    out = out or progress.stream
    ctx = load_context(episode_dir)
    stale = is_stale(ctx)
    if stale and dry_run:
        out.write(f"{ctx.episode.slug}: dist/ is missing or stale: a real publish builds it first\n")
        if not (ctx.episode.folder / "dist" / REPORT_JSON).is_file():
            return f"{ctx.episode.slug}: not built yet: a real publish builds it first"
    elif stale:
        build_context(ctx, progress)
    storage = _storage(ctx, target)
    base_url = _base_url(ctx, storage, progress)
    guid = _guid(ctx, dry_run, progress)
    files = episode_files(ctx.show, ctx.episode, ctx.preset)
    main_format(files, ctx.preset, ctx.show)  # a main format the show does not build fails before any upload
    with tempfile.TemporaryDirectory(prefix="producer-publish-") as scratch:
        return _publish(ctx, files, storage, base_url, guid, _uploads(ctx, files, base_url, Path(scratch)),
                        dry_run, _Lines(out, progress.quiet), now, progress)


def _publish(ctx: Context, files: EpisodeFiles, storage: Storage, base_url: str, guid: str, uploads: list[Upload],
             dry_run: bool, out: _Lines, now: dt.datetime | None, progress: Progress) -> str:
    planned = [_plan(storage, u) for u in uploads]
    stored = {p.upload.key: Stored(p.upload.path.stat().st_size, p.sha256) for p in planned}
    built = read_report(ctx.episode.folder)
    person_keys = _person_keys(ctx)
    item = item_info(ctx.show, moved_episode(ctx.episode, built.cut_list), ctx.preset, files, guid, base_url,
                     built.duration_seconds, stored, person_keys)
    channel = channel_info(ctx.show, base_url, person_keys)
    if dry_run:
        return _print_plan(planned, storage, channel, item, out, now)
    for p in planned:
        if p.state == "unchanged":
            out.detail(f"unchanged {p.upload.key}\n")
            continue
        storage.upload(p.upload.key, p.upload.path, p.upload.content_type, p.upload.cache_control, p.sha256)
        out.detail(f"uploaded  {p.upload.key} ({p.state}, {p.upload.path.stat().st_size} bytes, verified)\n")
    change, count = _update_feed(storage, channel, item, now, base_url, progress)
    out.detail(f"{FEED_KEY}: item {change} ({count} items)\n")
    pages = publish_site(storage, base_url, item.guid)
    out.detail(f"website: {len(pages)} pages written" + (f" ({', '.join(pages[:4])}" + (", …)" if len(pages) > 4 else ")")
                                                         if pages else " (all unchanged)") + "\n")
    line = f"published {ctx.episode.slug} to {storage.describe()}; feed: {channel.feed_url} " \
           f"(item {change}, {count} items)"
    out.write(line + "\n")
    return line


class _Lines:
    """What publish prints: every file's line, or with --quiet only the result."""

    def __init__(self, out: TextIO, quiet: bool) -> None:
        self.out, self.quiet = out, quiet

    def write(self, text: str) -> None:
        self.out.write(text)

    def detail(self, text: str) -> None:
        if not self.quiet:
            self.out.write(text)


def _storage(ctx: Context, target: str | None) -> Storage:
    return show_target(ctx.show, target)


def _base_url(ctx: Context, storage: Storage, progress: Progress) -> str:
    """The show's base_url; without one, only the default local folder may fall
    back to localhost, and it says so on every publish."""
    base = ctx.show.publish.base_url
    if base:
        return base.rstrip("/")
    default = ctx.show.root / PublishSettings().target
    if isinstance(storage, LocalStorage) and storage.root.resolve() == default.resolve():
        progress.warn(f"{ctx.show.file}: publish.base_url is not set: the feed's links point at "
                      f"{LOCAL_BASE_URL}, which work only on this machine (producer serve answers there); "
                      f"set base_url before you upload {storage.describe()} anywhere")
        return LOCAL_BASE_URL
    raise InputError(f"{ctx.show.file}: publish.base_url: is required to publish to {storage.describe()} "
                     f"(the public URL of the target's root); only the default folder "
                     f"{default} falls back to {LOCAL_BASE_URL}")


def _guid(ctx: Context, dry_run: bool, progress: Progress) -> str:
    """The episode's guid: set by hand, or recorded by its first publish, so
    renaming the folder or fixing the show's link never makes it a new episode."""
    ep = ctx.episode
    if ep.guid is not None:
        if twins := episodes_sharing_guid(ctx.show.root, ep.guid, ep.folder):
            raise InputError(f"{ep.file}: guid: \"{ep.guid}\" is also the guid of {twins[0]}: two episodes "
                             f"would be one item in the feed; take the guid line out of the copy "
                             f"(its first publish records a new one)")
        return ep.guid
    guid = feed.episode_guid(ctx.show.link, ep.slug)
    if not dry_run:
        write_guid(ep.file, guid)
        progress.warn(f"{ep.file}: recorded guid = \"{guid}\" (the feed item's id from now on; "
                      f"keep it, and commit it if the show is in git)")
    return guid


def _uploads(ctx: Context, files: EpisodeFiles, base_url: str, scratch: Path) -> list[Upload]:
    """In upload order (DESIGN.md): media, then artwork (show, episode, chapter images,
    persons), then chapters.json, the transcripts and the report page; the feed,
    written last, may point at all of them."""
    dist = ctx.episode.folder / "dist"
    media = [Upload(files.key(name), dist / name, content_type(name), CACHE_MEDIA) for name in files.media]
    images = [_image(show_artwork_key(ctx.show), ctx.show.artwork)]
    if ctx.episode.artwork:
        images.append(_image(cover_key(files, ctx.episode.artwork), ctx.episode.artwork))
    chapter_images = {i: Path(c.image) for i, c in enumerate(ctx.episode.chapters) if c.image}
    images += [_image(chapter_image_key(files, i, path), path) for i, path in chapter_images.items()]
    images += [_image(key, path) for key, path in _person_images(ctx).items()]
    rest = []
    for name in files.published()[len(files.media):]:
        path = dist / name
        if name == CHAPTERS and chapter_images:  # their URLs are known only here: `img` points at them
            path = scratch / CHAPTERS
            path.write_text(chap.json_text(ctx.episode.chapters, {
                i: url(base_url, chapter_image_key(files, i, p)) for i, p in chapter_images.items()}),
                encoding="utf-8")
        rest.append(Upload(files.key(name), path, content_type(name), CACHE_PAGE if name == REPORT_PAGE
                           else CACHE_MEDIA))
    return [*media, *images, *rest]


def _image(key: str, path: Path) -> Upload:
    return Upload(key, path, artwork.load(path, cover=False).mime, CACHE_MEDIA)


def _person_images(ctx: Context) -> dict[str, Path]:
    return {_person_keys(ctx)[p.img]: p.img for p in (*ctx.show.persons, *ctx.episode.persons) if p.img}


def _person_keys(ctx: Context) -> dict[Path, str]:
    return {p.img: person_key(files_io.sha256(p.img), p.img) for p in (*ctx.show.persons, *ctx.episode.persons)
            if p.img}


def _plan(storage: Storage, u: Upload) -> Planned:
    digest = files_io.sha256(u.path)
    info = storage.head(u.key)
    if info is None:
        return Planned(u, "new", digest)
    return Planned(u, "unchanged" if holds(info, u.path, digest) else "changed", digest)


def _update_feed(storage: Storage, channel: feed.ChannelInfo, item: feed.ItemInfo,
                 now: dt.datetime | None, base_url: str, progress: Progress) -> tuple[str, int]:
    for attempt in range(FEED_TRIES):
        current = storage.read(FEED_KEY)
        old, etag = current if current else (None, None)
        new, change = _feed_after(old, channel, item, now)
        if new == old:
            return "unchanged", len(feed.item_guids(new))
        _lint_before_writing(new, item.guid, StorageResolver(storage, base_url), progress)
        try:
            storage.write_if(FEED_KEY, new, FEED_TYPE, CACHE_FEED, etag)
            if _landed(storage, new):
                return change, len(feed.item_guids(new))
            # a service that ignores If-Match let another publish overwrite ours: merge again onto theirs
        except Conflict:
            pass  # someone else published in between: read their feed again and redo our change on it
        time.sleep(min(2.0, 0.05 * 2 ** attempt) * random.uniform(0.5, 1.5))  # noqa: S311
    raise StorageError(f"{storage.describe()}: {FEED_KEY} kept changing while we wrote it "
                       f"({FEED_TRIES} tries); publish again")


def _feed_after(old: bytes | None, channel: feed.ChannelInfo, item: feed.ItemInfo,
                now: dt.datetime | None) -> tuple[bytes, str]:
    """The new feed; when nothing but the build date would change, the old feed itself."""
    if old is not None:
        previous = feed.last_build_date(old)
        if previous is not None:
            same, change = feed.upsert(old, channel, item, previous)
            if change == "unchanged" and same == old:
                return old, change
    return feed.upsert(old, channel, item, now or dt.datetime.now(dt.timezone.utc))


def _lint_before_writing(xml: bytes, guid: str, resolver: StorageResolver, progress: Progress) -> None:
    """The channel and our item must pass `producer lint` (their URLs resolved on the
    target); an error in an item we only keep is reported, not ours to refuse."""
    found = lint.errors(lint.lint(xml, resolver, resolve_item=lambda g: g == guid))
    ours = [f for f in found if f.item is None or f.item == guid]
    for f in [f for f in found if f not in ours][:5]:
        progress.warn(f"feed.xml: kept as it was: {f.line()}")
    if ours:
        raise InputError(f"feed.xml: not written, `producer lint` finds {len(ours)} errors: "
                         + "; ".join(f"{f.rule}: {f.message}" for f in ours[:3]))


def _landed(storage: Storage, written: bytes) -> bool:
    """The feed as read back holds every item we wrote (ours and those we kept)."""
    back = storage.read(FEED_KEY)
    return back is not None and set(feed.item_guids(written)) <= set(feed.item_guids(back[0]))


def _print_plan(planned: list[Planned], storage: Storage, channel: feed.ChannelInfo, item: feed.ItemInfo,
                out: _Lines, now: dt.datetime | None) -> str:
    out.write(f"dry run: nothing is changed at {storage.describe()}\n")
    for p in planned:
        out.write(f"{p.state:<9} {p.upload.key} ({p.upload.path.stat().st_size} bytes)\n")
    current = storage.read(FEED_KEY)
    new, change = _feed_after(current[0] if current else None, channel, item, now)
    action = "would be created with the item" if current is None else f"item would be {change}"
    line = f"{FEED_KEY}: {action} ({len(feed.item_guids(new))} items after)"
    out.write(line + "\n")
    return line
