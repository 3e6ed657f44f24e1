"""The report page of a build or of a checked file (core.site.report_page draws it)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..core.site import report_page
from ..core.episode.build_report import BuildReport
from ..core.audio.cuts import moved
from ..core.episode.id3 import ContainerSummary, Id3Summary
from ..core.audio.leveler import BLOCK_S
from ..core.audio.loudness import Loudness
from ..core.episode.models import Preset
from ..core.episode.plan import BuildPlan
from ..core.episode.verdicts import FileReport, balance_verdict, loudness_verdicts
from . import assemble, encode, level


def for_build(plan: BuildPlan, report: BuildReport, measured: Loudness, shipped: Loudness,
              leveling: level.Leveling | None, clips: Sequence[tuple[float, float]] = ()) -> str:
    p = plan.preset
    a = plan.assembly
    tracks = [report_page.Track(t.path.name, pl.summary(), pl.gains_db, _block_times(len(pl.gains_db), plan))
              for t, pl in zip(a.recordings, leveling.plans)] if leveling else []
    return report_page.page(report_page.PageData(
        title=plan.episode.title or plan.episode.slug, file=plan.mp3_name, target_lufs=p.integrated,
        tolerance=p.tolerance, ceiling_dbtp=p.true_peak, preset=p.name, output=shipped,
        verdicts=loudness_verdicts(shipped, p) + ([balance_verdict(report.speech["speech_spread_lu"], p)]
                                                  if "speech_spread_lu" in report.speech else []), input=measured,
        chapters=[(c.start_ms / 1000, c.title) for c in plan.chapters], attempts=report.attempts,
        tracks=tracks, leveler=leveling.mode if leveling else None, cleanup=report.cleanup, cuts=report.cuts,
        suggested=report.suggested_cuts, audio=plan.mp3_name, clips=tuple(clips), clips_file=CLIPS,
        notes=[f"Measured on the shipped MP3 ({report.verified_by}); the input is the assembled programme "
               f"before the gain. Written by producer build."]))


def _block_times(blocks: int, plan: BuildPlan) -> np.ndarray:
    """Each leveler block's centre in the finished episode: after the intro, moved by the cuts."""
    uncut = plan.assembly.programme_offset_ms + (np.arange(blocks) + 0.5) * BLOCK_S * 1000
    return moved(uncut, plan.assembly.cuts) / 1000


def for_check(report: FileReport, preset: Preset, measured: Loudness,
              tags: Id3Summary | ContainerSummary) -> str:
    chapters: Sequence[tuple[float, str]] = [(c.start_ms / 1000, c.title) for c in tags.chapters]
    title = tags.title or Path(report.file).name
    return report_page.page(report_page.PageData(
        title=title, file=report.file, target_lufs=preset.integrated, tolerance=preset.tolerance,
        ceiling_dbtp=preset.true_peak, preset=preset.name, output=measured, verdicts=report.verdicts,
        chapters=chapters, notes=["Measured by producer check on the file itself."]))


CLIPS = "cuts-as-they-were.mp3"  # the audio around each applied cut, before it, one after another
CLIP_PAD_S = 1.0
CLIP_GAP_S = 0.5  # of silence between two cuts' audio in CLIPS


def cut_clips(plan: BuildPlan, leveling: level.Leveling | None, gain_db: float, work: Path) -> list[tuple[float, float]]:
    """For each cut this build applied, the uncut programme around it (CLIP_PAD_S on
    each side) at the MP3's gain: the cut is gone from the episode, so "as it was"
    cannot be played from it. All of them in one short MP3 beside the report (one
    encode, however many pauses were cut); returns each one's (start s, length s) in it."""
    a = plan.assembly
    if not a.cuts:
        return []
    longest = min(t.duration for t in a.recordings)
    spans = []
    for c in a.cuts:
        start = max(0.0, (c.start_ms - a.programme_offset_ms) / 1000 - CLIP_PAD_S)
        end = min(longest, (c.end_ms - a.programme_offset_ms) / 1000 + CLIP_PAD_S)
        spans.append((start, max(0.05, end - start)))
    pieces = assemble.mixed(a, leveling, spans, assemble.spans(a, spans))
    gap = np.zeros((round(CLIP_GAP_S * a.sample_rate), a.channels), np.float32)
    placed, chunks, at = [], [], 0.0
    for piece in pieces:
        placed.append((at, len(piece) / a.sample_rate))
        chunks += [np.clip(piece * 10 ** (gain_db / 20), -0.9, 0.9).astype(np.float32), gap]
        at += (len(piece) + len(gap)) / a.sample_rate
    encode.encode(chunks, work / CLIPS, plan.preset)
    return placed
