"""Pure chapter model: times, validation and the Podcasting 2.0 JSON form.

Times are kept as integer milliseconds so that what the user wrote survives
every conversion (ID3 CHAP frames also count in milliseconds).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from .errors import InputError

_TIME = re.compile(r"^(?:(?:(\d+):)?([0-5]?\d):)?(\d+)(?:\.(\d{1,3}))?$")


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    title: str
    url: str | None = None
    image: str | None = None  # a path (resolved by config) or None


class TimeError(ValueError):
    pass


def parse_time(value: object) -> int:
    """`SS`, `MM:SS`, `HH:MM:SS`, each with optional `.mmm`, or a number of seconds."""
    if isinstance(value, bool):
        raise TimeError(f"{value!r} is not a time")
    if isinstance(value, (int, float)):
        if value < 0:
            raise TimeError(f"{value!r} is not a time")
        return int(round(value * 1000))
    if not isinstance(value, str):
        raise TimeError(f"{value!r} is not a time")
    m = _TIME.match(value.strip())
    if not m:
        raise TimeError(f'"{value}" is not a time')
    hours, minutes, seconds, frac = m.groups()
    if (hours is not None or minutes is not None) and int(seconds) > 59:
        raise TimeError(f'"{value}" is not a time (seconds over 59)')
    ms = int((frac or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds)) * 1000 + ms


def format_time(ms: int) -> str:
    """HH:MM:SS, with .mmm only when the time has milliseconds."""
    seconds, millis = divmod(ms, 1000)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    text = f"{hours:02d}:{mins:02d}:{secs:02d}"
    return f"{text}.{millis:03d}" if millis else text


def validate(chapters: list[Chapter], where: str) -> None:
    """Order and content rules that need no audio: first at 0, strictly increasing."""
    if not chapters:
        return
    for i, ch in enumerate(chapters):
        if not ch.title.strip():
            raise InputError(f"{where}: chapters[{i}].title: is empty")
    if chapters[0].start_ms != 0:
        raise InputError(
            f"{where}: chapters[0].start: the first chapter must start at 00:00, "
            f"not {format_time(chapters[0].start_ms)}")
    for i in range(1, len(chapters)):
        if chapters[i].start_ms <= chapters[i - 1].start_ms:
            raise InputError(
                f"{where}: chapters[{i}].start: {format_time(chapters[i].start_ms)} "
                f"is not after chapters[{i - 1}].start "
                f"{format_time(chapters[i - 1].start_ms)}")


def validate_against_duration(chapters: list[Chapter], duration_ms: int, where: str) -> None:
    for i, ch in enumerate(chapters):
        if ch.start_ms >= duration_ms:
            raise InputError(
                f"{where}: chapters[{i}].start: {format_time(ch.start_ms)} is past the end "
                f"of the episode ({format_time(duration_ms)})")


def ends(chapters: list[Chapter], duration_ms: int) -> list[int]:
    """A chapter ends where the next starts; the last at the end of the episode."""
    return [c.start_ms for c in chapters[1:]] + [duration_ms]


def to_json_chapters(chapters: Iterable[Chapter], images: dict[int, str] | None = None) -> dict[str, Any]:
    """Podcasting 2.0 JSON chapters, version 1.2.0. `images` maps index → URL."""
    out = []
    for i, ch in enumerate(chapters):
        item: dict[str, Any] = {"startTime": _seconds(ch.start_ms), "title": ch.title}
        if ch.url:
            item["url"] = ch.url
        if images and i in images:
            item["img"] = images[i]
        out.append(item)
    return {"version": "1.2.0", "chapters": out}


def _seconds(ms: int) -> int | float:
    return ms // 1000 if ms % 1000 == 0 else ms / 1000
