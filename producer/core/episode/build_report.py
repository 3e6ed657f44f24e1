"""report.json as a type: what a build measured and made, written by `build`
and read by the CLI, the report page, `--if-stale`, `publish` and `status`.
The JSON keeps the same names; a report this version cannot read is as good
as none (the episode is rebuilt). Pure, and light: no audio module."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ..audio.cuts import Cut


@dataclass(frozen=True)
class Figures:
    """Loudness figures of a file or of the assembled input (None: not measured or silent)."""

    integrated: float | None
    true_peak: float | None
    sample_peak: float | None
    lra: float | None
    duration: float | None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Figures:
        return cls(*(_number(d.get(name)) for name in ("integrated", "true_peak", "sample_peak", "lra",
                                                          "duration")))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


@dataclass(frozen=True)
class Stamp:
    """A file as a build saw it: its size and modification time, which say cheaply
    that it did not change, and a digest, which says so when they differ."""

    size: int
    mtime_ns: int
    sha256: str

    def same_stat(self, size: int, mtime_ns: int) -> bool:
        return self.size == size and self.mtime_ns == mtime_ns

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Stamp:
        return cls(int(d["size"]), int(d["mtime_ns"]), str(d["sha256"]))


@dataclass(frozen=True)
class Inputs:
    """What a build was made from: the producer version and preset (one digest), and
    every input file by its path relative to the show folder."""

    settings_sha256: str
    files: dict[str, Stamp]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Inputs:
        return cls(str(d["settings_sha256"]), _stamps(d["files"]))


def _stamps(d: dict[str, Any]) -> dict[str, Stamp]:
    return {str(name): Stamp.from_dict(v) for name, v in d.items()}


@dataclass(frozen=True)
class BuildReport:
    episode: str
    file: str
    preset: dict[str, Any]
    input: Figures
    gain_db: float
    output: Figures
    verified_by: str
    duration_seconds: float
    chapters: int
    tries: int
    attempts: list[dict[str, Any]]
    seconds: dict[str, float]
    leveling: dict[str, Any] = field(default_factory=lambda: {"mode": "off"})
    checks: dict[str, Any] = field(default_factory=dict)  # the build's own check: pass, failed, per file
    transcript: dict[str, Any] | None = None
    renditions: dict[str, dict[str, Any]] = field(default_factory=dict)
    inputs: Inputs | None = None  # None: a report this version cannot judge staleness by
    outputs: dict[str, Stamp] = field(default_factory=dict)  # dist/'s files (all but report.json) as built
    built_at: str | None = None  # UTC, ISO 8601
    passes: int = 1  # passes over the programme that rendered files (every format rides each pass)
    cleanup: dict[str, Any] = field(default_factory=dict)  # per track (noise floor, denoise, hum), the shipped floor
    cuts: list[dict[str, Any]] = field(default_factory=list)  # each cut: recording start/end, episode position, …
    speech: dict[str, Any] = field(default_factory=dict)  # the shipped file's balance (core.audio.speech.Balance.as_dict)
    suggested_cuts: list[dict[str, Any]] = field(default_factory=list)  # the detectors set to "suggest", as `cuts`

    @property
    def cut_list(self) -> list[Cut]:
        return [Cut.from_dict(c) for c in self.cuts]

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.transcript is None:
            d.pop("transcript")
        if not self.renditions:
            d.pop("renditions")
        return d

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> BuildReport:
        """Raises ValueError for anything that is not a report of this version."""
        try:
            d = json.loads(text)
            return cls(episode=str(d["episode"]), file=str(d["file"]), preset=dict(d["preset"]),
                       input=Figures.from_dict(d["input"]), gain_db=float(d["gain_db"]),
                       output=Figures.from_dict(d["output"]), verified_by=str(d["verified_by"]),
                       duration_seconds=float(d["duration_seconds"]), chapters=int(d["chapters"]),
                       tries=int(d["tries"]), attempts=list(d["attempts"]), seconds=dict(d["seconds"]),
                       leveling=dict(d.get("leveling") or {"mode": "off"}), checks=dict(d.get("checks") or {}),
                       transcript=d.get("transcript"), renditions=dict(d.get("renditions") or {}),
                       inputs=Inputs.from_dict(d["inputs"]) if d.get("inputs") else None,
                       outputs=_stamps(d.get("outputs") or {}), built_at=d.get("built_at"),
                       passes=int(d.get("passes", d["tries"])), cleanup=dict(d.get("cleanup") or {}),
                       cuts=list(d.get("cuts") or []), speech=dict(d.get("speech") or {}),
                       suggested_cuts=list(d.get("suggested_cuts") or []))
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            raise ValueError(f"not a build report of this version ({e})") from None
