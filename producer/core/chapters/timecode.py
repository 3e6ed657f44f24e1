"""Times as people write them in show notes and as players show them.

Kept as integer milliseconds so that what the user wrote survives every
conversion (ID3 CHAP frames also count in milliseconds).
"""
from __future__ import annotations

import re

from ...errors import TimeError

_TIME = re.compile(r"^(\d+(?::\d+){0,2})(?:\.(\d{1,3}))?$")


def parse_time(value: object) -> int:
    """`SS`, `MM:SS`, `HH:MM:SS`, each with optional `.mmm`, or a number of seconds.
    Minutes of `MM:SS` may pass 59 (`75:00`, as show notes write an hour and a
    quarter); with hours they may not, and seconds after a colon never do."""
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
    fields = [int(f) for f in m.group(1).split(":")]
    if len(fields) > 1 and fields[-1] > 59:
        raise TimeError(f'"{value}" is not a time (seconds over 59)')
    if len(fields) == 3 and fields[1] > 59:
        raise TimeError(f'"{value}" is not a time (minutes over 59 after hours)')
    seconds = 0
    for f in fields:
        seconds = seconds * 60 + f
    return seconds * 1000 + int((m.group(2) or "0").ljust(3, "0"))


def format_time(ms: int, millis: bool | None = None, sep: str = ".") -> str:
    """HH:MM:SS, the one clock format of chapters, `itunes:duration`, progress lines,
    WebVTT (`millis=True`) and SRT (`millis=True, sep=","`); by default with .mmm
    only when the time has milliseconds."""
    seconds, milli = divmod(max(0, ms), 1000)
    minutes, secs = divmod(seconds, 60)
    hours, mins = divmod(minutes, 60)
    text = f"{hours:02d}:{mins:02d}:{secs:02d}"
    return f"{text}{sep}{milli:03d}" if millis or (millis is None and milli) else text


def format_seconds(seconds: float) -> str:
    """Whole seconds as HH:MM:SS."""
    return format_time(int(round(seconds)) * 1000)


def spoken_length(seconds: float) -> str:
    """A length as a page says it: `1 h 05 min`, `12 min 05 s`."""
    s = int(round(seconds))
    return f"{s // 3600} h {s // 60 % 60:02d} min" if s >= 3600 else f"{s // 60} min {s % 60:02d} s"
