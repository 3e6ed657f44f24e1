"""Cleanup: from the analysis every build makes (stages/level.analyse), decide
each recording's denoise and dehum (core.cleanup) and the pauses to shorten
(core.cuts), and move the episode's chapters and soundbites by every cut. The
filters run inside the assembly's ffmpeg graph and the cuts are spliced out of
its stream (stages/assemble), so cleanup costs no pass of its own."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from ..core import cleanup, cuts, leveler
from ..core.cuts import Cut
from ..core.plan import BuildPlan
from ..errors import InputError
from ..io.progress import Progress

BLOCK_MS = round(leveler.BLOCK_S * 1000)
MIN_SPEECH_LEFT_MS = 1000  # as a recording with less speech than this is refused (core.input_checks)


@dataclass(frozen=True)
class Cleaned:
    plan: BuildPlan  # with the cleanup filters and every cut in its assembly, and the moved episode
    tracks: list[cleanup.TrackCleanup]

    def report(self, shipped_speech_lufs: float, shipped_floor_lufs: float) -> dict[str, object]:
        """report.json's `cleanup`: each track's noise floor before, the shipped file's after
        (each also as the distance under its speech, which no gain changes), the time cut."""
        a = self.plan.assembly
        after = shipped_speech_lufs - shipped_floor_lufs
        return {"tracks": [{"file": t.path.name, **c.as_dict()} for t, c in zip(a.recordings, self.tracks)],
                "shipped": {"noise_floor_lufs": round(shipped_floor_lufs, 1),
                            "speech_over_floor_db": round(after, 1) if np.isfinite(after) else None},
                "time_saved_s": cuts.total_ms(a.cuts) / 1000}

    def cuts(self) -> list[dict[str, object]]:
        """report.json's `cuts`, in episode order."""
        a = self.plan.assembly
        return [c.as_dict(a.programme_offset_ms, a.cuts) for c in a.cuts]


def plan(build: BuildPlan, features: Sequence[leveler.TrackFeatures], progress: Progress) -> Cleaned:
    s, a = build.cleanup, build.assembly
    lv = build.preset.leveler
    tracks = [cleanup.plan_track(s, leveler.noise_floor(f, lv), f.spectrum if f.spectrum is not None else np.zeros(0),
                                 leveler.speech_lufs(f, lv), cleanup.noise_sample(_quiet(f, lv), leveler.BLOCK_S), i)
              for i, f in enumerate(features)]
    speech, fine = speech_map(features, build.preset.leveler)
    pauses = [] if s.max_pause_s is None else cuts.pause_cuts(
        speech, BLOCK_MS, a.programme_offset_ms, s.max_pause_s, s.keep_pause_s, *a.cuttable_ms, fine)
    every = cuts.merge(a.cuts, pauses)
    _refuse_cutting_all_speech(speech, every, a.programme_offset_ms, str(build.episode.file))
    assembly = replace(a, cleanup=tuple(t.filters for t in tracks), cuts=tuple(every))
    cleaned = replace(build, assembly=assembly, episode=cuts.moved_episode(build.episode, every))
    for t, c in zip(a.recordings, tracks):
        if c.filters:
            hum = f"hum {c.hum.base_hz} Hz × {len(c.hum.harmonics)} notched" if c.hum else ""
            noise = f"noise floor {c.noise_floor_lufs:.1f} LUFS, afftdn {c.denoise_db:g} dB" if c.denoise_db else ""
            progress.line(f"cleanup: {t.path.name}: {', '.join(x for x in (noise, hum) if x)}")
    if every:
        progress.line(f"cuts: {len(every)} ({sum(c.reason == 'pause' for c in every)} pauses), "
                      f"{cuts.total_ms(every) / 1000:.1f} s out")
    return Cleaned(cleaned, tracks)


def _quiet(f: leveler.TrackFeatures, s: leveler.LevelerSettings) -> np.ndarray:
    """Blocks with nothing voiced and a level within 3 dB of the track's floor."""
    level = leveler.lufs(np.maximum(f.energy, 1e-12))
    return (f.voiced == 0) & (level <= leveler.noise_floor(f, s) + 3.0)


def speech_map(features: Sequence[leveler.TrackFeatures],
               settings: leveler.LevelerSettings) -> tuple[np.ndarray, np.ndarray]:
    """Per block, whether anyone speaks (each track's own speech, bleed left out),
    and the tracks' summed energy every 10 ms (where a pause's edges are)."""
    padded = leveler.padded(features)
    active = leveler.activity(padded, settings)
    steps = max(len(f.fine) for f in features)
    fine = np.sum([np.pad(f.fine, (0, steps - len(f.fine))) for f in features], axis=0)
    return np.any(np.stack(active), axis=0), fine


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
