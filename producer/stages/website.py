"""The show's website on the target, redrawn from the feed as it landed: every
page whose bytes changed is uploaded (text/html, a short Cache-Control), after the
feed, so a page never links to an episode the feed does not have yet."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..core.chapters import chapter_formats
from ..core.site import site

from ..core.transcripts import transcript
from ..core.feed.feed import FEED_KEY
from ..core.feed.media_types import CACHE_PAGE, content_type
from ..errors import ChapterFormatError, InputError, StorageError, UploadMismatch
from ..io import files
from ..io.retry import RetryPolicy, retried
from ..io.storage import Storage, holds

SITE_STATE = "site-state.json"  # guid → digest of the item each page was drawn from


# Drawn again while the feed moved under us: no wait (the other publisher has
# already written; we only need its feed), and six rounds outlast `-j 2` and more.
SITE_ROUNDS = RetryPolicy(tries=6)


def publish_site(storage: Storage, base_url: str, published_guid: str | None = None) -> list[str]:
    """The keys of the pages written. Only the index and the pages of items that are
    new or changed since the last drawing (recorded in SITE_STATE) are drawn, so a feed
    of 2,000 episodes costs a publish a handful of requests, not thousands; a page whose
    bytes did not change is not uploaded.

    When the feed changed while we drew (another publish, `-j 2`), we draw again from
    the feed as it is now: a page drawn from the older feed may have landed after the
    other publisher's, and the last publisher to look always draws from the last feed."""
    written: list[str] = []
    found = storage.read(FEED_KEY)

    def draw(_round: int) -> list[str] | None:
        nonlocal found
        try:
            written.extend(k for k in _draw(storage, base_url, published_guid, found) if k not in written)
        except UploadMismatch:  # another publisher wrote the same page or state meanwhile: look again
            found = storage.read(FEED_KEY)
            raise
        now = storage.read(FEED_KEY)
        if now is None or found is None or now[1] == found[1]:
            return written
        found = now
        return None

    return retried(SITE_ROUNDS, draw, lambda: written, retry_on=(UploadMismatch,))


def _draw(storage: Storage, base_url: str, published_guid: str | None,
          found: tuple[bytes, str] | None) -> list[str]:
    if found is None:
        raise StorageError(f"{storage.describe()}: {FEED_KEY} is missing: cannot draw the website")
    try:
        show, entries = site.read_feed(found[0])
    except InputError as e:
        raise StorageError(f"{storage.describe()}: {FEED_KEY} cannot be read for the website ({e})") from None
    drawn, state = _state(storage), site.drawn_state(show, entries)
    redraw = site.to_redraw(state, drawn, published_guid)
    chapters = {e.guid: _chapters(storage, e.chapters_url, base_url) for e in entries if e.guid in redraw}
    cues = {e.guid: _cues(storage, e.transcript_url, base_url) for e in entries if e.guid in redraw}
    search = site.search_entries(entries, cues, base_url, _searchable(storage))
    written = []
    with tempfile.TemporaryDirectory(prefix="producer-site-") as scratch:
        for key, html in site.pages(show, entries, chapters, base_url, only=redraw, transcripts=cues).items():
            path = Path(scratch) / key.replace("/", "__")
            path.write_text(html, encoding="utf-8")
            if _upload_if_changed(storage, key, path):
                written.append(key)
        path = Path(scratch) / site.SEARCH
        path.write_text(json.dumps({"episodes": [{"guid": g, **e} for g, e in search.items()]}, ensure_ascii=False),
                        encoding="utf-8")
        if _upload_if_changed(storage, site.SEARCH, path):
            written.append(site.SEARCH)
        if state != drawn:
            path = Path(scratch) / SITE_STATE
            path.write_text(json.dumps({"drawn": state}, indent=1) + "\n", encoding="utf-8")
            _upload_if_changed(storage, SITE_STATE, path)
    return written


def _upload_if_changed(storage: Storage, key: str, path: Path) -> bool:
    digest = files.sha256(path)
    if holds(storage.head(key), path, digest):
        return False
    storage.upload(key, path, content_type(key), CACHE_PAGE, digest)
    return True


def _state(storage: Storage) -> dict[str, str]:
    found = storage.read(SITE_STATE)
    try:
        drawn = json.loads(found[0])["drawn"] if found else {}
        return {str(k): str(v) for k, v in drawn.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # unreadable: every page is drawn again, which is always right


def _searchable(storage: Storage) -> dict[str, dict[str, object]]:
    """search.json as the last publish wrote it, by guid ({} when absent or unreadable)."""
    found = storage.read(site.SEARCH)
    try:
        episodes = json.loads(found[0])["episodes"] if found else []
        return {str(e["guid"]): {k: v for k, v in e.items() if k != "guid"} for e in episodes}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def _cues(storage: Storage, url: str | None, base_url: str) -> list[site.SiteCue]:
    """Our own WebVTT transcript, read from the target; another host's is not fetched."""
    key = site.own_key(url, base_url)
    found = storage.read(key) if key else None
    if found is None:
        return []
    try:
        cues = transcript.parse(found[0].decode("utf-8"), "vtt", key or "")
    except (InputError, UnicodeDecodeError):
        return []
    return [site.SiteCue(c.start_ms / 1000, c.speaker, c.text.replace("\n", " ")) for c in cues]


def _chapters(storage: Storage, url: str | None, base_url: str) -> list[site.SiteChapter]:
    """Our own chapters.json, read from the target; another host's is not fetched."""
    key = site.own_key(url, base_url)
    if key is None:
        return []
    found = storage.read(key)
    if found is None:
        return []
    try:
        chapters = chapter_formats.parse_json(found[0].decode("utf-8"), key, images=True, hidden=False)
    except (ChapterFormatError, UnicodeDecodeError):  # a page without chapters, not a failed publish
        return []
    return [site.SiteChapter(c.start_ms / 1000, c.title, c.image, c.url) for c in chapters]
