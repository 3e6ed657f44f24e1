"""Assemble: intro + recording(s) + outro, crossfaded, as one f32 PCM stream.

ffmpeg decodes, cleans each recording (core.cleanup's filters), resamples
(soxr), conforms channels, mixes and crossfades; Python only ever sees a few
seconds of the result at a time. With leveling, each recording is multiplied in
the same graph by its gain curve (written by stages/level), before the mix; the
music is never leveled. The cuts (core.cuts) are spliced out of the assembled
stream, so every stage after this one sees the episode as it ships.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from ..core import cuts
from ..core.plan import Assembly, filter_graph
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


class Spooled:
    """The assembled programme passed on as it streams and written to `path` (raw f32),
    so that every render after the measurement reads it back instead of running the
    assembly, its cleanup filters and its leveling a second time."""

    def __init__(self, source: PcmSource | Spliced, path: Path) -> None:
        self.source, self.path = source, path

    @property
    def frames(self) -> int:
        return self.source.frames

    def __iter__(self) -> Iterator[np.ndarray]:
        with self.path.open("wb") as out:
            for chunk in self.source:
                out.write(np.ascontiguousarray(chunk, dtype="<f4").tobytes())
                yield chunk


def replay(path: Path, assembly: Assembly, chunk_seconds: float = 1.0) -> Iterator[np.ndarray]:
    """The spooled programme again, a second at a time."""
    frame_bytes = 4 * assembly.channels
    size = int(chunk_seconds * assembly.sample_rate) * frame_bytes
    with path.open("rb") as f:
        while data := f.read(size):
            yield np.frombuffer(data[: len(data) // frame_bytes * frame_bytes], "<f4").reshape(-1, assembly.channels)


def source(assembly: Assembly, leveling: level.Leveling | None = None) -> PcmSource | Spliced:
    gains = leveling.gain_files if leveling is not None and leveling.mode != "off" else None
    inputs, graph = filter_graph(assembly, gains)
    args = [*inputs, "-filter_complex", graph, "-map", "[out]",
            "-f", "f32le", "-ac", str(assembly.channels), "-ar", str(assembly.sample_rate), "pipe:1"]
    names = ", ".join(t.path.name for t in assembly.inputs)
    pcm = PcmSource(args, assembly.channels, assembly.sample_rate, f"assembling {names}")
    return Spliced(pcm, assembly) if assembly.cuts else pcm
