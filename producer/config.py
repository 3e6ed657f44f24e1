"""Show, episode and preset models: TOML loading and validation.

Every error names the file and the field. Unknown keys are errors: a typo in a
manifest must not silently fall back to a default.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from . import chapters as chap
from .errors import InputError, located

SHOW_FILE = "show.toml"
EPISODE_FILE = "episode.toml"
EPISODE_TYPES = ("full", "trailer", "bonus")
DEFAULT_PRESET = "podcast-stereo"


@dataclass(frozen=True)
class Preset:
    name: str
    integrated: float
    true_peak: float
    tolerance: float
    bitrate_kbps: int
    sample_rate: int
    channels: int
    mode: str = "cbr"


@dataclass(frozen=True)
class AudioSettings:
    preset: str = DEFAULT_PRESET
    intro: Path | None = None
    outro: Path | None = None
    intro_crossfade: float = 0.0
    outro_crossfade: float = 0.0


@dataclass(frozen=True)
class PublishSettings:
    target: str = "public"
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class Show:
    root: Path
    file: Path
    title: str
    author: str
    description: str
    link: str
    language: str
    artwork: Path
    owner_name: str | None = None
    owner_email: str | None = None
    categories: tuple[str, ...] = ()
    explicit: bool = False
    audio: AudioSettings = field(default_factory=AudioSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)


@dataclass(frozen=True)
class Episode:
    folder: Path
    file: Path
    slug: str
    number: int
    title: str
    date: dt.date | dt.datetime
    description: str
    recordings: tuple[Path, ...]
    chapters: tuple[chap.Chapter, ...]
    artwork: Path | None = None
    season: int | None = None
    episode_type: str = "full"
    chapters_file: Path | None = None


@dataclass(frozen=True)
class _Chapters:
    chapters: list[chap.Chapter]
    file: Path | None


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
    )
    s.done()
    return show


def _audio(a: _Table, root: Path, show_file: Path) -> AudioSettings:
    def optional_path(key: str) -> Path | None:
        value = a.text(key, False)
        return resolve_inside(root, show_file, value, a, key) if value else None

    settings = AudioSettings(
        preset=a.text("preset", False, DEFAULT_PRESET),
        intro=optional_path("intro"), outro=optional_path("outro"),
        intro_crossfade=a.number("intro_crossfade", 0.0),
        outro_crossfade=a.number("outro_crossfade", 0.0),
    )
    a.done()
    return settings


def _publish(p: _Table) -> PublishSettings:
    settings = PublishSettings(
        target=p.text("target", False, "public"),
        endpoint_url=p.text("endpoint_url", False), region=p.text("region", False),
        profile=p.text("profile", False), base_url=p.text("base_url", False),
    )
    p.done()
    return settings


def load_episode(folder: Path, show: Show,
                 chapter_loader: Callable[[Path], list[chap.Chapter]] | None = None) -> Episode:
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
    episode_type = t.text("episode_type", False, "full")
    if episode_type not in EPISODE_TYPES:
        raise t.fail("episode_type", f'must be one of {", ".join(EPISODE_TYPES)}, not "{episode_type}"')
    found = _chapters(t, show.root, file, chapter_loader)
    episode = Episode(
        folder=folder, file=file, slug=folder.name, number=number,
        title=t.text("title"), date=date, description=t.text("description", False, "") or "",
        recordings=recordings, chapters=tuple(found.chapters), chapters_file=found.file,
        artwork=resolve_inside(show.root, file, artwork_value, t, "artwork") if artwork_value else None,
        season=season, episode_type=episode_type,
    )
    t.done()
    return episode


def _recordings(t: _Table, root: Path, file: Path) -> tuple[Path, ...]:
    if "recording" in t.data and "recordings" in t.data:
        raise t.fail("recordings", 'give either "recording" or "recordings", not both')
    if "recording" in t.data:
        return (resolve_inside(root, file, t.text("recording"), t, "recording"),)
    values = t.take("recordings", list, what='a list of paths (or give "recording")')
    if not values:
        raise t.fail("recordings", "must name at least one file")
    paths = []
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise t.fail(f"recordings[{i}]", f"must be a path, not {value!r}")
        paths.append(resolve_inside(root, file, value, t, f"recordings[{i}]"))
    return tuple(paths)


def _chapters(t: _Table, root: Path, file: Path,
              loader: Callable[[Path], list[chap.Chapter]] | None) -> _Chapters:
    if "chapters_file" in t.data:
        if "chapters" in t.data:
            raise t.fail("chapters_file", 'give either "chapters_file" or [[chapters]], not both')
        path = resolve_inside(root, file, t.text("chapters_file"), t, "chapters_file")
        if loader is None:
            from .chapter_formats import load_file as loader  # noqa: PLC0415 - avoids an import cycle
        chapters = loader(path)
        chap.validate(chapters, str(path))
        return _Chapters(chapters, path)
    items = t.take("chapters", list, False, [], "an array of [[chapters]] tables")
    chapters = [_chapter(_Table(item, file, f"chapters[{i}]."), root, file) for i, item in enumerate(items)]
    chap.validate(chapters, str(file))
    return _Chapters(chapters, None)


def _chapter(c: _Table, root: Path, file: Path) -> chap.Chapter:
    raw_start = c.take("start", (str, int, float), what="a time")
    try:
        start = chap.parse_time(raw_start)
    except chap.TimeError as e:
        raise c.fail("start", str(e)) from None
    title = c.take("title", str, what="a string")
    if not title.strip():
        raise c.fail("title", "is empty")
    url = c.text("url", False)
    image_value = c.text("image", False)
    image = resolve_inside(root, file, image_value, c, "image") if image_value else None
    c.done()
    return chap.Chapter(start, title, url, str(image) if image else None)


def load_preset(name_or_path: str, show_root: Path | None = None) -> Preset:
    """A preset name looks in the show's own presets/ first, then the packaged ones."""
    path = _find_preset(name_or_path, show_root)
    t = _Table(read_toml(path), path)
    loud, enc = t.table("loudness"), t.table("encoding")
    t.done()
    preset = Preset(
        name=path.stem,
        integrated=float(loud.take("integrated", (int, float), what="a number")),
        true_peak=float(loud.take("true_peak", (int, float), what="a number")),
        tolerance=loud.number("tolerance", 0.5),
        bitrate_kbps=enc.take("bitrate", int, what="a whole number of kb/s"),
        sample_rate=enc.take("sample_rate", int, False, 44100, "a whole number"),
        channels=enc.take("channels", int, False, 2, "1 or 2"),
        mode=enc.text("mode", False, "cbr"),
    )
    fmt = enc.text("format", False, "mp3")
    if fmt != "mp3":
        raise enc.fail("format", f'only "mp3" is supported, not "{fmt}"')
    if preset.channels not in (1, 2):
        raise enc.fail("channels", f"must be 1 or 2, not {preset.channels}")
    if preset.mode not in ("cbr", "vbr"):
        raise enc.fail("mode", f'must be "cbr" or "vbr", not "{preset.mode}"')
    if preset.sample_rate not in (32000, 44100, 48000):
        raise enc.fail("sample_rate", f"must be 32000, 44100 or 48000, not {preset.sample_rate}")
    if not 8 <= preset.bitrate_kbps <= 320:
        raise enc.fail("bitrate", f"must be 8 to 320 kb/s, not {preset.bitrate_kbps}")
    if preset.true_peak > 0:
        raise loud.fail("true_peak", f"must be at or below 0 dBTP, not {preset.true_peak:g}")
    loud.done()
    enc.done()
    return preset


def _find_preset(name_or_path: str, show_root: Path | None) -> Path:
    if name_or_path.endswith(".toml") or "/" in name_or_path:
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
