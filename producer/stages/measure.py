"""Measure: any file ffmpeg reads (the one decode-and-measure path of check,
measure, verify and predict), and the assembled episode's loudness before its
render, added up from the analysis and the music (core.audio.programme) rather than
from a pass of its own."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterable, Sequence, cast

import numpy as np

from ..core.audio import loudness, programme
from ..core.audio.leveler import LevelerSettings, TrackFeatures
from ..core.audio.speech import Heard
from ..core.episode.models import AudioInfo
from ..core.episode.plan import Assembly, conform_filter, read_args
from ..errors import InputError
from ..io import ffmpeg
from . import level


WEIGHTING = loudness.k_weighting_filters()


def metered(input_args: list[str], rate: int, channels: int, what: Path | str, chain: str | None = None,
            stdin_writer: Callable[[IO[bytes]], None] | None = None, background: bool = False,
            side: tuple[str, ffmpeg.SideOutput] | None = None) -> ffmpeg.PcmSource:
    """A decode for a meter: `channels` of samples, then as many of their K-weighted
    copy (io.ffmpeg.pcm_out; fed to Meter.add_weighted by `meter_chunk`); `side`, the
    decode through another chain into a second pipe."""
    return ffmpeg.PcmSource([*input_args, *ffmpeg.pcm_out(rate, channels, WEIGHTING, chain, side)], 2 * channels,
                            rate, what, stdin_writer=stdin_writer, background=background, sides=[side[1]] if side else [])


def meter_chunk(meter: loudness.Meter, chunk: np.ndarray) -> None:
    meter.add_weighted(*halves(chunk, meter.channels))


def halves(chunk: np.ndarray, channels: int) -> tuple[np.ndarray, np.ndarray]:
    """A metered chunk's samples and their K-weighted copy. Stereo comes apart as two
    contiguous arrays, copied a frame at a time (its two float32s one 8-byte item):
    the meter's true peak needs its samples contiguous, and numpy copies a strided
    pair of float32 columns several times slower (the hour's meter, the pipe's
    reading included: 5.2–5.8 → 4.4–5.1 CPU-s)."""
    if channels != 2:
        return chunk[:, :channels], chunk[:, channels:]
    frames = np.ascontiguousarray(chunk).view(np.int64)
    return frames[:, 0].copy().view(np.float32).reshape(-1, 2), frames[:, 1].copy().view(np.float32).reshape(-1, 2)


def measure_file(path: Path, sample_rate: int | None = None, channels: int | None = None,
                 true_peak: bool = True) -> loudness.Loudness:
    """Decode and measure; ffprobe is asked only for what is not given. More than
    two channels are folded to stereo: BS.1770's 5.1 weights need a layout we do
    not trust here."""
    if sample_rate is None or channels is None:
        info = ffmpeg.probe(path)
        sample_rate, channels = sample_rate or info.sample_rate, channels or min(info.channels, 2)
    meter = loudness.Meter(sample_rate, channels, true_peak)
    for chunk in metered(["-i", str(path)], sample_rate, channels, path):
        meter_chunk(meter, chunk)
    return meter.result()


def measure_and_hear(path: Path, settings: LevelerSettings) -> tuple[loudness.Loudness, Heard]:
    """A file's loudness (measure_file's) and its speech figures (level.file_speech's)
    from one decode: the speech branch is a second output of the meter's ffmpeg
    (`check` and `measure`; a second ffprobe and ffmpeg cost 0.15 s of CPU a file). A
    file long enough that the analysis splits it (level.SPLIT_FROM_S) keeps its own
    decodes: its halves use both cores."""
    info = ffmpeg.probe(path)
    rate, channels = info.sample_rate, min(info.channels, 2)
    if info.duration >= level.SPLIT_FROM_S:
        return measure_file(path, rate, channels), level.heard_in(level.track_features(info), settings)
    side = ffmpeg.SideOutput(1, level.VAD_RATE)
    # read as the analysis reads it (its packets): the speech figures are the ones file_speech gives
    source = metered(read_args(info), rate, channels, path, side=(level.track_chain(info.channels), side))
    meter, [features] = ffmpeg.read_with_sides(source, lambda s: _metered_all(s, loudness.Meter(rate, channels)),
                                               [level.features_of])
    return meter.result(), level.heard_in(features, settings)


def measure_pcm(chunks: Iterable[np.ndarray], rate: int, channels: int, true_peak: bool = False) -> loudness.Meter:
    """Samples in memory, measured as a file is: K-weighted by ffmpeg."""
    meter = loudness.Meter(rate, channels, true_peak)
    for chunk in metered(ffmpeg.pcm_in(rate, channels), rate, channels, "samples", stdin_writer=ffmpeg.writes(chunks)):
        meter_chunk(meter, chunk)
    return meter


def measure_file_and_pcm(path: Path, chunks: Iterable[np.ndarray], rate: int,
                         channels: int) -> tuple[loudness.Meter, loudness.Meter]:
    """measure_file's meter (no true peak) of a file that decodes at `rate`, and
    measure_pcm's of `chunks`, from one ffmpeg: the samples its second input (stdin),
    their stream a side output. For a few seconds of samples only (predict.first_losses):
    an ffmpeg of two inputs sleeps 10 ms whenever the one it needs is empty, and a
    long stream through stdin often is."""
    side = ffmpeg.SideOutput(2 * channels, rate, "side1")
    args = ["-i", str(path), *ffmpeg.pcm_in(rate, channels),
            *ffmpeg.pcm_out_each(rate, channels, WEIGHTING, [None, None], [side])]
    source = ffmpeg.PcmSource(args, 2 * channels, rate, path, stdin_writer=ffmpeg.writes(chunks), sides=[side])
    coded, [samples] = ffmpeg.read_with_sides(
        source, lambda s: _metered_all(s, loudness.Meter(rate, channels, true_peak=False)),
        [lambda s: _metered_all(s, loudness.Meter(rate, channels, true_peak=False))])
    return coded, samples


@dataclass(frozen=True)
class Music:
    """The intro's and outro's energy every 100 ms, faded as their crossfades fade
    them, and each file's decoded length (a header may only estimate one)."""

    intro: np.ndarray | None
    outro: np.ndarray | None
    seconds: dict[Path, float]


def music(a: Assembly) -> Music:
    """The intro and the outro from one ffmpeg of their own (the second one an output of
    its own: an ffmpeg's start costs 75 ms of CPU, a short episode's build started 19),
    where the analysis's did not read them (music_branches)."""
    fades = _fades(a)
    return music_from(a, _music_energies(fades, a))


def music_branches(a: Assembly) -> list[ffmpeg.Branch]:
    """The intro and the outro as inputs of the analysis's ffmpeg (stages.level.analyse_with),
    each into an output of its own read as music() reads it; music_from() takes what the
    readers found, in this order. One ffmpeg fewer a short episode's build."""
    rate, channels = a.sample_rate, a.channels
    return [ffmpeg.Branch(t.path, ffmpeg.metered_chain(rate, channels, WEIGHTING, chain, f"m{j}"),
                          ffmpeg.SideOutput(2 * channels, rate, f"music{j}"), _music_reader(a))
            for j, (t, chain) in enumerate(_music_chains(a, _fades(a)))]


def music_from(a: Assembly, found: Sequence[object]) -> Music:
    """Music from what the readers of music_branches (or music's own ffmpeg) found."""
    fades = _fades(a)
    results = cast(list[tuple[np.ndarray, float]], list(found))
    seconds = {track.path: length for (track, _), (_, length) in zip(fades, results)}
    energies = iter(energy for energy, _ in results)
    return Music(next(energies) if a.intro is not None else None, next(energies) if a.outro is not None else None,
                 seconds)


def _fades(a: Assembly) -> list[tuple[AudioInfo, str]]:
    fades = []  # a list: a show may open and close with the same file
    if a.intro is not None:
        fades.append((a.intro, f"afade=t=out:st={a.intro.duration - a.intro_crossfade:.6f}:"
                               f"d={a.intro_crossfade:.6f}:curve=qsin"))
    if a.outro is not None:
        fades.append((a.outro, f"afade=t=in:st=0:d={a.outro_crossfade:.6f}:curve=qsin"))
    return fades


def _music_chains(a: Assembly, tracks: list[tuple[AudioInfo, str]]) -> list[tuple[AudioInfo, str]]:
    """Each track through its fade, in the episode's rate and channels."""
    return [(t, f"{fade},{conform_filter(t.channels, a.channels, a.sample_rate)}") for t, fade in tracks]


def _music_reader(a: Assembly) -> Callable[[Iterable[np.ndarray]], tuple[np.ndarray, float]]:
    """A metered music stream's 100 ms mean squares, and its decoded length."""
    def read(stream: Iterable[np.ndarray]) -> tuple[np.ndarray, float]:
        m = _metered_all(stream, _music_meter(a))
        return m.mean_squares(), m.frames / a.sample_rate
    return read


def _music_energies(tracks: list[tuple[AudioInfo, str]], a: Assembly) -> list[tuple[np.ndarray, float]]:
    """Each track's 100 ms mean squares through its fade, in the episode's rate and
    channels, and its decoded length: the first from the source, the others from
    side outputs read in threads of their own (ffmpeg writes the outputs in turn)."""
    if not tracks:
        return []
    rate, channels = a.sample_rate, a.channels
    chains = [chain for _, chain in _music_chains(a, tracks)]
    sides = [ffmpeg.SideOutput(2 * channels, rate, f"side{k}") for k in range(1, len(tracks))]
    inputs = [arg for t, _ in tracks for arg in ("-i", str(t.path))]
    source = ffmpeg.PcmSource([*inputs, *ffmpeg.pcm_out_each(rate, channels, WEIGHTING, chains, sides)], 2 * channels,
                              rate, ", ".join(str(t.path) for t, _ in tracks), sides=sides)
    read = _music_reader(a)
    first, others = ffmpeg.read_with_sides(source, read, [read for _ in sides])
    return [first, *others]


def _music_meter(a: Assembly) -> loudness.Meter:
    return loudness.Meter(a.sample_rate, a.channels, true_peak=False)


def _metered_all(source: Iterable[np.ndarray], meter: loudness.Meter) -> loudness.Meter:
    """A metered stream (samples, then their K-weighted copy) into `meter`, to its end."""
    for chunk in source:
        meter_chunk(meter, chunk)
    return meter


def ears(a: Assembly, pieces: list[list[np.ndarray]]) -> list[float]:
    """Each recording's energy in the episode's channels over its mono fold's (what
    the analysis measured): exact for a mono track, from its excerpts for a stereo one."""
    out = []
    for track, spans in zip(a.recordings, pieces):
        if track.channels == 2 and a.channels == 2 and not track.same_channels:
            out.append(programme.ears(*_stereo_and_fold(spans, a.sample_rate), 2))
        else:  # a mono voice in each ear (one channel twice measures exactly that: 2m over m),
            # or a stereo track folded as the analysis folds it
            out.append(float(a.channels if track.channels == 1 or track.same_channels else 1))
    return out


def _stereo_and_fold(spans: list[np.ndarray], rate: int) -> tuple[float, float]:
    """The spans' K-weighted energy in stereo, and in their mono fold (the analysis's,
    level.track_chain's), from one ffmpeg: the fold a second output of the same graph."""
    fold_chain = ffmpeg.metered_chain(rate, 1, WEIGHTING, conform_filter(2, 1, rate), "fold")
    source = metered(ffmpeg.pcm_in(rate, 2), rate, 2, "samples", stdin_writer=ffmpeg.writes(spans),
                     side=(fold_chain, ffmpeg.SideOutput(2, rate)))
    both, [fold] = ffmpeg.read_with_sides(source, lambda s: _metered_all(s, loudness.Meter(rate, 2, true_peak=False)),
                                          [lambda s: _metered_all(s, loudness.Meter(rate, 1, true_peak=False))])
    return float(both.mean_squares().sum()), float(fold.mean_squares().sum())


def estimate(a: Assembly, features: Sequence[TrackFeatures], ears: Sequence[float], music: Music,
             leveling: level.Leveling | None, episode_file: Path) -> loudness.Loudness:
    """The leveled episode's loudness (integrated, range, curve; no peaks), before any
    of it is rendered."""
    start = programme.block_at(a.programme_offset_ms / 1000)
    gains = [p.gains_db for p in leveling.plans] if leveling is not None else [None] * len(features)
    layers = [programme.recording(f, e, g, start) for f, e, g in zip(features, ears, gains)]
    if music.intro is not None:
        layers.append(programme.Layer(0, music.intro))
    if music.outro is not None:
        at = a.programme_offset_ms / 1000 + a.programme_seconds - a.outro_crossfade
        layers.append(programme.Layer(programme.block_at(at), music.outro))
    cuts = [(programme.block_at(c.start_ms / 1000), programme.block_at(c.end_ms / 1000)) for c in a.cuts]
    found = loudness.of_mean_squares(programme.mean_squares(layers, cuts), a.expected_seconds)
    if not math.isfinite(found.integrated):
        raise InputError(f"{episode_file}: the assembled episode is silent "
                         f"(nothing above {loudness.ABSOLUTE_GATE:g} LUFS); check the recordings")
    return found
