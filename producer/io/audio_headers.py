"""What a WAV's or a FLAC's own header says of its audio, where that is exactly what
ffprobe says (io.ffmpeg.probe asks here first: an ffprobe costs 75 ms of CPU before
it reads a byte, and a build probes every input). None wherever the header leaves
any doubt (a compressed or extensible WAV, a data chunk longer than the file, a FLAC
whose length is not in its STREAMINFO, anything else): ffprobe answers then, with
its own words for what is wrong."""
from __future__ import annotations

import struct
from pathlib import Path
from typing import Callable

import mutagen
import mutagen.flac

from ..core.episode.models import AudioInfo

# WAVE_FORMAT_PCM's sample widths, named as ffprobe names their codecs
PCM_CODECS = {8: "pcm_u8", 16: "pcm_s16le", 24: "pcm_s24le", 32: "pcm_s32le"}
WAVE_FORMAT_PCM = 1


def read(path: Path) -> AudioInfo | None:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        return None
    try:
        return reader(path)
    except (OSError, struct.error, mutagen.MutagenError):
        return None


def _seconds(frames: int, rate: int) -> float:
    """As ffprobe prints a duration: to the microsecond."""
    return float(f"{frames / rate:.6f}")


def _wav(path: Path) -> AudioInfo | None:
    size = path.stat().st_size
    with path.open("rb") as f:
        if f.read(4) != b"RIFF" or f.read(8)[4:] != b"WAVE":
            return None
        fmt = None
        while len(head := f.read(8)) == 8:
            name, length = struct.unpack("<4sI", head)
            if name == b"data":
                return _pcm(path, fmt, length, f.tell(), size)
            if name == b"fmt ":
                fmt = struct.unpack_from("<HHIIHH", f.read(length + (length & 1)))
            else:  # chunks are padded to an even length; a long one (bext, junk) is not read
                f.seek(length + (length & 1), 1)
    return None


def _pcm(path: Path, fmt: tuple[int, ...] | None, length: int, at: int, size: int) -> AudioInfo | None:
    if fmt is None or not length or at + length > size:  # a recorder that never wrote its length
        return None
    tag, channels, rate, _, align, bits = fmt
    if tag != WAVE_FORMAT_PCM or bits not in PCM_CODECS or not channels or not rate or align != channels * bits // 8:
        return None
    return AudioInfo(path, _seconds(length // align, rate), rate, channels, PCM_CODECS[bits], container="wav")


def _flac(path: Path) -> AudioInfo | None:
    info = mutagen.flac.FLAC(path).info
    if not info.total_samples or not info.sample_rate:
        return None
    return AudioInfo(path, _seconds(info.total_samples, info.sample_rate), info.sample_rate, info.channels, "flac",
                     container="flac")


READERS: dict[str, Callable[[Path], AudioInfo | None]] = {".wav": _wav, ".flac": _flac}
