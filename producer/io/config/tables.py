"""Tables show.toml and episode.toml share: persons, links, the transcript, soundbites, cleanup, the leveler mode, renditions."""
from __future__ import annotations

from pathlib import Path
from typing import Any


from ...core.audio import cleanup
from ...core.audio.leveler import MODES
from ...core.episode.formats import RENDITIONS as RENDITION_FORMATS
from ...core.episode.models import PERSON_GROUPS, Person, Soundbite
from ...core.chapters.timecode import parse_time
from ...core.transcripts.transcript import FORMATS as TRANSCRIPT_FORMATS
from .schema import Table, default, resolve_inside
from ...errors import TimeError

def web_url(t: Table, key: str, required: bool = True) -> Any:
    value = t.text(key, required)
    if value is not None and not value.startswith(("https://", "http://")):
        raise t.fail(key, f'must be an http(s) URL, not "{value}"')
    return value


def read_persons(t: Table, root: Path, file: Path) -> tuple[Person, ...]:
    items = t.take("persons", list, False, [], "an array of [[persons]] tables")
    return tuple(read_person(Table(item, file, f"persons[{i}]."), root, file) for i, item in enumerate(items))


def read_person(p: Table, root: Path, file: Path) -> Person:
    img = p.text("img", False)
    person = Person(name=p.text("name"), role=p.text("role", False, default(Person, "role")).strip().lower(),
                    group=p.text("group", False, default(Person, "group")).strip().lower(), href=web_url(p, "href", False),
                    img=resolve_inside(root, file, img, p, "img") if img else None, track=p.text("track", False))
    if person.group not in PERSON_GROUPS:
        raise p.fail("group", f'must be one of the podcast taxonomy\'s groups ({", ".join(PERSON_GROUPS)}), '
                              f'not "{person.group}"')
    p.done()
    return person


def read_transcript_file(t: Table, root: Path, file: Path) -> Path | None:
    value = t.text("transcript", False)
    if value is None:
        return None
    path = resolve_inside(root, file, value, t, "transcript")
    if path.suffix.lower() not in TRANSCRIPT_FORMATS:
        raise t.fail("transcript", f'must be a WebVTT (.vtt) or SubRip (.srt) file, not "{value}"')
    return path


def read_soundbites(t: Table) -> tuple[Soundbite, ...]:
    items = t.take("soundbites", list, False, [], "an array of [[soundbites]] tables")
    found = []
    for i, item in enumerate(items):
        b = Table(item, t.file, f"soundbites[{i}].")
        raw = b.take("start", (str, int, float), what="a time")
        try:
            start = parse_time(raw)
        except TimeError as e:
            raise b.fail("start", str(e)) from None
        duration = b.number("duration", 0.0)
        if duration <= 0:
            raise b.fail("duration", "is required: the soundbite's length in seconds")
        found.append(Soundbite(start, duration, b.text("title", False)))
        b.done()
    return tuple(found)


def rendition_list(t: Table, key: str) -> tuple[str, ...] | None:
    if key not in t.data:
        return None
    values = t.take(key, list, what=f'a list of formats ({", ".join(RENDITION_FORMATS)})')
    for v in values:
        if v not in RENDITION_FORMATS:
            raise t.fail(key, f'"{v}" is not a rendition; the formats are {", ".join(RENDITION_FORMATS)}')
    if len(set(values)) != len(values):
        raise t.fail(key, "names a format twice")
    return tuple(values)


def read_cleanup(c: Table) -> tuple[tuple[str, object], ...]:
    """The [cleanup] keys given, each checked; the episode's win over the show's."""
    found: dict[str, object] = {}
    if "denoise" in c.data:
        value = c.take("denoise", (str, int, float), what='"auto", "off" or a reduction in dB')
        if isinstance(value, str) and value not in (cleanup.AUTO, cleanup.OFF):
            raise c.fail("denoise", f'must be "auto", "off" or a reduction in dB, not "{value}"')
        if not isinstance(value, str) and not 0 < value <= 97:
            raise c.fail("denoise", f"must be a reduction between 0 and 97 dB, not {value:g}")
        found["denoise"] = value if isinstance(value, str) else float(value)
    if "dehum" in c.data:
        value = c.take("dehum", (str, int), what='"auto", "off", 50 or 60')
        if value not in (cleanup.AUTO, cleanup.OFF, *cleanup.MAINS):
            raise c.fail("dehum", f'must be "auto", "off", 50 or 60, not {value!r}')
        found["dehum"] = value
    for key in ("max_pause_s", "keep_pause_s"):
        if key in c.data:
            value = float(c.take(key, (int, float), what="a number of seconds"))
            if value <= 0:
                raise c.fail(key, f"must be more than 0 s, not {value:g}")
            found[key] = value
    c.done()
    return tuple(found.items())


def read_cutting(c: Table) -> tuple[tuple[str, object], ...]:
    """The [cutting] keys given, each checked; the episode's win over the show's."""
    from ...core.cutting.settings import DETECTORS, MODES

    found: dict[str, object] = {}
    for key in DETECTORS:
        if key in c.data:
            value = c.text(key)
            if value not in MODES:
                raise c.fail(key, f'must be one of {", ".join(MODES)}, not "{value}"')
            found[key] = value
    if "filler_words" in c.data:
        words = c.take("filler_words", list, what="a list of words")
        if not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise c.fail("filler_words", "must be a non-empty list of words, such as [\"um\", \"uh\"]")
        found["filler_words"] = tuple(w.strip() for w in words)
    c.done()
    return tuple(found.items())


def read_vocabulary(t: Table, key: str) -> tuple[str, ...]:
    words = t.take(key, list, False, [], "a list of words")
    if not all(isinstance(w, str) and w.strip() for w in words):
        raise t.fail(key, "must be a list of non-empty strings, such as [\"QUIC\", \"HTTP/3\"]")
    return tuple(w.strip() for w in words)


def read_leveler_mode(t: Table, key: str, default: str | None) -> str | None:
    value = t.text(key, False, default)
    if value is not None and value not in MODES:
        raise t.fail(key, f'must be one of {", ".join(MODES)}, not "{value}"')
    return value
