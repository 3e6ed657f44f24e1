"""The one retry helper: a step tried again under a policy object, one per use
(the feed write, the website's rounds, each S3 request). The policies differ on
purpose, so each is named where it is used and says why it is what it is; the
loop, the backoff and the jitter are written here once."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often to try and how long to wait between tries: `first_wait_s`
    doubling each try up to `max_wait_s`, each wait scattered ±`jitter` so two
    publishers that collided do not collide again in step."""
    tries: int
    first_wait_s: float = 0.0
    max_wait_s: float = 0.0
    jitter: float = 0.5

    def wait_s(self, try_: int, draw: Callable[[float, float], float] = random.uniform) -> float:
        base = min(self.max_wait_s, self.first_wait_s * 2 ** try_)
        return base * draw(1 - self.jitter, 1 + self.jitter)


def retried(policy: RetryPolicy, step: Callable[[int], T | None], exhausted: Callable[[], T],
            retry_on: tuple[type[Exception], ...] = (), sleep: Callable[[float], None] = time.sleep) -> T:
    """step(try) until it returns something other than None (or raises other than
    `retry_on`). After `policy.tries` tries: the last `retry_on` error if the last
    try raised one, else whatever `exhausted()` returns or raises."""
    for n in range(policy.tries):
        try:
            result = step(n)
        except retry_on:
            if n == policy.tries - 1:
                raise
            result = None
        if result is not None:
            return result
        if n < policy.tries - 1 and policy.max_wait_s > 0:
            sleep(policy.wait_s(n))
    return exhausted()
