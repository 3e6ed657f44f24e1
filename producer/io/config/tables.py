"""Tables show.toml and episode.toml share: persons, links, the transcript, soundbites, cleanup, the leveler mode, renditions."""
from __future__ import annotations

from pathlib import Path
from typing import Any


from ...core.audio import cleanup
from ...core.audio.leveler import MODES
from ...core.cutting.settings import DETECTORS, MODES as CUTTING_MODES
from ...core.episode.formats import RENDITIONS as RENDITION_FORMATS
from ...core.episode.models import (GEO_URI, MEDIUMS, OSM_ID, RRULE, SHORT_MAX, TXT_MAX, License, Location, RemoteItem, Social,
                                     Txt, UpdateFrequency, PERSON_GROUPS, Person, Soundbite)
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
    found: dict[str, object] = {}
    for key in DETECTORS:
        if key in c.data:
            value = c.text(key)
            if value not in CUTTING_MODES:
                raise c.fail(key, f'must be one of {", ".join(CUTTING_MODES)}, not "{value}"')
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


# ---------------------------------------------------------------- Podcasting 2.0 (DESIGN.md "Every app")

def _entries(t: Table, key: str, what: str) -> list[tuple[Table, str]]:
    """A table or a list of tables under `key`, each with the name errors give it."""
    value = t.take(key, (dict, list), False, [], what)
    items = value if isinstance(value, list) else [value]
    return [(Table(item, t.file, t.name(f"{key}[{i}]." if isinstance(value, list) else f"{key}.")),
             f"{key}[{i}]" if isinstance(value, list) else key) for i, item in enumerate(items)]


def _short(t: Table, key: str, required: bool = True) -> Any:
    value = t.text(key, required)
    if value is not None and not value.strip():
        raise t.fail(key, "must not be empty")
    if value is not None and len(value) > SHORT_MAX:
        raise t.fail(key, f"is {len(value)} characters; the namespace allows {SHORT_MAX}")
    return value


def read_medium(t: Table) -> str | None:
    value = t.text("medium", False)
    if value is not None and value not in MEDIUMS:
        raise t.fail("medium", f'must be one of {", ".join(MEDIUMS)}, not "{value}"')
    return value


def read_txt(t: Table) -> tuple[Txt, ...]:
    out = []
    for e, _ in _entries(t, "txt", "a table { text, purpose } or a list of them"):
        text = e.text("text")
        if not text.strip():
            raise e.fail("text", "must not be empty")
        if len(text) > TXT_MAX:
            raise e.fail("text", f"is {len(text)} characters; podcast:txt allows {TXT_MAX}")
        out.append(Txt(text, _short(e, "purpose", False)))
        e.done()
    return tuple(out)


def read_license(t: Table) -> License | None:
    if "license" not in t.data:
        return None
    e = _entries(t, "license", "a table { name, url }")[0][0]
    found = License(_short(e, "name"), web_url(e, "url", False))
    e.done()
    return found


def read_location(t: Table) -> Location | None:
    if "location" not in t.data:
        return None
    e = _entries(t, "location", "a table { name, geo, osm }")[0][0]
    name, geo, osm = _short(e, "name"), e.text("geo", False), e.text("osm", False)
    if geo is not None and not GEO_URI.match(geo):
        raise e.fail("geo", f'must be a geo URI such as "geo:51.05,3.72", not "{geo}"')
    if osm is not None and not OSM_ID.match(osm):
        raise e.fail("osm", f'must be an OpenStreetMap type and id such as "R897671", not "{osm}"')
    e.done()
    return Location(name, geo, osm)


def read_update_frequency(t: Table) -> UpdateFrequency | None:
    if "update_frequency" not in t.data:
        return None
    e = _entries(t, "update_frequency", "a table { text, rrule }")[0][0]
    found = UpdateFrequency(_short(e, "text"), e.text("rrule", False))
    if found.rrule is not None and not RRULE.match(found.rrule):
        raise e.fail("rrule", f'must be an RFC 5545 rule starting FREQ=…, such as "FREQ=WEEKLY", not "{found.rrule}"')
    e.done()
    return found


def read_podroll(t: Table) -> tuple[RemoteItem, ...]:
    out = []
    for e, _ in _entries(t, "podroll", "a list of { feed_guid, feed_url }"):
        guid = e.text("feed_guid", False)
        if not guid or not guid.strip():
            raise e.fail("feed_guid", "is required: a remote item names the other show by its podcast:guid")
        out.append(RemoteItem(guid.strip(), web_url(e, "feed_url", False)))
        e.done()
    return tuple(out)


def read_social(t: Table) -> tuple[Social, ...]:
    out = []
    for e, _ in _entries(t, "social", "a list of { protocol, uri, account_id }"):
        out.append(Social(_short(e, "protocol"), web_url(e, "uri"), e.text("account_id", False)))
        e.done()
    return tuple(out)
