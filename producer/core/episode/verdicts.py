"""The judgements of `producer check`: measured figures and tags in, verdicts out.

Each check is a Verdict (name, pass, measured, expected, reason).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .artwork import problem as artwork_problem
from ..chapters.chapters import Chapter, order_problems
from .id3 import ChapterTag, ContainerSummary, Id3Summary
from ..audio.loudness import Loudness
from .models import Episode, Preset
from ..chapters.timecode import format_time

END_SLACK_MS = 1000  # last chapter must end within 1 s of the file's end


Level = Literal["failure", "warning"]  # a failure is objectively wrong; a warning is a quality hint


@dataclass
class Verdict:
    name: str
    ok: bool
    measured: Any
    expected: Any
    reason: str = ""
    level: Level = "failure"

    @property
    def fails(self) -> bool:
        return not self.ok and self.level == "failure"

    @property
    def warns(self) -> bool:
        return not self.ok and self.level == "warning"


@dataclass
class FileReport:
    file: str
    figures: dict[str, Any] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Nothing objectively wrong: warnings do not count."""
        return self.error is None and not any(v.fails for v in self.verdicts)

    @property
    def warnings(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.warns]

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "pass": self.ok, "error": self.error, "figures": self.figures,
                "checks": [asdict(v) | {"pass": v.ok} for v in self.verdicts]}


def loudness_verdicts(measured: Loudness, preset: Preset) -> list[Verdict]:
    off = measured.integrated - preset.integrated
    expected = f"{preset.integrated:g} ± {preset.tolerance:g} LUFS ({preset.name})"
    loud_ok = math.isfinite(off) and abs(off) <= preset.tolerance
    reason = "" if loud_ok else (f"loudness is {off:+.2f} LU from the target" if math.isfinite(off)
                                 else "the file is silent")
    peak_ok = measured.true_peak <= preset.true_peak + 1e-9
    return [
        Verdict("loudness", loud_ok, figure(measured.integrated, "LUFS"), expected, reason),
        Verdict("true peak", peak_ok, figure(measured.true_peak, "dBTP"),
                f"≤ {preset.true_peak:g} dBTP",
                "" if peak_ok else f"true peak is {measured.true_peak - preset.true_peak:.2f} dB over the ceiling"),
    ]


def balance_verdict(spread_lu: float, preset: Preset) -> Verdict:
    """The turns' loudness spread (core.audio.speech.balance): a quality hint, unless the
    preset requires balance, when it is a failure."""
    limit = preset.leveler.max_spread_lu
    ok = spread_lu <= limit
    return Verdict("speech balance", ok, f"{spread_lu:.1f} LU spread", f"≤ {limit:g} LU ({preset.name})",
                   "" if ok else "the loud and the quiet turns of speech sound far apart: are the voices unbalanced?",
                   "failure" if preset.leveler.require_balance else "warning")


def tag_verdicts(tags: Id3Summary) -> list[Verdict]:
    version = f"ID3v2.{tags.version[1]}" if tags.version else None
    out = [Verdict("id3 version", version == "ID3v2.3", version, "ID3v2.3",
                   "" if version == "ID3v2.3" else
                   ("the file has no ID3v2 tag" if version is None else
                    f"{version}: Apple Podcasts misreads some v2.4 chapter tags")),
           Verdict("title", bool(tags.title), tags.title or None, "a TIT2 title",
                   "" if tags.title else "the file has no title tag")]
    if tags.cover is None:
        out.append(Verdict("cover", False, None, "front cover (APIC type 3)", "the file has no front cover"))
    else:
        reason, art = artwork_problem(tags.cover)
        measured = f"{art.width}×{art.height} {art.mime}" if art else "unusable image"
        out.append(Verdict("cover", reason is None, measured, "square JPEG/PNG, 1400–3000 px",
                           f"front cover {reason}" if reason else ""))
    return out


def chapter_verdicts(tags: Id3Summary, duration_ms: int) -> list[Verdict]:
    problems = chapter_problems(tags, duration_ms)
    measured = f"{len(tags.chapters)} chapters" if tags.chapters else "no chapters"
    return [Verdict("chapters", not problems, measured, "CTOC + CHAP, contiguous from 0 to the end",
                    "; ".join(problems))]


