"""Level: measure every recording track on its own (loudness per 100 ms, the speech
map's voice activity per 32 ms from Silero VAD, io/voice), plan the gains (core.audio.leveler), and write each track's gain
curve to a small file (4 bytes at 400 Hz: 6 MB an hour) that the assembly's
ffmpeg graph multiplies the track by (core.episode.plan.filter_graph). Music (intro,
outro) is never leveled.

The analysis decodes each track at 16 kHz mono (what the voice detector takes)
and holds no more than a second of it.
"""
from __future__ import annotations

import math
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from ..core.audio import cuts, input_checks, leveler, speech
from ..core.audio.cleanup import SPECTRUM_HZ
from ..core.audio.input_checks import Peaks
from ..core.audio.loudness import k_weighting_filters
from ..core.episode.models import AudioInfo
from ..core.episode.plan import GAIN_RATE, Assembly, conform_filter, read_args
from ..errors import InputError, MediaError
from ..io import ffmpeg
from ..io.voice import VoiceDetector
from ..io.progress import Progress

VAD_RATE = 16000
BLOCK = int(leveler.BLOCK_S * VAD_RATE)
FINE = VAD_RATE * cuts.FINE_MS // 1000  # 10 ms: where a cut pause's edges are placed
SPLIT_FROM_S = 300.0  # shorter tracks: one pass (a second ffmpeg costs more than it saves)
CHILD_FROM_S = 300.0  # longer episodes are analysed in a child process (_analysed)
# Silero's state remembers several seconds: the second half's detector first hears the
# 8.192 s before its start (256 whole windows), so it decides as one pass would
WARM_WINDOWS = 256
# BS.1770's K-weighting inside ffmpeg (core.audio.loudness's stages as biquads):
# 2.3 s of Python filtering an hour saved; the detector hears the same speech
K_WEIGHTING = k_weighting_filters()
SPECTRUM_EVERY = 4  # seconds: one in four goes into the hum detector's spectrum
_HANN = np.hanning(VAD_RATE).astype(np.float32)


@dataclass(frozen=True)
class Leveling:
    mode: str
    plans: list[leveler.TrackPlan]
    gain_files: list[Path]  # one a recording: its curve as f32 mono at GAIN_RATE, for the assembly

    def report(self, tracks: Sequence[AudioInfo]) -> dict[str, object]:
        return {"mode": self.mode,
                "tracks": [{"file": t.path.name, **p.summary()} for t, p in zip(tracks, self.plans)]}


def track_features(track: AudioInfo) -> leveler.TrackFeatures:
    return analyse_track(track, with_peaks=False)[0]


def analyse_track(track: AudioInfo, with_peaks: bool) -> tuple[leveler.TrackFeatures, Peaks | None]:
    """A long track as two halves on two cores: the decode and resampling are the
    analysis's critical path (a 60-minute track: 2.3–2.8 → 1.8 s)."""
    if track.duration < SPLIT_FROM_S:
        return analyse_span(track, with_peaks)
    cut = math.floor(track.duration / 2)  # a whole second: the halves' blocks line up
    with ThreadPoolExecutor(2) as pool:
        halves = [pool.submit(analyse_span, track, with_peaks, 0, cut),
                  pool.submit(analyse_span, track, with_peaks, cut, None)]
        (first, peaks1), (second, peaks2) = (h.result() for h in halves)
    features = leveler.TrackFeatures(np.concatenate([first.energy, second.energy]),
                                     np.concatenate([first.voiced, second.voiced]), *merge_spectra(first, second),
                                     fine=np.concatenate([first.fine, second.fine]),
                                     seconds=first.seconds + second.seconds)
    return features, (merge_peaks(peaks1, peaks2) if peaks1 and peaks2 else None)


def merge_spectra(a: leveler.TrackFeatures, b: leveler.TrackFeatures) -> tuple[np.ndarray | None, int]:
    n = a.spectrum_seconds + b.spectrum_seconds
    if not n or a.spectrum is None or b.spectrum is None:
        return (a.spectrum if a.spectrum is not None else b.spectrum), n
    return (a.spectrum * a.spectrum_seconds + b.spectrum * b.spectrum_seconds) / n, n


def merge_peaks(a: Peaks, b: Peaks) -> Peaks:
    return Peaks(max(a.peak_db, b.peak_db), a.near_full_scale + b.near_full_scale, a.samples + b.samples,
                 a.same_channels and b.same_channels)


