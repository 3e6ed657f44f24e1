"""Transcript: read the producer's WebVTT or SRT before any audio work (so a
bad cue fails in a second), and once the episode's length is known write it
shifted into the episode's time as `<slug>.vtt`, `<slug>.srt` and `transcript.json`."""
from __future__ import annotations

from pathlib import Path

from ..core.transcripts import transcript
from ..core.episode.models import Episode
from ..core.episode.episode_files import TRANSCRIPT_JSON
from ..core.episode.plan import BuildPlan
from ..errors import InputError


def load(episode: Episode) -> list[transcript.Cue] | None:
    path = episode.transcript
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror})") from None
    return transcript.parse(text, transcript.FORMATS[path.suffix.lower()], str(path))


def write(cues: list[transcript.Cue], plan: BuildPlan, duration_ms: int, work: Path) -> dict[str, object]:
    """A hand transcript (times in the recording) into the episode's time and files."""
    where = str(plan.episode.transcript)
    placed = transcript.shifted(cues, plan.assembly.programme_offset_ms, duration_ms, where, plan.assembly.cuts)
    return write_placed(placed, plan, work) | {"source": "hand"}


def write_placed(cues: list[transcript.Cue], plan: BuildPlan, work: Path) -> dict[str, object]:
    """Cues already in the finished episode's time, as WebVTT, SRT and the namespace's JSON."""
    (work / plan.files.vtt).write_text(transcript.to_vtt(cues), encoding="utf-8")
    (work / plan.files.srt).write_text(transcript.to_srt(cues), encoding="utf-8")
    (work / TRANSCRIPT_JSON).write_text(transcript.to_json(cues), encoding="utf-8")
    return {"cues": len(cues), "offset_ms": plan.assembly.programme_offset_ms}
