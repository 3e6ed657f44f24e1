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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..core import loudness
from ..core.limiter import Limiter
from ..core.models import Preset
from ..core.policy import next_gain
from . import encode
from .measure import measure_file


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
    plain = loudness.measure_chunks((e * gain for e in excerpts), rate, channels, true_peak=False).integrated
    limiters = [Limiter(gain_db, ceiling_db, rate) for _ in excerpts]
    # generators all the way, so that no more than one excerpt is held twice at a time
    rendered = (out for lim, e in zip(limiters, excerpts) for out in lim.process([e]))
    with tempfile.TemporaryDirectory(prefix="producer-predict-") as tmp:
        mp3 = Path(tmp) / "excerpts.mp3"
        encode.encode(rendered, mp3, preset)
        coded = measure_file(mp3, rate, channels, true_peak=False).integrated
    limited = any(lim.stats.limited_frames for lim in limiters)
    if not (math.isfinite(plain) and math.isfinite(coded)):
        return Loss(0.0, limited)
    return Loss(plain - coded, limited)


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
