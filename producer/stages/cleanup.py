"""Cleanup: from the analysis every build makes (stages/level.analyse), decide
each recording's denoise and dehum (core.audio.cleanup) and the pauses to shorten
(core.audio.cuts), and move the episode's chapters and soundbites by every cut. The
filters run inside the assembly's ffmpeg graph and the cuts are spliced out of
its stream (stages/assemble), so cleanup costs no pass of its own."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from ..core.audio import cleanup, cuts, leveler, loudness
from ..core.audio.cuts import Cut
from ..core.episode.plan import BuildPlan
from ..errors import InputError
from ..io.progress import Progress
from ..core.cutting.settings import WORD_DETECTORS
from ..core.cutting.suggested import Suggestion
from ..core.transcripts.recognised import Spoken
from . import cutting, recognise

BLOCK_MS = round(leveler.BLOCK_S * 1000)
MIN_SPEECH_LEFT_MS = 1000  # as a recording with less speech than this is refused (core.audio.input_checks)
NEAR_FLOOR_DB = cutting.NEAR_FLOOR_DB  # a pause to cut: every track within this of its own noise floor


@dataclass(frozen=True)
class Cleaned:
    plan: BuildPlan  # with the cleanup filters and every cut in its assembly, and the moved episode
    tracks: list[cleanup.TrackCleanup]
    suggested: tuple[Cut, ...] = ()  # the detectors set to "suggest": listed, not applied (uncut episode time)
    seen: cutting.Evidence = field(default_factory=cutting.Evidence.none)  # what the word detectors read
    heard: bool = False  # the word detectors have read the words already (they were given to plan)

    def with_words(self, words: Sequence[Spoken]) -> "Cleaned":
        """The word detectors' suggestions, once the words are in (recognition ran beside
        the render: no detector set to "cut" needed them before it)."""
        s, a = self.plan.cutting, self.plan.assembly
        if self.heard or not any(s.mode(d) == "suggest" for d in WORD_DETECTORS):
            return self
        found = cutting.word_cuts(s, words, self.seen, a.programme_offset_ms, a.cuttable_ms)
        _, suggest = cutting.by_mode(s, found)
        return replace(self, suggested=tuple(cutting.without(cutting.joined([*self.suggested, *suggest]), a.cuts)))

    def suggestions(self) -> list[Suggestion]:
        offset = self.plan.assembly.programme_offset_ms
        return [Suggestion(c.start_ms - offset, c.end_ms - offset, c.reason, c.detector, c.words)
                for c in self.suggested]

    def suggested_report(self) -> list[dict[str, object]]:
        """report.json's `suggested_cuts`: as `cuts`, placed in the episode as shipped."""
        a = self.plan.assembly
        return [{"number": n, **c.as_dict(a.programme_offset_ms, a.cuts)} for n, c in enumerate(self.suggested, 1)]

    def report(self, shipped_speech_lufs: float, shipped_floor_lufs: float) -> dict[str, object]:
        """report.json's `cleanup`: each track's noise floor before, the shipped file's after
        (each also as the distance under its speech, which no gain changes), the time cut."""
        a = self.plan.assembly
        after = shipped_speech_lufs - shipped_floor_lufs
        return {"tracks": [{"file": t.path.name, **c.as_dict()} for t, c in zip(a.recordings, self.tracks)],
                "shipped": {"noise_floor_lufs": round(shipped_floor_lufs, 1),
                            "speech_over_floor_db": round(after, 1) if np.isfinite(after) else None},
                "time_saved_s": cuts.total_ms(a.cuts) / 1000,
                "time_saved_by_detector": cutting.saved_by_detector(a.cuts)}

    def cuts(self) -> list[dict[str, object]]:
        """report.json's `cuts`, in episode order."""
        a = self.plan.assembly
        return [c.as_dict(a.programme_offset_ms, a.cuts) for c in a.cuts]


