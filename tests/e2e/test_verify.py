"""The verifiers that decode each file while it is written (the MP3 from its
file, a rendition from its encoder's stdout), held to an independent decode of
the finished file (ffmpeg reading the LAME tag, the M4A's edit list, the Ogg
pre-skip)."""
from __future__ import annotations

import gc
import os
import subprocess
import threading
from pathlib import Path

import numpy as np
import pytest

from producer.core.episode import renditions
from producer.core.chapters.chapters import Chapter
from producer.core.episode.formats import FORMATS
from producer.core.episode.models import Preset
from producer.errors import EnvironmentFailure
from producer.io import ffmpeg
from producer.stages import encode, level
from producer.stages.verify import ASSUMED_DELAY, FROM_FILE, OVERLAPPED, TAPPED, OverlappedVerify, TappedVerify
from tests import factory

PRESET = Preset("t", -16.0, -1.0, 0.5, 128, 44100, 2)


def independent_decode(mp3: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(mp3), "-f", "f32le", "-ac", "2",
                          "-ar", "44100", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).reshape(-1, 2)


def encode_verified(tmp_path: Path, claimed_extra: int = 0) -> tuple[Path, np.ndarray, object, int]:
    wav = factory.speech_like(tmp_path / "in.wav", 9.3, 44100, 2, level_db=6, seed=5)
    mp3 = tmp_path / "out.mp3"
    seen: list[np.ndarray] = []
    verifier = OverlappedVerify(mp3, PRESET, sink=seen.append)
    frames = encode.encode(ffmpeg.decode(wav, 44100, 2), mp3, PRESET)
    verifier.finished(frames + claimed_extra)
    result = verifier.result()
    return mp3, np.concatenate(seen), result, frames


def test_overlapped_decode_is_the_finished_files_decode_sample_for_sample(tmp_path: Path) -> None:
    mp3, measured, result, frames = encode_verified(tmp_path)
    reference = independent_decode(mp3)
    assert result.method == OVERLAPPED
    assert len(measured) == frames
    # ffmpeg may hand out up to one MP3 frame of the encoder's padding past the end
    assert 0 <= len(reference) - frames < 1152, (len(reference), frames)
    assert np.array_equal(measured, reference[:frames])


def test_the_speech_figures_read_the_verifying_decode_through_their_own_chain(tmp_path: Path) -> None:
    """One decode of the MP3 feeds its meter and, through a second pipe, the speech
    figures: what that pipe carries is what a decode of the finished file through
    the same chain gives (the pipe's own end padding aside)."""
    wav = factory.speech_like(tmp_path / "in.wav", 9.3, 44100, 2, level_db=6, seed=5)
    mp3 = tmp_path / "out.mp3"
    side = ffmpeg.SideOutput(1, level.VAD_RATE)
    speech: list[np.ndarray] = []
    reader = threading.Thread(target=lambda: speech.extend(side))
    reader.start()
    verifier = OverlappedVerify(mp3, PRESET, side=(level.speech_chain(2, ASSUMED_DELAY), side))
    verifier.finished(encode.encode(ffmpeg.decode(wav, 44100, 2), mp3, PRESET))
    assert verifier.result().method == OVERLAPPED
    reader.join(timeout=30)
    assert not reader.is_alive()  # the pipe ended with ffmpeg
    piped = np.concatenate(speech)[:, 0]
    chain = level.speech_chain(2, 0).split(",", 1)[1]  # the finished file's decode drops the delay itself
    reference = np.concatenate(list(ffmpeg.PcmSource(["-i", str(mp3), "-af", chain],
                                                     1, level.VAD_RATE, mp3)))[:, 0]
    assert len(piped) >= len(reference) >= 9.3 * level.VAD_RATE - 1
    assert np.allclose(piped[:len(reference) - 500], reference[:-500], atol=1e-6)


def test_a_side_reader_that_stops_early_does_not_hold_up_the_verifier(tmp_path: Path) -> None:
    wav = factory.speech_like(tmp_path / "in.wav", 9.3, 44100, 2, level_db=6, seed=5)
    mp3 = tmp_path / "out.mp3"
    side = ffmpeg.SideOutput(1, level.VAD_RATE)
    reader = threading.Thread(target=lambda: next(iter(side)))  # one chunk, then the pipe is closed
    reader.start()
    verifier = OverlappedVerify(mp3, PRESET, side=(level.speech_chain(2, ASSUMED_DELAY), side))
    verifier.finished(encode.encode(ffmpeg.decode(wav, 44100, 2), mp3, PRESET))
    verifier.thread.join(timeout=60)
    assert not verifier.thread.is_alive()
    reader.join(timeout=5)
    assert not reader.is_alive()


def test_a_length_that_does_not_match_falls_back_to_decoding_the_file(tmp_path: Path) -> None:
    _, _, result, _ = encode_verified(tmp_path, claimed_extra=5000)
    assert result.method == FROM_FILE
    assert abs(result.loudness.integrated - factory.ebur128(tmp_path / "out.mp3").integrated) <= 0.1


@pytest.mark.parametrize("rate,channels,delay", [(44100, 2, None), (22050, 1, None), (48000, 2, 1000),
                                                 (16000, 1, 2047), (32000, 2, 0)])
