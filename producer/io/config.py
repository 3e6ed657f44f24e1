"""Show, episode and preset files: TOML loading and validation into core.episode.models.

Every error names the file and the field. Unknown keys are errors: a typo in a
manifest must not silently fall back to a default.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import tomlkit

from ..core.chapters import chapters as chap
from ..core.chapters.chapter_formats import parse as parse_chapters, toml_tables
from ..core.audio import cleanup
from ..core.audio.cuts import moved_episode
from ..core.audio.leveler import MODES, LevelerSettings
from ..core.episode.formats import MAIN, RENDITIONS as RENDITION_FORMATS
from ..core.episode.models import (DEFAULT_PRESET, EPISODE_TYPES, PERSON_GROUPS, AudioSettings, Episode, Funding,
                           Person, Preset, PublishSettings, RenditionSettings, Show, Soundbite)
from ..core.chapters.timecode import parse_time
from ..core.transcripts.transcript import FORMATS as TRANSCRIPT_FORMATS
from ..errors import InputError, TimeError, located
from . import files
from .reports import read_report

SHOW_FILE = "show.toml"
EPISODE_FILE = "episode.toml"


@dataclass(frozen=True)
class _Chapters:
    chapters: list[chap.Chapter]
    file: Path | None


def default(cls: type, name: str) -> Any:
    """A setting's default, as its dataclass declares it: the one place defaults live."""
    return cls.__dataclass_fields__[name].default  # type: ignore[attr-defined]


class _Table:
    """Reads one TOML table, naming `file: field` in every error."""

    def __init__(self, data: Any, file: Path, prefix: str = "") -> None:
        if not isinstance(data, dict):
            raise InputError(located(file, prefix.rstrip(".") or None, "must be a table"))
        self.data = dict(data)
        self.file = file
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def fail(self, key: str, message: str) -> InputError:
        return InputError(located(self.file, self.name(key), message))

    def take(self, key: str, kind: type | tuple[type, ...], required: bool = True,
             default: Any = None, what: str = "") -> Any:
        if key not in self.data:
            if required:
                raise self.fail(key, "is required")
            return default
        value = self.data.pop(key)
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            raise self.fail(key, f"must be {what or _kind_name(kind)}, not {value!r}")
        if not isinstance(value, kind):
            raise self.fail(key, f"must be {what or _kind_name(kind)}, not {value!r}")
        return value

    def text(self, key: str, required: bool = True, default: str | None = None) -> Any:
        value = self.take(key, str, required, default, "a string")
        if required and isinstance(value, str) and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def number(self, key: str, default: float) -> float:
        value = float(self.take(key, (int, float), False, default, "a number"))
        if value < 0:
            raise self.fail(key, f"must not be negative, not {value:g}")
        return value

    def table(self, key: str) -> "_Table":
        return _Table(self.data.pop(key, {}), self.file, f"{self.prefix}{key}.")

    def done(self) -> None:
        for key in self.data:
            raise self.fail(key, "is not a known setting")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise InputError(f"{path}: cannot be read: {e.strerror}") from None


def resolve_inside(root: Path, base_file: Path, value: str, table: _Table, key: str,
                   must_exist: bool = True) -> Path:
    """A path relative to the file that names it, refused if it leaves the show folder."""
    path = (base_file.parent / value).resolve()
    try:
        path.relative_to(root.resolve())
    except ValueError:
        raise table.fail(key, f'"{value}" is outside the show folder {root}') from None
    if must_exist and not path.is_file():
        raise table.fail(key, f'"{value}" does not exist ({path})')
    return path


def find_show_file(start: Path) -> Path:
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / SHOW_FILE
        if candidate.is_file():
            return candidate
    raise InputError(f"{start}: no {SHOW_FILE} found in this folder or any folder above it")


