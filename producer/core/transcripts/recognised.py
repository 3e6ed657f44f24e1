"""From recognised words to cues a listener can read, and where the words land in
the finished episode. Pure.

Cues follow the common captioning rules (and Apple's): at most two lines of 42
characters and 7 seconds, one speaker a cue, broken at a sentence's end or a
pause where one is near, never inside a word."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..audio.cuts import Cut, move_ms
from .transcript import Cue, Word

LINE_CHARS = 42
LINES = 2
MAX_CUE_MS = 7000
PAUSE_MS = 600  # a silence this long between words ends a cue
SENTENCE_MIN_MS = 1500  # a sentence's end ends a cue once the cue is this long


@dataclass(frozen=True)
class Spoken:
    """One recognised word in a recording's own time, and who said it."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None


def fitted(words: Sequence[Spoken], runs: Sequence[tuple[int, int]], slack_ms: int) -> list[Spoken]:
    """Each word held inside the run of speech it starts in or nearest to (the voice
    map's [start, end) ms): Whisper's times drift into the silence around a phrase,
    its last word's end most (half a second is common); the voice map does not. A
    word further than `slack_ms` from any run of this speaker is not theirs (another
    voice's bleed) and is dropped."""
    out = []
    for w in words:
        if not runs:
            break
        a, b = min(runs, key=lambda r: _distance(w.start_ms, r))
        if _distance(w.start_ms, (a, b)) > slack_ms:
            continue
        start = min(max(w.start_ms, a), b - 1)
        end = max(min(w.end_ms, b), start + 1)
        out.append(Spoken(start, end, w.text, w.speaker))
    return out


def _distance(t: int, run: tuple[int, int]) -> int:
    return 0 if run[0] <= t < run[1] else min(abs(t - run[0]), abs(t - run[1]))


def placed(words: Sequence[Spoken], offset_ms: int, cuts: Sequence[Cut]) -> list[Spoken]:
    """Into the finished episode: after the intro, moved by the cuts; a word inside a
    cut is gone with it."""
    out = []
    for w in words:
        start, end = move_ms(w.start_ms + offset_ms, cuts), move_ms(w.end_ms + offset_ms, cuts)
        if end > start:
            out.append(Spoken(start, end, w.text, w.speaker))
    return sorted(out, key=lambda w: w.start_ms)


def wrap(words: Sequence[str], width: int = LINE_CHARS) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def cues(words: Sequence[Spoken]) -> list[Cue]:
    """Words (in episode order) gathered into cues. A cue that is full before its
    sentence ends breaks after its last comma in its second half, if it has one, so
    that a sentence's last word or two do not stand alone in a cue of their own."""
    out: list[Cue] = []
    current: list[Spoken] = []
    for w in words:
        if current and _breaks(current, w):
            keep = _clause_end(current) if _full(current, w) else len(current)
            out.append(_cue(current[:keep]))
            current = current[keep:]
        current.append(w)
    if current:
        out.append(_cue(current))
    return out


def _full(current: list[Spoken], nxt: Spoken) -> bool:
    """The cue breaks for room (lines, length), not at a pause, a sentence or a speaker."""
    last = current[-1]
    if nxt.speaker != last.speaker or nxt.start_ms - last.end_ms >= PAUSE_MS:
        return False
    return not (last.text.endswith((".", "?", "!")) and last.end_ms - current[0].start_ms >= SENTENCE_MIN_MS)


def _clause_end(current: list[Spoken]) -> int:
    """Words to keep: up to the last comma (or colon, semicolon) past the cue's middle."""
    for i in range(len(current) - 1, len(current) // 2 - 1, -1):
        if current[i].text.endswith((",", ";", ":")):
            return i + 1
    return len(current)


def _breaks(current: list[Spoken], nxt: Spoken) -> bool:
    last = current[-1]
    if nxt.speaker != last.speaker or nxt.start_ms - last.end_ms >= PAUSE_MS:
        return True
    if nxt.end_ms - current[0].start_ms > MAX_CUE_MS:
        return True
    if len(wrap([w.text for w in current] + [nxt.text])) > LINES:
        return True
    return last.text.endswith((".", "?", "!")) and last.end_ms - current[0].start_ms >= SENTENCE_MIN_MS


def _cue(words: list[Spoken]) -> Cue:
    text = "\n".join(wrap([w.text for w in words]))
    return Cue(words[0].start_ms, words[-1].end_ms, text, words[0].speaker,
               tuple(Word(w.start_ms, w.end_ms, w.text) for w in words))
