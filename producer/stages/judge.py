"""Judge one file as `producer check` does: its tags and chapters read back, its
loudness and speech balance measured on its own audio, every verdict of
core.episode.verdicts. The build runs the same judgement on what it is about to ship,
so a build never ships a file that `check` fails."""
from __future__ import annotations

from pathlib import Path

from ..core.episode.id3 import Id3Summary
from ..core.audio.speech import Heard
from ..core.audio.loudness import Loudness
from ..core.episode.models import Episode, Preset
from ..core.episode.verdicts import (FileReport, balance_verdict, chapter_verdicts, episode_verdicts, loudness_verdicts,
                             rendition_verdicts, tag_verdicts)
from ..errors import MediaError
from ..io import tags as tag_io
from .level import file_speech
from .measure import measure_file


def judge(path: Path, preset: Preset, episode: Episode | None, measured: Loudness | None = None,
          heard: Heard | None = None, tags: Id3Summary | None = None) -> FileReport:
    """Every verdict on `path`. `measured` and `heard`, when the caller has them
    from the file's own samples (the build's verifying decode), are not measured again."""
    report = FileReport(str(path))
    try:
        found = tags if tags is not None else tag_io.read(path)
        measured = measured or measure_file(path)
        heard = file_speech(path, preset.leveler) if heard is None else heard
    except MediaError as e:
        report.error = str(e)
        return report
    duration_ms = round(measured.duration * 1000)
    report.figures = measured.as_dict() | heard.balance.as_dict()
    report.verdicts += loudness_verdicts(measured, preset)
    report.verdicts.append(balance_verdict(heard.balance.spread_lu, preset))
    chapterless = episode is not None and not episode.chapters and not found.chapters
    if isinstance(found, Id3Summary):
        report.verdicts += tag_verdicts(found) + ([] if chapterless else chapter_verdicts(found, duration_ms))
    else:
        report.verdicts += [v for v in rendition_verdicts(found, duration_ms)
                            if not (chapterless and v.name == "chapters")]
    if episode is not None:
        report.verdicts += episode_verdicts(found, episode)
    return report


def failure_text(report: FileReport) -> str:
    """What `check` prints for each failed verdict, on one line."""
    if report.error:
        return report.error
    return "; ".join(f"{v.name}: {v.measured} (expected {v.expected})" + (f" — {v.reason}" if v.reason else "")
                     for v in report.verdicts if v.fails)
