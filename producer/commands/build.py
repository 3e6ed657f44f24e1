"""`producer build`: config → plan → measure → render/encode/verify (until the
policy ships one) → tag → dist/.

Everything is written into a temporary folder beside dist/ and swapped in at
the end, so a failed build leaves the previous dist/ (or none) untouched.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..core import chapters as chap, lazy
from ..core.artwork import Artwork
from ..core.build_report import BuildReport, Figures
from ..core.episode_files import REPORT_JSON, REPORT_PAGE
from ..core.loudness import Loudness
from ..core.models import Preset
from ..core.plan import BuildPlan, make_plan
from ..core.policy import MAX_TRIES, Attempt, Tried, first_ceiling, next_attempt
from ..errors import CheckFailed, EnvironmentFailure, MediaError, os_error_text
from ..io import artwork, ffmpeg
from ..io.config import Context, load_context
from ..io.inputs import audio_inputs, output_stamps, record_inputs
from ..io.progress import Progress
from ..core.transcript import Cue
from ..stages import level, measure, predict, render, renditions, report_page, tag, transcript
from ..stages.judge import failure_text, judge

TRUNCATION_SLACK_S = 0.5


@dataclass
class BuildResult:
    mp3: Path
    report: BuildReport


def prepare(ctx: Context) -> tuple[BuildPlan, Artwork]:
    """Every check that needs no audio processing, so bad input fails in seconds."""
    cover = artwork.load(ctx.episode.artwork or ctx.show.artwork,
                         f"{ctx.episode.file if ctx.episode.artwork else ctx.show.file}: artwork: ")
    for c in ctx.episode.chapters:
        if c.image:
            artwork.load(Path(c.image), cover=False)
    paths = audio_inputs(ctx)
    with ThreadPoolExecutor(4) as pool:  # each ffprobe waits mostly on its own start-up
        infos = dict(zip(paths, pool.map(ffmpeg.probe, paths)))
    return make_plan(ctx.show, ctx.episode, ctx.preset, infos), cover


def build(episode_dir: Path, progress: Progress, preset_name: str | None = None) -> BuildResult:
    return build_context(load_context(episode_dir, preset_name), progress)


def build_context(ctx: Context, progress: Progress) -> BuildResult:
    # scipy and pyloudnorm load (0.7 s) while ffprobe and the analysis's ffmpeg run;
    # the measure stage, their first user, waits on the import if it is not done
    threading.Thread(target=lazy.warm, daemon=True).start()
    plan, cover = prepare(ctx)
    cues = transcript.load(ctx.episode)  # a bad cue fails before any audio work
    ffmpeg.tool("ffmpeg")
    inputs = record_inputs(ctx)  # the inputs as they were when the build began
    work = _work_folder(plan.out_dir)
    try:
        report = _build_into(plan, cover, work, progress, cues)
        outputs = output_stamps(work, [name for name in plan.files.built() if name != REPORT_JSON])
        report = replace(report, inputs=inputs, outputs=outputs,
                         built_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        (work / REPORT_JSON).write_text(report.to_json(), encoding="utf-8")
        _swap_into_place(work, plan.out_dir)
    except OSError as e:  # a full disk, a folder made read-only, a file that vanished
        raise EnvironmentFailure(f"cannot write the build: {os_error_text(e, plan.out_dir)}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BuildResult(plan.out_dir / plan.mp3_name, report)


def _work_folder(out_dir: Path) -> Path:
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".dist-", dir=out_dir.parent))
        work.chmod(0o755)  # mkdtemp's 0700 would make dist/ private to this user
    except OSError as e:
        raise EnvironmentFailure(f"{out_dir.parent}: cannot write the build ({e.strerror or e})") from None
    return work


def _build_into(plan: BuildPlan, cover: Artwork, work: Path, progress: Progress,
                cues: list[Cue] | None) -> BuildReport:
    started = time.monotonic()
    seconds: dict[str, float] = {}
    leveling = None
    t = time.monotonic()
    features = level.analyse(plan.assembly, plan.preset.leveler, progress)  # every mode: refuses a silent input
    if plan.leveler != "off":
        curves = work / ".gains"  # removed before dist/ is swapped in
        curves.mkdir()
        leveling = level.plan(plan.assembly, features, plan.leveler, plan.preset.leveler, progress, curves)
    seconds["level_analysis"] = time.monotonic() - t
    frames, measured, excerpts, took = measure.analyse(plan, progress, leveling)
    seconds["assemble_measure"] = took
    duration_ms = round(frames * 1000 / plan.preset.sample_rate)
    _check_decoded_length(plan, duration_ms / 1000)
    chap.validate_against_duration(plan.chapters, duration_ms, str(plan.episode.file))
    written = transcript.write(cues, plan, duration_ms, work) if cues else None
    mp3 = work / plan.mp3_name
    renders = _render_until_it_ships(plan, measured, excerpts, mp3, progress, seconds, leveling)
    with ThreadPoolExecutor(1) as pool:  # the MP3's speech balance, on the other core while renditions run
        mp3_spread = pool.submit(level.speech_spread, mp3, plan.preset.leveler)
        t = time.monotonic()
        made = renditions.make(plan, renders[-1].attempt, leveling, duration_ms, work, cover, progress) \
            if plan.renditions else []
        seconds["renditions"] = time.monotonic() - t
        t = time.monotonic()
        tag.tag(plan, cover, mp3, duration_ms, work)
        seconds["tag"] = time.monotonic() - t
        t = time.monotonic()
        checks = _own_check(plan, work, {"mp3": renders[-1].verified.loudness, **{m.fmt: m.loudness for m in made}},
                            mp3_spread.result())
    seconds["check"] = time.monotonic() - t
    seconds["total"] = time.monotonic() - started
    report = BuildReport(
        episode=plan.episode.slug, file=plan.mp3_name, preset=_preset_record(plan.preset),
        input=Figures.from_dict(measured.as_dict()), gain_db=round(renders[-1].attempt.gain_db, 3),
        output=Figures.from_dict(renders[-1].verified.loudness.as_dict()), verified_by=renders[-1].verified.method,
        duration_seconds=duration_ms / 1000, chapters=len(plan.chapters), tries=len(renders),
        attempts=[r.as_dict() for r in renders], seconds={k: round(v, 3) for k, v in seconds.items()},
        leveling=leveling.report(plan.assembly.recordings) if leveling else {"mode": "off"}, checks=checks,
        transcript=written, renditions={m.fmt: m.as_dict() for m in made})
    (work / REPORT_PAGE).write_text(
        report_page.for_build(plan, report, measured, renders[-1].verified.loudness, leveling), encoding="utf-8")
    shutil.rmtree(work / ".gains", ignore_errors=True)
    return report


def _own_check(plan: BuildPlan, work: Path, shipped: dict[str, Loudness], mp3_spread: float) -> dict[str, Any]:
    """`producer check --episode` on every file about to ship, from the figures the
    build measured on each file's own samples: what fails it fails the build (exit 1,
    check's own words), and the previous dist/ stays."""
    with ThreadPoolExecutor(2) as pool:
        reports = dict(zip(shipped, pool.map(
            lambda fmt: judge(work / plan.files.audio(fmt), plan.preset, plan.episode, shipped[fmt],
                              mp3_spread if fmt == "mp3" else None), shipped)))
    failed = {fmt: r for fmt, r in reports.items() if not r.ok}
    if failed:
        raise CheckFailed("; ".join(f"{plan.out_dir / plan.files.audio(fmt)} would fail producer check: "
                                    f"{failure_text(r)}" for fmt, r in failed.items()))
    return {"pass": True, "files": {plan.files.audio(fmt): {"pass": r.ok, "checks": len(r.verdicts),
                                                              "speech_spread_lu": r.figures.get("speech_spread_lu")}
                                    for fmt, r in reports.items()}}


