"""`producer publish`: build if stale, upload media first, then move the feed.

Order is what keeps listeners safe: every object the new feed item points at
is uploaded and verified (size and checksum) before the feed changes, and the
feed itself is written with a conditional write, re-read and retried when
someone else published in between.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
import random
import re
import tempfile
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TextIO

from ..core import chapters as chap, feed, lint, renditions
from ..core.feed import FEED_KEY
from ..core.media_types import CACHE_FEED, CACHE_MEDIA, CACHE_PAGE, content_type
from ..core.plan import chosen_renditions
from ..errors import Conflict, InputError, StorageError
from ..io import artwork, files
from ..core.models import LOCAL_BASE_URL, Person, PublishSettings
from ..io.config import Context, episodes_sharing_guid, load_context, write_guid
from ..io.inputs import is_stale
from ..io.progress import Progress
from ..io.resolve import StorageResolver
from ..io.storage import LocalStorage, Storage, holds, open_target
from .build import build_context
from .website import publish_site

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
            out: TextIO | None = None, now: dt.datetime | None = None) -> None:
    out = out or progress.stream
    ctx = load_context(episode_dir)
    stale = is_stale(ctx)
    if stale and dry_run:
        out.write(f"{ctx.episode.slug}: dist/ is missing or stale: a real publish builds it first\n")
        if not (ctx.episode.folder / "dist" / "report.json").is_file():
            return
    elif stale:
        build_context(ctx, progress)
    storage = _storage(ctx, target)
    base_url = _base_url(ctx, storage, progress)
    guid = _guid(ctx, dry_run, progress)
    with tempfile.TemporaryDirectory(prefix="producer-publish-") as scratch:
        _publish(ctx, storage, base_url, guid, _uploads(ctx, base_url, Path(scratch)), dry_run,
                 _Lines(out, progress.quiet), now, progress)


def _publish(ctx: Context, storage: Storage, base_url: str, guid: str, uploads: dict[str, Upload],
             dry_run: bool, out: _Lines, now: dt.datetime | None, progress: Progress) -> None:
    planned = [_plan(storage, u) for u in uploads.values()]
    item = _item(ctx, base_url, guid, uploads, {p.upload.key: p.sha256 for p in planned})
    channel = _channel(ctx, base_url)
    if dry_run:
        _print_plan(planned, storage, channel, item, out, now)
        return
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
    out.write(f"published {ctx.episode.slug} to {storage.describe()}; feed: {channel.feed_url} "
              f"(item {change}, {count} items)\n")


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
    """--target is the user's own words: relative to where they stand, as every
    CLI; show.toml's target is relative to the show folder."""
    p = ctx.show.publish
    if target is not None:
        return open_target(target, Path.cwd(), p.endpoint_url, p.region, p.profile)
    return open_target(p.target, ctx.show.root, p.endpoint_url, p.region, p.profile)


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


def _uploads(ctx: Context, base_url: str, scratch: Path) -> dict[str, Upload]:
    """By role, in upload order: media first, then artwork, then chapters; the
    feed, written last, may point at all of them."""
    slug, dist = ctx.episode.slug, ctx.episode.folder / "dist"
    prefix = f"episodes/{slug}"
    show_art = artwork.load(ctx.show.artwork)
    uploads = {
        "media": Upload(f"{prefix}/{slug}.mp3", dist / f"{slug}.mp3", "audio/mpeg", CACHE_MEDIA),
        "artwork": Upload(f"artwork{ctx.show.artwork.suffix.lower()}", ctx.show.artwork, show_art.mime,
                          CACHE_MEDIA),
    }
    if ctx.episode.artwork:
        art = artwork.load(ctx.episode.artwork)
        uploads["cover"] = Upload(f"{prefix}/cover{ctx.episode.artwork.suffix.lower()}", ctx.episode.artwork,
                                  art.mime, CACHE_MEDIA)
    for fmt in chosen_renditions(ctx.show, ctx.preset):
        uploads[f"rendition-{fmt}"] = Upload(f"{prefix}/{slug}.{fmt}", dist / f"{slug}.{fmt}",
                                             renditions.MIME[fmt], CACHE_MEDIA)
    if ctx.episode.transcript:  # built beside the MP3, in the episode's time
        uploads["transcript-vtt"] = Upload(f"{prefix}/{slug}.vtt", dist / f"{slug}.vtt", "text/vtt", CACHE_MEDIA)
        uploads["transcript-json"] = Upload(f"{prefix}/transcript.json", dist / "transcript.json",
                                            "application/json", CACHE_MEDIA)
    for person in (*ctx.show.persons, *ctx.episode.persons):
        if person.img:
            uploads[f"person-{person.img}"] = Upload(_person_key(person.img), person.img,
                                                     artwork.load(person.img, cover=False).mime, CACHE_MEDIA)
    if (dist / "report.html").is_file():  # the build's report page, beside the files it describes
        uploads["report"] = Upload(f"{prefix}/report.html", dist / "report.html", content_type("report.html"),
                                   CACHE_PAGE)
    if ctx.episode.chapters:
        uploads["chapters"] = Upload(f"{prefix}/chapters.json", _chapters_json(ctx, uploads, base_url, scratch),
                                     "application/json+chapters", CACHE_MEDIA)
    return uploads


