"""The limiter: a ceiling held on true peaks, and the programme untouched elsewhere."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from scipy import ndimage

from producer.core.audio.limiter import Limiter, box_filter, minimum_filter


def programme(seconds: float = 6.0, rate: int = 44100) -> np.ndarray:
    rng = np.random.default_rng(7)
    x = rng.normal(0, 0.05, (int(seconds * rate), 2)).astype(np.float32)
    x[int(2.0 * rate): int(2.0 * rate) + 20] = 0.98  # a full-scale transient
    x[int(4.5 * rate)] = [-0.9, 0.9]
    return x


def chunks(x: np.ndarray, size: int) -> list[np.ndarray]:
    return [x[i: i + size] for i in range(0, len(x), size)]


def run(x: np.ndarray, gain_db: float, ceiling_db: float, chunk: int = 44100) -> tuple[np.ndarray, Limiter]:
    lim = Limiter(gain_db, ceiling_db, 44100)
    return np.concatenate(list(lim.process(chunks(x, chunk)))), lim


def independent_true_peak(x: np.ndarray) -> float:
    """8x oversampled by scipy's resample_poly (its own 161-tap Kaiser filter): shares
    nothing with the limiter's or the meter's interpolator."""
    up = signal.resample_poly(x.astype(np.float64), 8, 1, axis=0)
    return float(20 * np.log10(np.abs(up).max()))


@pytest.mark.parametrize("gain_db", [6.0, 12.0])
def test_true_peak_stays_under_the_ceiling_by_an_independent_oversampler(gain_db: float) -> None:
    # broadband noise pushed up to 12 dB into the ceiling: the hardest case for an interpolator
    out, lim = run(programme(), gain_db, -1.0)
    assert independent_true_peak(out) <= -1.0 + 0.005
    assert lim.stats.limited_frames > 0 and lim.stats.max_reduction_db > gain_db


def test_away_from_peaks_the_gain_is_exactly_linear() -> None:
    x = programme()
    out, _ = run(x, 6.0, -1.0)
    gain = np.float32(10 ** (6.0 / 20))
    far = np.ones(len(x), bool)
    for centre in (int(2.0 * 44100), int(4.5 * 44100)):
        far[centre - 2205: centre + 2205] = False  # ±50 ms around each transient
    assert np.array_equal(out[far], x[far] * gain)
    assert len(out) == len(x)


def test_chunking_does_not_change_the_output() -> None:
    x = programme()
    a, _ = run(x, 6.0, -1.0, chunk=44100)
    b, _ = run(x, 6.0, -1.0, chunk=7919)
    assert np.allclose(a, b, atol=1e-6)


def test_nothing_near_the_ceiling_means_nothing_limited() -> None:
    x = programme() * 0.3
    out, lim = run(x, 0.0, -1.0)
    assert lim.stats.limited_frames == 0 and np.array_equal(out, x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_gain_filters_are_scipy_ndimages(dtype: type) -> None:
    """The limiter's running minimum and box filter, written in numpy so that a build
    does not load scipy, against scipy.ndimage's (mode "nearest")."""
    rng = np.random.default_rng(3)
    for n in (1, 4, 300, 45490):
        x = rng.uniform(0.2, 1.0, n).astype(dtype)
        x[rng.random(n) < 0.9] = 1.0  # mostly exactly one, as the limiter's targets are
        for size in (3, 221, 883):
            assert np.array_equal(minimum_filter(x, size), ndimage.minimum_filter1d(x, size, mode="nearest"))
            box, reference = box_filter(x, size), ndimage.uniform_filter1d(x, size, mode="nearest")
            assert box.dtype == reference.dtype
            assert np.abs(box - reference).max() <= (1e-6 if dtype == np.float32 else 1e-10)  # running sums round


@pytest.mark.parametrize("channels", [1, 2])
def test_a_metered_chunk_comes_apart_as_its_samples_and_their_weighted_copy(channels: int) -> None:
    """stages.measure.halves: the decode's frames are the samples, then their K-weighted
    copy; stereo comes apart by a copy a frame at a time, which must be numpy's own
    column slices, contiguous, whatever the buffer (a pipe's bytes are read-only)."""
    from producer.stages.measure import halves

    frames = np.random.default_rng(3).normal(0, 0.3, (4410, 2 * channels)).astype(np.float32)
    read_only = np.frombuffer(frames.tobytes(), np.float32).reshape(-1, 2 * channels)
    samples, weighted = halves(read_only, channels)
    assert np.array_equal(samples, frames[:, :channels]) and np.array_equal(weighted, frames[:, channels:])
    assert samples.shape == weighted.shape == (4410, channels)
    if channels == 2:
        assert samples.flags.c_contiguous and weighted.flags.c_contiguous