def chapter_problems(tags: Id3Summary, duration_ms: int) -> list[str]:
    if not tags.chapters:
        return ["the file has no CHAP chapters"]
    problems = []
    top = [t for t in tags.tocs if t.top_level]
    if len(top) != 1:
        problems.append(f"{len(top)} top-level CTOC frames, expected exactly 1")
    else:
        toc = top[0]
        if not toc.ordered:
            problems.append("the CTOC is not marked ordered")
        ids = [c.element_id for c in tags.chapters]
        if sorted(toc.children) != sorted(ids):
            problems.append("the CTOC does not list every CHAP")
    ordered = sorted(tags.chapters, key=lambda c: c.start_ms)
    if ordered != tags.chapters:
        problems.append("CHAP frames are not in playback order in the file")
    return problems + timeline_problems(ordered, duration_ms)


def timeline_problems(ordered: list[ChapterTag], duration_ms: int) -> list[str]:
    """Chapters from 0, strictly increasing, each ending where the next starts, the
    last at the end, every one titled: the rules any container's chapters keep."""
    problems = order_problems([c.start_ms for c in ordered])
    for a, b in zip(ordered, ordered[1:]):
        if a.end_ms != b.start_ms:
            problems.append(f'chapter "{a.title}" ends at {format_time(a.end_ms)} but the next '
                            f"starts at {format_time(b.start_ms)}")
    if abs(ordered[-1].end_ms - duration_ms) > END_SLACK_MS:
        problems.append(f"the last chapter ends at {format_time(ordered[-1].end_ms)}, "
                        f"the file at {format_time(duration_ms)}")
    empty = [i for i, c in enumerate(ordered) if not c.title.strip()]
    if empty:
        problems.append(f"chapter {empty[0]} has no title")
    return problems


def rendition_verdicts(found: ContainerSummary, duration_ms: int) -> list[Verdict]:
    """Title, cover and chapters of an M4A or Opus rendition."""
    problems = timeline_problems(found.chapters, duration_ms) if found.chapters else ["the file has no chapters"]
    return [Verdict("title", bool(found.title), found.title or None, "a title tag",
                    "" if found.title else "the file has no title tag"),
            Verdict("cover", found.cover, "attached" if found.cover else None, "cover art",
                    "" if found.cover else "the file has no cover art"),
            Verdict("chapters", not problems, f"{len(found.chapters)} chapters",
                    "contiguous from 0 to the end", "; ".join(problems))]


def episode_verdicts(tags: Id3Summary | ContainerSummary, episode: Episode) -> list[Verdict]:
    """Title and chapters as episode.toml declares them; links only where the
    container has a place for them (ID3's WXXX; M4A and Ogg chapters have none)."""
    out = [Verdict("episode title", tags.title == episode.title, tags.title, episode.title,
                   "" if tags.title == episode.title else "the title tag differs from episode.toml")]
    declared = list(episode.chapters)
    found = sorted(tags.chapters, key=lambda c: c.start_ms)
    diffs = _chapter_diffs(declared, found, links=isinstance(tags, Id3Summary))
    out.append(Verdict("episode chapters", not diffs, f"{len(found)} chapters",
                       f"{len(declared)} chapters as in {episode.file.name}", "; ".join(diffs[:5])))
    return out


def _chapter_diffs(declared: list[Chapter], found: list[Any], links: bool = True) -> list[str]:
    if len(declared) != len(found):
        return [f"the file has {len(found)} chapters, the episode declares {len(declared)}"]
    diffs = []
    for i, (want, got) in enumerate(zip(declared, found)):
        if want.start_ms != got.start_ms:
            diffs.append(f"chapter {i} starts at {format_time(got.start_ms)}, "
                         f"declared {format_time(want.start_ms)}")
        if want.title != got.title:
            diffs.append(f'chapter {i} is titled "{got.title}", declared "{want.title}"')
        if links and (want.url or None) != (got.url or None):
            diffs.append(f"chapter {i} links {got.url or 'nothing'}, declared {want.url or 'nothing'}")
    return diffs


def figure(value: float | None, unit: str) -> str:
    """A measured figure; silence (None in JSON, -inf in the meter) reads -inf."""
    return f"{value:.2f} {unit}" if value is not None and math.isfinite(value) else f"-inf {unit}"
