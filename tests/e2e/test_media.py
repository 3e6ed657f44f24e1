"""The ffmpeg edge: streaming, early stops, failures."""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from producer.core.episode.models import Preset
from producer.io import ffmpeg as media
from producer.errors import MediaError
from tests import factory

STEREO = Preset("t", -16, -1, 0.5, 128, 44100, 2)


def test_decode_streams_in_chunks_with_exact_length(tmp_path: Path) -> None:
    wav = factory.music_like(tmp_path / "m.wav", 9.5, 48000, 2)
    source = media.decode(wav, 44100, 1, chunk_seconds=2.0)
    sizes = [len(c) for c in source]
    assert sizes[:-1] == [88200] * (len(sizes) - 1) and sum(sizes) == round(9.5 * 44100)
    assert source.frames == sum(sizes)


def ffmpeg_children() -> list[int]:
    """Our own ffmpeg children, from /proc (not from the code under test)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1: stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name == "ffmpeg" and int(rest[1]) == os.getpid() and rest[0] != "Z":
            found.append(int(entry))
    return found


def test_stopping_early_ends_ffmpeg_without_an_error(tmp_path: Path) -> None:
    wav = factory.music_like(tmp_path / "m.wav", 60, 44100, 2)
    started = time.monotonic()
    chunks = iter(media.decode(wav, chunk_seconds=0.5))
    next(chunks)
    assert ffmpeg_children(), "the decode is running (60 s do not fit in the pipe and the prefetch)"
    chunks.close()  # what a `break` out of the loop does
    assert not ffmpeg_children(), "ffmpeg is still running after the reader stopped"
    assert time.monotonic() - started < 5


def test_undecodable_audio_is_a_media_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + bytes(range(256)) * 20)
    with pytest.raises(MediaError, match="bad.flac"):
        list(media.decode(bad, 44100, 2))


def test_encoder_writes_a_file_whose_decode_has_the_same_length(tmp_path: Path) -> None:
    out = tmp_path / "o.mp3"
    enc = media.Mp3Encoder(out, STEREO)
    for _ in range(5):
        enc.write(np.zeros((44100, 2), np.float32) + 0.01)
    enc.close()
    assert factory.decoded_frames(out) == 5 * 44100


def test_encoder_abort_leaves_no_running_process(tmp_path: Path) -> None:
    enc = media.Mp3Encoder(tmp_path / "o.mp3", STEREO)
    enc.write(np.zeros((44100, 2), np.float32))
    enc.abort()
    assert enc.proc.poll() is not None
