"""Content-Type and Cache-Control by file name: one table for the preview server
and for what publish uploads."""
from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

TYPES = {
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".opus": "audio/ogg", ".ogg": "audio/ogg",
    ".vtt": "text/vtt", ".srt": "application/x-subrip", ".json": "application/json",
    ".xml": "application/rss+xml", ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8",
}
CACHE_MEDIA = "public, max-age=86400"
CACHE_FEED = "public, max-age=60"
CACHE_PAGE = "public, max-age=300"  # pages change with every episode: a listener sees it within minutes


def content_type(name: str) -> str:
    p = PurePosixPath(name)
    if p.name == "chapters.json":
        return "application/json+chapters"
    return TYPES.get(p.suffix.lower()) or mimetypes.guess_type(p.name)[0] or "application/octet-stream"
