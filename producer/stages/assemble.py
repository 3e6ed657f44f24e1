"""Assemble: intro + recording(s) + outro, crossfaded, as one f32 PCM stream.

ffmpeg decodes, cleans each recording (core.audio.cleanup's filters), resamples
(soxr), conforms channels, mixes and crossfades; Python only ever sees a few
seconds of the result at a time. With leveling, each recording is multiplied in
the same graph by its gain curve (written by stages/level), before the mix; the
music is never leveled. The cuts (core.audio.cuts) are spliced out of the assembled
stream, so every stage after this one sees the episode as it ships.
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from ..core.audio import cuts, leveler
from ..core.episode.plan import Assembly, conform_filter, filter_graph, read_args
from ..io.ffmpeg import PcmSource
from . import level

# a span that starts this close to its recording's decoded end may decode to no sample
SILENT_TAIL_S = 0.05


class Spliced:
    """A PcmSource with the assembly's cuts taken out; `frames` counts what came out."""

    def __init__(self, source: PcmSource, assembly: Assembly) -> None:
        self.source = source
        rate = assembly.sample_rate
        self.cuts = [(round(c.start_ms * rate / 1000), round(c.end_ms * rate / 1000)) for c in assembly.cuts]
        self.fade = 2 * round(cuts.FADE_S * rate / 2)
        self.frames = 0

    def __iter__(self) -> Iterator[np.ndarray]:
        for chunk in cuts.splice(iter(self.source), self.cuts, self.fade):
            self.frames += len(chunk)
            yield chunk


def source(assembly: Assembly, leveling: level.Leveling | None = None) -> PcmSource | Spliced:
    gains = leveling.gain_files if leveling is not None and leveling.mode != "off" else None
    inputs, graph = filter_graph(assembly, gains)
    args = [*inputs, "-filter_complex", graph, "-map", "[out]",
            "-ac", str(assembly.channels), "-ar", str(assembly.sample_rate)]
    names = ", ".join(t.path.name for t in assembly.inputs)
    pcm = PcmSource(args, assembly.channels, assembly.sample_rate, f"assembling {names}")
    return Spliced(pcm, assembly) if assembly.cuts else pcm


def spans(assembly: Assembly, spans: Sequence[tuple[float, float]]) -> list[list[np.ndarray]]:
    """Each recording's (start, length) spans (in its own time), in the episode's rate
    and channels: a list a recording, an array a span. One ffmpeg for all (an input a
    span, each seeking on its own; a few seconds of decoding, where an ffmpeg's start
    costs 75 ms of CPU), each span padded or cut to its exact length, so the
    concatenated stream splits cleanly. A span that starts where its recording has
    ended (a guest who left early) is silence, and no input: among several, an input
    with no samples at all comes out of ffmpeg as nothing, not as padding."""
    a = assembly
    lengths = [round(length * a.sample_rate) for _, length in spans]
    heard = [[start < track.duration - SILENT_TAIL_S for start, _ in spans] for track in a.recordings]
    args: list[str] = []
    chains: list[str] = []
    for track, inside in zip(a.recordings, heard):
        for (start, length), frames, read in zip(spans, lengths, inside):
            if read:
                k = len(chains)
                args += ["-ss", f"{start:.6f}", "-t", f"{length:.6f}", *read_args(track)]
                chains.append(f"[{k}:a:0]{conform_filter(track.channels, a.channels, a.sample_rate)},"
                              f"apad=whole_len={frames},atrim=end_sample={frames}[e{k}]")
    decoded: list[np.ndarray] = []
    if chains:
        graph = ";".join(chains) + ";" + "".join(f"[e{k}]" for k in range(len(chains))) + \
            f"concat=n={len(chains)}:v=0:a=1[out]"
        source = PcmSource([*args, "-filter_complex", graph, "-map", "[out]"], a.channels, a.sample_rate,
                           ", ".join(str(t.path) for t in a.recordings))
        read_lengths = [n for inside in heard for n, read in zip(lengths, inside) if read]
        decoded = np.split(np.concatenate(list(source)), np.cumsum(read_lengths)[:-1])
    pieces = iter(decoded)
    return [[next(pieces) if read else np.zeros((n, a.channels), np.float32) for n, read in zip(lengths, inside)]
            for inside in heard]


def mixed(assembly: Assembly, leveling: level.Leveling | None, spans: Sequence[tuple[float, float]],
          pieces: list[list[np.ndarray]]) -> list[np.ndarray]:
    """The spans as the programme has them: every recording times its gain curve,
    summed; without the cleanup filters, whose noise sampling is timed for the whole track."""
    rate = assembly.sample_rate
    out = []
    for k, (start, length) in enumerate(spans):
        frames = round(length * rate)
        mix = np.zeros((frames, assembly.channels), np.float32)
        for i, track in enumerate(pieces):
            piece = track[k]
            if leveling is not None and leveling.mode != "off":
                piece = piece * leveler.gains_at(leveling.plans[i].gains_db, round(start * rate), frames, rate)[:, None]
            mix += piece
        out.append(mix)
    return out
