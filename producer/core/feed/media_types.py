"""Content-Type and Cache-Control by file name: one table for the preview server,
what publish uploads and the feed's types (audio types from core.episode.formats' rows)."""
from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from ..episode.episode_files import CHAPTERS
from ..episode.formats import FORMATS

FEED_TYPE = "application/rss+xml"  # the feed's own type: the one place it is spelled

TYPES = {
    **{f.suffix: f.mime for f in FORMATS.values()}, ".ogg": "audio/ogg",
    ".vtt": "text/vtt", ".srt": "application/x-subrip", ".json": "application/json",
    ".xml": FEED_TYPE, ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
}
CHAPTERS_TYPE = "application/json+chapters"  # Podcasting 2.0's JSON chapters
TRANSCRIPT_JSON_TYPE = "application/json"
CACHE_MEDIA = "public, max-age=86400"
CACHE_FEED = "public, max-age=60"
CACHE_PAGE = "public, max-age=300"  # pages change with every episode: a listener sees it within minutes


def content_type(name: str) -> str:
    p = PurePosixPath(name)
    if p.name == CHAPTERS:
        return CHAPTERS_TYPE
    return TYPES.get(p.suffix.lower()) or mimetypes.guess_type(p.name)[0] or "application/octet-stream"
