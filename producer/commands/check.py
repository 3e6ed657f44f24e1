"""`producer check`: measure each file itself, trust no report, and judge it
(core.episode.verdicts). Prints one line a check and a summary, or one JSON document;
raises CheckFailed or MediaError for the CLI to turn into an exit code."""
from __future__ import annotations

import glob
import json
from pathlib import Path
from typing import TextIO

from ..core.episode.formats import FORMATS, MAIN
from ..core.episode.id3 import Id3Summary
from ..core.episode.plan import episode_files
from ..core.episode.models import DEFAULT_PRESET, Episode, Preset, preset_from_record
from ..core.episode.verdicts import FileReport
from ..errors import CheckFailed, InputError, MediaError
from ..io import files, tags
from ..io.config import as_built, load_context, load_preset
from ..io.id3 import read_id3
from ..stages import report_page
from ..stages.judge import judge
from ..stages.measure import measure_and_hear

RENDITIONS = tuple(f.suffix for f in FORMATS.values() if f is not MAIN)


def expand(patterns: list[str]) -> list[Path]:
    """Files named, and the audio files a glob matches (`check ep32/dist/*` skips
    report.json and friends)."""
    files: list[Path] = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            matches = sorted(glob.glob(pattern))
            if not matches:
                raise InputError(f"{pattern}: no file matches")
            files += [Path(m) for m in matches if Path(m).suffix.lower() in (MAIN.suffix, *RENDITIONS)]
        else:
            files.append(Path(pattern))
    return files


def check_one(path: Path, chosen: Preset | None, episode: Episode | None,
              html: Path | None = None) -> tuple[FileReport, Preset]:
    """One file against `chosen`, or else the preset its build recorded (in an MP3's
    tags; for an M4A or Opus rendition, in the MP3 beside it), or else the default.
    With `html`, the report page is written there too."""
    rendition = path.suffix.lower() in RENDITIONS
    preset = chosen or (_beside_mp3(path) if rendition else None) or load_preset(DEFAULT_PRESET)
    try:
        found = tags.read(path)
    except MediaError as e:
        return FileReport(str(path), error=str(e)), preset
    if chosen is None and isinstance(found, Id3Summary):
        preset = _recorded(found.preset_record) or preset
    try:
        measured, heard = measure_and_hear(path, preset.leveler)
    except MediaError as e:
        return FileReport(str(path), error=str(e)), preset
    report = judge(path, preset, episode, measured, heard, tags=found)
    if html is not None and not report.error:
        files.replace_text(html, report_page.for_check(report, preset, measured, found))
    return report, preset


def html_paths(option: str | None, paths: list[Path]) -> list[Path | None]:
    """Where each file's page goes: --html FILE for one checked file; for a folder (or
    several files), NAME.html in it, the folder made if need be."""
    if option is None:
        return [None] * len(paths)
    where = Path(option)
    if len(paths) > 1 or where.is_dir() or option.endswith("/"):
        where.mkdir(parents=True, exist_ok=True)
        return [where / f"{p.name}.html" for p in paths]
    return [where]


def _beside_mp3(path: Path) -> Preset | None:
    mp3 = path.with_suffix(".mp3")
    try:
        return _recorded(read_id3(mp3).preset_record) if mp3.is_file() else None
    except MediaError:
        return None


def _recorded(record: str | None) -> Preset | None:
    return preset_from_record(record) if record else None


def _preset_for(name: str | None, episode_dir: Path | None) -> tuple[Preset | None, Episode | None]:
    """--preset wins; then the episode's preset; else each file's own (None here)."""
    if episode_dir is None:
        return (load_preset(name) if name else None), None
    ctx = load_context(episode_dir, name)
    return ctx.preset, as_built(ctx.episode)


def check_files(patterns: list[str], episode_dir: Path | None, preset_name: str | None, as_json: bool,
                out: TextIO, html: str | None = None) -> None:
    chosen, episode = _preset_for(preset_name, episode_dir)
    paths = expand(patterns)
    checked = [check_one(p, chosen, episode, page) for p, page in zip(paths, html_paths(html, paths))]
    if as_json:
        json.dump(document(checked), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for r, _ in checked:
            _print_report(r, out)
    conclude([r for r, _ in checked])


def check_episode(folder: Path, preset_name: str | None, html: str | None, out: TextIO | None
                  ) -> list[tuple[FileReport, Preset]]:
    """`producer check EP/`: every file the episode's build ships (the MP3, then each
    rendition) against the episode, as --episode does; lines to `out` (None: none).
    Raises as check_files does."""
    ctx = load_context(folder, preset_name)
    files_ = episode_files(ctx.show, ctx.episode, ctx.preset)
    dist = folder / "dist"
    if not (dist / files_.mp3).is_file():
        raise InputError(f"{dist / files_.mp3}: not built yet (producer build {folder})")
    paths = [dist / name for name in files_.media]
    pages = [None] * len(paths) if html is None else html_paths(html.rstrip("/") + "/", paths)
    episode = as_built(ctx.episode)
    checked = [check_one(p, ctx.preset, episode, page) for p, page in zip(paths, pages)]
    if out is not None:
        for r, _ in checked:
            _print_report(r, out)
    return checked


def document(checked: list[tuple[FileReport, Preset]]) -> dict[str, object]:
    """check's JSON document: pass, the preset (a list when the files' differ), each file."""
    names = sorted({p.name for _, p in checked})
    return {"pass": all(r.ok for r, _ in checked), "preset": names[0] if len(names) == 1 else names,
            "files": [r.as_dict() | {"preset": p.name} for r, p in checked]}


def conclude(reports: list[FileReport]) -> None:
    """Exit 2 when a file cannot be measured, else 1 when one fails a check."""
    unreadable = [r.file for r in reports if r.error]
    if unreadable:
        raise MediaError(f"{', '.join(unreadable)}: cannot be measured")
    failed = [r.file for r in reports if not r.ok]
    if failed:
        raise CheckFailed(f"{', '.join(failed)}: failed {'its' if len(failed) == 1 else 'their'} checks")


def _print_report(r: FileReport, out: TextIO) -> None:
    if r.error:
        out.write(f"✗ {r.error}\n")
        return
    for v in r.verdicts:
        mark = "✓" if v.ok else ("!" if v.warns else "✗")
        line = f"{mark} {v.name}: {v.measured} (expected {v.expected})"
        out.write(line + (f" — {v.reason}" if v.reason else "") + ("" if not v.warns else " (warning)") + "\n")
    failed = [v.name for v in r.verdicts if v.fails]
    warned = [v.name for v in r.warnings]
    summary = "PASS" if not failed else "FAIL (" + ", ".join(failed) + ")"
    if warned:
        summary += f", {len(warned)} warning{'s' if len(warned) > 1 else ''} ({', '.join(warned)})"
    out.write(f"{r.file}: {summary}, {sum(v.ok for v in r.verdicts)}/{len(r.verdicts)} checks passed\n")
