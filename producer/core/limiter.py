"""One linear gain for the whole programme, then a true-peak limiter
that touches only the moments whose oversampled peak would cross the ceiling.

The limiter looks ahead: each sample's gain is the lowest any nearby peak
needs (a minimum filter over ±HOLD), smoothed by two box filters whose reach
stays inside that window, so the smoothed gain never rises above what any
sample needs. Away from peaks the gain is exactly 1: no compression of the
programme as a whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np
from .lazy import ndimage

from . import loudness

HOLD_SECONDS = 0.010
# The limiter looks closer than the meter. BS.1770's 4x interpolator of 12 taps a phase
# rolls off near Nyquist and reads up to 0.3 dB under the peaks of broadband material (an
# independent 8x resample_poly shows it); 8x with 32 taps a phase holds that reading too.
# It costs 20x the 4x one, so the 4x one screens first: only where it reads within
# SCREEN_DB of the ceiling is the fine one computed (broadband noise, the worst case,
# needs 0.33 dB; tests/test_render.py holds the result to the independent reading).
DETECT_OVERSAMPLE = 8
DETECT_TAPS = 32
SCREEN_DB = 1.5


@dataclass
class LimiterStats:
    limited_frames: int = 0
    max_reduction_db: float = 0.0
    frames: int = 0
    chunks_examined: int = 0
    chunks_total: int = 0
    peak: float = 0.0  # the largest gained sample, before limiting

    def as_dict(self) -> dict[str, float | int]:
        return {"limited_frames": self.limited_frames,
                "max_reduction_db": round(self.max_reduction_db, 3),
                "chunks_examined": self.chunks_examined, "chunks_total": self.chunks_total,
                "peak_db": round(loudness.db(self.peak), 3)}


@dataclass
class Limiter:
    gain_db: float
    ceiling_db: float
    rate: int
    stats: LimiterStats = field(default_factory=LimiterStats)

    def __post_init__(self) -> None:
        self.gain = 10 ** (self.gain_db / 20)
        self.ceiling = 10 ** (self.ceiling_db / 20)
        self.hold = max(2, int(HOLD_SECONDS * self.rate))
        self.box = max(3, (self.hold // 2) | 1)  # two boxes of this size reach at most ±hold
        self.screen = self.ceiling * 10 ** (-SCREEN_DB / 20)
        self.context = self.hold + self.box + DETECT_TAPS + 1

    def process(self, chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """Gain-and-limit a stream of (frames, channels) chunks; same total length out."""
        previous: np.ndarray | None = None
        current: np.ndarray | None = None
        for chunk in chunks:
            chunk = chunk.astype(np.float32) * np.float32(self.gain)
            if current is not None:
                yield self._limit(previous, current, chunk)
                previous = current
            current = chunk
        if current is not None:
            yield self._limit(previous, current, None)

    def _limit(self, before: np.ndarray | None, chunk: np.ndarray, after: np.ndarray | None) -> np.ndarray:
        self.stats.frames += len(chunk)
        self.stats.chunks_total += 1
        n = self.context
        head = before[-n:] if before is not None else np.zeros((0, chunk.shape[1]), np.float32)
        tail = after[:n] if after is not None else np.zeros((0, chunk.shape[1]), np.float32)
        window = np.concatenate([_pad_front(head, n), chunk, _pad_back(tail, n)])
        largest = float(np.abs(window).max())  # the windows overlap: their largest is the stream's
        self.stats.peak = max(self.stats.peak, largest)
        if largest * loudness.peak_bound() <= self.screen:
            return chunk
        self.stats.chunks_examined += 1
        need = self._peak_envelope(window)
        if float(need.max()) <= self.ceiling:  # no peak in reach of this chunk needs limiting
            return chunk
        gains = self._gains(need)[n: n + len(chunk)]
        if gains.min() < 1.0:
            limited = gains < 1.0
            self.stats.limited_frames += int(limited.sum())
            self.stats.max_reduction_db = max(self.stats.max_reduction_db, -loudness.db(float(gains.min())))
            return chunk * gains[:, None].astype(np.float32)
        return chunk

    def _gains(self, need: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            target = np.minimum(1.0, self.ceiling / np.maximum(need, 1e-12))
        held = ndimage.minimum_filter1d(target, size=2 * self.hold + 1, mode="nearest")
        smooth = ndimage.uniform_filter1d(held, size=self.box, mode="nearest")
        smooth = ndimage.uniform_filter1d(smooth, size=self.box, mode="nearest")
        # The box filters' running sums leave rounding noise: away from peaks the gain
        # must be exactly 1, and nowhere may it rise above what a sample needs.
        smooth[smooth > 1.0 - 1e-6] = 1.0
        return np.minimum(smooth, target)

    def _peak_envelope(self, window: np.ndarray) -> np.ndarray:
        """Per sample: the largest of its own value and the interpolated values on
        either side, the fine ones computed only where the coarse screen reads
        within SCREEN_DB of the ceiling."""
        need = loudness.frame_peaks(window)
        coarse = loudness.candidates(window, self.screen, need)
        if not len(coarse):
            return need
        close = coarse[loudness.interpolated_peaks(window, coarse) > self.screen]
        if not len(close):
            return need
        # coarse group m lies between samples m-6 and m-5: the samples around it, and
        # the fine groups (between m'-16 and m'-15) that reach them
        half = loudness.TAPS_PER_PHASE // 2
        samples = np.unique((close[:, None] - half + np.arange(-2, 4)[None, :]).ravel())
        fine = np.unique(np.concatenate([samples + DETECT_TAPS // 2, samples + DETECT_TAPS // 2 - 1]))
        fine = fine[(fine >= DETECT_TAPS - 1) & (fine < len(window))]
        values = loudness.interpolated_peaks(window, fine, DETECT_OVERSAMPLE, DETECT_TAPS)
        for shift in (DETECT_TAPS // 2, DETECT_TAPS // 2 - 1):  # fine group m lies between these samples
            np.maximum.at(need, fine - shift, values)
        return need


def _pad_front(a: np.ndarray, n: int) -> np.ndarray:
    return a if len(a) >= n else np.concatenate([np.zeros((n - len(a), a.shape[1]), a.dtype), a])


def _pad_back(a: np.ndarray, n: int) -> np.ndarray:
    return a if len(a) >= n else np.concatenate([a, np.zeros((n - len(a), a.shape[1]), a.dtype)])
