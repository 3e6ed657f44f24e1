"""Chapter lists in the formats producers already have, and back out again.

Formats: `text` (mp4chaps/Auphonic style lines), `shownotes` (published notes
whose line breaks were lost, so each title runs into the next timestamp),
`audacity` (label track export) and `json` (Podcasting 2.0 chapters). Pure:
text in, chapters out, and back.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import tomlkit

from ...errors import ChapterFormatError, InputError, TimeError
from .chapters import Chapter, json_text, order_problems
from .timecode import format_time, parse_time

FORMATS = ("text", "shownotes", "audacity", "json")

_TEXT_LINE = re.compile(
    r"^\s*(?P<time>\d+(?::\d{1,2}){0,2}(?:\.\d{1,3})?)\s+(?P<title>.*?)"
    r"(?:\s*<(?P<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^<>\s]+)>)?\s*$")
_AUDACITY_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)\t(\d+(?:\.\d+)?)\t(.*)$")
_HEADING = re.compile(r"(?:chapters|timestamps|chapter markers)\s*:?\s*", re.IGNORECASE)


# ---------------------------------------------------------------- text


def parse_text(text: str, where: str = "chapters") -> list[Chapter]:
    chapters: list[Chapter] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _TEXT_LINE.match(line)
        if not m or not m.group("title").strip():
            raise ChapterFormatError(f'{where}: line {number}: "{line.strip()}" is not "HH:MM:SS Title [<url>]"')
        try:
            start = parse_time(m.group("time"))
        except TimeError as e:
            raise ChapterFormatError(f"{where}: line {number}: {e}") from None
        chapters.append(Chapter(start, m.group("title").strip(), m.group("url")))
    return _increasing(chapters, where)


def format_text(chapters: list[Chapter]) -> str:
    return "".join(f"{format_time(c.start_ms)} {c.title}{f' <{c.url}>' if c.url else ''}\n" for c in chapters)


# ---------------------------------------------------------------- audacity


def parse_audacity(text: str, where: str = "labels") -> list[Chapter]:
    chapters = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("\\"):  # Audacity's spectral-selection lines: frequencies, not chapters
            continue
        m = _AUDACITY_LINE.match(line)
        if not m or not m.group(3).strip():
            raise ChapterFormatError(f'{where}: line {number}: "{line.strip()}" is not "start<TAB>end<TAB>label"')
        chapters.append(Chapter(round(float(m.group(1)) * 1000), m.group(3).strip()))
    return _increasing(chapters, where)


def format_audacity(chapters: list[Chapter]) -> str:
    return "".join(f"{c.start_ms / 1000:.6f}\t{c.start_ms / 1000:.6f}\t{c.title}\n" for c in chapters)


# ---------------------------------------------------------------- json


def parse_json(text: str, where: str = "chapters.json", *, images: bool = False,
               hidden: bool = True) -> list[Chapter]:
    """Podcasting 2.0 JSON chapters. `images`: each chapter's `img` URL kept as its
    image (the website shows it; an import would read it as a path); `hidden`: the
    chapters marked `"toc": false` kept too."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise ChapterFormatError(f"{where}: not valid JSON: {e}") from None
    items = doc.get("chapters") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ChapterFormatError(f'{where}: no "chapters" array (Podcasting 2.0 JSON chapters)')
    chapters = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ChapterFormatError(f"{where}: chapters[{i}]: must be an object")
        start, title = item.get("startTime"), item.get("title")
        if isinstance(start, bool) or not isinstance(start, (int, float)) or start < 0:
            raise ChapterFormatError(f"{where}: chapters[{i}].startTime: must be a number of seconds")
        if not isinstance(title, str) or not title.strip():
            raise ChapterFormatError(f"{where}: chapters[{i}].title: is missing or empty")
        if not hidden and item.get("toc", True) is False:
            continue
        url, img = item.get("url"), item.get("img")
        chapters.append(Chapter(round(start * 1000), title.strip(), url if isinstance(url, str) else None,
                                img if images and isinstance(img, str) else None))
    return _increasing(chapters, where)


def format_json(chapters: list[Chapter]) -> str:
    return json_text(chapters)


# ---------------------------------------------------------------- show notes


@dataclass(frozen=True)
class _Stamp:
    start: int  # index in the text
    end: int
    ms: int
    wide: bool  # every field two digits wide
    glued: bool  # runs straight on from the previous title (no space before it)


_STAMP = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _stamps(text: str) -> list[_Stamp]:
    """Every reading of a timestamp followed by white space, overlapping ones included:
    in "FOSDEM 202621:13 Next" both 21:13 and 1:13 are candidates."""
    found = []
    for i in range(len(text)):
        if not text[i].isdigit():
            continue
        m = _STAMP.match(text, i)
        if not m:
            continue
        for end, third in ((m.end(), m.group(3)), (m.end(2), None)):
            if end < len(text) and not text[end].isspace():
                continue
            try:  # the one parser of times: show notes read as episode.toml does
                ms = parse_time(text[i:end])
            except TimeError:
                continue
            wide = len(m.group(1)) == 2
            glued = i > 0 and not text[i - 1].isspace()
            found.append(_Stamp(i, end, ms, wide, glued))
    return found


def _list_start(text: str) -> int:
    """Where the chapter list begins: after a "Chapters" heading that a timestamp follows."""
    for m in _HEADING.finditer(text):
        if _STAMP.match(text, m.end()):
            return m.end()
    first = _STAMP.search(text)
    if not first:
        raise ChapterFormatError("no timestamps found")
    return first.start()


