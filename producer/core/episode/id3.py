"""What an ID3 tag says, as plain data: read back by io.id3, judged by core.episode.verdicts."""
from __future__ import annotations

from dataclasses import dataclass, field

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
    preset_record: str | None = None  # the TXXX frame a build writes (core.episode.models.preset_record)


@dataclass(frozen=True)
class ContainerSummary:
    """What an M4A or Ogg rendition says, as ffprobe reads it (chapters as ChapterTag
    without ids or links)."""

    title: str = ""
    chapters: list[ChapterTag] = field(default_factory=list)
    cover: bool = False