def plan(build: BuildPlan, features: Sequence[leveler.TrackFeatures], speech_map: leveler.SpeechMap,
         progress: Progress, words: Sequence[Spoken] | None = None) -> Cleaned:
    """`words`: the recognised words, when a word detector cuts in this build."""
    s, a, settings = build.cleanup, build.assembly, build.cutting
    lv = build.preset.leveler
    tracks = [cleanup.plan_track(s, leveler.noise_floor(f, lv), f.spectrum if f.spectrum is not None else np.zeros(0),
                                 leveler.speech_lufs(f, lv), cleanup.noise_sample(_quiet(f, lv), leveler.BLOCK_S), i)
              for i, f in enumerate(features)]
    speech, fine = speech_map.anyone, summed_fine(features)
    loud = ~near_floor(features, lv)  # what the map calls silence but stands off the floor is not cut either
    pauses = [] if settings.pauses == "off" or s.max_pause_s is None else cuts.pause_cuts(
        speech | loud, BLOCK_MS, a.programme_offset_ms, s.max_pause_s, s.keep_pause_s, *a.cuttable_ms, fine)
    total = np.sum([p.energy for p in leveler.padded(features)], axis=0)  # the tracks summed, once
    pauses = _heard(build, [replace(_with_level(c, total, a.programme_offset_ms), detector="pauses")
                            for c in pauses], progress)
    seen = cutting.evidence(features, speech_map, lv, fine)
    found = [*pauses, *(cutting.word_cuts(settings, words, seen, a.programme_offset_ms, a.cuttable_ms)
                        if words is not None else [])]
    apply, suggest = cutting.by_mode(settings, found)
    every = cuts.merge(a.cuts, apply)
    _refuse_cutting_all_speech(speech, every, a.programme_offset_ms, str(build.episode.file))
    assembly = replace(a, cleanup=tuple(t.filters for t in tracks), cuts=tuple(every))
    cleaned = replace(build, assembly=assembly, episode=cuts.moved_episode(build.episode, every))
    for t, c in zip(a.recordings, tracks):
        if c.filters:
            hum = f"hum {c.hum.base_hz} Hz × {len(c.hum.harmonics)} notched" if c.hum else ""
            noise = f"noise floor {c.noise_floor_lufs:.1f} LUFS, afftdn {c.denoise_db:g} dB" if c.denoise_db else ""
            progress.line(f"cleanup: {t.path.name}: {', '.join(x for x in (noise, hum) if x)}")
    if every:
        by = ", ".join(f"{n} {r}{'s' if n > 1 else ''}" for r in ("pause", "filler", "stumble", "noise", "manual")
                       if (n := sum(c.reason == r for c in every)))
        progress.line(f"cuts: {len(every)}{f' ({by})' if by else ''}, {cuts.total_ms(every) / 1000:.1f} s out")
    return Cleaned(cleaned, tracks, tuple(cutting.without(suggest, every)), seen, words is not None)


def near_floor(features: Sequence[leveler.TrackFeatures], s: leveler.LevelerSettings) -> np.ndarray:
    """Per block, whether every track sits within NEAR_FLOOR_DB of its own noise floor."""
    padded = leveler.padded(features)
    floors = [leveler.noise_floor(f, s) for f in features]
    return np.all([loudness.lufs(np.maximum(p.energy, 1e-12)) <= floor + NEAR_FLOOR_DB
                   for p, floor in zip(padded, floors)], axis=0)


def _with_level(c: Cut, total: np.ndarray, offset_ms: int) -> Cut:
    """The cut with the loudest 100 ms found inside it (`total`: the tracks' summed
    energy a block) and the rule that let it go."""
    a, b = (c.start_ms - offset_ms) // BLOCK_MS, -(-(c.end_ms - offset_ms) // BLOCK_MS)
    inside = total[max(0, a):b]
    level = float(loudness.lufs(max(float(inside.max()), 1e-12))) if len(inside) else None
    return replace(c, level_lufs=level, allowed=f"nobody speaks on any track by the speech map, and every track "
                                                f"is within {NEAR_FLOOR_DB:g} dB of its noise floor")


def _heard(build: BuildPlan, pauses: list[Cut], progress: Progress) -> list[Cut]:
    """Where the recogniser runs, each pause gets a hearing of its own before it is cut
    (the main recognition only listens where the map hears speech): a word heard in
    it, or within recognise.VETO_MS of it, keeps it."""
    if not pauses:
        return pauses
    if not recognise.wanted(build.show, build.episode):
        return [replace(c, allowed=f"{c.allowed}; recognition is off: the map and the floor decided") for c in pauses]
    offset = build.assembly.programme_offset_ms
    words = recognise.hear(build, [(c.start_ms - offset, c.end_ms - offset) for c in pauses])
    kept = []
    for c, heard in zip(pauses, words):
        if heard:
            progress.line(f"cuts: the pause at {(c.start_ms - offset) / 1000:.1f} s is kept: Whisper heard "
                          f"\"{' '.join(heard)}\" in it")
            continue
        kept.append(replace(c, allowed=f"{c.allowed}; Whisper heard no word in it or within "
                                        f"{recognise.VETO_MS} ms of it"))
    return kept


def _quiet(f: leveler.TrackFeatures, s: leveler.LevelerSettings) -> np.ndarray:
    """Blocks with nothing voiced and a level within 3 dB of the track's floor."""
    level = loudness.lufs(np.maximum(f.energy, 1e-12))
    return (f.voiced == 0) & (level <= leveler.noise_floor(f, s) + 3.0)


def summed_fine(features: Sequence[leveler.TrackFeatures]) -> np.ndarray:
    """The tracks' summed energy every 10 ms (where a pause's edges are)."""
    steps = max(len(f.fine) for f in features)
    return np.sum([np.pad(f.fine, (0, steps - len(f.fine))) for f in features], axis=0)


def _refuse_cutting_all_speech(speech: np.ndarray, every: Sequence[Cut], offset_ms: int, where: str) -> None:
    starts = offset_ms + np.flatnonzero(speech) * BLOCK_MS
    if not len(starts):
        return
    inside = np.zeros(len(starts), bool)
    for c in every:
        inside |= (starts >= c.start_ms) & (starts + BLOCK_MS <= c.end_ms)
    if (~inside).sum() * BLOCK_MS < MIN_SPEECH_LEFT_MS:
        raise InputError(f"{where}: cuts: they take out all the speech (less than "
                         f"{MIN_SPEECH_LEFT_MS / 1000:g} s is left); nothing would be left to publish")
