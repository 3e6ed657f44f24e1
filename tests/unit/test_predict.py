"""Pure parts of the prediction: where excerpts come from, and the next gain to try."""
from __future__ import annotations

import pytest

from producer.core.audio import excerpts as predict
from producer.core.episode.policy import next_gain


def test_excerpts_are_4_second_spans_spread_over_the_recordings() -> None:
    spans = predict.spans(5.0, 3605.0)
    assert len(spans) == 8 and all(length == 4.0 for _, length in spans)
    starts = [s for s, _ in spans]
    assert starts == sorted(starts) and 5.0 < starts[0] < 450 and starts[-1] + 4 < 3605 and starts[-1] > 3150
    assert min(b - a for a, b in zip(starts, starts[1:])) > 400  # spread, not bunched


def test_a_short_recording_is_its_own_excerpt() -> None:
    assert predict.spans(1.0, 21.0) == [(1.0, 20.0)]
    assert predict.spans(3.0, 3.0) == []


def test_next_gain_steps_by_the_error_then_by_the_observed_slope() -> None:
    assert next_gain([(4.0, -17.0)], -16.0) == pytest.approx(5.0)
    # output moved 0.5 for 1 dB: the limiter eats half; step twice the error
    assert next_gain([(4.0, -17.0), (5.0, -16.5)], -16.0) == pytest.approx(6.0)


def test_next_gain_interpolates_once_the_target_is_bracketed() -> None:
    points = [(4.0, -17.0), (8.0, -15.0), (10.0, -14.9)]
    assert next_gain(points, -16.0) == pytest.approx(6.0)
