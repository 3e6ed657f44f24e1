"""Tag: ID3v2.3 text frames, front cover, and CHAP/CTOC chapters (mutagen)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPOS, TRCK,
                         WXXX, CTOCFlags, Frame, PictureType)
from mutagen.id3._tags import save_frame  # mutagen's own frame encoder, see PlaybackOrderID3

from .. import artwork as art
from ..chapters import Chapter, ends
from ..errors import TagError

TOC_ID = "toc"
NO_OFFSET = 0xFFFFFFFF  # CHAP byte offsets unused: players seek by time
_FIRST = ["TIT2", "TPE1", "TALB", "TRCK", "TPOS", "TDRC", "TYER", "TDAT", "TCON", "COMM", "CTOC"]
_LANGUAGES = {"en": "eng", "nl": "nld", "de": "deu", "fr": "fra", "es": "spa", "it": "ita",
              "pt": "por", "sv": "swe", "da": "dan", "no": "nor", "fi": "fin", "pl": "pol",
              "ja": "jpn", "zh": "zho", "ru": "rus"}


class PlaybackOrderID3(ID3):
    """mutagen sorts frames by size when it saves; ffprobe and many players list
    CHAP frames in file order, so we write them in playback order instead."""

    def _write(self, config):  # type: ignore[no-untyped-def]
        frames = sorted(self.values(), key=_rank)
        return b"".join(save_frame(f, config=config) for f in frames)


def _rank(frame: Frame) -> tuple[int, int]:
    if frame.FrameID == "CHAP":
        return (len(_FIRST), frame.start_time)
    if frame.FrameID == "APIC":
        return (len(_FIRST) + 1, 0)
    return (_FIRST.index(frame.FrameID) if frame.FrameID in _FIRST else len(_FIRST) - 1, 0)


def id3_language(code: str) -> str:
    return _LANGUAGES.get(code.split("-")[0].lower(), "und")


def write_tags(mp3: Path, *, title: str, artist: str, album: str, track: int,
               date: dt.date | dt.datetime, comment: str, language: str, cover: art.Artwork,
               chapters: list[Chapter], duration_ms: int, season: int | None = None) -> None:
    tags = PlaybackOrderID3()
    tags.add(TIT2(encoding=1, text=[title]))
    tags.add(TPE1(encoding=1, text=[artist]))
    tags.add(TALB(encoding=1, text=[album]))
    tags.add(TRCK(encoding=1, text=[str(track)]))
    if season is not None:
        tags.add(TPOS(encoding=1, text=[str(season)]))
    tags.add(TDRC(encoding=1, text=[date.isoformat()[:19]]))
    tags.add(TCON(encoding=1, text=["Podcast"]))
    if comment:
        tags.add(COMM(encoding=1, lang=id3_language(language), desc="", text=[comment]))
    tags.add(APIC(encoding=1, mime=cover.mime, type=PictureType.COVER_FRONT, desc="Cover",
                  data=cover.data))
    _add_chapters(tags, chapters, duration_ms)
    tags.update_to_v23()
    try:
        tags.save(mp3, v2_version=3, v1=0)
    except MutagenError as e:
        raise TagError(f"{mp3}: cannot write ID3 tags ({e})") from None


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
            image = art.load_any(Path(chapter.image))
            sub.append(APIC(encoding=1, mime=image.mime, type=PictureType.OTHER, desc="Chapter image",
                            data=image.data))
        tags.add(CHAP(element_id=element_id, start_time=chapter.start_ms, end_time=end,
                      start_offset=NO_OFFSET, end_offset=NO_OFFSET, sub_frames=sub))
