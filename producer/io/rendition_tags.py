"""Tags and cover art of the renditions, with mutagen: iTunes-style atoms in
the M4A, Vorbis comments, a METADATA_BLOCK_PICTURE and the chapters
(CHAPTERnnn/CHAPTERnnnNAME) in the Opus file. The M4A's chapters are already
there (ffmpeg wrote them from the ffmetadata file)."""
from __future__ import annotations

import base64
from pathlib import Path

from mutagen.flac import Picture
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggopus import OggOpus

from ..core.episode.artwork import Artwork
from ..core.episode import tag_fields
from ..core.episode.formats import Format
from ..core.episode.id3 import ChapterTag, ContainerSummary
from ..core.episode.plan import BuildPlan
from ..core.chapters.timecode import format_time
from ..errors import write_failure
from .ffmpeg import probe_json


def tag(path: Path, fmt: Format, plan: BuildPlan, cover: Artwork) -> None:
    try:
        _WRITERS[fmt.tags](path, plan, cover)
    except Exception as e:  # mutagen's errors have no common base worth naming
        raise write_failure(path, "its tags", e) from None


def _m4a(path: Path, plan: BuildPlan, cover: Artwork) -> None:
    audio = MP4(path)
    for field, value in tag_fields.values(plan.episode, plan.show):  # the one table (core.episode.tag_fields)
        for atom in field.mp4:
            audio[atom] = [value]
    audio["trkn"] = [(plan.episode.number, 0)]
    kind = MP4Cover.FORMAT_PNG if cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
    audio["covr"] = [MP4Cover(cover.data, imageformat=kind)]
    audio.save()


def _opus(path: Path, plan: BuildPlan, cover: Artwork) -> None:
    audio = OggOpus(path)
    for field, value in tag_fields.values(plan.episode, plan.show):
        if field.vorbis is not None:
            audio[field.vorbis] = [value]
    picture = Picture()
    picture.type, picture.mime, picture.data = 3, cover.mime, cover.data  # 3: front cover
    picture.width, picture.height = cover.width, cover.height
    audio["METADATA_BLOCK_PICTURE"] = [base64.b64encode(picture.write()).decode("ascii")]
    for key in [k for k in audio.keys() if k.upper().startswith("CHAPTER")]:
        del audio[key]
    for i, chapter in enumerate(plan.chapters):  # the chapter extension's names, to the millisecond
        audio[f"CHAPTER{i:03d}"] = [format_time(chapter.start_ms, millis=True)]
        audio[f"CHAPTER{i:03d}NAME"] = [chapter.title]
    audio.save()


_WRITERS = {"mp4": _m4a, "vorbis": _opus}


def read(path: Path) -> ContainerSummary:
    """Title, chapters and cover as ffprobe reads them: what players see. Ogg keeps
    its comments on the stream, MP4 on the file; a cover is a picture stream."""
    data = probe_json(path, "chapters:format_tags=title:stream_tags=title:stream=codec_type"
                            ":stream_disposition=attached_pic")
    streams = data.get("streams", [])
    titles = [(data.get("format", {}).get("tags") or {}), *((s.get("tags") or {}) for s in streams)]
    title = next((v for tags in titles for k, v in tags.items() if k.lower() == "title" and v), "")
    chapters = [ChapterTag("", round(float(c["start_time"]) * 1000), round(float(c["end_time"]) * 1000),
                           (c.get("tags") or {}).get("title", ""), None) for c in data.get("chapters", [])]
    cover = any(s.get("codec_type") == "video" for s in streams)
    return ContainerSummary(title, chapters, cover)
