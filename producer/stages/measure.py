"""Measure: the assembled programme in one streaming pass (loudness, and the
excerpts the prediction needs), and any file ffmpeg reads — the one
decode-and-measure path of check, measure, verify and predict."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..core import loudness
from ..core.excerpts import Excerpts, pick
from ..core.plan import BuildPlan
from ..errors import InputError
from ..io import ffmpeg
from ..io.progress import Progress
from . import assemble, level


def measure_file(path: Path, sample_rate: int | None = None, channels: int | None = None,
                 true_peak: bool = True) -> loudness.Loudness:
    """Decode and measure; ffprobe is asked only for what is not given. More than
    two channels are folded to stereo: BS.1770's 5.1 weights need a layout we do
    not trust here."""
    if sample_rate is None or channels is None:
        info = ffmpeg.probe(path)
        sample_rate, channels = sample_rate or info.sample_rate, channels or min(info.channels, 2)
    source = ffmpeg.decode(path, sample_rate, channels)
    return loudness.measure_chunks(source, sample_rate, channels, true_peak)


def analyse(plan: BuildPlan, progress: Progress, leveling: level.Leveling | None = None,
            spool: Path | None = None) -> tuple[int, loudness.Loudness, list[np.ndarray], float]:
    """(frames, loudness, excerpts, seconds taken) of the assembled (and leveled)
    programme; with `spool`, the programme is also written there for the renders."""
    a = plan.assembly
    stage = progress.stage("measure", a.expected_seconds)
    assembled = assemble.source(a, leveling)
    source = assemble.Spooled(assembled, spool) if spool is not None else assembled
    # The input's true peak decides nothing (the limiter measures its own), so this
    # pass skips it: a quarter of a 60-minute build's measuring time.
    meter = loudness.Meter(a.sample_rate, a.channels, true_peak=False)
    excerpts = Excerpts(pick(math.ceil(a.expected_seconds / ffmpeg.CHUNK_SECONDS), ffmpeg.CHUNK_SECONDS))
    for chunk in source:
        meter.add(chunk)
        excerpts.offer(chunk)
        stage.update(source.frames / a.sample_rate)
    measured = meter.result()
    if not math.isfinite(measured.integrated):
        raise InputError(f"{plan.episode.file}: the assembled episode is silent "
                         f"(nothing above {loudness.ABSOLUTE_GATE:g} LUFS); check the recordings")
    seconds = stage.done(f"{measured.integrated:.2f} LUFS, sample peak {measured.sample_peak:.2f} dBFS")
    return source.frames, measured, excerpts.chunks, seconds
