"""Predict, before the full render, how much loudness the limiter and the MP3
encoder will take away, so that the first render usually lands on target.

LAME's quantisation removes energy (about 0.4 LU on noise-like material at
128 kb/s, less on clean speech) and a busy limiter removes more; either would
otherwise cost a second full render. We render and encode a few excerpts of
the programme, spread over its length, and measure what they lost.
"""
from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .. import loudness, media
from ..config import Preset
from . import encode
from .render import Limiter

EXCERPTS = 8
EXCERPT_SECONDS = 4.0


def pick(total_chunks: int, chunk_seconds: float, count: int = EXCERPTS) -> set[int]:
    """Chunk indices of `count` excerpts of EXCERPT_SECONDS each, spread evenly over
    the programme (all of it for a short one)."""
    span = max(1, round(EXCERPT_SECONDS / chunk_seconds))
    if total_chunks <= count * span:
        return set(range(total_chunks))
    starts = [int((i + 0.5) * total_chunks / count) for i in range(count)]
    return {min(start + k, total_chunks - 1) for start in starts for k in range(span)}


@dataclass
class Excerpts:
    wanted: set[int]
    found: list[tuple[int, np.ndarray]] = field(default_factory=list)
    seen: int = 0

    def offer(self, chunk: np.ndarray) -> None:
        if self.seen in self.wanted:
            self.found.append((self.seen, chunk.copy()))
        self.seen += 1

    @property
    def chunks(self) -> list[np.ndarray]:
        """One array per run of consecutive chunks: each excerpt whole."""
        runs: list[list[np.ndarray]] = []
        previous = -2
        for index, chunk in self.found:
            if index != previous + 1:
                runs.append([])
            runs[-1].append(chunk)
            previous = index
        return [np.concatenate(run) for run in runs]


@dataclass(frozen=True)
class Prediction:
    gain_db: float
    loss_lu: float  # what limiter + encoder take away at that gain
    trials: int


@dataclass(frozen=True)
class Loss:
    lu: float  # plain gain → limited, encoded, decoded
    limited: bool  # whether the limiter touched any excerpt


def loss_at(excerpts: list[np.ndarray], gain_db: float, ceiling_db: float, preset: Preset) -> Loss:
    """What the excerpts lose between `gain × excerpt` and its limited, encoded, decoded self."""
    rate, channels = preset.sample_rate, preset.channels
    gain = np.float32(10 ** (gain_db / 20))
    plain = _loudness((e * gain for e in excerpts), preset)
    limiters = [Limiter(gain_db, ceiling_db, rate) for _ in excerpts]
    # generators all the way, so that no more than one excerpt is held twice at a time
    rendered = (out for lim, e in zip(limiters, excerpts) for out in lim.process([e]))
    with tempfile.TemporaryDirectory(prefix="producer-predict-") as tmp:
        mp3 = Path(tmp) / "excerpts.mp3"
        encode.encode(rendered, mp3, preset)
        coded = _loudness(media.decode(mp3, rate, channels), preset)
    limited = any(lim.stats.limited_frames for lim in limiters)
    if not (math.isfinite(plain) and math.isfinite(coded)):
        return Loss(0.0, limited)
    return Loss(plain - coded, limited)


def _loudness(chunks: Iterable[np.ndarray], preset: Preset) -> float:
    meter = loudness.Meter(preset.sample_rate, preset.channels, true_peak=False)
    for chunk in chunks:
        meter.add(chunk)
    return meter.result().integrated


def next_gain(points: list[tuple[float, float]], target: float) -> float:
    """The next gain to try, from (gain, output loudness) pairs tried so far.

    Output rises with gain, but where the limiter works hard it flattens: a gain
    step moves the output by less than its size. Once tries lie on both sides of
    the target, interpolate between the nearest two; before that, step by the
    error, scaled by the slope the last two tries showed (at least 0.3)."""
    below = [p for p in points if p[1] < target]
    above = [p for p in points if p[1] >= target]
    if below and above:
        (g1, o1), (g2, o2) = max(below, key=lambda p: p[1]), min(above, key=lambda p: p[1])
        return g1 + (target - o1) * (g2 - g1) / (o2 - o1) if o2 != o1 else (g1 + g2) / 2
    g, o = points[-1]
    slope = 1.0
    if len(points) >= 2:
        (ga, oa), (gb, ob) = points[-2], points[-1]
        if abs(gb - ga) > 0.05:
            slope = min(1.0, max(0.3, (ob - oa) / (gb - ga)))
    return g + (target - o) / slope


def solve(measured_lufs: float, excerpts: list[np.ndarray], ceiling_db: float, preset: Preset,
          max_trials: int = 5) -> Prediction:
    """The gain whose limited, encoded result should measure the preset's target."""
    gain = preset.integrated - measured_lufs
    if not excerpts:
        return Prediction(gain, 0.0, 0)
    first = loss_at(excerpts, gain, ceiling_db, preset)
    if not first.limited or first.lu <= 0.1:
        return Prediction(gain + first.lu, first.lu, 1)
    # The limiter is busy, and its loss grows with the gain: search on the excerpts,
    # where a try costs a fraction of a second, not a full render.
    points = [(gain, measured_lufs + gain - first.lu)]
    best = _search(points, preset.integrated, lambda g: measured_lufs + g - loss_at(excerpts, g, ceiling_db, preset).lu,
                   max_trials - 1)
    return Prediction(best, best - gain, len(points))


def _search(points: list[tuple[float, float]], target: float, output: Callable[[float], float],
            trials: int) -> float:
    for _ in range(trials):
        g = next_gain(points, target)
        points.append((g, output(g)))
        if abs(points[-1][1] - target) <= 0.1:
            break
    return min(points, key=lambda p: abs(p[1] - target))[0]
