"""Automatic cutting: the detectors of core.cutting on this build's words and
speech map, split by their mode into the cuts this build applies ("cut") and the
suggestions it lists ("suggest", no sample changes). Pauses come from
stages/cleanup, which finds them as before and hands them here by mode."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from ..core.audio import cuts, leveler, loudness
from ..core.audio.cuts import Cut
from ..core.cutting import detect
from ..core.cutting.settings import CuttingSettings
from ..core.transcripts.recognised import Spoken

BLOCK_MS = round(leveler.BLOCK_S * 1000)
NEAR_FLOOR_DB = 10.0  # quiet: within this of the floor (a pause to cut, stages/cleanup; a cut's edges here)
NOISE_MARGIN_MS = 50  # a noise's cut reaches this far into the quiet on each side (its blocks are 100 ms)
DETECTOR = {"filler": "fillers", "stumble": "stumbles", "noise": "noises", "pause": "pauses"}
ALLOWED = {
    "filler": "a filler word Whisper heard, with the breath up to {room} ms from its neighbours",
    "stumble": "a word or two said twice in a row: the first saying goes",
    "noise": "a burst {over:g} dB over the floor where the speech map hears nobody and Whisper no word "
             "within {clear} ms",
}


@dataclass(frozen=True)
class Evidence:
    """What the word detectors read beside the words, from the analysis: per 100 ms
    block, a track NOISE_OVER_FLOOR_DB over its floor (`loud`) and anyone speaking by
    the map (`speech`); per 10 ms, the tracks' summed energy (`level`) and whether
    it is within NEAR_FLOOR_DB of their summed floor (the room, for cut edges)."""
    loud: np.ndarray
    speech: np.ndarray
    level: np.ndarray
    room: detect.Room

    @staticmethod
    def none() -> "Evidence":
        empty = np.zeros(0, bool)
        return Evidence(empty, empty, np.zeros(0), detect.Room(empty))


def evidence(features: Sequence[leveler.TrackFeatures], speech_map: leveler.SpeechMap,
             s: leveler.LevelerSettings, fine: np.ndarray) -> Evidence:
    padded = leveler.padded(features)
    floors = [leveler.noise_floor(f, s) for f in features]
    loud = np.any([loudness.lufs(np.maximum(p.energy, 1e-12)) >= floor + detect.NOISE_OVER_FLOOR_DB
                   for p, floor in zip(padded, floors)], axis=0)
    floor_energy = sum(loudness.energy(f) for f in floors if np.isfinite(f))
    quiet = loudness.lufs(np.maximum(fine, 1e-12)) <= float(loudness.lufs(max(floor_energy, 1e-12))) + NEAR_FLOOR_DB
    return Evidence(loud, speech_map.anyone, fine, detect.Room(quiet, cuts.FINE_MS))


def word_cuts(settings: CuttingSettings, words: Sequence[Spoken], seen: Evidence,
              offset_ms: int, cuttable_ms: tuple[int, int]) -> list[Cut]:
    """Every word detector's finds that are not "off", as cuts in the uncut episode
    (past the intro), inside the recordings clear of the music's crossfades."""
    found: list[detect.Found] = []
    if settings.fillers != "off":
        found += detect.fillers(words, settings.filler_words, seen.room)
    if settings.stumbles != "off":
        found += detect.stumbles(words, settings.filler_words, seen.room, seen.level)
    if settings.noises != "off":
        found += [replace(f, start_ms=max(0, f.start_ms - NOISE_MARGIN_MS), end_ms=f.end_ms + NOISE_MARGIN_MS)
                  for f in detect.noises(seen.loud, seen.speech, BLOCK_MS, words)]
    first, last = cuttable_ms
    out = []
    for f in found:
        start, end = max(first, f.start_ms + offset_ms), min(last, f.end_ms + offset_ms)
        if end - start >= 2 * cuts.FADE_S * 1000:
            allowed = ALLOWED[f.reason].format(room=detect.ROOM_MS, over=detect.NOISE_OVER_FLOOR_DB,
                                               clear=detect.NOISE_CLEAR_MS)
            out.append(Cut(start, end, f.reason, allowed=allowed, words=f.words, detector=DETECTOR[f.reason]))
    return out


def by_mode(settings: CuttingSettings, found: Sequence[Cut]) -> tuple[list[Cut], list[Cut]]:
    """(to cut now, to suggest), each in order and without overlaps."""
    mode = {c: settings.mode(c.detector or DETECTOR.get(c.reason, "")) for c in found}
    return (joined([c for c in found if mode[c] == "cut"]), joined([c for c in found if mode[c] == "suggest"]))


def joined(found: Sequence[Cut]) -> list[Cut]:
    """In order; finds that overlap or touch (a filler inside a long pause) become one."""
    gap = 2 * cuts.FADE_S * 1000
    out: list[Cut] = []
    for c in sorted(found, key=lambda c: c.start_ms):
        if out and c.start_ms < out[-1].end_ms + gap:
            last = out[-1]
            out[-1] = replace(last, end_ms=max(last.end_ms, c.end_ms),
                              words=last.words if last.length_ms >= c.length_ms else c.words)
        else:
            out.append(c)
    return out


def without(found: Sequence[Cut], taken: Sequence[Cut]) -> list[Cut]:
    """The finds that meet none of `taken` (hand cuts and accepted suggestions win)."""
    return [c for c in cuts.merge(taken, found) if c not in taken]


def saved_by_detector(applied: Sequence[Cut]) -> dict[str, float]:
    """report.json: the seconds each detector took out (hand cuts as "manual")."""
    out: dict[str, float] = {}
    for c in applied:
        key = c.detector or DETECTOR.get(c.reason, c.reason)
        out[key] = round(out.get(key, 0.0) + c.length_ms / 1000, 3)
    return out
