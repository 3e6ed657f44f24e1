"""episode.toml: the episode, its recordings, chapters, cleanup and cuts; the episode as its last build shipped it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


from ...core.chapters import chapters as chap
from ...core.chapters.chapter_formats import parse as parse_chapters
from ...core.audio.cuts import moved_episode
from ...core.episode.models import EPISODE_TYPES, Episode, Show
from ...core.chapters.timecode import parse_time
from .schema import EPISODE_FILE, Table, default, read_text, read_toml, resolve_inside
from .tables import (read_cleanup, read_cutting, read_leveler_mode, read_license, read_location, read_persons,
                     read_social, read_soundbites, read_transcript_file, read_vocabulary)
from ...errors import InputError, TimeError
from ..reports import read_report

@dataclass(frozen=True)
class _Chapters:
    chapters: list[chap.Chapter]
    file: Path | None


def load_episode(folder: Path, show: Show) -> Episode:
    folder = folder.resolve()
    file = folder / EPISODE_FILE
    if not folder.is_dir():
        raise InputError(f"{folder}: not an episode folder")
    t = Table(read_toml(file), file)
    number = t.take("number", int, what="a whole number")
    if number < 0:
        raise t.fail("number", f"must not be negative, not {number}")
    date = t.take("date", (dt.date, dt.datetime), what="a TOML date or date-time")
    recordings = _recordings(t, show.root, file)
    artwork_value = t.text("artwork", False)
    season = t.take("season", int, False, None, "a whole number")
    episode_type = t.text("episode_type", False, default(Episode, "episode_type"))
    leveler_mode = read_leveler_mode(t, "leveler", None)
    guid = t.text("guid", False)
    if guid is not None and not guid.strip():
        raise t.fail("guid", "must not be empty (leave it out and the first publish writes one)")
    if episode_type not in EPISODE_TYPES:
        raise t.fail("episode_type", f'must be one of {", ".join(EPISODE_TYPES)}, not "{episode_type}"')
    found = _chapters(t, show.root, file)
    persons = read_persons(t, show.root, file)
    soundbites = read_soundbites(t)
    transcript = read_transcript_file(t, show.root, file)
    cleanup = read_cleanup(t.table("cleanup"))
    cuts = _cuts(t)
    vocabulary = read_vocabulary(t, "vocabulary")
    cutting = read_cutting(t.table("cutting"))
    season_name = t.text("season_name", False)
    if season_name is not None and season is None:
        raise t.fail("season_name", "names a season: give the season's number too (season = 2)")
    episode = Episode(
        folder=folder, file=file, slug=folder.name, number=number,
        title=t.text("title"), date=date, description=t.text("description", False, "") or "",
        recordings=recordings, chapters=tuple(found.chapters), chapters_file=found.file,
        artwork=resolve_inside(show.root, file, artwork_value, t, "artwork") if artwork_value else None,
        season=season, episode_type=episode_type, leveler=leveler_mode, guid=guid,
        persons=persons, soundbites=soundbites, transcript=transcript, cleanup=cleanup, cuts=cuts,
        vocabulary=vocabulary, cutting=cutting, season_name=season_name,
        location=read_location(t), license=read_license(t), social=read_social(t),
    )
    t.done()
    return episode


CUT_REASONS = ("manual", "filler", "stumble", "noise", "pause")  # a hand cut, or an accepted suggestion's


def _cuts(t: Table) -> tuple[tuple[int, int, str], ...]:
    items = t.take("cuts", list, False, [], "an array of [[cuts]] tables")
    found = []
    for i, item in enumerate(items):
        c = Table(item, t.file, f"cuts[{i}].")
        times = []
        for key in ("start", "end"):
            try:
                times.append(parse_time(c.take(key, (str, int, float), what="a time")))
            except TimeError as e:
                raise c.fail(key, str(e)) from None
        if times[1] <= times[0]:
            raise c.fail("end", f"{times[1] / 1000:g} s is not after the start ({times[0] / 1000:g} s)")
        reason = c.text("reason", False, "manual")
        if reason not in CUT_REASONS:
            raise c.fail("reason", f'must be one of {", ".join(CUT_REASONS)}, not "{reason}"')
        c.done()
        found.append((times[0], times[1], reason))
    return tuple(found)


def as_built(episode: Episode) -> Episode:
    """The episode as its last build shipped it: chapters and soundbites moved by the
    cuts that build recorded in dist/report.json (as declared when nothing was cut,
    or nothing is built)."""
    try:
        report = read_report(episode.folder)
    except (OSError, ValueError):
        return episode
    return moved_episode(episode, report.cut_list)


def _recordings(t: Table, root: Path, file: Path) -> tuple[Path, ...]:
    if "recording" in t.data and "recordings" in t.data:
        raise t.fail("recordings", 'give either "recording" or "recordings", not both')
    if "recording" in t.data:
        return (resolve_inside(root, file, t.text("recording"), t, "recording"),)
    if "recordings" not in t.data:
        return _raw_folder(file)
    values = t.take("recordings", list, what='a list of paths (or give "recording")')
    if not values:
        raise t.fail("recordings", "must name at least one file")
    paths = []
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise t.fail(f"recordings[{i}]", f"must be a path, not {value!r}")
        paths.append(resolve_inside(root, file, value, t, f"recordings[{i}]"))
    return tuple(paths)


AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".aif", ".aiff", ".w64")


def _raw_folder(file: Path) -> tuple[Path, ...]:
    """No recordings named: every audio file in the episode's raw/, in name order
    (what `producer new` sets up: drop the recording in and publish)."""
    raw = file.parent / "raw"
    found = sorted(p for p in raw.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES) \
        if raw.is_dir() else []
    if not found:
        raise InputError(f"{file}: recordings: not given, and {raw} holds no audio file "
                         f"({', '.join(AUDIO_SUFFIXES)}); put the recording there or list it in recordings")
    return tuple(p.resolve() for p in found)


def _chapters(t: Table, root: Path, file: Path) -> _Chapters:
    if "chapters_file" in t.data:
        if "chapters" in t.data:
            raise t.fail("chapters_file", 'give either "chapters_file" or [[chapters]], not both')
        path = resolve_inside(root, file, t.text("chapters_file"), t, "chapters_file")
        chapters = load_chapters_file(path)
        chap.validate(chapters, str(path))
        return _Chapters(chapters, path)
    items = t.take("chapters", list, False, [], "an array of [[chapters]] tables")
    chapters = [_chapter(Table(item, file, f"chapters[{i}]."), root, file) for i, item in enumerate(items)]
    chap.validate(chapters, str(file))
    return _Chapters(chapters, None)


def _chapter(c: Table, root: Path, file: Path) -> chap.Chapter:
    raw_start = c.take("start", (str, int, float), what="a time")
    try:
        start = parse_time(raw_start)
    except TimeError as e:
        raise c.fail("start", str(e)) from None
    title = c.take("title", str, what="a string")
    if not title.strip():
        raise c.fail("title", "is empty")
    url = c.text("url", False)
    image_value = c.text("image", False)
    image = resolve_inside(root, file, image_value, c, "image") if image_value else None
    c.done()
    return chap.Chapter(start, title, url, str(image) if image else None)


# (table, key, allowed, what the message says is allowed): one row per rule


def load_chapters_file(path: Path, fmt: str = "auto") -> list[chap.Chapter]:
    return parse_chapters(read_text(path), fmt, str(path))