def parse_shownotes(text: str, where: str = "show notes") -> list[Chapter]:
    start = _list_start(text)
    body = text[start:]
    stamps = _stamps(body)
    if not stamps or stamps[0].start != 0:
        raise ChapterFormatError(f"{where}: position {start}: the chapter list does not start with a timestamp")
    chain = _best_chain(body, stamps)
    chapters = []
    for k, s in enumerate(chain):
        stop = chain[k + 1].start if k + 1 < len(chain) else len(body)
        title = body[s.end:stop]
        if k + 1 == len(chain):
            title = _last_title(title)
        chapters.append(Chapter(s.ms, title.strip()))
    return chapters


# ---------------------------------------------------------------- the description's list

APPLE_MIN_CHAPTERS = 3  # Apple and YouTube read a list of three or more, the first at 00:00


def description_list(chapters: list[Chapter], duration_s: float) -> str | None:
    """The chapter list an item's description ends with, as Spotify, YouTube and
    Apple read it: one `MM:SS Title` line a chapter (`HH:MM:SS` from an hour on),
    the first at 00:00; None where they would not read it (fewer than three, or
    not starting at 00:00)."""
    if len(chapters) < APPLE_MIN_CHAPTERS or chapters[0].start_ms >= 1000:
        return None
    hours = duration_s >= 3600
    lines = []
    for c in chapters:
        text = format_time(c.start_ms // 1000 * 1000)
        lines.append(f"{text if hours else text[3:]} {c.title}")
    return "\n".join(lines)


def holds_list(text: str) -> bool:
    """The text already carries a chapter list (three timestamps or more, in order)."""
    try:
        return len(parse_shownotes(text)) >= APPLE_MIN_CHAPTERS
    except (ChapterFormatError, InputError):
        return False


def _last_title(rest: str) -> str:
    """The list ends where the notes carry on; a line break is the one sure sign."""
    stripped = rest.lstrip()
    return stripped.split("\n", 1)[0]


def _best_chain(body: str, stamps: list[_Stamp]) -> list[_Stamp]:
    """The reading of the run-together list that keeps times strictly increasing and
    every title non-empty, with the most chapters; ties go to boundaries glued to
    the previous title (as lost line breaks leave them), then to two-digit fields."""
    n = len(stamps)
    best: list[tuple[int, int, int] | None] = [None] * n
    back: list[int | None] = [None] * n
    for j in range(n - 1, -1, -1):  # best chain starting at j, computed from the end
        s = stamps[j]
        score = (1, 0, int(s.wide))
        nxt = None
        for k in range(j + 1, n):
            t = stamps[k]
            title = body[s.end:t.start].strip()
            # a title is never empty and never spans a line break: past one, the notes have moved on
            if t.start <= s.end or t.ms <= s.ms or not title or "\n" in title or best[k] is None:
                continue
            b = best[k]
            assert b is not None
            candidate = (b[0] + 1, b[1] + int(t.glued), b[2] + int(s.wide))
            if candidate > score:
                score, nxt = candidate, k
        best[j], back[j] = score, nxt
    firsts = [j for j in range(n) if stamps[j].start == 0]
    j: int | None = max(firsts, key=lambda i: best[i])  # type: ignore[arg-type, return-value]
    chain = []
    while j is not None:
        chain.append(stamps[j])
        j = back[j]
    return chain


# ---------------------------------------------------------------- dispatch


def _increasing(chapters: list[Chapter], where: str) -> list[Chapter]:
    """An imported list may start after 00:00 (the manifest's rule says so later)."""
    if not chapters:
        raise ChapterFormatError(f"{where}: holds no chapters")
    problems = order_problems([c.start_ms for c in chapters], from_zero=False)
    if problems:
        raise ChapterFormatError(f"{where}: {problems[0]}")
    return chapters


def detect(text: str, name: str = "") -> str:
    stripped = text.lstrip()
    if name.endswith(".json") or stripped.startswith("{"):
        return "json"
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("\\")]
    if lines and all(_AUDACITY_LINE.match(ln) for ln in lines):
        return "audacity"
    if lines and all(_TEXT_LINE.match(ln) or ln.lstrip().startswith("#") for ln in lines):
        return "text"
    return "shownotes"


PARSERS = {"text": parse_text, "shownotes": parse_shownotes, "audacity": parse_audacity, "json": parse_json}
WRITERS = {"text": format_text, "audacity": format_audacity, "json": format_json}


def parse(text: str, fmt: str = "auto", where: str = "chapters") -> list[Chapter]:
    chosen = detect(text, where) if fmt == "auto" else fmt
    if chosen not in PARSERS:
        raise InputError(f'{where}: unknown chapter format "{fmt}"; known: auto, {", ".join(FORMATS)}')
    return PARSERS[chosen](text, where)


def to_toml(chapters: list[Chapter]) -> str:
    doc = tomlkit.document()
    doc.add("chapters", toml_tables(chapters))
    return tomlkit.dumps(doc)


def toml_tables(chapters: list[Chapter]) -> Any:
    aot = tomlkit.aot()
    for c in chapters:
        t = tomlkit.table()
        t.add("start", format_time(c.start_ms))
        t.add("title", c.title)
        if c.url:
            t.add("url", c.url)
        aot.append(t)
    return aot
