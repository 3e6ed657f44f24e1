"""Cuts: stretches taken out of the programme (a producer's `[[cuts]]`, and long
pauses), how every later time moves, and the streaming splice that removes them
with a short crossfade. Pure: numpy on chunks handed in, no IO.

Times are integer milliseconds in the *uncut* episode (the intro included), as
chapters are written; a cut removes [start, end) exactly: the crossfade takes
half its length from each side of the cut, so the episode shortens by the cut's
length and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Sequence

import numpy as np

from ...errors import InputError
from ..chapters.chapters import Chapter
from .speech import runs
from ..episode.models import Episode, Soundbite

FADE_S = 0.02  # each cut's crossfade: long enough not to click, short enough to stay inside a pause


@dataclass(frozen=True)
class Cut:
    start_ms: int  # in the uncut episode
    end_ms: int
    reason: str  # manual | pause | filler | stumble | noise (a hand cut, or an accepted or automatic one)
    level_lufs: float | None = None  # the loudest 100 ms found inside it (the tracks summed), analysis domain
    allowed: str = ""  # why it was allowed to go
    words: str = ""  # the recognised words on both sides, for a reviewer ("so we … decided")
    detector: str = ""  # the [cutting] detector that found it ("" for a hand cut)

    @property
    def length_ms(self) -> int:
        return self.end_ms - self.start_ms

    def as_dict(self, offset_ms: int, cuts: Sequence["Cut"]) -> dict[str, object]:
        """As report.json lists it: where it was in the recording, where it falls in
        the finished episode, how long it was."""
        return {"recording_start": (self.start_ms - offset_ms) / 1000, "recording_end": (self.end_ms - offset_ms) / 1000,
                "episode_position": move_ms(self.start_ms, cuts) / 1000, "length": self.length_ms / 1000,
                "reason": self.reason, "start_ms": self.start_ms, "end_ms": self.end_ms,
                "level_lufs": None if self.level_lufs is None else round(self.level_lufs, 1),
                "allowed": self.allowed, "words": self.words, "detector": self.detector}

    @staticmethod
    def from_dict(d: dict[str, object]) -> "Cut":
        level = d.get("level_lufs")
        return Cut(int(d["start_ms"]), int(d["end_ms"]), str(d["reason"]),  # type: ignore[arg-type]
                   None if level is None else float(level), str(d.get("allowed") or ""),  # type: ignore[arg-type]
                   str(d.get("words") or ""), str(d.get("detector") or ""))


def move_ms(t_ms: int, cuts: Sequence[Cut]) -> int:
    """Where an instant of the uncut episode lands once `cuts` are out; an instant
    inside a cut lands where the cut was (the cut's end, moved)."""
    return t_ms - sum(min(max(t_ms - c.start_ms, 0), c.length_ms) for c in cuts)


def unmoved_ms(t_ms: int, cuts: Sequence[Cut]) -> int:
    """move_ms backwards: where an instant of the cut episode was in the uncut one (an
    instant at a cut's splice is the cut's end)."""
    for c in sorted(cuts, key=lambda c: c.start_ms):
        if c.start_ms <= t_ms:
            t_ms += c.length_ms
    return t_ms


def moved(times_ms: np.ndarray, cuts: Sequence[Cut]) -> np.ndarray:
    """move_ms for many instants at once (a plot's time axis): the same sum, in numpy."""
    times = np.asarray(times_ms, dtype=np.float64)
    return times - sum((np.clip(times - c.start_ms, 0, c.length_ms) for c in cuts), np.zeros_like(times))


def total_ms(cuts: Sequence[Cut]) -> int:
    return sum(c.length_ms for c in cuts)


def moved_chapters(chapters: Sequence[Chapter], cuts: Sequence[Cut], where: str) -> list[Chapter]:
    """Each chapter at its moved start; two that land on one instant are an error
    naming both (one of them started inside a cut)."""
    moved = [replace(c, start_ms=move_ms(c.start_ms, cuts)) for c in chapters]
    for i in range(1, len(moved)):
        if moved[i].start_ms == moved[i - 1].start_ms:
            raise InputError(f"{where}: chapters[{i - 1}] \"{chapters[i - 1].title}\" and chapters[{i}] "
                             f"\"{chapters[i].title}\" both start at {moved[i].start_ms / 1000:.3f} s once the "
                             f"cuts are out; move one of them or the cut")
    return moved


def moved_episode(episode: Episode, cuts: Sequence[Cut]) -> Episode:
    """The episode as built: chapters and soundbites in the finished episode's time."""
    if not cuts:
        return episode
    bites = tuple(Soundbite(move_ms(b.start_ms, cuts), b.duration_s, b.title) for b in episode.soundbites)
    return replace(episode, chapters=tuple(moved_chapters(episode.chapters, cuts, str(episode.file))),
                   soundbites=bites)


def check_manual(cuts: Sequence[Cut], first_ms: int, last_ms: int, where: str) -> None:
    """Manual cuts in order, apart, and inside the recordings clear of the music's
    crossfades (`first_ms`..`last_ms`, uncut episode time)."""
    for i, c in enumerate(cuts):
        if c.end_ms <= c.start_ms:
            raise InputError(f"{where}: cuts[{i}].end: must be after its start")
        if c.start_ms < first_ms or c.end_ms > last_ms:
            raise InputError(f"{where}: cuts[{i}]: {_span(c, first_ms)} is not inside the recordings "
                             f"(0–{(last_ms - first_ms) / 1000:.3f} s clear of the intro and outro crossfades)")
        if c.length_ms < 2 * FADE_S * 1000:
            raise InputError(f"{where}: cuts[{i}]: shorter than {2 * FADE_S * 1000:.0f} ms")
    ordered = sorted(range(len(cuts)), key=lambda k: cuts[k].start_ms)
    for a, b in zip(ordered, ordered[1:]):
        if cuts[b].start_ms < cuts[a].end_ms + 2 * FADE_S * 1000:
            raise InputError(f"{where}: cuts[{a}] and cuts[{b}] overlap (or touch): give them as one cut")


def _span(c: Cut, offset_ms: int) -> str:
    return f"{(c.start_ms - offset_ms) / 1000:.3f}–{(c.end_ms - offset_ms) / 1000:.3f} s"


def merge(manual: Sequence[Cut], pauses: Sequence[Cut]) -> list[Cut]:
    """Manual cuts win: a pause cut that meets one is dropped."""
    fade = 2 * FADE_S * 1000
    kept = [p for p in pauses if all(p.end_ms + fade <= m.start_ms or p.start_ms >= m.end_ms + fade for m in manual)]
    return sorted([*manual, *kept], key=lambda c: c.start_ms)


def pause_cuts(speech: np.ndarray, block_ms: int, offset_ms: int, max_pause_s: float, keep_pause_s: float,
               first_ms: int, last_ms: int, fine: np.ndarray | None = None) -> list[Cut]:
    """Every stretch where nobody speaks (`speech`: per block of `block_ms`, any
    track's own speech, recording time) that is longer than `max_pause_s`, cut to
    `keep_pause_s`, half kept at each side; only between `first_ms` and `last_ms`.
    With `fine` (the tracks' summed energy every FINE_MS), each edge is moved to
    where the level crosses the pause's own floor + EDGE_DB: the voice detector
    hears a syllable's tail for a frame or two after it is gone."""
    cuts = []
    for a, b in runs(~speech.astype(bool)):  # [a, b): a run of blocks without speech
        start, end = int(a) * block_ms, int(b) * block_ms
        if fine is not None and b - a > 2:
            start, end = _refined(fine, start, end)
        start, end = max(offset_ms + start, first_ms), min(offset_ms + end, last_ms)
        if (end - start) / 1000 <= max_pause_s:
            continue
        keep = round(keep_pause_s * 1000)
        cut = Cut(start + keep // 2, end - (keep - keep // 2), "pause")
        if cut.length_ms >= 2 * FADE_S * 1000:
            cuts.append(cut)
    return cuts


FINE_MS = 10
EDGE_DB = 10.0  # over the pause's median level: still the pause
EDGE_REACH_MS = 300  # how far an edge may move from the block edge


def _refined(fine: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """The pause [start, end) (ms) with its edges where the fine level leaves the pause."""
    a, b = start // FINE_MS, min(end // FINE_MS, len(fine))
    reach = EDGE_REACH_MS // FINE_MS
    quiet = float(np.median(fine[a:b])) * 10 ** (EDGE_DB / 10) + 1e-10
    lo = max(0, a - reach)
    loud_before = np.flatnonzero(fine[lo: a + reach] > quiet)
    loud_before = loud_before[loud_before + lo < (a + b) // 2]
    new_a = lo + int(loud_before[-1]) + 1 if len(loud_before) else a
    hi = min(len(fine), b + reach)
    loud_after = np.flatnonzero(fine[b - reach: hi] > quiet) + (b - reach)
    loud_after = loud_after[loud_after >= (a + b) // 2]
    new_b = int(loud_after[0]) if len(loud_after) else b
    return new_a * FINE_MS, new_b * FINE_MS


def splice(chunks: Iterator[np.ndarray], cuts: Sequence[tuple[int, int]], fade: int) -> Iterator[np.ndarray]:
    """The stream without frames [start, end) of each cut (sorted, apart by more than
    `fade`), each join an equal-power crossfade of `fade` frames: the last half fade
    before the cut into the first half fade after it."""
    reader = _Reader(chunks)
    pos = 0
    half = fade // 2
    out_fade = np.cos(np.linspace(0, np.pi / 2, fade, dtype=np.float64))[:, None].astype(np.float32)
    in_fade = np.sin(np.linspace(0, np.pi / 2, fade, dtype=np.float64))[:, None].astype(np.float32)
    for start, end in cuts:
        yield from reader.pieces(start - half - pos)
        before = reader.take(fade)
        reader.skip(end - start - fade)
        after = reader.take(fade)
        if len(after) < fade or len(before) < fade:  # the stream ended inside the cut
            return
        yield before * out_fade + after * in_fade
        pos = end - half + fade
    yield from reader.pieces(None)


class _Reader:
    """Frames pulled from a chunk stream in the amounts asked, holding no more
    than one chunk beyond what is asked."""

    def __init__(self, chunks: Iterator[np.ndarray]) -> None:
        self.chunks = iter(chunks)
        self.held: np.ndarray | None = None

    def _next(self) -> np.ndarray | None:
        if self.held is not None and len(self.held):
            held, self.held = self.held, None
            return held
        return next(self.chunks, None)

    def pieces(self, frames: int | None) -> Iterator[np.ndarray]:
        """`frames` frames as they come (None: all that is left)."""
        while frames is None or frames > 0:
            chunk = self._next()
            if chunk is None:
                return
            if frames is not None and len(chunk) > frames:
                chunk, self.held = chunk[:frames], chunk[frames:]
            if frames is not None:
                frames -= len(chunk)
            yield chunk

    def take(self, frames: int) -> np.ndarray:
        parts = list(self.pieces(frames))
        return np.concatenate(parts) if parts else np.zeros((0, 1), np.float32)

    def skip(self, frames: int) -> None:
        for _ in self.pieces(frames):
            pass