def load_show(show_file: Path) -> Show:
    t = _Table(read_toml(show_file), show_file)
    root = show_file.parent.resolve()
    s = t.table("show")
    a = t.table("audio")
    p = t.table("publish")
    persons = _persons(t, root, show_file)
    cleanup = _cleanup(t.table("cleanup"))
    tr = t.table("transcript")
    engine = tr.text("engine", False, default(Show, "transcript_engine"))
    if engine not in ("auto", "off"):
        raise tr.fail("engine", f'must be "auto" or "off", not "{engine}"')
    model = tr.text("model", False)
    model_dir = (show_file.parent / model).resolve() if model else None
    tr.done()
    t.done()
    categories = s.take("categories", list, False, [])
    if not all(isinstance(c, str) and c.strip() for c in categories):
        raise s.fail("categories", "must be a list of non-empty strings")
    show = Show(
        root=root, file=show_file,
        title=s.text("title"), author=s.text("author"),
        description=s.text("description"), link=s.text("link"),
        language=s.text("language"),
        owner_name=s.text("owner_name", False), owner_email=s.text("owner_email", False),
        categories=tuple(categories), explicit=s.take("explicit", bool, False, False),
        artwork=resolve_inside(root, show_file, s.text("artwork"), s, "artwork"),
        audio=_audio(a, root, show_file), publish=_publish(p),
        locked=s.take("locked", bool, False, None), funding=_funding(s), persons=persons, cleanup=cleanup,
        transcript_engine=engine, transcript_model=model_dir,
    )
    if show.locked is not None and not show.owner_email:
        raise s.fail("locked", "needs owner_email: podcast:locked names the owner who may move the feed")
    s.done()
    return show


def _funding(s: _Table) -> tuple[Funding, ...]:
    """`funding = { url = "…", text = "…" }`, or a list of them."""
    value = s.take("funding", (dict, list), False, [], "a table { url, text } or a list of them")
    found = []
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        f = _Table(item, s.file, s.name(f"funding[{i}]." if isinstance(value, list) else "funding."))
        found.append(Funding(url=_web_url(f, "url"), text=f.text("text")))
        f.done()
    return tuple(found)


def _web_url(t: _Table, key: str, required: bool = True) -> Any:
    value = t.text(key, required)
    if value is not None and not value.startswith(("https://", "http://")):
        raise t.fail(key, f'must be an http(s) URL, not "{value}"')
    return value


def _persons(t: _Table, root: Path, file: Path) -> tuple[Person, ...]:
    items = t.take("persons", list, False, [], "an array of [[persons]] tables")
    return tuple(_person(_Table(item, file, f"persons[{i}]."), root, file) for i, item in enumerate(items))


def _person(p: _Table, root: Path, file: Path) -> Person:
    img = p.text("img", False)
    person = Person(name=p.text("name"), role=p.text("role", False, default(Person, "role")).strip().lower(),
                    group=p.text("group", False, default(Person, "group")).strip().lower(), href=_web_url(p, "href", False),
                    img=resolve_inside(root, file, img, p, "img") if img else None, track=p.text("track", False))
    if person.group not in PERSON_GROUPS:
        raise p.fail("group", f'must be one of the podcast taxonomy\'s groups ({", ".join(PERSON_GROUPS)}), '
                              f'not "{person.group}"')
    p.done()
    return person


def _transcript(t: _Table, root: Path, file: Path) -> Path | None:
    value = t.text("transcript", False)
    if value is None:
        return None
    path = resolve_inside(root, file, value, t, "transcript")
    if path.suffix.lower() not in TRANSCRIPT_FORMATS:
        raise t.fail("transcript", f'must be a WebVTT (.vtt) or SubRip (.srt) file, not "{value}"')
    return path


def _soundbites(t: _Table) -> tuple[Soundbite, ...]:
    items = t.take("soundbites", list, False, [], "an array of [[soundbites]] tables")
    found = []
    for i, item in enumerate(items):
        b = _Table(item, t.file, f"soundbites[{i}].")
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


def _audio(a: _Table, root: Path, show_file: Path) -> AudioSettings:
    def optional_path(key: str) -> Path | None:
        value = a.text(key, False)
        return resolve_inside(root, show_file, value, a, key) if value else None

    settings = AudioSettings(
        preset=a.text("preset", False, DEFAULT_PRESET),
        intro=optional_path("intro"), outro=optional_path("outro"),
        intro_crossfade=a.number("intro_crossfade", 0.0),
        outro_crossfade=a.number("outro_crossfade", 0.0),
        leveler=_leveler_mode(a, "leveler", "adaptive"),
        renditions=_rendition_list(a, "renditions"),
    )
    a.done()
    return settings


