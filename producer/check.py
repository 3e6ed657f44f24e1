"""`producer check` and `producer measure`: measure the file itself, trust no report.

Each check is a Verdict (name, pass, measured, expected, reason); the
command prints one line a check and a summary, or one JSON document.
"""
from __future__ import annotations

import glob
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import artwork, config, loudness, media
from .chapters import Chapter, format_time
from .errors import InputError, MediaError, ProducerError
from .id3read import Id3Summary, read_id3

END_SLACK_MS = 1000  # last chapter must end within 1 s of the file's end


@dataclass
class Verdict:
    name: str
    ok: bool
    measured: Any
    expected: Any
    reason: str = ""


@dataclass
class FileReport:
    file: str
    figures: dict[str, Any] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(v.ok for v in self.verdicts)

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "pass": self.ok, "error": self.error, "figures": self.figures,
                "checks": [asdict(v) | {"pass": v.ok} for v in self.verdicts]}


def expand(patterns: list[str]) -> list[Path]:
    files: list[Path] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            matches = sorted(glob.glob(pattern))
            if not matches:
                raise InputError(f"{pattern}: no file matches")
            files += [Path(m) for m in matches]
        else:
            files.append(Path(pattern))
    return files


def measure_file(path: Path) -> loudness.Loudness:
    info = media.probe(path)
    channels = min(info.channels, 2)  # BS.1770 weights for 5.1 need a layout we do not trust here
    source = media.decode(path, info.sample_rate, channels)
    return loudness.measure_chunks(source, info.sample_rate, channels)


def loudness_verdicts(measured: loudness.Loudness, preset: config.Preset) -> list[Verdict]:
    off = measured.integrated - preset.integrated
    expected = f"{preset.integrated:g} ± {preset.tolerance:g} LUFS ({preset.name})"
    loud_ok = math.isfinite(off) and abs(off) <= preset.tolerance
    reason = "" if loud_ok else (f"loudness is {off:+.2f} LU from the target" if math.isfinite(off)
                                 else "the file is silent")
    peak_ok = measured.true_peak <= preset.true_peak + 1e-9
    return [
        Verdict("loudness", loud_ok, _figure(measured.integrated, "LUFS"), expected, reason),
        Verdict("true peak", peak_ok, _figure(measured.true_peak, "dBTP"),
                f"≤ {preset.true_peak:g} dBTP",
                "" if peak_ok else f"true peak is {measured.true_peak - preset.true_peak:.2f} dB over the ceiling"),
    ]


def tag_verdicts(tags: Id3Summary) -> list[Verdict]:
    out = [Verdict("title", bool(tags.title), tags.title or None, "a TIT2 title",
                   "" if tags.title else "the file has no title tag")]
    if tags.cover is None:
        out.append(Verdict("cover", False, None, "front cover (APIC type 3)", "the file has no front cover"))
    else:
        reason, art = artwork.problem(tags.cover)
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
    starts = [c.start_ms for c in tags.chapters]
    if starts != sorted(starts):
        problems.append("CHAP frames are not in playback order in the file")
    ordered = sorted(tags.chapters, key=lambda c: c.start_ms)
    if ordered[0].start_ms != 0:
        problems.append(f"the first chapter starts at {format_time(ordered[0].start_ms)}, not 0")
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


def episode_verdicts(tags: Id3Summary, episode: config.Episode) -> list[Verdict]:
    out = [Verdict("episode title", tags.title == episode.title, tags.title, episode.title,
                   "" if tags.title == episode.title else "the title tag differs from episode.toml")]
    declared = list(episode.chapters)
    found = sorted(tags.chapters, key=lambda c: c.start_ms)
    diffs = _chapter_diffs(declared, found)
    out.append(Verdict("episode chapters", not diffs, f"{len(found)} chapters",
                       f"{len(declared)} chapters as in {episode.file.name}", "; ".join(diffs[:5])))
    return out