def analyse_span(track: AudioInfo, with_peaks: bool, start: int = 0,
                 end: int | None = None) -> tuple[leveler.TrackFeatures, Peaks | None]:
    """One streaming pass over a track, or over its whole seconds [start, end): K-weighted
    energy and voiced share per block (the voice detector hears the K-weighted signal:
    a +4 dB shelf does not change what is speech), and with_peaks, volumedetect's count
    of samples within 1 dB of full scale at the track's own rate, before resampling
    smooths a clipped plateau."""
    chain = track_chain(track.channels)
    span = (["-ss", str(start)] if start else []) + (["-t", str(end - start)] if end is not None else [])
    if with_peaks:  # a branch of its own: volumedetect takes 16-bit samples, the analysis keeps floats
        graph = f"[0:a:0]asplit[a][p];[p]volumedetect,anullsink;[a]{chain}[out]"
        if track.channels == 2:  # and the two channels' difference, whose peak says whether they are one
            graph = f"[0:a:0]asplit=3[a][p][d];[p]volumedetect,anullsink;[d]{SIDE_PEAK},anullsink;[a]{chain}[out]"
        args = [*span, *read_args(track), "-vn", "-filter_complex", graph, "-map", "[out]"]
    else:
        args = [*span, *read_args(track), "-vn", "-map", "0:a:0", "-af", chain]
    source = ffmpeg.PcmSource(args, 1, VAD_RATE, track.path, keep_log=with_peaks)
    return features_of(source, warm=_warm_up(track, start, chain) if start else None), \
        (_peaks(source.log) if with_peaks else None)


def analyse_together(tracks: Sequence[AudioInfo]) -> list[tuple[leveler.TrackFeatures, Peaks]]:
    """Whole tracks shorter than SPLIT_FROM_S analysed as analyse_span does with peaks,
    by one ffmpeg: each track's stream an output of its own (the first on stdout, the
    others io.ffmpeg.SideOutput's, each heard in a thread of its own), its filters'
    figures told apart by instance names (a build of two recordings started two
    ffmpegs, at 75 ms of CPU each before a sample)."""
    return _together(tracks, ())[0]


def _together(tracks: Sequence[AudioInfo],
              extra: Sequence[ffmpeg.Branch]) -> tuple[list[tuple[leveler.TrackFeatures, Peaks]], list[object]]:
    """analyse_together, with `extra` inputs through their own chains into their own
    outputs after the tracks', and what their readers found."""
    inputs: list[str] = []
    graphs: list[str] = []
    for k, track in enumerate(tracks):
        inputs += read_args(track)
        out = "out" if k == 0 else f"side{k}"
        if track.channels == 2:
            side_peak = SIDE_PEAK.replace("astats=", f"astats@t{k}=")
            graphs.append(f"[{k}:a:0]asplit=3[a{k}][p{k}][d{k}];[p{k}]volumedetect@t{k},anullsink;"
                          f"[d{k}]{side_peak},anullsink;[a{k}]{track_chain(track.channels)}[{out}]")
        else:
            graphs.append(f"[{k}:a:0]asplit[a{k}][p{k}];[p{k}]volumedetect@t{k},anullsink;"
                          f"[a{k}]{track_chain(track.channels)}[{out}]")
    for k, branch in enumerate(extra, len(tracks)):
        inputs += ["-i", str(branch.path)]
        graphs.append(f"[{k}:a:0]{branch.chain}[{branch.side.label}]")
    sides = [ffmpeg.SideOutput(1, VAD_RATE, f"side{k}") for k in range(1, len(tracks))]
    what = ", ".join(str(path) for path in [*(t.path for t in tracks), *(b.path for b in extra)])
    source = ffmpeg.PcmSource([*inputs, "-vn", "-filter_complex", ";".join(graphs), "-map", "[out]"], 1, VAD_RATE,
                              what, keep_log=True, sides=[*sides, *(b.side for b in extra)])
    first, others = ffmpeg.read_with_sides(source, features_of,
                                           [*[features_of] * len(sides), *(b.read for b in extra)])
    found = [first, *others[:len(sides)]]
    return [(f, _peaks(source.log, f"t{k}")) for k, f in enumerate(found)], list(others[len(sides):])


def _warm_up(track: AudioInfo, start: int, chain: str) -> np.ndarray:
    """What the detector hears before a span that starts at `start` s (see WARM_WINDOWS)."""
    n = WARM_WINDOWS * speech.WINDOW
    seconds = n / VAD_RATE
    args = ["-ss", f"{max(0.0, start - seconds):.6f}", "-t", f"{min(seconds, start):.6f}", *read_args(track),
            "-vn", "-map", "0:a:0", "-af", chain]
    heard = [c[:, 0] for c in ffmpeg.PcmSource(args, 1, VAD_RATE, track.path)]
    x = np.concatenate(heard) if heard else np.zeros(0, np.float32)
    return np.concatenate([np.zeros(max(0, n - len(x)), np.float32), x[-n:]])


