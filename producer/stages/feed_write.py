"""The feed's write on the target: our item merged into the feed as it is there,
linted before it is written, written conditionally (If-Match) and read back; on a
conflict, read again and merged again under FEED_WRITE."""
from __future__ import annotations

import datetime as dt

from ..core.feed import feed, lint
from ..core.feed.feed import FEED_KEY
from ..core.feed.media_types import CACHE_FEED, FEED_TYPE
from ..errors import Conflict, InputError, StorageError
from ..io.progress import Progress
from ..io.resolve import StorageResolver
from ..io.retry import RetryPolicy, retried
from ..io.storage import Storage

# Two publishers racing on one feed (`-j 2`, two laptops): each conflict costs a
# read and a merge, so a dozen tries with waits from 50 ms up to 2 s outlast any
# burst of publishes a show makes.
FEED_WRITE = RetryPolicy(tries=12, first_wait_s=0.05, max_wait_s=2.0)


def update_feed(storage: Storage, channel: feed.ChannelInfo, item: feed.ItemInfo,
                now: dt.datetime | None, base_url: str, progress: Progress) -> tuple[str, int]:
    def write(_try: int) -> tuple[str, int] | None:
        current = storage.read(FEED_KEY)
        old, etag = current if current else (None, None)
        new, change = feed_after(old, channel, item, now)
        if new == old:
            return "unchanged", len(feed.item_guids(new))
        _lint_before_writing(new, item.guid, StorageResolver(storage, base_url), progress)
        try:
            storage.write_if(FEED_KEY, new, FEED_TYPE, CACHE_FEED, etag)
        except Conflict:
            return None  # someone else published in between: read their feed again and redo our change on it
        if _landed(storage, new):
            return change, len(feed.item_guids(new))
        return None  # a service that ignores If-Match let another publish overwrite ours: merge again onto theirs

    def kept_changing() -> tuple[str, int]:
        raise StorageError(f"{storage.describe()}: {FEED_KEY} kept changing while we wrote it "
                           f"({FEED_WRITE.tries} tries); publish again")

    return retried(FEED_WRITE, write, kept_changing)


def feed_after(old: bytes | None, channel: feed.ChannelInfo, item: feed.ItemInfo,
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
