"""The retry helper, on tables of steps: what it returns, how often it tries, how long it waits."""
from __future__ import annotations

import pytest

from producer.io.retry import RetryPolicy, retried


class Boom(Exception):
    pass


def run(policy: RetryPolicy, outcomes: list[object]) -> tuple[object, int, list[float]]:
    """outcomes[n] is what try n does: a value, None (again) or an exception to raise."""
    waits: list[float] = []
    tries = 0

    def step(n: int) -> object:
        nonlocal tries
        tries += 1
        out = outcomes[n]
        if isinstance(out, Exception):
            raise out
        return out

    def exhausted() -> object:
        return "gave up"

    try:
        result = retried(policy, step, exhausted, retry_on=(Boom,), sleep=waits.append)
    except Boom:
        result = "raised"
    return result, tries, waits


@pytest.mark.parametrize("outcomes, result, tries", [
    (["ok"], "ok", 1),
    ([None, None, "ok"], "ok", 3),
    ([Boom(), "ok"], "ok", 2),
    ([None, None, None, None], "gave up", 4),
    ([None, None, None, Boom()], "raised", 4),  # the last try's error is the one the caller sees
    ([Boom(), None, None, None], "gave up", 4),
])
def test_tries_until_a_value(outcomes: list[object], result: object, tries: int) -> None:
    assert run(RetryPolicy(tries=4), outcomes)[:2] == (result, tries)


def test_an_error_it_was_not_told_of_passes_at_once() -> None:
    def step(n: int) -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        retried(RetryPolicy(tries=5), step, lambda: None, retry_on=(Boom,))


def test_waits_double_up_to_the_cap_and_none_after_the_last_try() -> None:
    policy = RetryPolicy(tries=5, first_wait_s=0.1, max_wait_s=0.3, jitter=0.0)
    assert run(policy, [None] * 5)[2] == pytest.approx([0.1, 0.2, 0.3, 0.3])
    assert run(RetryPolicy(tries=5), [None] * 5)[2] == []  # no waiting policy: rounds back to back


def test_jitter_scatters_each_wait_within_its_share() -> None:
    policy = RetryPolicy(tries=3, first_wait_s=1.0, max_wait_s=1.0, jitter=0.5)
    assert policy.wait_s(0, draw=lambda lo, hi: lo) == 0.5
    assert policy.wait_s(0, draw=lambda lo, hi: hi) == 1.5
