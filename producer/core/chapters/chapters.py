"""Pure chapter model: the order rule, ends, and the Podcasting 2.0 JSON form."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from ...errors import InputError
from .timecode import format_time


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    title: str
    url: str | None = None
    image: str | None = None  # a path (resolved by config) or None


def order_problems(starts_ms: Sequence[int], from_zero: bool = True) -> list[str]:
    """The one rule for a chapter list, wherever it comes from (a manifest, an
    imported list, the CHAP frames of a file): the first starts at 00:00 and each
    starts after the one before. Problems name chapters by index."""
    problems = []
    if from_zero and starts_ms and starts_ms[0] != 0:
        problems.append(f"chapters[0].start: the first chapter must start at 00:00, "
                        f"not {format_time(starts_ms[0])}")
    for i in range(1, len(starts_ms)):
        if starts_ms[i] <= starts_ms[i - 1]:
            problems.append(f"chapters[{i}].start: {format_time(starts_ms[i])} is not after "
                            f"chapters[{i - 1}].start {format_time(starts_ms[i - 1])}")
    return problems


def validate(chapters: Sequence[Chapter], where: str, from_zero: bool = True) -> None:
    """Order and content rules that need no audio."""
    for i, ch in enumerate(chapters):
        if not ch.title.strip():
            raise InputError(f"{where}: chapters[{i}].title: is empty")
    problems = order_problems([c.start_ms for c in chapters], from_zero)
    if problems:
        raise InputError(f"{where}: {problems[0]}")


def validate_against_duration(chapters: Sequence[Chapter], duration_ms: int, where: str) -> None:
    for i, ch in enumerate(chapters):
        if ch.start_ms >= duration_ms:
            raise InputError(
                f"{where}: chapters[{i}].start: {format_time(ch.start_ms)} is past the end "
                f"of the episode ({format_time(duration_ms)})")


def ends(chapters: Sequence[Chapter], duration_ms: int) -> list[int]:
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


def json_text(chapters: Iterable[Chapter], images: dict[int, str] | None = None) -> str:
    """The one serialisation of chapters.json (dist/, export, publish)."""
    return json.dumps(to_json_chapters(chapters, images), ensure_ascii=False, indent=2) + "\n"


def _seconds(ms: int) -> int | float:
    return ms // 1000 if ms % 1000 == 0 else ms / 1000
