"""Presets: a name (the show's presets/ first, then the packaged ones) or a file, read and checked."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Callable


from ...core.audio.leveler import LevelerSettings
from ...core.episode.formats import MAIN
from ...core.episode.models import Preset
from .schema import Table, default, read_toml
from .show import _rendition_settings
from ...errors import InputError

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
    t = Table(read_toml(path), path)
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


def _leveler_settings(t: Table) -> LevelerSettings:
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