def _rendition_list(t: _Table, key: str) -> tuple[str, ...] | None:
    if key not in t.data:
        return None
    values = t.take(key, list, what=f'a list of formats ({", ".join(RENDITION_FORMATS)})')
    for v in values:
        if v not in RENDITION_FORMATS:
            raise t.fail(key, f'"{v}" is not a rendition; the formats are {", ".join(RENDITION_FORMATS)}')
    if len(set(values)) != len(values):
        raise t.fail(key, "names a format twice")
    return tuple(values)


def _rendition_settings(t: _Table) -> RenditionSettings:
    defaults = RenditionSettings()
    settings = RenditionSettings(default=_rendition_list(t, "default") or (),
                                 m4a_bitrate=t.take("m4a_bitrate", int, False, defaults.m4a_bitrate, "kb/s"),
                                 opus_bitrate=t.take("opus_bitrate", int, False, defaults.opus_bitrate, "kb/s"),
                                 main=t.text("main", False, default(RenditionSettings, "main")))
    if settings.main not in ("mp3", *RENDITION_FORMATS):
        raise t.fail("main", f'must be mp3 or one of {", ".join(RENDITION_FORMATS)}, not "{settings.main}"')
    for key in ("m4a_bitrate", "opus_bitrate"):
        if not 16 <= getattr(settings, key) <= 320:
            raise t.fail(key, f"must be 16 to 320 kb/s, not {getattr(settings, key)}")
    t.done()
    return settings


def _publish(p: _Table) -> PublishSettings:
    settings = PublishSettings(
        target=p.text("target", False, default(PublishSettings, "target")),
        endpoint_url=p.text("endpoint_url", False), region=p.text("region", False),
        profile=p.text("profile", False), base_url=p.text("base_url", False),
    )
    p.done()
    return settings


def load_episode(folder: Path, show: Show) -> Episode:
    folder = folder.resolve()
    file = folder / EPISODE_FILE
    if not folder.is_dir():
        raise InputError(f"{folder}: not an episode folder")
    t = _Table(read_toml(file), file)
    number = t.take("number", int, what="a whole number")
    if number < 0:
        raise t.fail("number", f"must not be negative, not {number}")
    date = t.take("date", (dt.date, dt.datetime), what="a TOML date or date-time")
    recordings = _recordings(t, show.root, file)
    artwork_value = t.text("artwork", False)
    season = t.take("season", int, False, None, "a whole number")
    episode_type = t.text("episode_type", False, default(Episode, "episode_type"))
    leveler_mode = _leveler_mode(t, "leveler", None)
    guid = t.text("guid", False)
    if guid is not None and not guid.strip():
        raise t.fail("guid", "must not be empty (leave it out and the first publish writes one)")
    if episode_type not in EPISODE_TYPES:
        raise t.fail("episode_type", f'must be one of {", ".join(EPISODE_TYPES)}, not "{episode_type}"')
    found = _chapters(t, show.root, file)
    persons = _persons(t, show.root, file)
    soundbites = _soundbites(t)
    transcript = _transcript(t, show.root, file)
    cleanup = _cleanup(t.table("cleanup"))
    cuts = _cuts(t)
    episode = Episode(
        folder=folder, file=file, slug=folder.name, number=number,
        title=t.text("title"), date=date, description=t.text("description", False, "") or "",
        recordings=recordings, chapters=tuple(found.chapters), chapters_file=found.file,
        artwork=resolve_inside(show.root, file, artwork_value, t, "artwork") if artwork_value else None,
        season=season, episode_type=episode_type, leveler=leveler_mode, guid=guid,
        persons=persons, soundbites=soundbites, transcript=transcript, cleanup=cleanup, cuts=cuts,
    )
    t.done()
    return episode


def _cleanup(c: _Table) -> tuple[tuple[str, object], ...]:
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


