"""The show's website on the target, redrawn from the feed as it landed: every
page whose bytes changed is uploaded (text/html, a short Cache-Control), after the
feed, so a page never links to an episode the feed does not have yet."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..core import site
from ..core.media_types import CACHE_PAGE, content_type
from ..errors import StorageError
from ..io import files
from ..io.storage import Storage

FEED_KEY = "feed.xml"


def publish_site(storage: Storage, base_url: str) -> list[str]:
    """The keys of the pages written (unchanged pages are left alone)."""
    found = storage.read(FEED_KEY)
    if found is None:
        raise StorageError(f"{storage.describe()}: {FEED_KEY} is missing: cannot draw the website")
    try:
        show, entries = site.read_feed(found[0])
    except Exception as e:  # noqa: BLE001 (defusedxml/expat raise several kinds)
        raise StorageError(f"{storage.describe()}: {FEED_KEY} cannot be read for the website ({e})") from None
    chapters = {e.guid: _chapters(storage, e.chapters_url, base_url) for e in entries}
    written = []
    with tempfile.TemporaryDirectory(prefix="producer-site-") as scratch:
        for key, html in site.pages(show, entries, chapters, base_url).items():
            path = Path(scratch) / key.replace("/", "__")
            path.write_text(html, encoding="utf-8")
            digest = files.sha256(path)
            info = storage.head(key)
            if info is not None and info.sha256 == digest and info.size == path.stat().st_size:
                continue
            storage.upload(key, path, content_type(key), CACHE_PAGE, digest)
            written.append(key)
    return written


def _chapters(storage: Storage, url: str | None, base_url: str) -> list[site.SiteChapter]:
    """Our own chapters.json, read from the target; another host's is not fetched."""
    key = site.own_key(url, base_url)
    if key is None:
        return []
    found = storage.read(key)
    if found is None:
        return []
    try:
        doc = json.loads(found[0])
        return [site.SiteChapter(float(c["startTime"]), str(c.get("title", "")), c.get("img"), c.get("url"))
                for c in doc.get("chapters", []) if c.get("toc", True) is not False]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
