"""Where the excerpts for the prediction of what the limiter and the encoder will
take away (stages/predict) come from: EXCERPTS spans of EXCERPT_SECONDS spread
evenly over the recordings, clear of the music's crossfades."""
from __future__ import annotations

EXCERPTS = 8
EXCERPT_SECONDS = 4.0


def spans(start_s: float, end_s: float, count: int = EXCERPTS,
          seconds: float = EXCERPT_SECONDS) -> list[tuple[float, float]]:
    """(start, length) in seconds of `count` spans over [start_s, end_s); one span of
    all of it when that is shorter than they would be together."""
    length = end_s - start_s
    if length <= 0:
        return []
    if length <= count * seconds:
        return [(start_s, length)]
    return [(start_s + (i + 0.5) * length / count - seconds / 2, seconds) for i in range(count)]