def _check_decoded_length(plan: BuildPlan, seconds: float) -> None:
    expected = plan.assembly.expected_seconds
    if plan.assembly.exact_durations and abs(seconds - expected) > TRUNCATION_SLACK_S:
        names = ", ".join(t.path.name for t in plan.assembly.inputs)
        raise MediaError(f"{plan.episode.folder}: the assembled episode decodes to {seconds:.3f} s but "
                         f"the headers of {names} add up to {expected:.3f} s; is a file truncated?")


def _render_until_it_ships(plan: BuildPlan, measured: Loudness, excerpts: list[np.ndarray], mp3: Path,
                           progress: Progress, seconds: dict[str, float],
                           leveling: level.Leveling | None) -> list[render.Rendered]:
    p = plan.preset
    t = time.monotonic()
    guess = predict.solve(measured.integrated, excerpts, first_ceiling(p), p)
    excerpts.clear()  # 32 s of audio that the renders no longer need
    seconds["predict"] = time.monotonic() - t
    attempt: Attempt | None = Attempt(guess.gain_db, first_ceiling(p), guess.loss_lu)
    renders: list[render.Rendered] = []
    while attempt is not None:
        done = render.render(plan, attempt, mp3, progress, len(renders) + 1, leveling)
        renders.append(done)
        seconds.update(done.seconds)
        history = [Tried(r.attempt, r.verified.loudness.integrated, r.verified.loudness.true_peak)
                   for r in renders]
        decision = next_attempt(history, p)
        if decision.action == "give_up":
            last = done.verified.loudness
            raise CheckFailed(
                f"{plan.episode.folder}: after {MAX_TRIES} renders the MP3 measures {last.integrated:.2f} LUFS "
                f"and {last.true_peak:.2f} dBTP; preset {p.name} asks {p.integrated:g} ± {p.tolerance:g} LUFS "
                f"at or under {p.true_peak:g} dBTP")
        attempt = decision.attempt
    return renders


def _preset_record(p: Preset) -> dict[str, Any]:
    return {"name": p.name, "integrated": p.integrated, "true_peak": p.true_peak, "tolerance": p.tolerance,
            "bitrate_kbps": p.bitrate_kbps, "sample_rate": p.sample_rate, "channels": p.channels}


def _swap_into_place(work: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".dist-old-{os.getpid()}")
        out_dir.rename(old)
    try:
        work.rename(out_dir)
    except OSError:
        if old:
            old.rename(out_dir)  # the previous dist/ back in place
        raise
    if old:
        shutil.rmtree(old, ignore_errors=True)