def _chapter_diffs(declared: list[Chapter], found: list[Any]) -> list[str]:
    if len(declared) != len(found):
        return [f"the file has {len(found)} chapters, the episode declares {len(declared)}"]
    diffs = []
    for i, (want, got) in enumerate(zip(declared, found)):
        if want.start_ms != got.start_ms:
            diffs.append(f"chapter {i} starts at {format_time(got.start_ms)}, "
                         f"declared {format_time(want.start_ms)}")
        if want.title != got.title:
            diffs.append(f'chapter {i} is titled "{got.title}", declared "{want.title}"')
        if (want.url or None) != (got.url or None):
            diffs.append(f"chapter {i} links {got.url or 'nothing'}, declared {want.url or 'nothing'}")
    return diffs


def check_one(path: Path, preset: config.Preset, episode: config.Episode | None) -> FileReport:
    report = FileReport(str(path))
    try:
        measured = measure_file(path)
        tags = read_id3(path)
    except MediaError as e:
        report.error = str(e)
        return report
    duration_ms = round(measured.duration * 1000)
    report.figures = measured.as_dict()
    report.verdicts += loudness_verdicts(measured, preset)
    report.verdicts += tag_verdicts(tags)
    report.verdicts += chapter_verdicts(tags, duration_ms)
    if episode is not None:
        report.verdicts += episode_verdicts(tags, episode)
    return report


def _preset_for(name: str | None, episode_dir: Path | None) -> tuple[config.Preset, config.Episode | None]:
    if episode_dir is None:
        return config.load_preset(name or config.DEFAULT_PRESET), None
    from .build import load_context

    ctx = load_context(episode_dir, name)
    return ctx.preset, ctx.episode


def check_files(patterns: list[str], episode_dir: Path | None, preset_name: str | None, as_json: bool,
                out: TextIO) -> int:
    preset, episode = _preset_for(preset_name, episode_dir)
    reports = [check_one(p, preset, episode) for p in expand(patterns)]
    if as_json:
        json.dump({"pass": all(r.ok for r in reports), "preset": preset.name,
                   "files": [r.as_dict() for r in reports]}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for r in reports:
            _print_report(r, out)
    if any(r.error for r in reports):
        return MediaError.exit_code
    return 0 if all(r.ok for r in reports) else 1


def _print_report(r: FileReport, out: TextIO) -> None:
    if r.error:
        out.write(f"✗ {r.error}\n")
        return
    for v in r.verdicts:
        mark = "✓" if v.ok else "✗"
        line = f"{mark} {v.name}: {v.measured} (expected {v.expected})"
        out.write(line + (f" — {v.reason}" if v.reason else "") + "\n")
    failed = [v.name for v in r.verdicts if not v.ok]
    summary = "PASS" if not failed else "FAIL (" + ", ".join(failed) + ")"
    out.write(f"{r.file}: {summary}, {sum(v.ok for v in r.verdicts)}/{len(r.verdicts)} checks passed\n")


def measure_files(patterns: list[str], as_json: bool, out: TextIO) -> int:
    results: list[dict[str, Any]] = []
    status = 0
    for path in expand(patterns):
        try:
            results.append({"file": str(path), **measure_file(path).as_dict()})
        except ProducerError as e:
            results.append({"file": str(path), "error": str(e)})
            status = e.exit_code
    if as_json:
        json.dump(results, out, indent=2)
        out.write("\n")
        return status
    for r in results:
        if "error" in r:
            out.write(f"✗ {r['error']}\n")
            continue
        out.write(f"{r['file']}: integrated {_figure(r['integrated'], 'LUFS')}, true peak "
                  f"{_figure(r['true_peak'], 'dBTP')}, LRA {_figure(r['lra'], 'LU')}, sample peak "
                  f"{_figure(r['sample_peak'], 'dBFS')}, duration {r['duration']:.3f} s\n")
    return status


def _figure(value: float | None, unit: str) -> str:
    """A measured figure; silence (None in JSON, -inf in the meter) reads -inf."""
    return f"{value:.2f} {unit}" if value is not None and math.isfinite(value) else f"-inf {unit}"
