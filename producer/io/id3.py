"""ID3v2.3 tags: written from the episode (text frames, front cover, CTOC/CHAP)
and read back in file order for `producer check`. mutagen's errors become TagError
or MediaError here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pycountry
from mutagen import MutagenError
from mutagen.id3 import (APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPOS, TRCK, TXXX, WXXX,
                         CTOCFlags, Frame, ID3NoHeaderError, PictureType)

from ..core.episode import tag_fields
from ..core.episode.artwork import Artwork
from ..core.chapters.chapters import Chapter, ends
from ..core.episode.id3 import ChapterTag, Id3Summary, TocTag
from ..core.episode.models import Episode, Preset, Show, preset_record
from ..errors import MediaError, write_failure
from . import artwork as art
from .id3_order import ordered_id3

TOC_ID = "toc"
NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: players seek by time
PRESET_DESC = "producer preset"
_FRAMES: dict[str, type[Frame]] = {f.__name__: f for f in (TIT2, TPE1, TALB, TRCK, TPOS, TDRC, TCON)}
_FIRST = ["TIT2", "TPE1", "TALB", "TRCK", "TPOS", "TDRC", "TYER", "TDAT", "TCON", "COMM", "TXXX", "CTOC"]

def id3_language(code: str) -> str:
    """The ISO 639-2 code COMM frames carry, from the feed's language (`en-GB` →
    `eng`, `pt-BR` → `por`, `haw` → `haw`), by pycountry's ISO 639-3 table;
    `und` only for a code no table knows."""
    base = code.split("-")[0].strip().lower()
    found = pycountry.languages.get(alpha_2=base) if len(base) == 2 else pycountry.languages.get(alpha_3=base)
    return getattr(found, "alpha_3", None) or "und"


def _rank(frame: Frame) -> tuple[int, int]:
    if frame.FrameID == "CHAP":
        return (len(_FIRST), frame.start_time)
    if frame.FrameID == "APIC":
        return (len(_FIRST) + 1, 0)
    return (_FIRST.index(frame.FrameID) if frame.FrameID in _FIRST else len(_FIRST) - 1, 0)


PlaybackOrderID3 = ordered_id3(_rank)


def write_tags(mp3: Path, episode: Episode, show: Show, cover: Artwork, duration_ms: int,
               preset: Preset) -> None:
    tags = PlaybackOrderID3()
    for field, value in tag_fields.values(episode, show):  # the one table of fields (core.episode.tag_fields)
        if field.id3 is not None:
            tags.add(_FRAMES[field.id3](encoding=1, text=[value]))
    if episode.description:
        tags.add(COMM(encoding=1, lang=id3_language(show.language), desc="", text=[episode.description]))
    tags.add(TXXX(encoding=1, desc=PRESET_DESC, text=[preset_record(preset)]))
    tags.add(APIC(encoding=1, mime=cover.mime, type=PictureType.COVER_FRONT, desc="Cover", data=cover.data))
    _add_chapters(tags, list(episode.chapters), duration_ms)
    tags.update_to_v23()
    try:
        tags.save(mp3, v2_version=3, v1=0)
    except (MutagenError, OSError) as e:
        raise write_failure(mp3, "ID3 tags", e) from None


def _add_chapters(tags: ID3, chapters: list[Chapter], duration_ms: int) -> None:
    if not chapters:
        return
    ids = [f"chp{i}" for i in range(len(chapters))]
    tags.add(CTOC(element_id=TOC_ID, flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=ids, sub_frames=[TIT2(encoding=1, text=["Chapters"])]))
    for element_id, chapter, end in zip(ids, chapters, ends(chapters, duration_ms)):
        sub = [TIT2(encoding=1, text=[chapter.title])]
        if chapter.url:
            sub.append(WXXX(encoding=1, desc="", url=chapter.url))
        if chapter.image:
            image = art.load(Path(chapter.image), cover=False)
            sub.append(APIC(encoding=1, mime=image.mime, type=PictureType.OTHER, desc="Chapter image",
                            data=image.data))
        tags.add(CHAP(element_id=element_id, start_time=chapter.start_ms, end_time=end,
                      start_offset=NO_OFFSET, end_offset=NO_OFFSET, sub_frames=sub))


def read_id3(path: Path) -> Id3Summary:
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        return Id3Summary()
    except (MutagenError, OSError) as e:
        raise MediaError(f"{path}: its ID3 tag cannot be read ({e})") from None
    summary = Id3Summary(version=(tags.version[0], tags.version[1]))
    title = tags.get("TIT2")
    summary.title = str(title.text[0]) if title and title.text else ""
    covers = [f for f in tags.getall("APIC") if f.type == PictureType.COVER_FRONT]
    summary.cover = covers[0].data if covers else None
    record = tags.get(f"TXXX:{PRESET_DESC}")
    summary.preset_record = str(record.text[0]) if record and record.text else None
    for frame in tags.values():
        if frame.FrameID == "CHAP":
            summary.chapters.append(_chapter(frame))
        elif frame.FrameID == "CTOC":
            summary.tocs.append(TocTag(frame.element_id, bool(frame.flags & CTOCFlags.TOP_LEVEL),
                                       bool(frame.flags & CTOCFlags.ORDERED),
                                       tuple(frame.child_element_ids)))
    return summary


def _chapter(frame: Any) -> ChapterTag:
    sub = frame.sub_frames
    title = sub.get("TIT2")
    links = sub.getall("WXXX")
    return ChapterTag(frame.element_id, frame.start_time, frame.end_time,
                      str(title.text[0]) if title and title.text else "",
                      links[0].url if links else None)
