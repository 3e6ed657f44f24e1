"""Predict, before the full render, how much loudness the limiter and the MP3
encoder will take away, so that the first render usually lands on target.

LAME's quantisation removes energy (about 0.4 LU on noise-like material at
128 kb/s, less on clean speech), AAC and Opus remove less than LAME does, and
a busy limiter removes more; any of these would otherwise cost a second full
render. We render and encode a few excerpts of the programme, spread over its
length, through each format's own limiter ceiling and codec, and measure what
they lost.

`PRODUCER_TEST_PREDICTION_ERROR` ("m4a=1.0,opus=-0.5") adds that many dB to a
format's predicted gain: the tests' way to force a misprediction through the
command line and watch only that format rendered again.
"""
from __future__ import annotations

import math
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..core.episode.formats import FORMATS, MAIN, Format
from ..core.audio import loudness
from ..core.audio.limiter import Limiter
from ..core.episode.models import Preset
from ..core.episode.policy import next_gain
from . import encode
from .measure import measure_file, measure_pcm

FORCED_ERROR_ENV = "PRODUCER_TEST_PREDICTION_ERROR"


@dataclass(frozen=True)
class Prediction:
    gain_db: float
    loss_lu: float  # what limiter + encoder take away at that gain
    trials: int


@dataclass(frozen=True)
class Loss:
    lu: float  # plain gain → limited, encoded, decoded
    limited: bool  # whether the limiter touched any excerpt


def loss_at(excerpts: list[np.ndarray], plain: np.ndarray, gain_db: float, ceiling_db: float, preset: Preset,
            fmt: Format = MAIN) -> Loss:
    """What the excerpts lose between `gain × excerpt` and its limited, encoded, decoded
    self; `plain`, the excerpts' own 100 ms mean squares (plain_mean_squares)."""
    rate, channels = preset.sample_rate, preset.channels
    at_gain = loudness.gated(plain * 10 ** (gain_db / 10))  # K-weighting is linear: energies scale by gain²
    limiters = [Limiter(gain_db, ceiling_db, rate) for _ in excerpts]
    # generators all the way, so that no more than one excerpt is held twice at a time
    rendered = (out for lim, e in zip(limiters, excerpts) for out in lim.process([e]))
    with tempfile.TemporaryDirectory(prefix="producer-predict-") as tmp:
        coded_file = Path(tmp) / f"excerpts{fmt.suffix}"
        encode.encode(rendered, coded_file, preset, fmt)
        # at the codec's own rate (Opus's 48 kHz), known from the format's row: no probe
        coded_rate = fmt.tap.rate if fmt.tap is not None and fmt.tap.rate else rate
        coded = measure_file(coded_file, coded_rate, channels, true_peak=False).integrated
    limited = any(lim.stats.limited_frames for lim in limiters)
    if not (math.isfinite(at_gain) and math.isfinite(coded)):
        return Loss(0.0, limited)
    return Loss(at_gain - coded, limited)


def plain_mean_squares(excerpts: list[np.ndarray], preset: Preset) -> np.ndarray:
    """The excerpts' 100 ms K-weighted mean squares at unity gain, measured once: a
    trial's plain loudness is these scaled by its gain and gated again, exactly what
    metering the scaled samples gives (one ffmpeg fewer per trial and format)."""
    return measure_pcm(iter(excerpts), preset.sample_rate, preset.channels).mean_squares()


def solve_each(measured_lufs: float, excerpts: list[np.ndarray], ceilings: dict[str, float],
               preset: Preset) -> dict[str, Prediction]:
    """Each format's gain at its own ceiling, the formats in parallel (each trial is
    an encoder process and a decode)."""
    plain = plain_mean_squares(excerpts, preset) if excerpts else np.zeros(0)
    with ThreadPoolExecutor(2) as pool:
        futures = {fmt: pool.submit(solve, measured_lufs, excerpts, plain, ceiling, preset, FORMATS[fmt])
                   for fmt, ceiling in ceilings.items()}
        guesses = {fmt: f.result() for fmt, f in futures.items()}
    forced = forced_errors(os.environ.get(FORCED_ERROR_ENV, ""))
    return {fmt: Prediction(g.gain_db + forced.get(fmt, 0.0), g.loss_lu, g.trials) for fmt, g in guesses.items()}


def forced_errors(spec: str) -> dict[str, float]:
    """"m4a=1.0,opus=-0.5" → {"m4a": 1.0, "opus": -0.5}; a test hook, so a malformed
    entry is an error rather than ignored."""
    out: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, value = item.partition("=")
        if name not in FORMATS:
            raise ValueError(f"{FORCED_ERROR_ENV}: unknown format {name!r}")
        out[name] = float(value)
    return out


def solve(measured_lufs: float, excerpts: list[np.ndarray], plain: np.ndarray, ceiling_db: float, preset: Preset,
          fmt: Format = MAIN, max_trials: int = 5) -> Prediction:
    """The gain whose limited, encoded result should measure the preset's target."""
    gain = preset.integrated - measured_lufs
    if not excerpts:
        return Prediction(gain, 0.0, 0)
    first = loss_at(excerpts, plain, gain, ceiling_db, preset, fmt)
    if not first.limited or first.lu <= 0.1:
        return Prediction(gain + first.lu, first.lu, 1)
    # The limiter is busy, and its loss grows with the gain: search on the excerpts,
    # where a try costs a fraction of a second, not a full render.
    points = [(gain, measured_lufs + gain - first.lu)]
    best = _search(points, preset.integrated, lambda g: measured_lufs + g - loss_at(excerpts, plain, g, ceiling_db, preset, fmt).lu,
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
