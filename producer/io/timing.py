"""How long each stage of a build took, for report.json's `seconds` (the clock is
the world's, so it lives in io)."""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator


class Timer:
    """Seconds per named stage, and the whole since the timer began."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = time.monotonic() - t

    def add(self, seconds: dict[str, float]) -> None:
        """Stages timed elsewhere (the render's own)."""
        self.seconds.update(seconds)

    def report(self) -> dict[str, float]:
        """Every stage and the total, rounded to the millisecond."""
        return {k: round(v, 3) for k, v in {**self.seconds, "total": time.monotonic() - self.started}.items()}
