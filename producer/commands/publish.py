"""`producer publish`: build if stale, upload media first, then move the feed
(the plan: stages/uploads; the feed's write: stages/feed_write; the pages:
stages/website).

Order is what keeps listeners safe: every object the new feed item points at
is uploaded and verified (size and checksum) before the feed changes, and the
feed itself is written with a conditional write, re-read and retried when
someone else published in between.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TextIO

from ..core.audio.cuts import moved_episode
from ..core.episode.episode_files import REPORT_JSON, EpisodeFiles
from ..core.episode.models import LOCAL_BASE_URL, PublishSettings
from ..core.episode.plan import episode_files
from ..core.feed import feed
from ..core.feed.episode_item import Stored, channel_info, item_info, main_format
from ..core.feed.feed import FEED_KEY
from ..errors import InputError
from ..io import artwork
from ..io.config import Context, episodes_sharing_guid, load_context, write_guid
from ..io.inputs import is_stale
from ..io.progress import Progress
from ..io.reports import read_report
from ..io.storage import LocalStorage, Storage, show_target
from ..stages import uploads
from ..stages.feed_write import feed_after, update_feed
from ..stages.website import publish_site
from .build import build_context


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
        return _publish(ctx, files, storage, base_url, guid, uploads.uploads(ctx, files, base_url, Path(scratch)),
                        dry_run, _Lines(out, progress.quiet), now, progress)


def _publish(ctx: Context, files: EpisodeFiles, storage: Storage, base_url: str, guid: str,
             to_upload: list[uploads.Upload], dry_run: bool, out: _Lines, now: dt.datetime | None,
             progress: Progress) -> str:
    planned = [uploads.planned(storage, u) for u in to_upload]
    stored = {p.upload.key: Stored(p.upload.path.stat().st_size, p.sha256) for p in planned}
    built = read_report(ctx.episode.folder)
    person_keys = uploads.person_keys(ctx)
    images = {p: artwork.load(p, cover=False) for p in (ctx.show.artwork, ctx.episode.artwork) if p}
    item = item_info(ctx.show, moved_episode(ctx.episode, built.cut_list), ctx.preset, files, guid, base_url,
                     built.duration_seconds, stored, person_keys, images)
    channel = channel_info(ctx.show, base_url, person_keys, images)
    if dry_run:
        return _print_plan(planned, storage, channel, item, out, now)
    for p in planned:
        if p.state == "unchanged":
            out.detail(f"unchanged {p.upload.key}\n")
            continue
        storage.upload(p.upload.key, p.upload.path, p.upload.content_type, p.upload.cache_control, p.sha256)
        out.detail(f"uploaded  {p.upload.key} ({p.state}, {p.upload.path.stat().st_size} bytes, verified)\n")
    change, count = update_feed(storage, channel, item, now, base_url, progress)
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


def _print_plan(planned: list[uploads.Planned], storage: Storage, channel: feed.ChannelInfo, item: feed.ItemInfo,
                out: _Lines, now: dt.datetime | None) -> str:
    out.write(f"dry run: nothing is changed at {storage.describe()}\n")
    for p in planned:
        out.write(f"{p.state:<9} {p.upload.key} ({p.upload.path.stat().st_size} bytes)\n")
    current = storage.read(FEED_KEY)
    new, change = feed_after(current[0] if current else None, channel, item, now)
    action = "would be created with the item" if current is None else f"item would be {change}"
    line = f"{FEED_KEY}: {action} ({len(feed.item_guids(new))} items after)"
    out.write(line + "\n")
    return line
