"""`producer build`: config → plan → assemble/measure → render/encode/verify → tag → dist/.

Everything is written into a temporary folder beside dist/ and swapped in at
the end, so a failed build leaves the previous dist/ (or none) untouched.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, artwork, chapters as chap, config, loudness, media
from .errors import CheckFailed, InputError, MediaError
from .plan import BuildPlan, make_plan
from .progress import Progress
from .stages import assemble, encode, predict, render, tag, verify

GOAL_LU = 0.2  # we aim closer than any preset's tolerance, and retry to get there
FIRST_MARGIN_DB = 0.5  # room below the ceiling for what MP3 encoding adds to peaks
# True-peak meters differ by a few tenths of a dB (ffmpeg's ebur128 reads up to 0.5 dB
# above the analytic peak near fs/4): what ships stays this far under the ceiling by ours.
PEAK_SAFETY_DB = 0.2
MAX_TRIES = 4  # a fourth render only where a busy limiter bends the loudness curve
TRUNCATION_SLACK_S = 0.5
WHOLE_HASH_BYTES = 64 << 20


@dataclass
class Context:
    show: config.Show
    episode: config.Episode
    preset: config.Preset


@dataclass
class BuildResult:
    mp3: Path
    report: dict[str, Any]


@dataclass
class _Attempt:
    gain_db: float
    ceiling_db: float
    output: loudness.Loudness | None = None
    limiter: dict[str, Any] = field(default_factory=dict)
    predicted_loss_lu: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"gain_db": round(self.gain_db, 3), "limiter_ceiling_db": round(self.ceiling_db, 3),
                "predicted_loss_lu": None if self.predicted_loss_lu is None else round(self.predicted_loss_lu, 3),
                "output": self.output.as_dict() if self.output else None, "limiter": self.limiter}


def load_context(episode_dir: Path, preset_name: str | None = None) -> Context:
    if not (episode_dir / config.EPISODE_FILE).is_file():
        raise InputError(f"{episode_dir}: no {config.EPISODE_FILE} here; is this an episode folder?")
    show = config.load_show(config.find_show_file(episode_dir.resolve().parent))
    episode = config.load_episode(episode_dir, show)
    preset = config.load_preset(preset_name or show.audio.preset, show.root)
    return Context(show, episode, preset)


def audio_inputs(ctx: Context) -> list[Path]:
    audio = ctx.show.audio
    return [*ctx.episode.recordings, *(p for p in (audio.intro, audio.outro) if p)]


def input_paths(ctx: Context) -> list[Path]:
    """Every file whose content the build depends on (for staleness checks)."""
    paths = [ctx.show.file, ctx.episode.file, ctx.episode.artwork or ctx.show.artwork, *audio_inputs(ctx)]
    paths += [Path(c.image) for c in ctx.episode.chapters if c.image]
    return paths


def inputs_digest(ctx: Context) -> str:
    """Changes when any input file, setting or the producer version changes: publish rebuilds then."""
    h = hashlib.sha256(f"producer {__version__}\n{ctx.preset!r}\n".encode())
    files = input_paths(ctx) + ([ctx.episode.chapters_file] if ctx.episode.chapters_file else [])
    for path in files:
        h.update(f"{path.relative_to(ctx.show.root)}\n".encode())
        _digest_file(h, path)
    return h.hexdigest()


def _digest_file(h: "hashlib._Hash", path: Path) -> None:
    """Whole content for manifests, artwork and short media. A long recording is
    known by its size, modification time and first and last MiB: hashing a 2-hour
    WAV would cost seconds on every build."""
    stat = path.stat()
    with path.open("rb") as f:
        if stat.st_size <= WHOLE_HASH_BYTES:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
            return
        h.update(f"{stat.st_size} {stat.st_mtime_ns}\n".encode())
        h.update(f.read(1 << 20))
        f.seek(-(1 << 20), os.SEEK_END)
        h.update(f.read(1 << 20))


def is_stale(ctx: Context) -> bool:
    dist = ctx.episode.folder / "dist"
    try:
        report = json.loads((dist / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    if not (dist / f"{ctx.episode.slug}.mp3").is_file() or not (dist / "chapters.json").is_file():
        return True
    return report.get("inputs_sha256") != inputs_digest(ctx)


def prepare(ctx: Context) -> tuple[BuildPlan, artwork.Artwork]:
    """Every check that needs no audio processing, so bad input fails in seconds."""
    cover = artwork.load(ctx.episode.artwork or ctx.show.artwork,
                         f"{ctx.episode.file if ctx.episode.artwork else ctx.show.file}: artwork: ")
    for c in ctx.episode.chapters:
        if c.image:
            artwork.load_any(Path(c.image))
    infos = {p: media.probe(p) for p in audio_inputs(ctx)}
    return make_plan(ctx.show, ctx.episode, ctx.preset, infos), cover


def build(episode_dir: Path, progress: Progress, preset_name: str | None = None) -> BuildResult:
    return build_context(load_context(episode_dir, preset_name), progress)


def build_context(ctx: Context, progress: Progress) -> BuildResult:
    plan, cover = prepare(ctx)
    media.tool("ffmpeg")
    digest = inputs_digest(ctx)  # of the inputs as they were when the build began
    plan.out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".dist-", dir=plan.out_dir.parent))
    work.chmod(0o755)  # mkdtemp's 0700 would make dist/ private to this user
    try:
        report = _build_into(plan, cover, work, progress)
        report["inputs_sha256"] = digest
        (work / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        _swap_into_place(work, plan.out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BuildResult(plan.out_dir / plan.mp3_name, report)


def _build_into(plan: BuildPlan, cover: artwork.Artwork, work: Path, progress: Progress) -> dict[str, Any]:
    seconds: dict[str, float] = {}
    started = time.monotonic()
    frames, measured, excerpts = _analyse(plan, progress, seconds)
    duration_ms = round(frames * 1000 / plan.preset.sample_rate)
    _check_decoded_length(plan, duration_ms / 1000)
    chap.validate_against_duration(plan.chapters, duration_ms, str(plan.episode.file))
    mp3 = work / plan.mp3_name
    attempts = _render_until_it_meets(plan, measured, excerpts, mp3, progress, seconds)
    t = time.monotonic()
    ep, show = plan.episode, plan.show
    tag.write_tags(mp3, title=ep.title, artist=show.author, album=show.title, track=ep.number,
                   date=ep.date, comment=ep.description, language=show.language, cover=cover,
                   chapters=plan.chapters, duration_ms=duration_ms, season=ep.season)
    (work / "chapters.json").write_text(
        json.dumps(chap.to_json_chapters(plan.chapters), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    seconds["tag"] = time.monotonic() - t
    seconds["total"] = time.monotonic() - started
    return _report(plan, measured, attempts, duration_ms, seconds)


def _analyse(plan: BuildPlan, progress: Progress,
             seconds: dict[str, float]) -> tuple[int, loudness.Loudness, list[np.ndarray]]:
    a = plan.assembly
    stage = progress.stage("measure", a.expected_seconds)
    source = assemble.source(a)
    # The input's true peak decides nothing (the limiter measures its own), so this
    # pass skips it: a quarter of a 60-minute build's measuring time.
    meter = loudness.Meter(a.sample_rate, a.channels, true_peak=False)
    excerpts = predict.Excerpts(predict.pick(math.ceil(a.expected_seconds / media.CHUNK_SECONDS),
                                             media.CHUNK_SECONDS))
    for chunk in source:
        meter.add(chunk)
        excerpts.offer(chunk)
        stage.update(source.frames / a.sample_rate)
    measured = meter.result()
    if not math.isfinite(measured.integrated):
        raise InputError(f"{plan.episode.file}: the assembled episode is silent "
                         f"(nothing above {loudness.ABSOLUTE_GATE:g} LUFS); check the recordings")
    seconds["assemble_measure"] = stage.done(
        f"{measured.integrated:.2f} LUFS, sample peak {measured.sample_peak:.2f} dBFS")
    return source.frames, measured, excerpts.chunks


def _check_decoded_length(plan: BuildPlan, seconds: float) -> None:
    expected = plan.assembly.expected_seconds
    if plan.assembly.exact_durations and abs(seconds - expected) > TRUNCATION_SLACK_S:
        names = ", ".join(t.path.name for t in plan.assembly.inputs)
        raise MediaError(f"{plan.episode.folder}: the assembled episode decodes to {seconds:.3f} s but "
                         f"the headers of {names} add up to {expected:.3f} s; is a file truncated?")


def _render_until_it_meets(plan: BuildPlan, measured: loudness.Loudness, excerpts: list[np.ndarray], mp3: Path,
                           progress: Progress, seconds: dict[str, float]) -> list[_Attempt]:
    p = plan.preset
    ceiling = p.true_peak - FIRST_MARGIN_DB
    t = time.monotonic()
    guess = predict.solve(measured.integrated, excerpts, ceiling, p)
    excerpts.clear()  # 32 s of audio that the renders no longer need
    seconds["predict"] = time.monotonic() - t
    attempt = _Attempt(guess.gain_db, ceiling, predicted_loss_lu=guess.loss_lu)
    attempts: list[_Attempt] = []
    for number in range(1, MAX_TRIES + 1):
        attempts.append(attempt)
        out = _render_encode_verify(plan, attempt, mp3, progress, seconds, number)
        attempt.output = out
        error = out.integrated - p.integrated
        peak_ok = out.true_peak <= p.true_peak - PEAK_SAFETY_DB
        if peak_ok and abs(error) <= GOAL_LU:
            return attempts
        if number == MAX_TRIES and peak_ok and abs(error) <= p.tolerance:
            return attempts
        if peak_ok:  # every try so far on this ceiling tells where the target lies
            same_ceiling = [(a.gain_db, a.output.integrated) for a in attempts
                            if a.output is not None and a.ceiling_db == attempt.ceiling_db]
            attempt = _Attempt(predict.next_gain(same_ceiling, p.integrated), attempt.ceiling_db)
        else:  # a lower ceiling changes the curve: step from this try alone
            over = out.true_peak - (p.true_peak - PEAK_SAFETY_DB)
            attempt = _Attempt(attempt.gain_db - error, attempt.ceiling_db - over - 0.1)
    last = attempts[-1].output
    assert last is not None
    raise CheckFailed(
        f"{plan.episode.folder}: after {MAX_TRIES} renders the MP3 measures {last.integrated:.2f} LUFS "
        f"and {last.true_peak:.2f} dBTP; preset {p.name} asks {p.integrated:g} ± {p.tolerance:g} LUFS "
        f"at or under {p.true_peak:g} dBTP")


def _render_encode_verify(plan: BuildPlan, attempt: _Attempt, mp3: Path, progress: Progress,
                          seconds: dict[str, float], number: int) -> loudness.Loudness:
    """Render and encode; meanwhile decode the MP3 as LAME writes it and measure it,
    so verification costs almost nothing on top of the encode."""
    a, p = plan.assembly, plan.preset
    stage = progress.stage(f"render {number}" if number > 1 else "render", a.expected_seconds)
    limiter = render.Limiter(attempt.gain_db, attempt.ceiling_db, a.sample_rate)
    mp3.unlink(missing_ok=True)  # the verifier follows this file: never let it read the last try's
    verifier = verify.OverlappedVerify(mp3, p)
    try:
        frames = encode.encode(limiter.process(assemble.source(a)), mp3, p,
                               lambda done: stage.update(done / a.sample_rate))
    except BaseException:
        verifier.abort()
        raise
    verifier.finished(frames)
    attempt.limiter = limiter.stats.as_dict()
    seconds[f"render_encode_{number}"] = stage.done(
        f"gain {attempt.gain_db:+.2f} dB, {limiter.stats.limited_frames} samples limited")
    t = time.monotonic()
    out = verifier.result()
    seconds[f"verify_{number}"] = time.monotonic() - t
    progress.line(f"verify: {out.integrated:.2f} LUFS, true peak {out.true_peak:.2f} dBTP (measured on the MP3)")
    return out


def _report(plan: BuildPlan, measured: loudness.Loudness, attempts: list[_Attempt], duration_ms: int,
            seconds: dict[str, float]) -> dict[str, Any]:
    final = attempts[-1]
    assert final.output is not None
    p = plan.preset
    return {
        "episode": plan.episode.slug,
        "file": plan.mp3_name,
        "preset": {"name": p.name, "integrated": p.integrated, "true_peak": p.true_peak,
                   "tolerance": p.tolerance, "bitrate_kbps": p.bitrate_kbps,
                   "sample_rate": p.sample_rate, "channels": p.channels},
        "input": measured.as_dict(),
        "gain_db": round(final.gain_db, 3),
        "output": final.output.as_dict(),
        "duration_seconds": duration_ms / 1000,
        "chapters": len(plan.chapters),
        "tries": len(attempts),
        "attempts": [a.as_dict() for a in attempts],
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }


def _swap_into_place(work: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".dist-old-{os.getpid()}")
        out_dir.rename(old)
    work.rename(out_dir)
    if old:
        shutil.rmtree(old, ignore_errors=True)
