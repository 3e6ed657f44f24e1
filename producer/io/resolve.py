"""What `core.feed.lint` asks of the world: does a URL resolve, how big is it, is it
an image of what size. Over HTTP for any feed, or through the storage target
for URLs under our own base_url (publish lints the feed before it writes it)."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from ..core.episode.artwork import Artwork, problem
from ..core.feed.lint import Resource
from .storage import Storage

TIMEOUT_S = 10
MAX_IMAGE_BYTES = 16 << 20
MAX_TEXT_BYTES = 4 << 20  # chapters.json and friends


NOT_REACHED = Resource(None, None, reached=False)


class HttpResolver:
    """A URL that answers 4xx/5xx does not resolve; a host that does not answer at
    all (no such name, refused, timed out) is `unreachable`, asked no more, and
    lint says so once for the host."""

    def __init__(self) -> None:
        self.unreachable: list[str] = []

    def covers(self, url: str) -> bool:
        return url.startswith(("http://", "https://"))

    def head(self, url: str) -> Resource | None:
        host = urllib.parse.urlsplit(url).netloc
        if host in self.unreachable:
            return NOT_REACHED
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=TIMEOUT_S) as r:
                length = r.headers.get("Content-Length")
                return Resource(int(length) if length and length.isdigit() else None, r.headers.get("Content-Type"))
        except urllib.error.HTTPError:
            return None
        except (urllib.error.URLError, OSError):
            self.unreachable.append(host)
            return NOT_REACHED
        except ValueError:
            return None

    def image(self, url: str) -> Artwork | None:
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:
                return problem(r.read(MAX_IMAGE_BYTES), cover=False)[1]
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def read(self, url: str) -> bytes | None:
        if urllib.parse.urlsplit(url).netloc in self.unreachable:
            return None
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:
                return r.read(MAX_TEXT_BYTES)
        except (urllib.error.URLError, OSError, ValueError):
            return None


class StorageResolver:
    """URLs under base_url are keys of the target: asked of it, not of the network."""

    def __init__(self, storage: Storage, base_url: str) -> None:
        self.storage, self.prefix = storage, base_url.rstrip("/") + "/"

    def covers(self, url: str) -> bool:
        return url.startswith(self.prefix)

    def head(self, url: str) -> Resource | None:
        info = self.storage.head(url[len(self.prefix):])
        return Resource(info.size, None) if info is not None else None

    def image(self, url: str) -> Artwork | None:
        found = self.storage.read(url[len(self.prefix):])
        return problem(found[0], cover=False)[1] if found else None

    def read(self, url: str) -> bytes | None:
        found = self.storage.read(url[len(self.prefix):])
        return found[0] if found else None


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:
        return r.read()
