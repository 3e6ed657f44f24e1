"""The detectors that read the recognised words (and, for noises, the speech map):
each proposes cuts in recording time, none takes a word that is not itself the
filler or the repeated saying. Pure.

Whisper's word times are where its attention put the word, good to some tens of
ms; so a filler's cut keeps ROOM_MS of room tone against each neighbouring word
rather than cutting at the neighbour's reported edge."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Literal, Sequence

import numpy as np

from ..audio.speech import runs
from ..transcripts.recognised import Spoken

Reason = Literal["filler", "stumble", "noise", "pause"]
DEFAULT_FILLERS = ("um", "uh", "er", "ah", "erm", "hmm", "mm")
ROOM_MS = 60  # room tone kept against each neighbouring word
MIN_CUT_MS = 60  # shorter than this is not worth a splice (and under two crossfades)
STUMBLE_GAP_MS = 1200  # two sayings further apart than this are not a stumble
NOISE_S = (0.1, 1.5)  # a noise burst's length
NOISE_OVER_FLOOR_DB = 10.0
NOISE_CLEAR_MS = 150  # a burst this near a recognised word is left alone (recognise.VETO_MS)
CONTEXT_WORDS = 3  # on each side, for the reviewer


@dataclass(frozen=True)
class Found:
    start_ms: int  # recording time
    end_ms: int
    reason: Reason
    words: str  # the words on both sides: "so we … decided"


def normal(word: str) -> str:
    """A word as the detectors compare it: lower case, no punctuation, and each run
    of a letter once ("Umm," and "um" are one filler; "Hmm" and "hm" too)."""
    w = re.sub(r"[^\w']", "", word.lower())
    return re.sub(r"(.)\1+", r"\1", w)


def is_filler(word: str, fillers: Iterable[str]) -> bool:
    return normal(word) in {normal(f) for f in fillers}


def context(words: Sequence[Spoken], before: int, after: int) -> str:
    """The words before index `before` and from index `after` on, as a reviewer reads them."""
    left = " ".join(w.text for w in words[max(0, before - CONTEXT_WORDS):before])
    right = " ".join(w.text for w in words[after:after + CONTEXT_WORDS])
    return f"{left} … {right}".strip()


@dataclass(frozen=True)
class Room:
    """Where the room is quiet, every FINE_MS: each 10 ms frame of the tracks summed
    within NEAR_FLOOR_DB of their floor. Whisper's word times are good to a tenth of
    a second; a cut's edges are put where this says nobody makes a sound."""
    quiet: np.ndarray  # bool per frame
    frame_ms: int = 10

    @cached_property
    def sounds(self) -> list[tuple[int, int]]:
        """[start, end) ms of each sound: a run of frames not quiet, gaps under BRIDGE_MS bridged
        (found once an episode: every filler and stumble looks them up)."""
        joined: list[tuple[int, int]] = []
        for a, b in runs(~self.quiet):
            a, b = a * self.frame_ms, b * self.frame_ms
            if joined and a - joined[-1][1] < BRIDGE_MS:
                joined[-1] = (joined[-1][0], b)
            else:
                joined.append((a, b))
        return joined

    def sound_at(self, t_ms: int) -> tuple[int, int] | None:
        """The sound that holds t_ms, or the nearest one starting within SEEK_MS after it."""
        for a, b in self.sounds:
            if b > t_ms and a <= t_ms + SEEK_MS:
                return a, b
        return None

    def quiet_before(self, t_ms: int) -> int:
        """Where the quiet run that ends at t_ms begins (t_ms itself if the frame before is not quiet)."""
        k = t_ms // self.frame_ms
        while k > 0 and self.quiet[k - 1]:
            k -= 1
        return k * self.frame_ms

    def quiet_after(self, t_ms: int) -> int:
        k = t_ms // self.frame_ms
        while k < len(self.quiet) and self.quiet[k]:
            k += 1
        return k * self.frame_ms


BRIDGE_MS = 60  # a stop consonant's silence inside a word is not a pause
SEEK_MS = 500  # how far from Whisper's times a sound may be and still be the word it heard
MAX_FILLER_MS = 1200  # a longer sound around a filler holds more than the filler


