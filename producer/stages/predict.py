"""Predict, before the full render, how much loudness the limiter and the MP3
encoder will take away, so that the first render usually lands on target.

LAME's quantisation removes energy (about 0.4 LU on noise-like material at
128 kb/s, less on clean speech), AAC and Opus remove less than LAME does, and
a busy limiter removes more; any of these would otherwise cost a second full
render. We render and encode a few excerpts of the programme, spread over its
length, through each format's own limiter ceiling and codec, and measure what
they lost; where the limiter is busy, the search for the gain that lands after
that first trial reckons the limiter's share alone (solve).

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
from .measure import measure_file, measure_file_and_pcm, measure_pcm

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
    limiter_lu: float = 0.0  # the limiter's part of it, as limiter_loss reckons it


@dataclass(frozen=True)
class Plain:
    """The excerpts at unity gain, measured once for every trial of every format:
    their K-weighted 100 ms mean squares (the meter's, through ffmpeg) and their
    unweighted energy in the same blocks."""

    weighted: np.ndarray
    energy: np.ndarray


def loss_at(excerpts: list[np.ndarray], plain: Plain, gain_db: float, ceiling_db: float, preset: Preset,
            fmt: Format = MAIN) -> Loss:
    """What the excerpts lose between `gain × excerpt` and its limited, encoded,
    decoded self, and the limiter's part of that."""
    return _loss(_trial(excerpts, gain_db, ceiling_db, preset, fmt), plain, gain_db)


# Plain excerpts this short are measured by the first trial's decode, as its second
# input: one ffmpeg fewer (0.1 CPU-s, the test suite's short builds' most of it).
# Longer ones get an ffmpeg of their own beside the trials: on a pipe into an ffmpeg
# of two inputs, which sleeps 10 ms whenever the one it needs is empty, the hour's
# 32 s of excerpts cost the first trial 0.7 s of wall (1.43–1.50 s against 0.68).
MERGED_UP_TO_S = 20.0


def first_losses(excerpts: list[np.ndarray], gain_db: float, ceilings: dict[str, float],
                 preset: Preset) -> tuple[dict[str, Loss], Plain]:
    """Each format's first trial at `gain_db` (loss_at), and the plain excerpts that
    every loss needs, all at once: each is an encoder and a decode, or the plain
    meter's ffmpeg (see MERGED_UP_TO_S), and the threads here only wait for them."""
    rate = preset.sample_rate
    first = next(iter(ceilings))
    merged = sum(len(e) for e in excerpts) <= MERGED_UP_TO_S * rate and _decodes_at(FORMATS[first], rate) == rate
    with ThreadPoolExecutor(len(ceilings) + 1) as pool:
        plain_measured = None if merged else pool.submit(measure_plain, excerpts, preset)
        trials = {fmt: pool.submit(_trial, excerpts, gain_db, ceiling, preset, FORMATS[fmt],
                                   merged and fmt == first)
                  for fmt, ceiling in ceilings.items()}
        plain = trials[first].result().plain if plain_measured is None else plain_measured.result()
        assert plain is not None
        return {fmt: _loss(trial.result(), plain, gain_db) for fmt, trial in trials.items()}, plain


def _decodes_at(fmt: Format, rate: int) -> int:
    """The codec's own rate (Opus's 48 kHz), known from the format's row: no probe."""
    return fmt.tap.rate if fmt.tap is not None and fmt.tap.rate else rate


@dataclass(frozen=True)
class _Trial:
    coded_lufs: float  # the limited, encoded excerpts, decoded and measured
    limited: bool  # whether the limiter touched any excerpt
    after: np.ndarray  # their energy in the meter's blocks after the limiter
    plain: Plain | None = None  # the plain excerpts, where the decode measured them too


def _trial(excerpts: list[np.ndarray], gain_db: float, ceiling_db: float, preset: Preset, fmt: Format,
           with_plain: bool = False) -> _Trial:
    rate, channels = preset.sample_rate, preset.channels
    limiters = [Limiter(gain_db, ceiling_db, rate) for _ in excerpts]
    after = _BlockEnergy(rate, _blocks(excerpts, rate))
    # generators all the way, so that no more than one excerpt is held twice at a time
    rendered = (after.add(out) for lim, e in zip(limiters, excerpts) for out in lim.process([e]))
    with tempfile.TemporaryDirectory(prefix="producer-predict-") as tmp:
        coded_file = Path(tmp) / f"excerpts{fmt.suffix}"
        encode.encode(rendered, coded_file, preset, fmt)
        coded_rate = _decodes_at(fmt, rate)
        plain = None
        if with_plain and coded_rate == rate:
            coded, weighted = measure_file_and_pcm(coded_file, iter(excerpts), rate, channels)
            coded_lufs = coded.result().integrated
            plain = _plain(excerpts, weighted.mean_squares(), rate)
        else:
            coded_lufs = measure_file(coded_file, coded_rate, channels, true_peak=False).integrated
    return _Trial(coded_lufs, any(lim.stats.limited_frames for lim in limiters), after.blocks(), plain)


def _loss(trial: _Trial, plain: Plain, gain_db: float) -> Loss:
    at_gain = loudness.gated(plain.weighted * 10 ** (gain_db / 10))  # K-weighting is linear: energies scale by gain²
    if not (math.isfinite(at_gain) and math.isfinite(trial.coded_lufs)):
        return Loss(0.0, trial.limited)
    return Loss(at_gain - trial.coded_lufs, trial.limited, _limiter_lu(plain, gain_db, trial.after))


def _blocks(excerpts: list[np.ndarray], rate: int) -> int:
    """How many of the meter's 100 ms blocks the excerpts fill (it drops a last partial one)."""
    return sum(len(e) for e in excerpts) // loudness.sub_block_frames(rate)


def limiter_loss(excerpts: list[np.ndarray], plain: Plain, gain_db: float, ceiling_db: float, rate: int) -> float:
    """What the limiter alone takes from the excerpts at `gain_db`, without encoding
    or an ffmpeg: each 100 ms block's K-weighted energy is taken down by the ratio its
    unweighted energy is (the limiter's gain moves over milliseconds, so it scales
    both alike). The search uses it for differences between trials only (solve)."""
    after = _BlockEnergy(rate, len(plain.energy))
    for lim, e in zip((Limiter(gain_db, ceiling_db, rate) for _ in excerpts), excerpts):
        for out in lim.process([e]):
            after.add(out)
    return _limiter_lu(plain, gain_db, after.blocks())


def _limiter_lu(plain: Plain, gain_db: float, after: np.ndarray) -> float:
    g2 = 10 ** (gain_db / 10)
    before = plain.energy * g2
    ratio = np.divide(after, before, out=np.ones_like(before), where=before > 0)
    lost = loudness.gated(plain.weighted * g2) - loudness.gated(plain.weighted * g2 * ratio)
    return float(lost) if math.isfinite(lost) else 0.0


class _BlockEnergy:
    """A stream's energy (channels summed) in the meter's 100 ms blocks, as it passes."""

    def __init__(self, rate: int, blocks: int) -> None:
        self.step = loudness.sub_block_frames(rate)  # the meter's blocks, so the two line up
        self.frames = np.zeros(blocks * self.step, np.float64)
        self.at = 0

    def add(self, chunk: np.ndarray) -> np.ndarray:
        n = max(0, min(len(chunk), len(self.frames) - self.at))
        self.frames[self.at:self.at + n] = np.einsum("ij,ij->i", chunk[:n], chunk[:n], dtype=np.float64)
        self.at += len(chunk)
        return chunk

    def blocks(self) -> np.ndarray:
        return self.frames.reshape(-1, self.step).sum(axis=1)


def measure_plain(excerpts: list[np.ndarray], preset: Preset) -> Plain:
    """The excerpts at unity gain, once: a trial's plain loudness is their mean squares
    scaled by its gain and gated again, exactly what metering the scaled samples
    gives (to 1e-6 LU; one ffmpeg fewer per trial and format)."""
    weighted = measure_pcm(iter(excerpts), preset.sample_rate, preset.channels).mean_squares()
    return _plain(excerpts, weighted, preset.sample_rate)


def _plain(excerpts: list[np.ndarray], weighted: np.ndarray, rate: int) -> Plain:
    energy = _BlockEnergy(rate, len(weighted))
    for e in excerpts:
        energy.add(e)
    return Plain(weighted, energy.blocks())


def solve_each(measured_lufs: float, excerpts: list[np.ndarray], ceilings: dict[str, float],
               preset: Preset) -> dict[str, Prediction]:
    """Each format's gain at its own ceiling: every first trial and the plain excerpts
    at once (first_losses), then each format's search, in parallel (numpy's)."""
    firsts: dict[str, Loss | None] = dict.fromkeys(ceilings)
    plain = Plain(np.zeros(0), np.zeros(0))
    if excerpts:
        found, plain = first_losses(excerpts, preset.integrated - measured_lufs, ceilings, preset)
        firsts.update(found)
    with ThreadPoolExecutor(2) as pool:
        futures = {fmt: pool.submit(solve, measured_lufs, excerpts, plain, ceiling, preset, FORMATS[fmt],
                                    first=firsts[fmt])
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


def solve(measured_lufs: float, excerpts: list[np.ndarray], plain: Plain, ceiling_db: float, preset: Preset,
          fmt: Format = MAIN, max_trials: int = 5, first: Loss | None = None) -> Prediction:
    """The gain whose limited, encoded result should measure the preset's target;
    `first`: the first trial's loss, where it was measured already (solve_each)."""
    gain = preset.integrated - measured_lufs
    if not excerpts:
        return Prediction(gain, 0.0, 0)
    if first is None:
        first = loss_at(excerpts, plain, gain, ceiling_db, preset, fmt)
    if not first.limited or first.lu <= 0.1:
        return Prediction(gain + first.lu, first.lu, 1)
    # The limiter is busy, and its loss grows with the gain: search on the excerpts. The
    # codec's part (what LAME, AAC or Opus take of the limited excerpts) was measured
    # at the first gain and hardly moves with a fraction of a dB; the limiter's part is
    # reckoned again at each trial in numpy: a trial costs the limiter alone, not an
    # encoder, a decoder and their processes (a 40-s episode's search took 1.4 s).
    codec = first.lu - first.limiter_lu
    points = [(gain, measured_lufs + gain - first.lu)]

    def output(g: float) -> float:
        return measured_lufs + g - codec - limiter_loss(excerpts, plain, g, ceiling_db, preset.sample_rate)

    best = _search(points, preset.integrated, output, max_trials - 1)
    return Prediction(best, best - gain, len(points))


def _search(points: list[tuple[float, float]], target: float, output: Callable[[float], float],
            trials: int) -> float:
    for _ in range(trials):
        g = next_gain(points, target)
        points.append((g, output(g)))
        if abs(points[-1][1] - target) <= 0.1:
            break
    return min(points, key=lambda p: abs(p[1] - target))[0]
