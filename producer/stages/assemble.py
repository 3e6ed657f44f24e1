"""Assemble: intro + recording(s) + outro, crossfaded, as one f32 PCM stream.

ffmpeg decodes, resamples (soxr), conforms channels, mixes and crossfades;
Python only ever sees a few seconds of the result at a time.
"""
from __future__ import annotations

from ..core.plan import Assembly, filter_graph
from ..io.ffmpeg import PcmSource


def source(assembly: Assembly) -> PcmSource:
    inputs, graph = filter_graph(assembly)
    args = [*inputs, "-filter_complex", graph, "-map", "[out]",
            "-f", "f32le", "-ac", str(assembly.channels), "-ar", str(assembly.sample_rate), "pipe:1"]
    names = ", ".join(t.path.name for t in assembly.inputs)
    return PcmSource(args, assembly.channels, assembly.sample_rate, f"assembling {names}")
