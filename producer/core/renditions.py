"""Renditions beside the MP3 (AAC in M4A, Opus in Ogg): the chapters as ffmpeg
metadata for the containers whose chapters ffmpeg writes, and which streams
go into each file. Pure; the formats themselves are core.formats."""
from __future__ import annotations

from .chapters import Chapter, ends
from .formats import FORMATS


def _escape(text: str) -> str:
    for ch in "\\=;#\n":
        text = text.replace(ch, "\\" + ch)
    return text


def ffmetadata(title: str, chapters: list[Chapter], duration_ms: int) -> str:
    """ffmpeg's metadata file: the title and every chapter, each ending where the next starts."""
    lines = [";FFMETADATA1", f"title={_escape(title)}"]
    for c, end in zip(chapters, ends(chapters, duration_ms)):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={c.start_ms}", f"END={end}", f"title={_escape(c.title)}"]
    return "\n".join(lines) + "\n"


def stream_args(fmt: str) -> list[str]:
    """Which streams and metadata go into the file: where ffmpeg writes the chapters,
    from input 1 (the ffmetadata file); elsewhere none, their tag writer does."""
    if FORMATS[fmt].chapters == "ffmetadata":
        return ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
    return ["-map", "0:a", "-map_metadata", "-1", "-map_chapters", "-1"]
