"""Time plots as inline SVG: a few hundred lines of markup from long series, no
plotting library (the page must open offline, and a 60-minute episode's page
stays well under 1 MB because every series is cut to at most BUCKETS points)."""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import numpy as np

from ..chapters.timecode import format_seconds, format_time

BUCKETS = 1200
WIDTH, LEFT, RIGHT, TOP, BOTTOM = 1000, 48, 12, 26, 26
TICK_STEPS = (5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200)


@dataclass(frozen=True)
class Line:
    label: str
    times: np.ndarray  # seconds
    values: np.ndarray
    css: str  # a class name the page styles
    band: bool = False  # min..max per bucket, filled, instead of a line


@dataclass(frozen=True)
class Plot:
    title: str
    seconds: float
    y_min: float
    y_max: float
    unit: str
    lines: list[Line]
    levels: list[tuple[float, str, str]] = field(default_factory=list)  # (y, label, css): horizontal rules
    marks: list[tuple[float, str]] = field(default_factory=list)  # (seconds, title): chapter marks
    cuts: list[tuple[float, str]] = field(default_factory=list)  # (seconds, title): where a cut was spliced
    height: int = 300


def svg(p: Plot) -> str:
    x = _scale(0.0, max(p.seconds, 1e-3), LEFT, WIDTH - RIGHT)
    y = _scale(p.y_max, p.y_min, TOP, p.height - BOTTOM)
    parts = [f'<svg class="plot" viewBox="0 0 {WIDTH} {p.height}" role="img" aria-label="{escape(p.title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(p.title)}</title>']
    parts += _grid(p, x, y)
    for line in p.lines:
        parts.append(_series(line, p, x, y))
    for value, label, css in p.levels:
        if p.y_min <= value <= p.y_max:
            parts.append(f'<line class="{css}" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
                         f'y2="{y(value):.1f}"><title>{escape(label)}</title></line>'
                         f'<text class="level-label" x="{WIDTH - RIGHT - 4}" y="{y(value) - 4:.1f}" '
                         f'text-anchor="end">{escape(label)}</text>')
    for i, (at, title) in enumerate(p.marks, 1):
        parts.append(f'<g class="chapter"><line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{TOP - 14}" '
                     f'y2="{p.height - BOTTOM}"/><text x="{x(at) + 3:.1f}" y="{TOP - 4}">{i}</text>'
                     f'<title>{escape(f"{i}. {format_time(round(at * 1000))} {title}")}</title></g>')
    for at, title in p.cuts:
        parts.append(f'<g class="cut"><line x1="{x(at):.1f}" x2="{x(at):.1f}" y1="{TOP - 14}" '
                     f'y2="{p.height - BOTTOM}"/><text x="{x(at) - 4:.1f}" y="{p.height - BOTTOM - 4}">✂</text>'
                     f'<title>{escape(f"cut at {format_time(round(at * 1000))}: {title}")}</title></g>')
    parts.append("</svg>")
    return "".join(parts)


def _scale(d0: float, d1: float, r0: float, r1: float):  # type: ignore[no-untyped-def]
    k = (r1 - r0) / (d1 - d0)
    return lambda v: r0 + (v - d0) * k


def _grid(p: Plot, x, y) -> list[str]:  # type: ignore[no-untyped-def]
    out = [f'<rect class="frame" x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" '
           f'height="{p.height - TOP - BOTTOM}"/>']
    step = next((s for s in TICK_STEPS if p.seconds / s <= 10), TICK_STEPS[-1])
    for t in np.arange(0, p.seconds + 1e-9, step):
        out.append(f'<line class="grid" x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{TOP}" y2="{p.height - BOTTOM}"/>'
                   f'<text class="tick" x="{x(t):.1f}" y="{p.height - 8}" text-anchor="middle">'
                   f'{format_seconds(float(t))}</text>')
    span = p.y_max - p.y_min
    ystep = next(s for s in (1, 2, 5, 10, 20) if span / s <= 8)
    for v in np.arange(np.ceil(p.y_min / ystep) * ystep, p.y_max + 1e-9, ystep):
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>'
                   f'<text class="tick" x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    out.append(f'<text class="unit" x="{LEFT - 6}" y="{TOP - 10}" text-anchor="end">{escape(p.unit)}</text>')
    return out


def _series(line: Line, p: Plot, x, y) -> str:  # type: ignore[no-untyped-def]
    if not len(line.values):
        return ""
    t, lo, hi = buckets(line.times, np.clip(line.values, p.y_min, p.y_max), p.seconds)
    label = f"<title>{escape(line.label)}</title>"
    if line.band and lo is not hi:  # a series short enough to draw point for point has no band
        upper = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(t, hi))
        lower = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(t[::-1], lo[::-1]))
        return f'<polygon class="{line.css}" points="{upper} {lower}">{label}</polygon>'
    mid = (lo + hi) / 2
    points = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in zip(t, mid))
    return f'<polyline class="{line.css}" points="{points}">{label}</polyline>'


def buckets(times: np.ndarray, values: np.ndarray, seconds: float,
            n: int = BUCKETS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bucket time, min, max) over at most n equal stretches of time; series shorter
    than n come back point for point."""
    if len(values) <= n:
        return times, values, values
    edges = np.minimum((times / max(seconds, 1e-9) * n).astype(int), n - 1)
    used = np.unique(edges)
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, edges, values)
    np.maximum.at(hi, edges, values)
    return (used + 0.5) * seconds / n, lo[used], hi[used]