def _chapters_json(ctx: Context, uploads: dict[str, Upload], base_url: str, scratch: Path) -> Path:
    """dist/chapters.json, or, when chapters have images, a copy whose `img` points at
    them (their URLs are only known here); the images join the uploads before it."""
    prefix = f"episodes/{ctx.episode.slug}"
    images: dict[int, str] = {}
    for i, chapter in enumerate(ctx.episode.chapters):
        if chapter.image:
            path = Path(chapter.image)
            key = f"{prefix}/chapter-{i}{path.suffix.lower()}"
            uploads[f"chapter-image-{i}"] = Upload(key, path, artwork.load(path, cover=False).mime, CACHE_MEDIA)
            images[i] = _url(base_url, key)
    if not images:
        return ctx.episode.folder / "dist" / "chapters.json"
    path = scratch / "chapters.json"
    path.write_text(chap.json_text(ctx.episode.chapters, images), encoding="utf-8")
    return path


def _person_key(img: Path) -> str:
    """By content: two guests' "photo.jpg" never overwrite each other."""
    return f"people/{files.sha256(img)[:16]}{img.suffix.lower()}"


def _person_tags(persons: tuple[Person, ...], base_url: str) -> tuple[feed.PersonTag, ...]:
    return tuple(feed.PersonTag(p.name, p.role, p.group, p.href,
                                _url(base_url, _person_key(p.img)) if p.img else None) for p in persons)


def _soundbites(ctx: Context, duration_s: float) -> tuple[tuple[float, float, str | None], ...]:
    bites = []
    for i, b in enumerate(ctx.episode.soundbites):
        start = b.start_ms / 1000
        if start + b.duration_s > duration_s + 0.001:
            raise InputError(f"{ctx.episode.file}: soundbites[{i}]: {start:g} s + {b.duration_s:g} s runs past "
                             f"the end of the episode ({duration_s:.3f} s)")
        bites.append((start, b.duration_s, b.title))
    return tuple(bites)


def _plan(storage: Storage, u: Upload) -> Planned:
    digest = files.sha256(u.path)
    info = storage.head(u.key)
    if info is None:
        return Planned(u, "new", digest)
    return Planned(u, "unchanged" if holds(info, u.path, digest) else "changed", digest)


def _url(base_url: str, key: str) -> str:
    return f"{base_url}/{key}"


def _channel(ctx: Context, base_url: str) -> feed.ChannelInfo:
    s = ctx.show
    return feed.ChannelInfo(
        title=s.title, link=s.link, description=s.description, language=s.language, author=s.author,
        owner_name=s.owner_name, owner_email=s.owner_email,
        image_url=_url(base_url, f"artwork{s.artwork.suffix.lower()}"), categories=s.categories,
        explicit=s.explicit, feed_url=_url(base_url, FEED_KEY), locked=s.locked,
        funding=tuple((f.url, f.text) for f in s.funding), persons=_person_tags(s.persons, base_url))


