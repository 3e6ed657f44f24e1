"""Renditions beside the MP3 (AAC in M4A, Opus in Ogg): the chapters as ffmpeg
metadata for the containers whose chapters ffmpeg writes, and which streams
go into each file. Pure; the formats themselves are core.episode.formats."""
from __future__ import annotations

from pathlib import Path

from ..chapters.chapters import Chapter, ends
from .formats import FORMATS, Format, muxer_args, output_args
from .models import Preset

NO_METADATA = ["-map", "0:a", "-map_metadata", "-1", "-map_chapters", "-1"]


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
    picture = ["-map", "0:v"] if FORMATS[fmt].video else []
    if FORMATS[fmt].chapters == "ffmetadata":
        return ["-map", "0:a", *picture, "-map_metadata", "1", "-map_chapters", "1"]
    return NO_METADATA


def unmuxed(out: Path) -> Path:
    """Where a tapped encoder writes a file that a remux then finishes (its chapters
    and container options go in there: the tee muxer passes on no chapters)."""
    return out.with_name(out.name + ".unmuxed")


def tapped_output(fmt: Format, p: Preset, out: Path, picture: str | None = None) -> list[str]:
    """A tapped encoder's streams and outputs (core.episode.formats.Tap): the copy on its
    stdout, and, beside it through ffmpeg's tee muxer, the file to be remuxed.
    `picture`: a video format's filter graph (core.episode.video), its output "[v]";
    the copy on stdout takes the audio alone."""
    assert fmt.tap is not None
    if not fmt.tap.beside:
        return [*NO_METADATA, *output_args(fmt, p), "pipe:1"]
    video = ["-filter_complex", picture, "-map", "[v]"] if picture else []
    audio_only = ":select=a" if picture else ""
    return [*NO_METADATA, *video, *fmt.encoder(p), "-f", "tee",
            f"[f={fmt.muxer}]{tee_escape(str(unmuxed(out)))}|[f={fmt.tap.muxer}{audio_only}]pipe:1"]


def remux_args(fmt: Format, out: Path, chapters_meta: Path) -> list[str]:
    """The unmuxed file copied into `out` with the chapters and the container's options."""
    return ["-i", str(unmuxed(out)), "-f", "ffmetadata", "-i", str(chapters_meta), *stream_args(fmt.name),
            "-c", "copy", *muxer_args(fmt), str(out)]


def tee_escape(path: str) -> str:
    """A file name as the tee muxer reads it (av_get_token: a backslash keeps the
    next character; | ends a slave, quotes and [ ] would be read as syntax)."""
    return "".join("\\" + ch if ch in "\\'|[]" or ch.isspace() else ch for ch in path)