def _cuts(t: _Table) -> tuple[tuple[int, int], ...]:
    items = t.take("cuts", list, False, [], "an array of [[cuts]] tables")
    found = []
    for i, item in enumerate(items):
        c = _Table(item, t.file, f"cuts[{i}].")
        times = []
        for key in ("start", "end"):
            try:
                times.append(parse_time(c.take(key, (str, int, float), what="a time")))
            except TimeError as e:
                raise c.fail(key, str(e)) from None
        if times[1] <= times[0]:
            raise c.fail("end", f"{times[1] / 1000:g} s is not after the start ({times[0] / 1000:g} s)")
        c.done()
        found.append((times[0], times[1]))
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


def _leveler_mode(t: _Table, key: str, default: str | None) -> str | None:
    value = t.text(key, False, default)
    if value is not None and value not in MODES:
        raise t.fail(key, f'must be one of {", ".join(MODES)}, not "{value}"')
    return value


def _recordings(t: _Table, root: Path, file: Path) -> tuple[Path, ...]:
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


def _chapters(t: _Table, root: Path, file: Path) -> _Chapters:
    if "chapters_file" in t.data:
        if "chapters" in t.data:
            raise t.fail("chapters_file", 'give either "chapters_file" or [[chapters]], not both')
        path = resolve_inside(root, file, t.text("chapters_file"), t, "chapters_file")
        chapters = load_chapters_file(path)
        chap.validate(chapters, str(path))
        return _Chapters(chapters, path)
    items = t.take("chapters", list, False, [], "an array of [[chapters]] tables")
    chapters = [_chapter(_Table(item, file, f"chapters[{i}]."), root, file) for i, item in enumerate(items)]
    chap.validate(chapters, str(file))
    return _Chapters(chapters, None)


def _chapter(c: _Table, root: Path, file: Path) -> chap.Chapter:
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
_PRESET_RULES: tuple[tuple[str, str, Callable[[Any], bool], str], ...] = (
    ("encoding", "format", lambda v: v == "mp3", 'only "mp3" is supported'),
    ("encoding", "channels", lambda v: v in (1, 2), "must be 1 or 2"),
    ("encoding", "mode", lambda v: v in ("cbr", "vbr"), 'must be "cbr" or "vbr"'),
    ("encoding", "sample_rate", lambda v: v in (32000, 44100, 48000), "must be 32000, 44100 or 48000"),
    ("encoding", "bitrate", lambda v: 8 <= v <= 320, "must be 8 to 320 kb/s"),
    ("loudness", "true_peak", lambda v: v <= 0, "must be at or below 0 dBTP"),
)


def load_preset(name_or_path: str, show_root: Path | None = None) -> Preset:
    """A preset name looks in the show's own presets/ first, then the packaged ones."""
    path = _find_preset(name_or_path, show_root)
    t = _Table(read_toml(path), path)
    tables = {"loudness": t.table("loudness"), "encoding": t.table("encoding")}
    leveler = _leveler_settings(t.table("leveler"))
    renditions = _rendition_settings(t.table("renditions"))
    t.done()
    loud, enc = tables["loudness"], tables["encoding"]
    values = {
        ("loudness", "integrated"): float(loud.take("integrated", (int, float), what="a number")),
        ("loudness", "true_peak"): float(loud.take("true_peak", (int, float), what="a number")),
        ("loudness", "tolerance"): loud.number("tolerance", 0.5),
        ("encoding", "bitrate"): enc.take("bitrate", int, what="a whole number of kb/s"),
        ("encoding", "sample_rate"): enc.take("sample_rate", int, False, 44100, "a whole number"),
        ("encoding", "channels"): enc.take("channels", int, False, 2, "1 or 2"),
        ("encoding", "mode"): enc.text("mode", False, default(Preset, "mode")),
        ("encoding", "format"): enc.text("format", False, MAIN.name),
    }
    for table, key, allowed, rule in _PRESET_RULES:
        value = values[(table, key)]
        if not allowed(value):
            shown = f'"{value}"' if isinstance(value, str) else f"{value:g}"
            raise tables[table].fail(key, f"{rule}, not {shown}")
    loud.done()
    enc.done()
    return Preset(name=path.stem, integrated=values[("loudness", "integrated")],
                  true_peak=values[("loudness", "true_peak")], tolerance=values[("loudness", "tolerance")],
                  bitrate_kbps=values[("encoding", "bitrate")], sample_rate=values[("encoding", "sample_rate")],
                  channels=values[("encoding", "channels")], mode=values[("encoding", "mode")],
                  leveler=leveler, renditions=renditions)


