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
from producer.stages.verify import FROM_FILE, OVERLAPPED, TAPPED, OverlappedVerify, TappedVerify
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


def test_the_speech_energies_are_the_finished_files_k_weighted_mean_square_every_100_ms(tmp_path: Path) -> None:
    """The decode that verifies the MP3 also gives the speech figures their energies:
    every 100 ms's mean square of the channels' mean, K-weighted. The yardstick: the
    finished file decoded by ffmpeg, K-weighted by pyloudnorm's own BS.1770 filters
    (scipy), on two channels that differ (the left 6 dB over the right)."""
    import pyloudnorm

    wav = tmp_path / "in.wav"
    factory.ffmpeg("-i", str(factory.speech_like(tmp_path / "v.wav", 9.3, 44100, 1, level_db=6, seed=5)),
                   "-af", "pan=stereo|c0=c0|c1=0.5*c0", str(wav))
    mp3 = tmp_path / "out.mp3"
    verifier = OverlappedVerify(mp3, PRESET, downmix=True)
    frames = encode.encode(ffmpeg.decode(wav, 44100, 2), mp3, PRESET)
    verifier.finished(frames)
    assert verifier.result().method == OVERLAPPED
    energy = verifier.speech_energy()
    assert energy is not None

    decoded = independent_decode(mp3).astype(np.float64)
    meter = pyloudnorm.Meter(44100)
    for stage in meter._filters.values():  # the K-weighting's shelf and high-pass, pyloudnorm's coefficients
        decoded = np.stack([stage.apply_filter(decoded[:, c]) for c in range(2)], axis=1)
    mono = decoded[:frames].mean(axis=1)  # ffmpeg may hand out part of a frame of LAME's padding
    whole = len(mono) // 4410 * 4410
    reference = np.square(mono[:whole]).reshape(-1, 4410).mean(axis=1)
    assert len(energy) == -(-len(mono) // 4410)  # the last part block is one more
    heard = reference > 1e-7  # above -70 LUFS
    assert heard.sum() > 40
    ratio_db = 10 * np.log10(energy[:len(reference)][heard] / reference[heard])
    assert np.abs(ratio_db).max() < 0.01, np.abs(ratio_db).max()


def test_a_side_reader_that_stops_early_does_not_hold_up_the_meter(tmp_path: Path) -> None:
    """A decode with a second output (check's meter and its speech figures): the side's
    reader takes one chunk and closes its pipe; the meter's own reading ends too, with
    ffmpeg's broken pipe as its error, rather than waiting for a reader that is gone."""
    from producer.errors import MediaError
    from producer.stages.measure import metered

    # 40 s: more than the side's pipe holds (1 MB, 16 s at 16 kHz), so ffmpeg would block on it
    wav = factory.speech_like(tmp_path / "in.wav", 40.0, 44100, 2, level_db=6, seed=5)
    side = ffmpeg.SideOutput(1, level.VAD_RATE)
    reader = threading.Thread(target=lambda: next(iter(side)))  # one chunk, then the pipe is closed
    source = metered(["-i", str(wav)], 44100, 2, wav, side=(level.track_chain(2), side))
    failures: list[MediaError] = []

    def read_all() -> None:
        try:
            for _ in source:
                pass
        except MediaError as e:
            failures.append(e)

    reader.start()
    meter = threading.Thread(target=read_all, daemon=True)
    meter.start()
    meter.join(timeout=60)
    assert not meter.is_alive()
    assert all("Broken pipe" in str(e) for e in failures), failures
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
