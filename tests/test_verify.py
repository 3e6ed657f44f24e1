"""The verifier that decodes the MP3 while LAME writes it, held to an independent
decode of the finished file (ffmpeg reading the LAME tag: gapless trimming)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from producer.core.models import Preset
from producer.io import ffmpeg
from producer.stages import encode
from producer.stages.verify import FROM_FILE, OVERLAPPED, OverlappedVerify
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


def test_a_length_that_does_not_match_falls_back_to_decoding_the_file(tmp_path: Path) -> None:
    _, _, result, _ = encode_verified(tmp_path, claimed_extra=5000)
    assert result.method == FROM_FILE
    assert abs(result.loudness.integrated - factory.ebur128(tmp_path / "out.mp3").integrated) <= 0.1