def _item(ctx: Context, base_url: str, guid: str, uploads: dict[str, Upload],
          sha256: dict[str, str]) -> feed.ItemInfo:
    """`sha256` by key, as the upload plan hashed them."""
    ep = ctx.episode
    dist = ep.folder / "dist"
    report = json.loads((dist / "report.json").read_text(encoding="utf-8"))
    keys = {role: u.key for role, u in uploads.items()}
    duration = float(report["duration_seconds"])
    main = _main_upload(ctx, uploads)
    # an item's persons replace the channel's in apps: with guests, the hosts are named again
    persons = _person_tags((*ctx.show.persons, *ep.persons), base_url) if ep.persons else ()
    return feed.ItemInfo(
        guid=guid, title=ep.title, notes=ep.description,
        pub_date=_as_datetime(ep.date), enclosure_url=_url(base_url, main.key),
        enclosure_length=main.path.stat().st_size, enclosure_type=main.content_type,
        duration_seconds=duration, episode=ep.number, season=ep.season,
        episode_type=ep.episode_type,
        image_url=_url(base_url, keys["cover"]) if "cover" in keys else None,
        chapters_url=_url(base_url, keys["chapters"]) if "chapters" in keys else None,
        explicit=ctx.show.explicit, persons=persons, soundbites=_soundbites(ctx, duration),
        transcripts=_transcripts(keys, base_url), alternates=_alternates(uploads, base_url, duration, main, sha256))


def _main_upload(ctx: Context, uploads: dict[str, Upload]) -> Upload:
    """The MP3, unless the preset names a rendition the show builds."""
    main = ctx.preset.renditions.main
    if main == "mp3":
        return uploads["media"]
    if f"rendition-{main}" not in uploads:
        raise InputError(f"preset {ctx.preset.name}: renditions.main: \"{main}\" is not built for this show "
                         f"(add it to [audio] renditions in {ctx.show.file.name})")
    return uploads[f"rendition-{main}"]


def _alternates(uploads: dict[str, Upload], base_url: str, duration_s: float, main: Upload,
                sha256: dict[str, str]) -> tuple[feed.Alternate, ...]:
    """The MP3 and every rendition, the main enclosure marked default, each with its
    SHA-256 for podcast:integrity."""
    chosen = [("media", "MP3")] + [(role, renditions.TITLE[role.split("-", 1)[1]])
                                   for role in uploads if role.startswith("rendition-")]
    if len(chosen) == 1:
        return ()
    found = []
    for role, title in chosen:
        u = uploads[role]
        default = u is main
        size = u.path.stat().st_size
        digest = base64.b64encode(bytes.fromhex(sha256[u.key])).decode()
        found.append(feed.Alternate(_url(base_url, u.key), u.content_type, size, round(size * 8 / duration_s),
                                    title, digest, default))
    return tuple(found)


def _transcripts(keys: dict[str, str], base_url: str) -> tuple[tuple[str, str, str | None], ...]:
    """(url, type, rel): the WebVTT file is timed, so apps may show it as captions."""
    found = []
    if "transcript-vtt" in keys:
        found.append((_url(base_url, keys["transcript-vtt"]), "text/vtt", "captions"))
    if "transcript-json" in keys:
        found.append((_url(base_url, keys["transcript-json"]), "application/json", None))
    return tuple(found)


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)


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
            storage.write_if(FEED_KEY, new, "application/rss+xml", CACHE_FEED, etag)
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
        previous = _last_build_date(old)
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


def _last_build_date(xml: bytes) -> dt.datetime | None:
    m = re.search(rb"<lastBuildDate>([^<]+)</lastBuildDate>", xml)
    try:
        return parsedate_to_datetime(m.group(1).decode()) if m else None
    except (TypeError, ValueError):
        return None


def _print_plan(planned: list[Planned], storage: Storage, channel: feed.ChannelInfo, item: feed.ItemInfo,
                out: _Lines, now: dt.datetime | None) -> None:
    out.write(f"dry run: nothing is changed at {storage.describe()}\n")
    for p in planned:
        out.write(f"{p.state:<9} {p.upload.key} ({p.upload.path.stat().st_size} bytes)\n")
    current = storage.read(FEED_KEY)
    new, change = _feed_after(current[0] if current else None, channel, item, now)
    action = "would be created with the item" if current is None else f"item would be {change}"
    out.write(f"{FEED_KEY}: {action} ({len(feed.item_guids(new))} items after)\n")
