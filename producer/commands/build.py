"""`producer build`: config → plan → analyse → estimate → render/encode/verify (until the
policy ships one) → tag → dist/.

Everything is written into a temporary folder beside dist/ and swapped in at
the end, so a failed build leaves the previous dist/ (or none) untouched.
"""
from __future__ import annotations

import datetime as dt
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..core.chapters import chapters as chap

from ..core.audio import leveler, speech as speech_map

from ..core.chapters import chapter_formats
from ..core.cutting import suggested
from ..core.episode import video
from ..core.transcripts import recognised
from ..core.transcripts import transcript as transcript_core
from ..core.audio.excerpts import spans as excerpt_spans
from ..core.episode.artwork import Artwork
from ..core.episode.build_report import BuildReport, Figures
from ..core.episode.episode_files import REPORT_JSON, REPORT_PAGE, YOUTUBE
from ..core.audio.loudness import Loudness
from ..core.episode.models import AudioInfo, preset_fields
from ..core.episode.plan import BuildPlan, make_plan
from ..core.episode.formats import FORMATS, MAIN
from ..core.episode.policy import MAX_TRIES, Attempt, Tried, first_ceiling, next_attempt
from ..core.episode.renditions import ffmetadata
from ..errors import CheckFailed, EnvironmentFailure, InputError, MediaError, located, os_error_text
from ..io import artwork, ffmpeg, recogniser, workspace
from ..io.config import Context, load_context
from ..io.inputs import audio_inputs, output_stamps, record_inputs
from ..io.progress import Progress
from ..io.timing import Timer
from ..core.transcripts.transcript import Cue
from ..stages import assemble, cleanup, level, measure, recognise, predict, render, report_page, tag, transcript
from ..stages.judge import failure_text, judge

TRUNCATION_SLACK_S = 0.5
SPREAD_MARGIN_LU = 1.0  # with require_balance: nearer the limit than this, each file's own map decides, as check's


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
    plan = make_plan(ctx.show, ctx.episode, ctx.preset, infos)
    _check_person_tracks(ctx, [t.path for t in plan.assembly.recordings])
    return plan, cover


def _check_person_tracks(ctx: Context, recordings: list[Path]) -> None:
    """A person's `track` names one of the episode's recordings (else the transcript's
    cues would silently lose the name)."""
    known = {r.resolve() for r in recordings}
    for file, persons in ((ctx.show.file, ctx.show.persons), (ctx.episode.file, ctx.episode.persons)):
        for i, person in enumerate(persons):
            if person.track and (ctx.episode.folder / person.track).resolve() not in known:
                names = ", ".join(r.relative_to(ctx.episode.folder).as_posix() if r.is_relative_to(ctx.episode.folder)
                                  else str(r) for r in recordings)
                raise InputError(located(file, f"persons[{i}].track", f'"{person.track}" names no recording of '
                                         f"{ctx.episode.folder.name} (its recordings: {names})"))


def build(episode_dir: Path, progress: Progress, preset_name: str | None = None) -> BuildResult:
    return build_context(load_context(episode_dir, preset_name), progress)


