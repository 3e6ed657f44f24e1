"""The streaming meter against pyloudnorm (the reference) and ffmpeg's ebur128."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from producer.core.audio import loudness
from producer.io import ffmpeg as media
from producer.stages.measure import measure_file
from tests import factory


def whole(path: Path, rate: int, channels: int) -> np.ndarray:
    return np.concatenate(list(media.decode(path, rate, channels))).astype(np.float64)


@pytest.mark.parametrize("rate,channels,level", [(44100, 2, 0.0), (48000, 1, -12.0), (22050, 2, 6.0),
                                                 (16000, 1, -30.0)])
def test_integrated_loudness_agrees_with_pyloudnorm(tmp_path: Path, rate: int, channels: int,
                                                   level: float) -> None:
    wav = factory.speech_like(tmp_path / "s.wav", 23.3, rate, channels, level_db=level, seed=rate)
    ours = loudness.measure_chunks(media.decode(wav, rate, channels, chunk_seconds=1.7), rate, channels)
    reference = factory.lufs_of(whole(wav, rate, channels), rate)
    assert abs(ours.integrated - reference) <= 0.1, (ours.integrated, reference)


@pytest.mark.parametrize("rate,channels,level", [(44100, 2, 0.0), (48000, 1, -12.0), (16000, 1, -30.0)])
def test_the_builds_meter_weighted_by_ffmpeg_agrees_with_pyloudnorm(tmp_path: Path, rate: int, channels: int,
                                                                    level: float) -> None:
    """A build measures with ffmpeg's biquads doing the K-weighting (no scipy loaded):
    held to pyloudnorm on the whole signal, and to the meter's own sosfilt path."""
    wav = factory.speech_like(tmp_path / "s.wav", 23.3, rate, channels, level_db=level, seed=rate)
    ours = measure_file(wav, rate, channels)
    reference = factory.lufs_of(whole(wav, rate, channels), rate)
    assert abs(ours.integrated - reference) <= 0.1, (ours.integrated, reference)
    in_python = loudness.measure_chunks(media.decode(wav, rate, channels), rate, channels)
    assert abs(ours.integrated - in_python.integrated) <= 0.001 and ours.true_peak == in_python.true_peak
    assert abs(ours.lra - in_python.lra) <= 0.01


def test_the_oversampling_filter_is_scipys_firwin() -> None:
    from scipy import signal

    for factor, taps in ((loudness.OVERSAMPLE, loudness.TAPS_PER_PHASE), (8, 32)):
        reference = signal.firwin(factor * taps, 1.0 / factor, window=("kaiser", 6.0)) * factor
        assert np.allclose(loudness.interpolator(factor, taps), reference, rtol=0, atol=1e-12)


def test_chunk_size_does_not_change_the_result(tmp_path: Path) -> None:
    wav = factory.music_like(tmp_path / "m.wav", 9.0, 44100, 2)
    results = {loudness.measure_chunks(media.decode(wav, chunk_seconds=s), 44100, 2)
               for s in (0.05, 0.33, 4.0, 30.0)}
    assert len({round(r.integrated, 6) for r in results}) == 1
    assert len({round(r.true_peak, 6) for r in results}) == 1


def test_true_peak_sees_intersample_peaks(tmp_path: Path) -> None:
    # a full-scale sine at fs/4 sampled at 45°: every sample is at 0.707, the wave reaches 1.0
    rate = 44100
    n = np.arange(rate * 3)
    x = np.sin(2 * np.pi * (rate / 4) * n / rate + np.pi / 4).astype(np.float32) * 0.99
    raw = tmp_path / "x.f32"
    x.tofile(raw)
    wav = tmp_path / "x.wav"
    factory.ffmpeg("-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", str(raw), "-c:a", "pcm_f32le", str(wav))
    ours = loudness.measure_chunks(media.decode(wav), rate, 1)
    assert ours.sample_peak == pytest.approx(20 * np.log10(0.99 * np.sqrt(0.5)), abs=0.01)
    # the analytic peak; ffmpeg's ebur128 reads +0.5 dBTP here (its 192 kHz resampler rings
    # near fs/4), so agreement with it is tested on programme material in test_check.py
    assert ours.true_peak == pytest.approx(20 * np.log10(0.99), abs=0.1)


def test_silence_is_minus_infinity_not_a_crash() -> None:
    silent = [np.zeros((44100, 2), np.float32)] * 3
    result = loudness.measure_chunks(silent, 44100, 2)
    assert result.integrated == float("-inf") and result.as_dict()["integrated"] is None


def test_meter_memory_is_per_100ms_not_per_sample() -> None:
    meter = loudness.Meter(44100, 2)
    for _ in range(60):
        meter.add(np.random.default_rng(1).normal(0, 0.1, (44100, 2)).astype(np.float32))
    assert sum(len(e) for e in meter.energies) == 600 and meter.partial.shape[0] < 4410


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(1, 3000), min_size=1, max_size=6))
def test_streaming_true_peak_equals_whole_signal_oversampling(seed: int, sizes: list[int]) -> None:
    """Skipping places that cannot beat the running peak loses nothing."""
    rng = np.random.default_rng(seed)
    x = (rng.normal(0, 0.2, (sum(sizes), 2)) * rng.uniform(0, 1, (sum(sizes), 1))).astype(np.float32)
    meter = loudness.TruePeak(2)
    start = 0
    for size in sizes:
        meter.add(x[start:start + size])
        start += size
    padded = np.concatenate([np.zeros((12, 2), np.float32), x, np.zeros((12, 2), np.float32)])
    reference = max(float(loudness.oversampled(padded).max()), float(np.abs(x).max()))
    assert meter.finish() == pytest.approx(reference, rel=1e-6)
