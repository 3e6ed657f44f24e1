"""Read back what a file's ID3 tag says, in file order, for `producer check`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import ID3, CTOCFlags, ID3NoHeaderError, PictureType

from .errors import MediaError


@dataclass(frozen=True)
class ChapterTag:
    element_id: str
    start_ms: int
    end_ms: int
    title: str
    url: str | None


@dataclass(frozen=True)
class TocTag:
    element_id: str
    top_level: bool
    ordered: bool
    children: tuple[str, ...]


@dataclass
class Id3Summary:
    version: tuple[int, int] | None = None
    title: str = ""
    cover: bytes | None = None
    chapters: list[ChapterTag] = field(default_factory=list)  # in file order
    tocs: list[TocTag] = field(default_factory=list)


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
    for frame in tags.values():
        if frame.FrameID == "CHAP":
            summary.chapters.append(_chapter(frame))
        elif frame.FrameID == "CTOC":
            summary.tocs.append(TocTag(frame.element_id, bool(frame.flags & CTOCFlags.TOP_LEVEL),
                                       bool(frame.flags & CTOCFlags.ORDERED),
                                       tuple(frame.child_element_ids)))
    return summary


def _chapter(frame) -> ChapterTag:  # type: ignore[no-untyped-def]
    sub = frame.sub_frames
    title = sub.get("TIT2")
    links = sub.getall("WXXX")
    return ChapterTag(frame.element_id, frame.start_time, frame.end_time,
                      str(title.text[0]) if title and title.text else "",
                      links[0].url if links else None)
