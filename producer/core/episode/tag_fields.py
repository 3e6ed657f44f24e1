"""The one table of tag fields: each field's value from the episode and show, and
where each container keeps it (an ID3 frame, an MP4 atom, a Vorbis comment).
io/id3 and io/rendition_tags write from it, so the MP3, the M4A and the Opus say
the same title, date and comment. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .models import Episode, Show


@dataclass(frozen=True)
class TagField:
    name: str
    id3: str | None  # the text frame (None: not a plain text frame, or not in ID3)
    mp4: tuple[str, ...]  # the atoms that carry it (the comment goes in two)
    vorbis: str | None  # the comment key
    value: Callable[[Episode, Show], str | None]  # None or "": the field is left out


TAG_FIELDS: tuple[TagField, ...] = (
    TagField("title", "TIT2", ("\xa9nam",), "TITLE", lambda ep, show: ep.title),
    TagField("artist", "TPE1", ("\xa9ART",), "ARTIST", lambda ep, show: show.author),
    TagField("album", "TALB", ("\xa9alb",), "ALBUM", lambda ep, show: show.title),
    TagField("track", "TRCK", (), "TRACKNUMBER", lambda ep, show: str(ep.number)),  # MP4: the trkn pair
    TagField("season", "TPOS", (), None, lambda ep, show: None if ep.season is None else str(ep.season)),
    TagField("date", "TDRC", ("\xa9day",), "DATE", lambda ep, show: ep.date.isoformat()[:19]),
    TagField("genre", "TCON", ("\xa9gen",), None, lambda ep, show: "Podcast"),
    TagField("comment", None, ("desc", "\xa9cmt"), "COMMENT", lambda ep, show: ep.description),  # ID3: COMM
)


def values(episode: Episode, show: Show) -> list[tuple[TagField, str]]:
    """Every field that has a value for this episode, in the table's order."""
    found = [(f, f.value(episode, show)) for f in TAG_FIELDS]
    return [(f, v) for f, v in found if v]