def _leveler_settings(t: _Table) -> LevelerSettings:
    """Every field of LevelerSettings may be set; each a non-negative number, but
    require_balance, true or false."""
    defaults = LevelerSettings()
    values: dict[str, Any] = {name: t.number(name, getattr(defaults, name))
                              for name, f in defaults.__dataclass_fields__.items() if f.type != "bool"}
    values["require_balance"] = t.take("require_balance", bool, False, defaults.require_balance, "true or false")
    t.done()
    if values["voiced_share"] > 1:
        raise t.fail("voiced_share", f"must be 0 to 1, not {values['voiced_share']:g}")
    return LevelerSettings(**values)


def is_preset_path(name_or_path: str) -> bool:
    return name_or_path.endswith(".toml") or "/" in name_or_path


def _find_preset(name_or_path: str, show_root: Path | None) -> Path:
    if is_preset_path(name_or_path):
        base = show_root or Path.cwd()
        path = (base / name_or_path).resolve()
        if not path.is_file():
            raise InputError(f'preset "{name_or_path}": no such file ({path})')
        return path
    if show_root is not None:
        own = show_root / "presets" / f"{name_or_path}.toml"
        if own.is_file():
            return own
    packaged = resources.files("producer.presets") / f"{name_or_path}.toml"
    if packaged.is_file():
        return Path(str(packaged))
    raise InputError(f'preset "{name_or_path}" is not known; packaged presets: {", ".join(packaged_presets())}')


def packaged_presets() -> list[str]:
    folder = resources.files("producer.presets")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({e})") from None


def load_chapters_file(path: Path, fmt: str = "auto") -> list[chap.Chapter]:
    return parse_chapters(read_text(path), fmt, str(path))


def write_chapters(episode_dir: Path, chapters: list[chap.Chapter]) -> Path:
    """Replace the episode's chapters, keeping every other line of episode.toml as written."""
    path = episode_dir / EPISODE_FILE
    read_toml(path)  # the same clear errors as a build for a missing or broken file
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key in ("chapters", "chapters_file"):
        if key in doc:
            del doc[key]
    doc.add("chapters", toml_tables(chapters))
    files.replace_text(path, tomlkit.dumps(doc))
    return path


def write_guid(episode_file: Path, guid: str) -> None:
    """Record the item's guid in episode.toml, after the top-level settings,
    keeping every other line as written: from now on the guid never changes."""
    text = episode_file.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    if "guid" in doc:
        return
    item = tomlkit.item(guid)
    item.comment("the feed item's id: never change it once published")
    # tomlkit's own add puts a plain key before the first table ([[chapters]]),
    # where a key appended after a table would belong to that table.
    doc.add("guid", item)
    files.replace_text(episode_file, tomlkit.dumps(doc))


def episodes_sharing_guid(show_root: Path, guid: str, folder: Path) -> list[Path]:
    """Other episode folders of the show whose episode.toml carries this guid: a
    folder copied as a template brings the original's along."""
    found = []
    for other in sorted(show_root.iterdir()):
        file = other / EPISODE_FILE
        if other.resolve() == folder.resolve() or not file.is_file():
            continue
        try:
            if tomllib.loads(file.read_text(encoding="utf-8")).get("guid") == guid:
                found.append(other)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # not ours to judge here; its own publish reports it
    return found


@dataclass
class Context:
    """Everything a command needs to know about one episode."""

    show: Show
    episode: Episode
    preset: Preset


def load_context(episode_dir: Path, preset_name: str | None = None) -> Context:
    if not (episode_dir / EPISODE_FILE).is_file():
        raise InputError(f"{episode_dir}: no {EPISODE_FILE} here; is this an episode folder?")
    show = load_show(find_show_file(episode_dir.resolve().parent))
    episode = load_episode(episode_dir, show)
    if preset_name is not None and is_preset_path(preset_name):  # the user's words: relative to here
        preset_name = str(Path(preset_name).resolve())
    preset = load_preset(preset_name or show.audio.preset, show.root)
    return Context(show, episode, preset)
