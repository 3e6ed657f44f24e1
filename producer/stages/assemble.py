"""Assemble: intro + recording(s) + outro, crossfaded, as one f32 PCM stream.

ffmpeg decodes, resamples (soxr), conforms channels, mixes and crossfades;
Python only ever sees a few seconds of the result at a time. With leveling,
the recordings are mixed by stages/level (each through its gain curve) and
piped into the same crossfade graph, so the music is never leveled.
"""
from __future__ import annotations

from ..core.plan import Assembly, filter_graph
from ..io.ffmpeg import PcmSource
from . import level


def source(assembly: Assembly, leveling: level.Leveling | None = None) -> PcmSource:
    piped = leveling is not None and leveling.mode != "off"
    inputs, graph = filter_graph(assembly, programme_piped=piped)
    args = [*inputs, "-filter_complex", graph, "-map", "[out]",
            "-f", "f32le", "-ac", str(assembly.channels), "-ar", str(assembly.sample_rate), "pipe:1"]
    names = ", ".join(t.path.name for t in assembly.inputs)
    feed = level.feed(lambda: level.mixed(assembly, leveling)) if piped and leveling else None
    return PcmSource(args, assembly.channels, assembly.sample_rate, f"assembling {names}", feed=feed)
