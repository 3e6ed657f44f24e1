"""Excerpts of the programme kept during the measuring pass, for the prediction
of what the limiter and the encoder will take away (stages/predict)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EXCERPTS = 8
EXCERPT_SECONDS = 4.0


def pick(total_chunks: int, chunk_seconds: float, count: int = EXCERPTS) -> set[int]:
    """Chunk indices of `count` excerpts of EXCERPT_SECONDS each, spread evenly over
    the programme (all of it for a short one)."""
    span = max(1, round(EXCERPT_SECONDS / chunk_seconds))
    if total_chunks <= count * span:
        return set(range(total_chunks))
    starts = [int((i + 0.5) * total_chunks / count) for i in range(count)]
    return {min(start + k, total_chunks - 1) for start in starts for k in range(span)}


@dataclass
class Excerpts:
    wanted: set[int]
    found: list[tuple[int, np.ndarray]] = field(default_factory=list)
    seen: int = 0

    def offer(self, chunk: np.ndarray) -> None:
        if self.seen in self.wanted:
            self.found.append((self.seen, chunk.copy()))
        self.seen += 1

    @property
    def chunks(self) -> list[np.ndarray]:
        """One array per run of consecutive chunks: each excerpt whole."""
        runs: list[list[np.ndarray]] = []
        previous = -2
        for index, chunk in self.found:
            if index != previous + 1:
                runs.append([])
            runs[-1].append(chunk)
            previous = index
        return [np.concatenate(run) for run in runs]
