"""Assemble: intro + recording(s) + outro, crossfaded, as one f32 PCM stream.

ffmpeg decodes, resamples (soxr), conforms channels, mixes and crossfades;
Python only ever sees a few seconds of the result at a time. With leveling,
each recording is multiplied in the same graph by its gain curve (written by
stages/level), before the mix; the music is never leveled.
"""
from __future__ import annotations

from ..core.plan import Assembly, filter_graph
from ..io.ffmpeg import PcmSource
from . import level


def source(assembly: Assembly, leveling: level.Leveling | None = None) -> PcmSource:
    gains = leveling.gain_files if leveling is not None and leveling.mode != "off" else None
    inputs, graph = filter_graph(assembly, gains)
    args = [*inputs, "-filter_complex", graph, "-map", "[out]",
            "-f", "f32le", "-ac", str(assembly.channels), "-ar", str(assembly.sample_rate), "pipe:1"]
    names = ", ".join(t.path.name for t in assembly.inputs)
    return PcmSource(args, assembly.channels, assembly.sample_rate, f"assembling {names}")