def build_context(ctx: Context, progress: Progress) -> BuildResult:
    plan, cover = prepare(ctx)
    cues = transcript.load(ctx.episode)  # a bad cue fails before any audio work
    if recognise.wanted(ctx.show, ctx.episode):  # a missing model or a language it lacks, before any audio work
        recogniser.check(recogniser.model_folder(ctx.show.transcript_model), ctx.show.language, ctx.show.file)
    ffmpeg.tool("ffmpeg")
    inputs = record_inputs(ctx)  # the inputs as they were when the build began
    work = workspace.work_folder(plan.out_dir)
    try:
        digests = [inputs.files[t.path.relative_to(ctx.show.root).as_posix()].sha256 for t in plan.assembly.recordings]
        report = _build_into(plan, cover, work, progress, cues, digests)
        outputs = output_stamps(work, [name for name in plan.files.built() if name != REPORT_JSON])
        report = replace(report, inputs=inputs, outputs=outputs,
                         built_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        (work / REPORT_JSON).write_text(report.to_json(), encoding="utf-8")
        workspace.swap_into_place(work, plan.out_dir)
    except OSError as e:  # a full disk, a folder made read-only, a file that vanished
        raise EnvironmentFailure(f"cannot write the build: {os_error_text(e, plan.out_dir)}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BuildResult(plan.out_dir / plan.mp3_name, report)


@dataclass(frozen=True)
class Analysed:
    """What the analysis and the estimate hand the render: the plan with its cleanup
    and cuts, the speech map, the leveler's curves, the estimated loudness and the
    excerpts the first gain is predicted from."""

    cleaned: cleanup.Cleaned
    speech: leveler.SpeechMap
    leveling: level.Leveling | None
    estimated: Loudness
    excerpts: list[np.ndarray]


def _build_into(plan: BuildPlan, cover: Artwork, work: Path, progress: Progress,
                cues: list[Cue] | None, digests: list[str]) -> BuildReport:
    timer = Timer()
    leveling = None
    with timer.stage("level_analysis"):
        # refuses a silent input; a short episode's intro and outro are read by the same ffmpeg
        features, analysed, found = level.analyse_with(plan.assembly, plan.preset.leveler, progress,
                                                       measure.music_branches(plan.assembly))
        plan = replace(plan, assembly=analysed)
        music = measure.music(plan.assembly) if found is None else measure.music_from(plan.assembly, found)
        plan = _with_decoded_lengths(plan, features, music)
        speech = leveler.speech_map(features, plan.preset.leveler)  # the one map: who talks when
        heard_first = None
        burned = _burns_captions(plan)
        if plan.cutting.words_before_render() or (burned and recognise.wanted(plan.show, plan.episode)):
            with timer.stage("recognise_first"):  # its words decide the cuts, or go into the picture
                heard_first = recognise.recognise(plan, features, speech, digests, progress)
        cleaned = cleanup.plan(plan, features, speech, progress,  # the chapters move by the cuts from here on
                               heard_first.words if heard_first else None)
        plan = cleaned.plan
        if burned:  # the render takes the plan the cleanup hands on
            cleaned = replace(cleaned, plan=replace(plan, captions=tuple(_captions(plan, cues, heard_first))))
            plan = cleaned.plan
        if plan.leveler != "off":
            curves = work / ".gains"  # removed before dist/ is swapped in
            curves.mkdir()
            leveling = level.plan(plan.assembly, features, speech, plan.leveler, plan.preset.leveler, progress,
                                  curves)
    with timer.stage("estimate"):
        a = plan.assembly
        spans = excerpt_spans(a.intro_crossfade, a.programme_seconds - a.outro_crossfade)
        pieces = assemble.spans(a, spans)
        estimated = measure.estimate(a, features, measure.ears(a, pieces), music, leveling, plan.episode.file)
        excerpts = assemble.mixed(a, leveling, spans, pieces)
    progress.line(f"estimate: {estimated.integrated:.2f} LUFS, added up from the analysis and the music")
    stop = threading.Event()  # a failed build does not wait for the recogniser to finish
    with ThreadPoolExecutor(1) as recogniser:  # beside the encoders, on whatever core is free
        words: Future[recognise.Heard] | None = None
        if heard_first is not None:
            words = Future()
            words.set_result(heard_first)
        elif recognise.wanted(plan.show, plan.episode):
            words = recogniser.submit(recognise.recognise, plan, features, speech, digests, progress, stop)
        try:
            return _render_and_ship(Analysed(cleaned, speech, leveling, estimated, excerpts), cover, work, progress,
                                    cues, words, timer)
        finally:
            stop.set()


def _burns_captions(plan: BuildPlan) -> bool:
    return plan.show.video.captions and any(FORMATS[f].video for f in plan.renditions)


def _captions(plan: BuildPlan, cues: list[Cue] | None, heard: recognise.Heard | None) -> list[Cue]:
    """The cues the video shows, in the finished episode's time: the hand transcript's,
    or the recognised words' (recognised before the render for this)."""
    a = plan.assembly
    if cues:
        return transcript_core.shifted(cues, a.programme_offset_ms, round(a.expected_seconds * 1000),
                                       str(plan.episode.transcript), a.cuts)
    if heard is not None:
        return recognised.cues(recognised.placed(heard.words, a.programme_offset_ms, a.cuts))
    return []


def _with_decoded_lengths(plan: BuildPlan, features: list[leveler.TrackFeatures],
                          music: measure.Music) -> BuildPlan:
    """Headers that state a length exactly must match what decoded (a truncated file
    fails here, before any render); those that only estimate it give way to it."""
    a = plan.assembly
    decoded = {**{t.path: f.seconds for t, f in zip(a.recordings, features)}, **music.seconds}
    if a.exact_durations:
        for track in a.inputs:
            if abs(decoded[track.path] - track.duration) > TRUNCATION_SLACK_S:
                raise MediaError(f"{track.path}: decodes to {decoded[track.path]:.3f} s but its header says "
                                 f"{track.duration:.3f} s; is the file truncated?")
        return plan
    def as_decoded(t: AudioInfo | None) -> AudioInfo | None:
        return None if t is None else replace(t, duration=decoded[t.path])
    return replace(plan, assembly=replace(a, intro=as_decoded(a.intro), outro=as_decoded(a.outro),
                                          recordings=tuple(replace(t, duration=decoded[t.path])
                                                           for t in a.recordings)))


def _render_and_ship(analysed: Analysed, cover: Artwork, work: Path, progress: Progress, cues: list[Cue] | None,
                     words: Future[recognise.Heard] | None, timer: Timer) -> BuildReport:
    cleaned, leveling, estimated = analysed.cleaned, analysed.leveling, analysed.estimated
    plan = cleaned.plan
    expected_ms = round(plan.assembly.expected_seconds * 1000)  # the renditions' chapters end there
    chap.validate_against_duration(plan.chapters, expected_ms, str(plan.episode.file))
    runs = _render_until_each_ships(plan, estimated.integrated, analysed.excerpts, work, expected_ms, progress, timer,
                                    leveling)
    first = runs.tries[MAIN.name][0]  # its limiter saw every sample of the programme, times its gain
    measured = replace(estimated, sample_peak=first.limiter["peak_db"] - first.attempt.gain_db)
    duration_ms = round(runs.frames * 1000 / plan.preset.sample_rate)
    _check_decoded_length(plan, duration_ms / 1000)
    written = transcript.write(cues, plan, duration_ms, work) if cues else None
    if words is not None:
        with timer.stage("transcript_wait"):
            heard_words = words.result()
            cleaned = cleaned.with_words(heard_words.words)  # the word detectors set to "suggest"
            placed = recognised.placed(heard_words.words, plan.assembly.programme_offset_ms, plan.assembly.cuts)
            written = transcript.write_placed(recognised.cues(placed), plan, work) | heard_words.report()
    if plan.files.extras:  # a video's text for YouTube: its chapters are the description's timestamps
        listed = chapter_formats.description_list(plan.chapters, duration_ms / 1000)
        (work / YOUTUBE).write_text(video.youtube_text(plan.show, plan.episode, plan.chapters, listed),
                                    encoding="utf-8")
    mp3, shipped = runs.shipped[MAIN.name], runs.shipped
    with timer.stage("tag"):
        tag.tag(plan, cover, {fmt: r.path for fmt, r in shipped.items()}, duration_ms, work)
    with timer.stage("check"):
        heard = _shipped_speech(plan, mp3.path, runs.mp3_energy, analysed.speech)
        checks = _own_check(plan, work, {fmt: r.verified.loudness for fmt, r in shipped.items()}, heard)
    mp3_runs = runs.tries[MAIN.name]
    report = BuildReport(
        episode=plan.episode.slug, file=plan.mp3_name, preset=preset_fields(plan.preset),
        input=Figures.from_dict(measured.as_dict()), gain_db=round(mp3.attempt.gain_db, 3),
        output=Figures.from_dict(mp3.verified.loudness.as_dict()), verified_by=mp3.verified.method,
        duration_seconds=duration_ms / 1000, chapters=len(plan.chapters), tries=len(mp3_runs),
        attempts=[r.as_dict() for r in mp3_runs], seconds=timer.report(),
        leveling=leveling.report(plan.assembly.recordings) if leveling else {"mode": "off"}, checks=checks,
        transcript=written, renditions={fmt: _rendition_record(runs.tries[fmt]) for fmt in plan.renditions},
        passes=runs.passes, cleanup=cleaned.report(heard.speech_lufs, heard.noise_floor), cuts=cleaned.cuts(),
        speech=heard.balance.as_dict(), suggested_cuts=cleaned.suggested_report())
    if plan.cutting.suggesting():
        (work / suggested.FILE).write_text(suggested.text(cleaned.suggestions()), encoding="utf-8")
    clips = report_page.cut_clips(plan, leveling, mp3.attempt.gain_db, work)  # "as it was", for the page
    (work / REPORT_PAGE).write_text(
        report_page.for_build(plan, report, measured, mp3.verified.loudness, leveling, clips), encoding="utf-8")
    shutil.rmtree(work / ".gains", ignore_errors=True)
    return report


def _shipped_speech(plan: BuildPlan, mp3: Path, energy: np.ndarray | None,
                    speech: leveler.SpeechMap) -> speech_map.Heard:
    """The shipped MP3's speech figures: its own block energies (the render's follower)
    read through the build's speech map, moved past the intro and the cuts, so each
    turn is where the analysis heard it (Silero does not run a second time). Where
    the balance decides the build (require_balance) and the figure is within
    SPREAD_MARGIN_LU of the limit, the finished file is judged exactly as `producer
    check` judges it, by its own map."""
    s = plan.preset.leveler
    a = plan.assembly
    if energy is None:
        return level.file_speech(mp3, s)
    block_ms = round(leveler.BLOCK_S * 1000)
    spans = [(c.start_ms, c.end_ms) for c in a.cuts]
    placed = [speech_map.episode_map(m, a.programme_offset_ms, spans, len(energy), block_ms) for m in speech.own]
    voiced = speech_map.episode_map(speech.voiced, a.programme_offset_ms, spans, len(energy), block_ms)[0]
    heard = speech_map.heard(energy, [m for m, _ in placed], leveler.BLOCK_S, placed[0][1], voiced)
    return level.file_speech(mp3, s) if _balance_near_limit(s, heard) else heard


def _balance_near_limit(s: leveler.LevelerSettings, heard: speech_map.Heard) -> bool:
    """The balance decides the build and this figure is too near its limit to judge
    any file but by the file's own speech map."""
    return s.require_balance and heard.balance.spread_lu > s.max_spread_lu - SPREAD_MARGIN_LU


def _own_check(plan: BuildPlan, work: Path, shipped: dict[str, Loudness], heard: speech_map.Heard) -> dict[str, Any]:
    """`producer check --episode` on every file about to ship, from the figures the
    build measured on each file's own samples: what fails it fails the build (exit 1,
    check's own words), and the previous dist/ stays. A warning (the speech balance,
    unless the preset requires it) is reported and ships.

    The renditions carry the MP3's programme: a codec moves a turn's loudness by
    hundredths of an LU, so they are judged by the MP3's speech figures, unless the
    balance decides and the MP3's figure is near the limit, when each file's own is
    measured, as check does."""
    near = _balance_near_limit(plan.preset.leveler, heard)
    with ThreadPoolExecutor(2) as pool:
        reports = dict(zip(shipped, pool.map(
            lambda fmt: judge(work / plan.files.audio(fmt), plan.preset, plan.episode, shipped[fmt],
                              heard if fmt == MAIN.name or not near else None), shipped)))
    failed = {fmt: r for fmt, r in reports.items() if not r.ok}
    if failed:
        raise CheckFailed("; ".join(f"{plan.out_dir / plan.files.audio(fmt)} would fail producer check: "
                                    f"{failure_text(r)}" for fmt, r in failed.items()))
    return {"pass": True, "files": {plan.files.audio(fmt): {"pass": r.ok, "checks": len(r.verdicts),
                                                              "warnings": [v.name for v in r.warnings],
                                                              "speech_spread_lu": r.figures.get("speech_spread_lu")}
                                    for fmt, r in reports.items()}}


def _check_decoded_length(plan: BuildPlan, seconds: float) -> None:
    expected = plan.assembly.expected_seconds
    if plan.assembly.exact_durations and abs(seconds - expected) > TRUNCATION_SLACK_S:
        names = ", ".join(t.path.name for t in plan.assembly.inputs)
        raise MediaError(f"{plan.episode.folder}: the assembled episode decodes to {seconds:.3f} s but "
                         f"the headers of {names} add up to {expected:.3f} s; is a file truncated?")


@dataclass
class Runs:
    """Every render of every format, the last of each the one that ships, and how
    many passes over the programme they took."""

    tries: dict[str, list[render.Rendered]]
    passes: int
    frames: int = 0  # the programme's length, as the first pass read it
    mp3_energy: np.ndarray | None = None  # the last MP3's block energies, as the render's follower heard them

    @property
    def shipped(self) -> dict[str, render.Rendered]:
        return {fmt: runs[-1] for fmt, runs in self.tries.items()}


def _render_until_each_ships(plan: BuildPlan, estimated: float, excerpts: list[np.ndarray], work: Path,
                             duration_ms: int, progress: Progress, timer: Timer,
                             leveling: level.Leveling | None) -> Runs:
    """Every format in one pass with its own predicted gain and ceiling; a further
    pass only for the formats whose file missed, until the policy ships each."""
    p = plan.preset
    formats = [MAIN.name, *plan.renditions]
    with timer.stage("predict"):
        ceilings = {fmt: first_ceiling(p, FORMATS[fmt]) for fmt in formats}
        guesses = predict.solve_each(estimated, excerpts, ceilings, p)
        excerpts.clear()  # 32 s of audio that the renders no longer need
    pending = {fmt: Attempt(g.gain_db, ceilings[fmt], g.loss_lu) for fmt, g in guesses.items()}
    meta = work / ".chapters.ffmetadata"  # the M4A's chapters, removed before dist/ is swapped in
    meta.write_text(ffmetadata(plan.episode.title, plan.chapters, duration_ms), encoding="utf-8")
    runs = Runs({fmt: [] for fmt in formats}, 0)
    while pending:
        runs.passes += 1
        rendered = render.render(plan, pending, work, meta, progress, runs.passes, leveling)
        runs.frames = runs.frames or rendered.frames
        runs.mp3_energy = rendered.mp3_energy if rendered.mp3_energy is not None else runs.mp3_energy
        done = rendered.files
        timer.add(next(iter(done.values())).seconds)
        pending = {}
        for fmt, r in done.items():
            runs.tries[fmt].append(r)
            decision = next_attempt([Tried(x.attempt, x.verified.loudness.integrated, x.verified.loudness.true_peak)
                                     for x in runs.tries[fmt]], p, FORMATS[fmt])
            if decision.action == "give_up":
                last = r.verified.loudness
                raise CheckFailed(
                    f"{plan.episode.folder}: after {MAX_TRIES} renders the {fmt} file measures "
                    f"{last.integrated:.2f} LUFS and {last.true_peak:.2f} dBTP; preset {p.name} asks "
                    f"{p.integrated:g} ± {p.tolerance:g} LUFS at or under {p.true_peak:g} dBTP")
            if decision.attempt is not None:
                pending[fmt] = decision.attempt
                progress.line(f"{fmt}: again, corrected (gain {decision.attempt.gain_db:+.2f} dB, "
                              f"ceiling {decision.attempt.ceiling_db:.2f})")
    meta.unlink()
    return runs


def _rendition_record(tries: list[render.Rendered]) -> dict[str, Any]:
    last = tries[-1]
    return {"file": last.path.name, "output": last.verified.loudness.as_dict(), "gain_db": round(last.attempt.gain_db, 3),
            "limiter_ceiling_db": round(last.attempt.ceiling_db, 3), "tries": len(tries),
            "attempts": [r.as_dict() for r in tries]}