def features_of(source: ffmpeg.PcmSource | ffmpeg.SideOutput,
                warm: np.ndarray | None = None) -> leveler.TrackFeatures:
    """The per-block figures of a mono, K-weighted stream at VAD_RATE. `warm`: whole
    windows the detector hears first, whose decisions are dropped."""
    detector = VoiceDetector()
    if warm is not None:
        detector.add(warm)
    energies: list[np.ndarray] = []
    fine: list[np.ndarray] = []
    spectrum = Spectrum()
    rest = np.zeros(0, np.float32)
    for n, chunk in enumerate(source):
        if n % SPECTRUM_EVERY == 0:
            spectrum.add(chunk[:, 0])
        detector.add(chunk[:, 0])
        data = np.concatenate([rest, chunk[:, 0]])
        whole = len(data) // BLOCK * BLOCK
        blocks, rest = data[:whole], data[whole:]
        if not whole:  # a chunk shorter than a block: wait for the next
            continue
        squares = np.square(blocks, dtype=np.float64).reshape(-1, FINE)
        fine.append(squares.mean(axis=1))
        energies.append(fine[-1].reshape(-1, BLOCK // FINE).mean(axis=1))
    if len(rest):  # the last partial block, padded with silence
        padded = np.concatenate([rest, np.zeros(BLOCK - len(rest), np.float32)])
        energies.append(np.array([np.square(padded, dtype=np.float64).mean()]))
        fine.append(np.square(padded, dtype=np.float64).reshape(-1, FINE).mean(axis=1))
    energy = np.concatenate(energies) if energies else np.zeros(0)
    skip = 0 if warm is None else len(warm) // speech.WINDOW
    voiced = speech.block_shares(speech.speech_windows(detector.finish())[skip:], BLOCK, len(energy))
    return leveler.TrackFeatures(energy, voiced, *spectrum.result(),
                                 fine=np.concatenate(fine) if fine else np.zeros(0),
                                 seconds=source.frames / VAD_RATE)


def track_chain(channels: int) -> str:
    """What the analysis hears of a decoded track: 16 kHz mono, K-weighted, in whole seconds."""
    return f"{conform_filter(channels, 1, VAD_RATE)},{K_WEIGHTING},{ffmpeg.whole_seconds(VAD_RATE)}"


class Spectrum:
    """The mean power spectrum of whole seconds (1 Hz bins) below SPECTRUM_HZ, for the
    hum detector; one second in SPECTRUM_EVERY is enough for a line that never stops."""

    def __init__(self) -> None:
        self.total: np.ndarray | None = None
        self.seconds = 0

    def add(self, second: np.ndarray) -> None:
        if len(second) != VAD_RATE:  # a last partial second: its bins would not be 1 Hz wide
            return
        power = np.abs(np.fft.rfft(second * _HANN))[:SPECTRUM_HZ] ** 2
        self.total = power if self.total is None else self.total + power
        self.seconds += 1

    def result(self) -> tuple[np.ndarray | None, int]:
        return (None if self.total is None else self.total / self.seconds), self.seconds


# the difference of a stereo track's channels, and its peak (astats, only that figure: about
# 0.7 s of one core an hour); exactly silent when the channels are the same samples
SIDE_PEAK = "pan=mono|c0=c0-c1,astats=measure_perchannel=none:measure_overall=Peak_level"


def _peaks(log: str, instance: str | None = None) -> Peaks:
    figures = ffmpeg.volumedetect_figures(log, instance)
    side = ffmpeg.stats_figures(log, "astats", instance).get("Peak level dB")
    return Peaks(figures.get("max_volume", -math.inf), int(figures.get("histogram_0db", 0)),
                 int(figures.get("n_samples", 0)), side == -math.inf)


def file_speech(path: Path, settings: leveler.LevelerSettings) -> speech.Heard:
    """The speech figures of any file (`check`, `measure`): its own speech map by
    Silero and the floor rule, the balance of its turns (core.audio.speech.balance)."""
    return heard_in(track_features(ffmpeg.probe(path)), settings)


def heard_in(f: leveler.TrackFeatures, settings: leveler.LevelerSettings) -> speech.Heard:
    """A file's speech figures from its features."""
    return speech.heard(f.energy, [leveler.speech_candidates(f, settings)], leveler.BLOCK_S)


def analyse(assembly: Assembly, settings: leveler.LevelerSettings,
            progress: Progress) -> tuple[list[leveler.TrackFeatures], Assembly]:
    """Every recording's features, each refused when it carries no speech and
    warned about when it clips: a muted mic fails here, before any render. The
    assembly comes back with each stereo recording that is one channel twice marked
    (AudioInfo.same_channels)."""
    features, assembly, _ = analyse_with(assembly, settings, progress, ())
    return features, assembly


def analyse_with(assembly: Assembly, settings: leveler.LevelerSettings, progress: Progress,
                 extra: Sequence[ffmpeg.Branch]) -> tuple[list[leveler.TrackFeatures], Assembly, list[object] | None]:
    """analyse, and `extra` inputs read by the same ffmpeg where the recordings are
    analysed by one (a short episode's): what their readers found, or None where
    they were not read (the caller reads them on its own then)."""
    stage = progress.stage("analyse", assembly.programme_seconds * len(assembly.recordings))
    features = []
    recordings = []
    analysed, found = _analysed(assembly, extra)
    for i, (track, (heard, peaks)) in enumerate(zip(assembly.recordings, analysed)):
        features.append(heard)
        recordings.append(replace(track, same_channels=bool(peaks and peaks.same_channels)))
        stage.update(assembly.programme_seconds * (i + 1))
        if (problem := input_checks.silence_problem(heard, settings)) is not None:
            raise InputError(f"{track.path}: {problem}; check the input, or take it out of recordings")
        if peaks is not None and (problem := input_checks.clipping_problem(peaks)) is not None:
            progress.warn(f"{track.path}: {problem}")
    stage.done(", ".join(f"{t.path.name} {input_checks.level_text(f)}"
                         f"{' (one channel twice: cleaned once)' if t.same_channels else ''}"
                         for t, f in zip(recordings, features)))
    return features, replace(assembly, recordings=tuple(recordings)), found


def _analysed(assembly: Assembly, extra: Sequence[ffmpeg.Branch]
              ) -> tuple[Iterable[tuple[leveler.TrackFeatures, Peaks | None]], list[object] | None]:
    """Each recording's analysis, in order, and what the `extra` inputs' readers found
    where the same ffmpeg read them. From CHILD_FROM_S on, in a process of its
    own (start_method): the voice detector's onnxruntime keeps 40 MB of the process it ran in
    (its session dropped, 13 MB come back), and the render that follows holds
    every encoder and decoder; a child's memory leaves with it (the hour with all
    three formats: 315 → 259 MB). A shorter episode's analysis takes less than
    starting the child (about 0.4 s) and its render stays well under the memory bar."""
    tracks = assembly.recordings
    if assembly.programme_seconds >= CHILD_FROM_S:
        return _in_child(tracks), None
    if all(t.duration < SPLIT_FROM_S for t in tracks) and (len(tracks) > 1 or extra):
        try:
            return _together(tracks, extra)
        except MediaError:  # each track on its own: the one ffmpeg cannot read names itself
            pass
    return (analyse_track(track, True) for track in tracks), None  # in turn: a silent first fails first


def _in_child(tracks: Sequence[AudioInfo]) -> Iterator[tuple[leveler.TrackFeatures, Peaks | None]]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(start_method())) as child:
        yield from child.map(analyse_track, tracks, [True] * len(tracks))


def start_method() -> str:
    """How the analysis's child starts. A fork, where this process runs one thread: the
    child has numpy and the rest imported already (a spawned one imports them again:
    0.4 s of the build's wall before the analysis starts, 1.5 s of CPU). Where other
    threads run (a test runner's, a caller's), spawn: a fork would copy any lock
    they hold, held for good."""
    forks = "fork" in multiprocessing.get_all_start_methods()
    return "fork" if forks and threading.active_count() == 1 else "spawn"


def plan(assembly: Assembly, features: Sequence[leveler.TrackFeatures], speech_map: leveler.SpeechMap, mode: str,
         settings: leveler.LevelerSettings, progress: Progress, folder: Path) -> Leveling:
    """Plan the gains from every recording's features and the speech map, and write
    each curve into `folder`."""
    plans = leveler.plan_tracks(leveler.padded(features), mode, settings, speech_map.active)
    files = [write_curve(folder / f"gain-{i}.f32", p.gains_db, assembly.programme_seconds)
             for i, p in enumerate(plans)]
    summary = ", ".join(f"{t.path.name} {p.balance_db:+.1f} dB" for t, p in zip(assembly.recordings, plans))
    progress.line(f"level: {mode}: {summary}")
    return Leveling(mode, plans, files)


def write_curve(path: Path, gains_db: np.ndarray, seconds: float) -> Path:
    """The block gains as linear gains GAIN_RATE times a second, a second past the end
    (ffmpeg's amultiply stops at the shorter of its inputs)."""
    samples = int((seconds + 1.0) * GAIN_RATE)
    leveler.gains_at(gains_db, 0, samples, GAIN_RATE).astype("<f4").tofile(path)
    return path
