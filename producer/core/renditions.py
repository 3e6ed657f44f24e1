"""Renditions beside the MP3 (AAC in M4A, Opus in Ogg): the encoder settings,
the chapters as ffmpeg metadata, and the correction when a codec moved the
loudness or the peaks. Pure."""
from __future__ import annotations

from .chapters import Chapter
from .models import RENDITION_FORMATS, RenditionSettings
from .policy import GOAL_LU, PEAK_SAFETY_DB, Attempt

FORMATS = RENDITION_FORMATS
# the alternate enclosure's type; Apple's own name for AAC in MP4 is audio/x-m4a
MIME = {"m4a": "audio/mp4", "opus": "audio/ogg"}
TITLE = {"m4a": "AAC", "opus": "Opus (small, for metered data)"}
OPUS_RATE = 48000  # the only rate Opus codes at; ffmpeg resamples to it (soxr)
MAX_TRIES = 4
FIRST_MARGIN_DB = {"opus": 3.0}
PEAK_STEP = 1.5  # a codec's noise moves the peaks less than the limiter's ceiling does


def output_args(fmt: str, s: RenditionSettings) -> list[str]:
    """ffmpeg's options after the inputs: chapters come from input 1 (ffmetadata)."""
    chapters = ["-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
    if fmt == "m4a":
        return [*chapters, "-c:a", "aac", "-b:a", f"{s.m4a_bitrate}k", "-movflags", "+faststart", "-f", "ipod"]
    if fmt == "opus":
        return [*chapters, "-af", f"aresample={OPUS_RATE}:resampler=soxr", "-c:a", "libopus",
                "-b:a", f"{s.opus_bitrate}k", "-vbr", "constrained", "-f", "ogg"]
    raise ValueError(fmt)


def _escape(text: str) -> str:
    for ch in "\\=;#\n":
        text = text.replace(ch, "\\" + ch)
    return text


def ffmetadata(title: str, chapters: list[Chapter], duration_ms: int) -> str:
    """ffmpeg's metadata file: the title and every chapter, each ending where the next starts."""
    lines = [";FFMETADATA1", f"title={_escape(title)}"]
    ends = [c.start_ms for c in chapters[1:]] + [duration_ms]
    for c, end in zip(chapters, ends):
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={c.start_ms}", f"END={end}", f"title={_escape(c.title)}"]
    return "\n".join(lines) + "\n"


def first_attempt(fmt: str, mp3: Attempt) -> Attempt:
    """Where a rendition starts: the MP3's gain; for Opus a lower ceiling, since its
    codec noise lifts true peaks by up to 3 dB at 64 kb/s."""
    return Attempt(mp3.gain_db, mp3.ceiling_db - FIRST_MARGIN_DB.get(fmt, 0.0))


def correction(attempt: Attempt, integrated: float, true_peak: float, target: float,
               ceiling: float) -> Attempt | None:
    """The next try for a rendition that missed (None when it ships): the gain moved
    by the loudness miss; the limiter's ceiling lowered by PEAK_STEP times the peak
    overshoot, since a codec's noise moves the peaks less than the ceiling does."""
    loud_miss = target - integrated
    over = true_peak - (ceiling - PEAK_SAFETY_DB)
    if abs(loud_miss) <= GOAL_LU and over <= 0:
        return None
    lower = PEAK_STEP * over + 0.1 if over > 0 else 0.0
    return Attempt(attempt.gain_db + loud_miss, attempt.ceiling_db - lower)
