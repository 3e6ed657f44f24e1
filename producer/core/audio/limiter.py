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

from . import loudness

HOLD_SECONDS = 0.010
# The limiter looks closer than the meter. BS.1770's 4x interpolator of 12 taps a phase
# rolls off near Nyquist and reads up to 0.3 dB under the peaks of broadband material (an
# independent 8x resample_poly shows it); 8x with 32 taps a phase holds that reading too.
# It costs 20x the 4x one, so the 4x one screens first: only where it reads within
# SCREEN_DB of the ceiling is the fine one computed (broadband noise, the worst case,
# needs 0.33 dB; tests/unit/test_render.py holds the result to the independent reading).
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
        return (out for (out,) in LimiterBank([self]).process(chunks))

    def limit(self, chunk: np.ndarray, window: Window) -> np.ndarray:
        """One chunk, gained and limited, given its window's peaks."""
        self.stats.frames += len(chunk)
        self.stats.chunks_total += 1
        self.stats.peak = max(self.stats.peak, window.largest * self.gain)
        gained = chunk * np.float32(self.gain)
        if not self.examines(window.largest):
            return gained
        self.stats.chunks_examined += 1
        need = window.envelope() * self.gain
        if float(need.max()) <= self.ceiling:  # no peak in reach of this chunk needs limiting
            return gained
        n = self.context
        gains = self._gains(need)[n: n + len(chunk)]
        if gains.min() < 1.0:
            self.stats.limited_frames += int((gains < 1.0).sum())
            self.stats.max_reduction_db = max(self.stats.max_reduction_db, -loudness.db(float(gains.min())))
            # in place, a channel at a time: the product broadcast over (frames, 1) and a copy
            # of the gains were 3x this, 2 s of CPU an hour for a limiter that works most chunks
            for c in range(gained.shape[1]):
                gained[:, c] *= gains
        return gained

    def examines(self, largest: float) -> bool:
        """Whether any interpolated value near a sample this large could reach the screen."""
        return largest * self.gain * loudness.peak_bound() > self.screen

    def _gains(self, need: np.ndarray) -> np.ndarray:
        """The gain of every sample of the window: 1 farther than `reach` from any
        sample over the ceiling, so only the stretches around those are filtered
        (on speech a few per cent of the samples: the filters ran over every one)."""
        over = np.nonzero(need > self.ceiling)[0]
        gains = np.ones(len(need), np.float64 if need.dtype == np.float64 else np.float32)
        if not len(over):
            return gains
        reach = self.hold + 2 * (self.box // 2) + 1  # how far a sample's need moves the smoothed gain
        breaks = np.nonzero(np.diff(over) > 4 * reach)[0]  # stretches whose filters cannot meet
        for first, last in zip(over[np.r_[0, breaks + 1]], over[np.r_[breaks, len(over) - 1]]):
            a, b = max(0, first - 2 * reach), min(len(need), last + 2 * reach + 1)
            gains[a:b] = self._stretch_gains(need[a:b])
        return gains

    def _stretch_gains(self, need: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            target = np.minimum(1.0, self.ceiling / np.maximum(need, 1e-12))
        held = minimum_filter(target, 2 * self.hold + 1)
        smooth = box_filter(box_filter(held, self.box), self.box)
        # The box filters' running sums leave rounding noise: away from peaks the gain
        # must be exactly 1, and nowhere may it rise above what a sample needs.
        smooth[smooth > 1.0 - 1e-6] = 1.0
        return np.minimum(smooth, target)



class Window:
    """A chunk with `context` frames either side, ungained: the peaks every limiter
    reads, computed once however many limiters read them (they are linear in the
    gain). `screen`: the loosest of the limiters' screens, over the gain."""

    def __init__(self, samples: np.ndarray, screen: float) -> None:
        self.samples, self.screen = samples, screen
        self.frames = loudness.frame_peaks(samples)
        self.largest = float(self.frames.max())  # the windows overlap: their largest is the stream's
        self._envelope: np.ndarray | None = None

    def envelope(self) -> np.ndarray:
        """Per sample: the largest of its own value and the interpolated values on
        either side, the fine ones computed only where the coarse screen reads above
        `screen` (where it is some other limiter's, a stricter limiter's extra fine
        values only make its envelope more exact)."""
        if self._envelope is None:
            self._envelope = _peak_envelope(self.samples, self.frames.copy(), self.screen)
        return self._envelope


def _peak_envelope(window: np.ndarray, need: np.ndarray, screen: float) -> np.ndarray:
    coarse = loudness.candidates(window, screen, need)
    if not len(coarse):
        return need
    close = coarse[loudness.interpolated_peaks(window, coarse) > screen]
    if not len(close):
        return need
    # coarse group m lies between samples m-6 and m-5: the samples around it, and
    # the fine groups (between m'-16 and m'-15) that reach them
    half = loudness.TAPS_PER_PHASE // 2
    samples = _marked(close[:, None] - half + np.arange(-2, 4)[None, :], len(window))
    fine = _marked(np.stack([samples + DETECT_TAPS // 2, samples + DETECT_TAPS // 2 - 1]), len(window))
    fine = fine[fine >= DETECT_TAPS - 1]
    values = loudness.interpolated_peaks(window, fine, DETECT_OVERSAMPLE, DETECT_TAPS)
    for shift in (DETECT_TAPS // 2, DETECT_TAPS // 2 - 1):  # fine group m lies between these samples
        at = fine - shift  # each place once: a plain fancy-indexed maximum is exact
        need[at] = np.maximum(need[at], values)
    return need


def _marked(places: np.ndarray, n: int) -> np.ndarray:
    """The distinct places in [0, n), in order: a mask, not a sort (np.unique's)."""
    mask = np.zeros(n, bool)
    places = places.ravel()
    mask[places[(places >= 0) & (places < n)]] = True
    return np.flatnonzero(mask)


class LimiterBank:
    """Limiters at their own gains and ceilings over one programme, in lockstep, one
    chunk each at a time: the window and its peak detection are shared, so three
    formats cost one detection (and the tee holds no more than a chunk or two)."""

    def __init__(self, limiters: list[Limiter]) -> None:
        assert limiters and len({lim.context for lim in limiters}) == 1, "one rate for all"
        self.limiters = limiters
        self.context = limiters[0].context
        self.screen = min(lim.screen / lim.gain for lim in limiters)

    def process(self, chunks: Iterable[np.ndarray]) -> Iterator[tuple[np.ndarray, ...]]:
        previous: np.ndarray | None = None
        current: np.ndarray | None = None
        for chunk in chunks:
            chunk = chunk.astype(np.float32, copy=False)
            if current is not None:
                yield self._limit(previous, current, chunk)
                previous = current
            current = chunk
        if current is not None:
            yield self._limit(previous, current, None)

    def _limit(self, before: np.ndarray | None, chunk: np.ndarray, after: np.ndarray | None) -> tuple[np.ndarray, ...]:
        n = self.context
        head = before[-n:] if before is not None else np.zeros((0, chunk.shape[1]), np.float32)
        tail = after[:n] if after is not None else np.zeros((0, chunk.shape[1]), np.float32)
        window = Window(np.concatenate([_pad_front(head, n), chunk, _pad_back(tail, n)]), self.screen)
        return tuple(lim.limit(chunk, window) for lim in self.limiters)


def minimum_filter(x: np.ndarray, size: int) -> np.ndarray:
    """The smallest value within ±size//2 of each sample (size odd), the ends held
    (scipy.ndimage's minimum_filter1d, mode "nearest"; tests hold the two equal):
    van Herk and Gil-Werman's running minima over blocks of `size`, O(n)."""
    half = size // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half + size, x[-1])])
    blocks = len(padded) // size
    grid = padded[: blocks * size].reshape(blocks, size)
    ahead = np.minimum.accumulate(grid, axis=1).ravel()  # the minimum from each block's start
    behind = np.minimum.accumulate(grid[:, ::-1], axis=1)[:, ::-1].ravel()  # to each block's end
    n = len(x)  # sample i's window is behind[i] and ahead[i + size - 1]: two slices, not an index array
    return np.minimum(behind[:n], ahead[size - 1: size - 1 + n])


def box_filter(x: np.ndarray, size: int) -> np.ndarray:
    """The mean over ±size//2 of each sample (size odd), the ends held (scipy.ndimage's
    uniform_filter1d, mode "nearest"), from a running sum."""
    half = size // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    sums = np.concatenate([[0.0], np.cumsum(padded, dtype=np.float64)])  # float32 sums drift by 1e-4
    return ((sums[size:] - sums[:-size]) / size).astype(x.dtype)


def _pad_front(a: np.ndarray, n: int) -> np.ndarray:
    return a if len(a) >= n else np.concatenate([np.zeros((n - len(a), a.shape[1]), a.dtype), a])


def _pad_back(a: np.ndarray, n: int) -> np.ndarray:
    return a if len(a) >= n else np.concatenate([a, np.zeros((n - len(a), a.shape[1]), a.dtype)])
