"""Assemble: intro + recording(s) + outro, crossfaded, as one f32 PCM stream.

ffmpeg decodes, cleans each recording (core.audio.cleanup's filters), resamples
(soxr), conforms channels, mixes and crossfades; Python only ever sees a few
seconds of the result at a time. With leveling, each recording is multiplied in
the same graph by its gain curve (written by stages/level), before the mix; the
music is never leveled. The cuts (core.audio.cuts) are spliced out of the assembled
stream, so every stage after this one sees the episode as it ships.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Sequence

import numpy as np

from ..core.audio import cuts, leveler
from ..core.episode.models import AudioInfo
from ..core.episode.plan import Assembly, conform_filter, filter_graph
from ..io.ffmpeg import PcmSource
from . import level


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
    and channels: a list a recording, an array a span."""
    with ThreadPoolExecutor(2) as pool:  # one ffmpeg a recording, each mostly start-up
        return list(pool.map(lambda t: _spans_of(t, spans, assembly), assembly.recordings))


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


def _spans_of(track: AudioInfo, spans: Sequence[tuple[float, float]], a: Assembly) -> list[np.ndarray]:
    """The spans of one track from one ffmpeg (an input a span, each seeking on its own),
    each padded or cut to its exact length, so the concatenated stream splits cleanly."""
    args: list[str] = []
    chains: list[str] = []
    lengths = [round(length * a.sample_rate) for _, length in spans]
    for k, ((start, length), frames) in enumerate(zip(spans, lengths)):
        args += ["-ss", f"{start:.6f}", "-t", f"{length:.6f}", "-i", str(track.path)]
        chains.append(f"[{k}:a:0]{conform_filter(track.channels, a.channels, a.sample_rate)},"
                      f"apad=whole_len={frames},atrim=end_sample={frames}[e{k}]")
    graph = ";".join(chains) + ";" + "".join(f"[e{k}]" for k in range(len(spans))) + \
        f"concat=n={len(spans)}:v=0:a=1[out]"
    source = PcmSource([*args, "-filter_complex", graph, "-map", "[out]"],
                       a.channels, a.sample_rate, track.path)
    stream = np.concatenate(list(source)) if lengths else np.zeros((0, a.channels), np.float32)
    return np.split(stream, np.cumsum(lengths)[:-1])
