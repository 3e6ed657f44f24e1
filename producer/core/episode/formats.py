"""Every output format as one row: file suffix, media type, encoder arguments,
where its first render sits under the ceiling, how far a peak overshoot moves
the next ceiling, and which tag and chapter writer it takes. A new format is
one row here (and, if its tags are new, one writer in io/tags). Pure."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .models import Preset

OPUS_RATE = 48000  # the only rate Opus codes at; ffmpeg resamples to it (soxr)


@dataclass(frozen=True)
class Tap:
    """How a rendition is measured while it is encoded: ffmpeg writes a copy of
    the encoded packets to its stdout in a streamable container (`muxer`, read
    back by `demuxer`), which a decoder reads as it comes. `beside`: the file is
    a second muxer next to that copy (ffmpeg's tee muxer; an MP4's index is
    written last, so it cannot be read as it grows); otherwise the copy is the
    file, and we write it to disk. `priming`: the samples the copy decodes to
    before the file's first (AAC's encoder delay, which the M4A's edit list
    trims). `rate`: the file's own, when not the preset's."""

    muxer: str
    demuxer: str
    beside: bool
    priming: int
    rate: int | None


@dataclass(frozen=True)
class Format:
    name: str  # "mp3", as show.toml's renditions and the preset's main name it
    mime: str  # the enclosure's type
    title: str  # podcast:alternateEnclosure's title
    encoder: Callable[[Preset], list[str]]  # ffmpeg's codec options, after the PCM input
    muxer: str  # ffmpeg's -f
    muxer_options: tuple[tuple[str, str], ...]
    first_margin_db: float  # the first render's limiter ceiling, this far under the preset's
    peak_step: float  # a peak overshoot lowers the next ceiling by this many times the overshoot
    tags: str  # the tag writer and reader in io/tags: "id3" | "mp4" | "vorbis"
    chapters: str  # who writes the chapters: "id3" (CHAP/CTOC), "ffmetadata" (ffmpeg), "vorbis" (comments)
    tap: Tap | None  # None: measured another way (the MP3 is followed on disk)
    video: bool = False  # a picture stream beside the audio (core.episode.video): the MP4 for YouTube

    @property
    def suffix(self) -> str:
        return f".{self.name}"


def _mp3(p: Preset) -> list[str]:
    quality = ["-b:a", f"{p.bitrate_kbps}k"] if p.mode == "cbr" else ["-q:a", str(vbr_quality(p.bitrate_kbps))]
    return ["-c:a", "libmp3lame", *quality]


def _m4a(p: Preset) -> list[str]:
    # the fast coder: half the CPU of the default two-loop search (25 against 51 s an hour
    # on one core), at 128 kb/s no difference a speech listener hears
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", f"{p.renditions.m4a_bitrate}k"]


def _opus(p: Preset) -> list[str]:
    return ["-af", f"aresample={OPUS_RATE}:resampler=soxr", "-c:a", "libopus", "-b:a",
            f"{p.renditions.opus_bitrate}k", "-vbr", "constrained"]


def _mp4(p: Preset) -> list[str]:
    # the audio as the M4A's; the picture changes only when a chapter does, so x264's
    # still-image tuning at one frame a second costs little (core.episode.video). Two
    # threads and no lookahead: a still needs no frame planning, and x264's 1080p frame
    # buffers were 300 MB of the build's memory (measured: 312 → 217 MB for the encoder)
    return [*_m4a(p), "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-pix_fmt", "yuv420p",
            "-g", "10", "-threads", "2", "-x264-params", "rc-lookahead=0:sync-lookahead=0"]


def output_args(fmt: Format, p: Preset) -> list[str]:
    """The codec, then the muxer and its options: everything before the output's name."""
    return [*fmt.encoder(p), *muxer_args(fmt)]


def muxer_args(fmt: Format) -> list[str]:
    """The muxer's options, then the muxer (for an encode, or a remux's stream copy)."""
    return [*(arg for key, value in fmt.muxer_options for arg in (f"-{key}", value)), "-f", fmt.muxer]


def vbr_quality(kbps: int) -> int:
    """LAME's -V scale, the closest average bitrate."""
    table = [(245, 0), (225, 1), (190, 2), (175, 3), (165, 4), (130, 5), (115, 6), (100, 7), (85, 8)]
    return next((q for rate, q in table if kbps >= rate), 9)


# LAME adds a few tenths to peaks; AAC about as much; Opus's codec noise lifts true
# peaks by up to 3 dB at 64 kb/s, so it starts 3 dB lower than the MP3. A codec's
# noise moves the peaks less than the limiter's ceiling does: hence the 1.5 steps.
# ffmpeg 5.1 writes Ogg chapter comments with the seconds rounded (10.5 s becomes
# "00:00:11.500"), so the Opus chapters are written by mutagen, not by ffmpeg.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("mp3", "audio/mpeg", "MP3", _mp3, "mp3",
           (("write_xing", "1"), ("id3v2_version", "0"), ("write_id3v1", "0")), 0.5, 1.0, "id3", "id3", None),
    Format("m4a", "audio/mp4", "AAC", _m4a, "ipod", (("movflags", "+faststart"),), 0.5, 1.5, "mp4", "ffmetadata",
           Tap("adts", "aac", beside=True, priming=1024, rate=None)),
    # bitexact: the Ogg serial number is not random, so a rebuild from the same inputs
    # gives the same bytes (and -j 2 those of one-by-one builds)
    Format("opus", "audio/ogg", "Opus (small, for metered data)", _opus, "ogg", (("fflags", "+bitexact"),), 3.5, 1.5,
           "vorbis", "vorbis", Tap("ogg", "ogg", beside=False, priming=0, rate=OPUS_RATE)),
    Format("mp4", "video/mp4", "Video (H.264 and AAC, for YouTube)", _mp4, "mp4", (("movflags", "+faststart"),),
           0.5, 1.5, "mp4", "ffmetadata", Tap("adts", "aac", beside=True, priming=1024, rate=None), video=True),
)}
MAIN = FORMATS["mp3"]
RENDITIONS = tuple(name for name in FORMATS if name != MAIN.name)


def by_suffix(suffix: str) -> Format | None:
    return next((f for f in FORMATS.values() if f.suffix == suffix.lower()), None)
