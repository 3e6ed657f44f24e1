"""Progress for long stages: a live bar on a terminal, plain lines in CI or with --quiet."""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from ..core.chapters.timecode import format_seconds


class Progress:
    """A bar on a terminal, plain lines elsewhere; `quiet` keeps only warnings
    (and what the command prints as its result)."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = (not quiet and self.stream.isatty() and not os.environ.get("CI"))

    def stage(self, name: str, total_seconds: float) -> "Stage":
        return Stage(self, name, total_seconds)

    def line(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def warn(self, text: str) -> None:
        print(f"producer: warning: {text}", file=self.stream, flush=True)


class Stage:
    WIDTH = 28

    def __init__(self, progress: Progress, name: str, total: float) -> None:
        self.p = progress
        self.name = name
        self.total = max(total, 1e-9)
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.next_mark = 0.25
        if not progress.live:
            progress.line(f"{name}: started ({format_seconds(total)} of audio)")

    def update(self, position: float) -> None:
        fraction = min(1.0, position / self.total)
        now = time.monotonic()
        if self.p.live:
            if now - self.last_draw < 0.2:
                return
            self.last_draw = now
            elapsed = now - self.started
            left = elapsed / fraction - elapsed if fraction > 0 else 0
            bar = "#" * int(fraction * self.WIDTH)
            self.p.stream.write(f"\r{self.name:<12} [{bar:<{self.WIDTH}}] {format_seconds(position)} / "
                                f"{format_seconds(self.total)}  {format_seconds(left)} left ")
            self.p.stream.flush()
        elif fraction >= self.next_mark and fraction < 1.0:
            self.p.line(f"{self.name}: {format_seconds(position)} / {format_seconds(self.total)}")
            self.next_mark += 0.25

    def done(self, summary: str = "") -> float:
        seconds = time.monotonic() - self.started
        if self.p.live:
            self.p.stream.write("\r" + " " * 78 + "\r")
        self.p.line(f"{self.name}: done in {seconds:.1f} s{'; ' + summary if summary else ''}")
        return seconds