def test_the_encoder_delay_read_from_the_lame_tag_is_ffprobes_start(tmp_path: Path, rate: int, channels: int,
                                                                    delay: int | None) -> None:
    """The verifier reads the delay from the first frame's LAME tag; ffprobe's start time
    (ffmpeg's demuxer reading the same tag) is the yardstick, also where the tag was
    rewritten to another delay."""
    from producer.stages.verify import encoder_delay

    mp3 = tmp_path / "t.mp3"
    factory.ffmpeg("-f", "lavfi", "-i", f"sine=f=440:d=2:r={rate}", "-ac", str(channels), "-c:a", "libmp3lame",
                   "-id3v2_version", "0", str(mp3))
    if delay is not None:  # the 12 bits after the LAME extension's 21st byte
        data = bytearray(mp3.read_bytes())
        at = data.index(b"Lavc" if b"Lavc" in data[:400] else b"LAME") + 21
        data[at], data[at + 1] = delay >> 4, ((delay & 0xF) << 4) | (data[at + 1] & 0xF)
        mp3.write_bytes(bytes(data))
    start = float(factory.ffprobe(mp3, "stream=start_time")["streams"][0]["start_time"])
    assert encoder_delay(mp3, rate) == round(start * rate)


def independent_decode_at(path: Path, rate: int) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "2",
                          "-ar", str(rate), "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).reshape(-1, 2)


@pytest.mark.parametrize("fmt", ["m4a", "opus"])
def test_a_rendition_measured_from_its_encoders_stream_is_its_finished_files_decode(tmp_path: Path, fmt: str) -> None:
    """The copy of the packets on the encoder's stdout decodes, once the priming is
    dropped, to exactly what ffmpeg decodes the finished file to."""
    wav = factory.speech_like(tmp_path / "in.wav", 9.3, 44100, 2, level_db=6, seed=5)
    out = tmp_path / f"out.{fmt}"
    meta = tmp_path / "chapters.ffmetadata"
    meta.write_text(renditions.ffmetadata("T", [Chapter(0, "One"), Chapter(4000, "Two")], 9300), encoding="utf-8")
    seen: list[np.ndarray] = []
    encoder = encode.tapped_encoder(FORMATS[fmt], out, PRESET)
    verifier = TappedVerify(encoder, FORMATS[fmt], out, PRESET, sink=seen.append)
    for chunk in ffmpeg.decode(wav, 44100, 2):
        encoder.write(chunk)
    encoder.close()
    if FORMATS[fmt].tap.beside:
        encode.remux(FORMATS[fmt], out, meta)
    result = verifier.result()
    rate = FORMATS[fmt].tap.rate or PRESET.sample_rate
    assert result.method == TAPPED
    assert np.array_equal(np.concatenate(seen), independent_decode_at(out, rate))
    assert abs(result.loudness.integrated - factory.ebur128(out).integrated) <= 0.1
    chapters = factory.ffprobe(out, "chapter=start_time")["chapters"] if fmt == "m4a" else []
    assert [float(c["start_time"]) for c in chapters] == ([0.0, 4.0] if fmt == "m4a" else [])


def test_a_full_disk_under_the_copied_stream_fails_cleanly_without_a_hang(tmp_path: Path) -> None:
    """The Opus file is our copy of its encoder's stdout: a write that fails must
    neither leave the encoder blocked on its pipe nor pass for a file."""
    out = tmp_path / "out.opus"
    out.mkdir()  # opening it for writing fails as a full disk would
    encoder = encode.tapped_encoder(FORMATS["opus"], out, PRESET)
    verifier = TappedVerify(encoder, FORMATS["opus"], out, PRESET)
    wav = factory.speech_like(tmp_path / "in.wav", 20.0, 44100, 2, level_db=6, seed=5)
    for chunk in ffmpeg.decode(wav, 44100, 2):
        encoder.write(chunk)
    encoder.close()
    with pytest.raises(EnvironmentFailure, match="out.opus"):
        verifier.result()


def test_the_tee_muxer_writes_a_file_whose_name_it_would_read_as_syntax(tmp_path: Path) -> None:
    """The M4A goes through ffmpeg's tee muxer, which reads | [ ] ' \\ and spaces in
    the name it is given: a folder named with all of them still gets its file."""
    folder = tmp_path / "a show [2026] | 'pilot' \\ take"
    folder.mkdir()
    out = folder / "ep 1.m4a"
    meta = tmp_path / "chapters.ffmetadata"
    meta.write_text(renditions.ffmetadata("T", [Chapter(0, "One")], 2000), encoding="utf-8")
    encoder = encode.tapped_encoder(FORMATS["m4a"], out, PRESET)
    verifier = TappedVerify(encoder, FORMATS["m4a"], out, PRESET)
    encoder.write(np.zeros((88200, 2), np.float32))
    encoder.close()
    encode.remux(FORMATS["m4a"], out, meta)
    assert verifier.result().method == TAPPED
    assert sorted(p.name for p in folder.iterdir()) == ["ep 1.m4a"]
    assert factory.decoded_frames(out) == 88200 + 1024 - 88200 % 1024  # whole AAC frames, as ffmpeg decodes them


def test_a_side_output_never_used_leaves_no_descriptor_open() -> None:
    """A build that fails before the verifying decode starts drops its side pipe."""
    gc.collect()  # what earlier tests left to the collector goes first
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        ffmpeg.SideOutput(1, level.VAD_RATE)  # two descriptors each
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) <= before
