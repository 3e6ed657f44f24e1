"""One episode's work for `producer build|publish|check EP...` (runner.batch runs
them in turn or in processes). Top-level functions, so a worker process can take
them; light to import, the audio modules loading only when a build runs."""
from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from ..core.episode.build_report import BuildReport
from ..errors import ProducerError
from ..io.progress import Progress
from .batch import Result
from ..io.reports import read_report


def build_job(folder: Path, options: dict[str, Any], out: TextIO, progress: Progress) -> Result:
    from ..io.fresh import stale_context

    if options.get("if_stale"):
        ctx = stale_context(folder, options.get("preset"))
        if ctx is None:
            report = _report(folder)
            line = f"{folder / 'dist'}: up to date (no input changed since it was built)"
            out.write(line + "\n")
            return Result("up to date", line, report.output.integrated, report.output.true_peak)
    else:
        from ..io.config import load_context

        ctx = load_context(folder, options.get("preset"))
    from ..commands.build import build_context

    result = build_context(ctx, progress)
    r = result.report
    line = (f"{result.mp3}: {r.output.integrated:.2f} LUFS, true peak {r.output.true_peak:.2f} dBTP, "
            f"{r.duration_seconds:.3f} s, {r.chapters} chapters")
    out.write(line + "\n")
    return Result("built", line, r.output.integrated, r.output.true_peak)


def publish_job(folder: Path, options: dict[str, Any], out: TextIO, progress: Progress) -> Result:
    from ..commands.publish import publish

    line = publish(folder, progress, target=options.get("target"), dry_run=bool(options.get("dry_run")), out=out)
    report = _report(folder, required=False)
    return Result("would publish" if options.get("dry_run") else "published", line,
                  report.output.integrated if report else None, report.output.true_peak if report else None)


def check_job(folder: Path, options: dict[str, Any], out: TextIO, progress: Progress) -> Result:
    from ..commands.check import check_episode, conclude, document

    checked = check_episode(folder, options.get("preset"), options.get("html"), out)
    reports = [r for r, _ in checked]
    mp3 = reports[0].figures
    figures = (mp3.get("integrated"), mp3.get("true_peak"))
    names = ", ".join(Path(r.file).name for r in reports)
    try:
        conclude(reports)
    except ProducerError as e:
        return Result("FAIL" if e.exit_code == 1 else "error", str(e), *figures, detail=document(checked),
                      exit_code=e.exit_code)
    return Result("pass", f"{names}: all checks passed", *figures, detail=document(checked))


def _report(folder: Path, required: bool = True) -> BuildReport | None:
    try:
        return read_report(folder)
    except (OSError, ValueError):
        if required:
            raise
        return None
