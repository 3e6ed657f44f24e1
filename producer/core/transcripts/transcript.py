"""Transcripts: WebVTT or SRT in, as transcription services write them (times
in the recording), WebVTT and Podcasting 2.0 JSON out (times in the episode,
shifted by what plays before the recording). Pure."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Sequence

from ...errors import InputError, TimeError
from ..audio.cuts import Cut, move_ms
from ..chapters.timecode import format_time, parse_time

FORMATS = {".vtt": "vtt", ".srt": "srt"}
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$")
_VOICE = re.compile(r"^<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")


@dataclass(frozen=True)
class Word:
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None
    words: tuple[Word, ...] = ()  # where the recogniser timed each word


def parse(text: str, fmt: str, where: str) -> list[Cue]:
    """Every cue, in order; one error naming the line for anything else."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if fmt == "vtt" and not lines[0].startswith("WEBVTT"):
        raise InputError(f"{where}: line 1: a WebVTT file starts with WEBVTT")
    cues: list[Cue] = []
    for number, block in _blocks(lines[1:] if fmt == "vtt" else lines, 2 if fmt == "vtt" else 1):
        cue = _cue(block, number, fmt, where)
        if cue is not None:
            cues.append(cue)
    if not cues:
        raise InputError(f"{where}: no cues")
    for i in range(1, len(cues)):
        if cues[i].start_ms < cues[i - 1].start_ms:
            raise InputError(f"{where}: cue {i + 1} starts before the cue before it")
    return cues


def _blocks(lines: list[str], first: int) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the line number each starts at."""
    blocks, current, start = [], [], first
    for n, line in enumerate(lines, first):
        if line.strip():
            if not current:
                start = n
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _cue(block: list[str], number: int, fmt: str, where: str) -> Cue | None:
    if fmt == "vtt" and block[0].split()[0] in ("NOTE", "STYLE", "REGION"):
        return None
    at = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
    if at is None:
        raise InputError(f'{where}: line {number}: "{block[0].strip()}" is not a cue (no "start --> end")')
    m = _TIMING.match(block[at])
    try:
        if not m:
            raise TimeError(f'"{block[at].strip()}" is not "start --> end"')
        start, end = (parse_time(t.replace(",", ".")) for t in m.groups())
    except TimeError as e:
        raise InputError(f"{where}: line {number + at}: {e}") from None
    if end <= start:
        raise InputError(f"{where}: line {number + at}: the cue ends before it starts")
    body = " ".join(line.strip() for line in block[at + 1:])
    voice = _VOICE.match(body)
    return Cue(start, end, _TAG.sub("", body).strip(), voice.group(1).strip() if voice else None)


def shifted(cues: list[Cue], offset_ms: int, duration_ms: int, where: str,
            cut: Sequence[Cut] = ()) -> list[Cue]:
    """Into the episode's time (after the intro, moved by every cut before it); a cue
    past the end is an error, one that runs over it ends with the episode (services
    round the last end up), one wholly inside a cut is gone with it."""
    out = []
    for i, c in enumerate(cues):
        start = move_ms(c.start_ms + offset_ms, cut)
        end = min(move_ms(c.end_ms + offset_ms, cut), duration_ms)
        if start >= duration_ms:
            raise InputError(f"{where}: cue {i + 1} starts at {start / 1000:.3f} s in the episode, after its end "
                             f"({duration_ms / 1000:.3f} s)")
        if end <= start and c.end_ms > c.start_ms:  # wholly inside a cut
            continue
        out.append(replace(c, start_ms=start, end_ms=end))
    return out


def to_vtt(cues: list[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for c in cues:
        text = f"<v {c.speaker}>{c.text}" if c.speaker else c.text
        blocks.append(f"{format_time(c.start_ms, millis=True)} --> {format_time(c.end_ms, millis=True)}\n{text}\n")
    return "\n".join(blocks)


def to_srt(cues: list[Cue]) -> str:
    """SubRip: numbered cues, comma before the milliseconds, speakers as `Name: `."""
    blocks = []
    for n, c in enumerate(cues, 1):
        text = f"{c.speaker}: {c.text}" if c.speaker else c.text
        blocks.append(f"{n}\n{format_time(c.start_ms, millis=True, sep=',')} --> "
                      f"{format_time(c.end_ms, millis=True, sep=',')}\n{text}\n")
    return "\n".join(blocks)


def to_json(cues: list[Cue]) -> str:
    """The Podcasting 2.0 JSON transcript (version 1.0.0): segments in seconds, one a
    word where the words are timed (as the namespace's own example), else one a cue."""
    segments = []
    for c in cues:
        speaker = {"speaker": c.speaker} if c.speaker else {}
        spans = [(w.start_ms, w.end_ms, w.text) for w in c.words] or [(c.start_ms, c.end_ms, c.text)]
        segments += [{**speaker, "startTime": a / 1000, "endTime": b / 1000, "body": text} for a, b, text in spans]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=2) + "\n"


def json_segments(text: str, where: str) -> list[tuple[float, float, str]]:
    """transcript.json (to_json's form) back as (start s, end s, body) segments; a file
    that is not one is an InputError naming it."""
    try:
        return [(float(s["startTime"]), float(s["endTime"]), str(s["body"])) for s in json.loads(text)["segments"]]
    except (ValueError, KeyError, TypeError) as e:
        raise InputError(f"{where}: not a Podcasting 2.0 JSON transcript ({e}); build again") from None
