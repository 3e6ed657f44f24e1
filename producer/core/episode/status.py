"""`producer status` as data: one row per episode folder (built, stale, published,
the build's own check) and its two renderings, a table and JSON. Pure."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .build_report import Stamp


@dataclass(frozen=True)
class Remote:
    """An object as a HEAD found it: its size and the SHA-256 stored with it."""

    size: int
    sha256: str | None

    def matches(self, built: Stamp) -> bool:
        return self.sha256 == built.sha256 and self.size == built.size


@dataclass(frozen=True)
class Row:
    episode: str
    built: bool
    stale: bool
    published: bool
    built_at: str | None = None
    formats: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # inputs changed since the build, or the files a complete build lacks
    publication: str = "absent"  # current | differs | absent | partial | not built here
    differing: tuple[str, ...] = ()  # target keys that differ from dist/ or are missing
    in_feed: bool = False
    check: str | None = None  # the build's own check: pass | fail
    integrated_lufs: float | None = None
    error: str | None = None  # the episode cannot be read (its episode.toml is broken)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Published:
    """What the target holds of one episode, against dist/."""

    state: str
    differing: tuple[str, ...] = field(default_factory=tuple)


def publication(expected: dict[str, Stamp], found: dict[str, Remote | None], in_feed: bool) -> Published:
    """`expected`: target key → dist/'s stamp of the file uploaded there; `found`:
    what a HEAD of each key answered. Current only when every object is dist/'s
    file (size and SHA-256) and the feed has the item."""
    absent = [k for k in expected if found.get(k) is None]
    differs = [k for k in expected if (r := found.get(k)) is not None and not r.matches(expected[k])]
    if not in_feed and len(absent) == len(expected):
        return Published("absent", tuple(absent))
    if differs:
        return Published("differs", tuple(differs + absent))
    if absent or not in_feed:
        return Published("partial", tuple(absent) + (() if in_feed else ("feed.xml: no item",)))
    return Published("current")


def table(rows: list[Row]) -> str:
    head = ("episode", "built", "formats", "stale", "published", "check")
    lines = [head] + [_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head) - 1)]
    return "".join("  ".join(c.ljust(w) for c, w in zip(line, widths)) + "  " + line[-1] + "\n" for line in lines)


def _cells(r: Row) -> tuple[str, ...]:
    if r.error:
        return (r.episode, "?", "-", "?", "?", r.error)
    built = (r.built_at or "yes").replace("T", " ")[:16] if r.built else "no"
    stale = "no" if not r.stale else "yes" + (f": {', '.join(r.changed[:3])}"
                                              + (f" (+{len(r.changed) - 3})" if len(r.changed) > 3 else "")
                                              if r.changed else "")
    published = "yes" if r.published else f"no ({r.publication}" + (
        f": {', '.join(k.rsplit('/', 1)[-1] for k in r.differing[:2])}" if r.differing and
        r.publication != "absent" else "") + ")"
    return (r.episode, built, " ".join(r.formats) or "-", stale, published, r.check or "-")
