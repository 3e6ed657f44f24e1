"""The render policy on tables of past attempts: no ffmpeg, no audio."""
from __future__ import annotations

import pytest

from producer.core.episode.models import Preset
from producer.core.episode.policy import MAX_TRIES, Attempt, Tried, first_ceiling, next_attempt

STEREO = Preset("podcast-stereo", -16.0, -1.0, 0.5, 128, 44100, 2)
SPOTIFY = Preset("spotify", -14.0, -2.0, 0.5, 160, 44100, 2)


def tried(*rows: tuple[float, float, float, float]) -> list[Tried]:
    """(gain, ceiling, measured LUFS, measured dBTP) per render."""
    return [Tried(Attempt(g, c), lufs, tp) for g, c, lufs, tp in rows]


@pytest.mark.parametrize("preset,rows", [
    (STEREO, [(10.0, -1.5, -16.0, -2.0)]),
    (STEREO, [(10.0, -1.5, -15.81, -1.21)]),  # 0.19 LU off, 0.21 dB under the ceiling
    (SPOTIFY, [(3.0, -2.5, -14.1, -2.4)]),
    (STEREO, [(10.0, -1.5, -16.6, -2.0), (10.6, -1.5, -16.05, -2.0)]),
])
def test_ships_when_within_the_goal_and_under_the_ceiling(preset: Preset, rows: list) -> None:
    assert next_attempt(tried(*rows), preset).action == "ship"


@pytest.mark.parametrize("rows,gain,ceiling", [
    # too quiet, peaks fine: the error again as gain, same ceiling
    ([(10.0, -1.5, -17.0, -3.0)], 11.0, -1.5),
    # too loud: less gain
    ([(10.0, -1.5, -15.5, -3.0)], 9.5, -1.5),
    # bracketing the target between two tries: interpolate
    ([(10.0, -1.5, -17.0, -3.0), (12.0, -1.5, -15.0, -2.0)], 11.0, -1.5),
    # a limiter flattening the curve: 2 dB of gain gave 1 LU, so step 2 dB per LU
    ([(10.0, -1.5, -18.0, -3.0), (12.0, -1.5, -17.0, -2.0)], 14.0, -1.5),
    # the peak came 0.3 dB over the safety line: lower the ceiling by that and 0.1 more
    ([(10.0, -1.5, -16.0, -0.9)], 10.0, -1.9),
    # both off: gain corrected from this try, ceiling lowered
    ([(10.0, -1.5, -16.5, -1.0)], 10.5, -1.8),
])
def test_retries_with_a_corrected_gain_or_ceiling(rows: list, gain: float, ceiling: float) -> None:
    decision = next_attempt(tried(*rows), STEREO)
    assert decision.action == "retry" and decision.attempt is not None
    assert decision.attempt.gain_db == pytest.approx(gain)
    assert decision.attempt.ceiling_db == pytest.approx(ceiling)


def test_only_tries_on_the_current_ceiling_inform_the_gain() -> None:
    rows = [(10.0, -1.5, -16.0, -0.5), (10.0, -2.1, -16.8, -1.5)]  # the first try's ceiling was abandoned
    decision = next_attempt(tried(*rows), STEREO)
    assert decision.attempt == Attempt(10.8, -2.1)


def test_the_last_try_ships_within_tolerance_and_gives_up_outside_it() -> None:
    near = [(10.0, -1.5, -16.4, -2.0)] * MAX_TRIES
    far = [(10.0, -1.5, -16.6, -2.0)] * MAX_TRIES
    over = [(10.0, -1.5, -16.0, -1.1)] * MAX_TRIES
    assert next_attempt(tried(*near), STEREO).action == "ship"
    assert next_attempt(tried(*far), STEREO).action == "give_up"
    assert next_attempt(tried(*over), STEREO).action == "give_up"
    assert next_attempt(tried(*near[:-1]), STEREO).action == "retry"  # before the last, aim for the goal


def test_the_first_render_leaves_room_under_the_ceiling() -> None:
    assert first_ceiling(STEREO) == -1.5 and first_ceiling(SPOTIFY) == -2.5
