"""Pure parts of the prediction: where excerpts come from, and the next gain to try."""
from __future__ import annotations

import numpy as np
import pytest

from producer.core import excerpts as predict
from producer.core.policy import next_gain


def test_excerpts_are_whole_4_second_runs_spread_over_the_programme() -> None:
    picked = sorted(predict.pick(3600, 1.0))
    runs = np.split(np.array(picked), np.nonzero(np.diff(picked) != 1)[0] + 1)
    assert len(runs) == 8 and all(len(r) == 4 for r in runs)
    assert runs[0][0] < 450 and runs[-1][-1] > 3150


def test_a_short_programme_is_its_own_excerpt() -> None:
    assert predict.pick(20, 1.0) == set(range(20))


def test_excerpts_join_consecutive_chunks() -> None:
    ex = predict.Excerpts({1, 2, 5})
    for i in range(7):
        ex.offer(np.full((3, 2), i, np.float32))
    assert [e[:, 0].tolist() for e in ex.chunks] == [[1, 1, 1, 2, 2, 2], [5, 5, 5]]


def test_next_gain_steps_by_the_error_then_by_the_observed_slope() -> None:
    assert next_gain([(4.0, -17.0)], -16.0) == pytest.approx(5.0)
    # output moved 0.5 for 1 dB: the limiter eats half; step twice the error
    assert next_gain([(4.0, -17.0), (5.0, -16.5)], -16.0) == pytest.approx(6.0)


def test_next_gain_interpolates_once_the_target_is_bracketed() -> None:
    points = [(4.0, -17.0), (8.0, -15.0), (10.0, -14.9)]
    assert next_gain(points, -16.0) == pytest.approx(6.0)
