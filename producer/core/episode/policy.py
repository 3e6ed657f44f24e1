"""The render policy: from the renders tried so far, ship the last, try again
with a corrected gain or ceiling, or give up. One policy for the MP3 and every
rendition (a format's row in core.episode.formats says how far a peak overshoot moves
its ceiling). Pure, so every rule is tested on tables of past attempts rather
than through ffmpeg runs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from .formats import MAIN, Format
from .models import Preset

GOAL_LU = 0.2  # we aim closer than any preset's tolerance, and retry to get there
# True-peak meters differ by a few tenths of a dB (ffmpeg's ebur128 reads up to 0.5 dB
# above the analytic peak near fs/4): what ships stays this far under the ceiling by ours.
PEAK_SAFETY_DB = 0.2
MAX_TRIES = 4  # a fourth render only where a busy limiter bends the loudness curve
CEILING_STEP_DB = 0.1  # below what the peak overshot by, when lowering the ceiling


@dataclass(frozen=True)
class Attempt:
    gain_db: float
    ceiling_db: float
    predicted_loss_lu: float | None = None


@dataclass(frozen=True)
class Tried:
    """An attempt and what its encoded file measured."""

    attempt: Attempt
    integrated: float
    true_peak: float


@dataclass(frozen=True)
class Decision:
    action: Literal["ship", "retry", "give_up"]
    attempt: Attempt | None = None  # the next render, for "retry"


def first_ceiling(preset: Preset, fmt: Format = MAIN) -> float:
    """Room below the ceiling for what the codec adds to peaks."""
    return preset.true_peak - fmt.first_margin_db


def next_attempt(history: Sequence[Tried], preset: Preset, fmt: Format = MAIN) -> Decision:
    """What to do after the last of `history` (at least one render of `fmt`)."""
    last = history[-1]
    error = last.integrated - preset.integrated
    peak_ok = last.true_peak <= preset.true_peak - PEAK_SAFETY_DB
    if peak_ok and abs(error) <= GOAL_LU:
        return Decision("ship")
    if len(history) >= MAX_TRIES:
        return Decision("ship" if peak_ok and abs(error) <= preset.tolerance else "give_up")
    a = last.attempt
    if peak_ok:  # every try so far on this ceiling tells where the target lies
        points = [(t.attempt.gain_db, t.integrated) for t in history if t.attempt.ceiling_db == a.ceiling_db]
        return Decision("retry", Attempt(next_gain(points, preset.integrated), a.ceiling_db))
    # a lower ceiling changes the loudness curve: step from this try alone
    over = last.true_peak - (preset.true_peak - PEAK_SAFETY_DB)
    return Decision("retry", Attempt(a.gain_db - error, a.ceiling_db - fmt.peak_step * over - CEILING_STEP_DB))


def next_gain(points: Sequence[tuple[float, float]], target: float) -> float:
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