def fillers(words: Sequence[Spoken], filler_words: Sequence[str], room: Room) -> list[Found]:
    """Each run of fillers said on its own (room tone on both sides of its sound), with
    the breath around it, keeping ROOM_MS of room tone against the neighbouring sounds.
    A filler run into its neighbours without a pause is left alone: no cut could take
    it without taking part of a word."""
    ordered = sorted(words, key=lambda w: w.start_ms)
    found: list[Found] = []
    i = 0
    while i < len(ordered):
        if not is_filler(ordered[i].text, filler_words):
            i += 1
            continue
        j = i
        while j + 1 < len(ordered) and is_filler(ordered[j + 1].text, filler_words):
            j += 1
        sound = _filler_sound(room.sounds, ordered, i, j)
        if sound is not None:
            # halfway into the pause on each side: what is left reads as one pause, as if
            # the filler had never been said, and never less than ROOM_MS against a word
            before, after = room.quiet_before(sound[0]), room.quiet_after(sound[1])
            start = max(before + ROOM_MS, (before + sound[0]) // 2)
            end = min(after - ROOM_MS, (sound[1] + after) // 2)
            if start <= sound[0] and end >= sound[1] and end - start >= MIN_CUT_MS:
                found.append(Found(start, end, "filler", context(ordered, i, j + 1)))
        i = j + 1
    return found


def _middle(a: int, b: int) -> float:
    return (a + b) / 2


def _filler_sound(sounds: Sequence[tuple[int, int]], ordered: Sequence[Spoken], i: int, j: int
                  ) -> tuple[int, int] | None:
    """The sound that is fillers i..j: Whisper's word times are good to a few tenths of a
    second, so the sound is found by matching, not by overlap: the short sound
    (MAX_FILLER_MS) whose middle is nearest the fillers' middle, within SEEK_MS, and
    nearer to them than to any other word Whisper heard (so "So, um" never takes "So")."""
    mid = _middle(ordered[i].start_ms, ordered[j].end_ms)
    short = [s for s in sounds if s[1] - s[0] <= MAX_FILLER_MS and abs(_middle(*s) - mid) <= SEEK_MS]
    if not short:
        return None
    sound = min(short, key=lambda s: abs(_middle(*s) - mid))
    nearest = min(range(len(ordered)), key=lambda k: abs(_middle(ordered[k].start_ms, ordered[k].end_ms)
                                                         - _middle(*sound)))
    return sound if i <= nearest <= j else None


def stumbles(words: Sequence[Spoken], filler_words: Sequence[str], room: Room,
             level: np.ndarray) -> list[Found]:
    """A word or two-word phrase said twice in a row by one speaker ("the the",
    "I think I think"): the first saying goes, from the room tone before it (ROOM_MS
    kept) to the quietest 10 ms between the two sayings (`level`: each frame's energy)."""
    ordered = sorted(words, key=lambda w: w.start_ms)
    keys = [normal(w.text) for w in ordered]
    found: list[Found] = []
    i = 0
    while i < len(ordered):
        hit = 0
        for n in (2, 1):  # the longer phrase first: "I think I think" is one stumble
            if i + 2 * n <= len(ordered) and keys[i:i + n] == keys[i + n:i + 2 * n] and all(keys[i:i + n]) \
                    and not any(is_filler(w, filler_words) for w in keys[i:i + n]) \
                    and len({w.speaker for w in ordered[i:i + 2 * n]}) == 1 \
                    and ordered[i + n].start_ms - ordered[i + n - 1].end_ms <= STUMBLE_GAP_MS:
                hit = n
                break
        if not hit:
            i += 1
            continue
        first, second = ordered[i], ordered[i + hit]
        sound = room.sound_at(first.start_ms - SEEK_MS // 2)
        if sound is not None and abs(sound[0] - first.start_ms) <= SEEK_MS:
            before = room.quiet_before(sound[0])
            start = max(before + ROOM_MS, (before + sound[0]) // 2)
            f = room.frame_ms
            lo, hi = (ordered[i + hit - 1].end_ms - 100) // f, (second.start_ms + 100) // f
            end = (lo + int(np.argmin(level[lo:hi]))) * f if 0 <= lo < hi <= len(level) else None
            if end is not None and start <= sound[0] and end - start >= MIN_CUT_MS:
                found.append(Found(start, end, "stumble", context(ordered, i, i + hit)))
        i += 2 * hit
    return found


def noises(loud: np.ndarray, speech: np.ndarray, block_ms: int, words: Sequence[Spoken]) -> list[Found]:
    """Runs of `loud` blocks (NOISE_OVER_FLOOR_DB over a track's floor) NOISE_S long in
    which, and a block either side of which, the speech map hears nobody, with no
    recognised word within NOISE_CLEAR_MS: a cough, a bump, a chair. A loud run that
    touches speech anywhere is the speech itself (the map starts a little late)."""
    ordered = sorted(words, key=lambda w: w.start_ms)
    starts = np.array([w.start_ms for w in ordered], dtype=np.int64)
    ends = np.array([w.end_ms for w in ordered], dtype=np.int64)
    n = min(len(loud), len(speech))
    found: list[Found] = []
    for a, b in runs(loud[:n]):
        start, end = a * block_ms, b * block_ms
        if not NOISE_S[0] * 1000 <= end - start <= NOISE_S[1] * 1000 or speech[max(0, a - 1):b + 1].any():
            continue
        near = (starts < end + NOISE_CLEAR_MS) & (ends > start - NOISE_CLEAR_MS)
        if near.any():
            continue
        k = int(np.searchsorted(starts, start))
        found.append(Found(start, end, "noise", context(ordered, k, k)))
    return found
