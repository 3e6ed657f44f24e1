"""Verify: decode the encoded MP3 and measure it again, independently of the render.

The decode runs while LAME is still writing the file, so the check costs
little beyond the encode. It measures exactly the samples a gapless decoder
gets from the finished file: the Xing frame is skipped, the encoder delay
dropped and the stream cut at the rendered length. If the finished file's
delay is not the one assumed, or the decoded length differs, the finished file
is decoded again from disk instead; the result says which path measured it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..core import loudness
from ..core.models import Preset
from ..io import ffmpeg
from .measure import measure_file

# libmp3lame's encoder delay (576) plus the decoder's (529): what ffmpeg writes in
# the LAME tag and trims when it decodes the finished file
ASSUMED_DELAY = 1105
HOLD_BACK = 8192  # more than one frame of end padding: kept until the length is known
OVERLAPPED = "overlapped decode"
FROM_FILE = "decode of the finished file"


@dataclass(frozen=True)
class Verified:
    loudness: loudness.Loudness
    method: str  # OVERLAPPED or FROM_FILE


def encoder_delay(mp3: Path, rate: int) -> int:
    streams = ffmpeg.probe_json(mp3, "stream=start_time").get("streams") or [{}]
    return round(float(streams[0].get("start_time") or 0) * rate)


class OverlappedVerify:
    """`sink` sees every sample that is measured (tests compare it with an
    independent decode of the finished file)."""

    def __init__(self, mp3: Path, preset: Preset, sink: Callable[[np.ndarray], None] | None = None) -> None:
        self.mp3, self.preset = mp3, preset
        self.encoder_finished = threading.Event()
        self.total_frames: int | None = None
        self.meter = loudness.Meter(preset.sample_rate, preset.channels)
        self.sink = sink
        self.error: BaseException | None = None
        self.source = ffmpeg.PcmSource(
            ["-f", "mp3", "-i", "pipe:0", "-vn", "-ac", str(preset.channels), "-ar", str(preset.sample_rate),
             "-af", ffmpeg.whole_seconds(preset.sample_rate), "-f", "f32le", "pipe:1"], preset.channels, preset.sample_rate, mp3,
            feed=ffmpeg.follow(mp3, self.encoder_finished.is_set), background=True)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def finished(self, frames: int) -> None:
        """The encoder is done and took `frames` frames per channel."""
        self.total_frames = frames
        self.encoder_finished.set()

    def _measure(self, samples: np.ndarray) -> None:
        self.meter.add(samples)
        if self.sink is not None:
            self.sink(samples)

    def _run(self) -> None:
        ffmpeg.background_thread()
        try:
            skip, held, fed = ASSUMED_DELAY, np.zeros((0, self.preset.channels), np.float32), 0
            for chunk in self.source:
                if skip:
                    dropped = min(skip, len(chunk))
                    chunk, skip = chunk[dropped:], skip - dropped
                held = np.concatenate([held, chunk])
                if len(held) > HOLD_BACK:
                    self._measure(held[:-HOLD_BACK])
                    fed += len(held) - HOLD_BACK
                    held = held[-HOLD_BACK:]
            self.encoder_finished.wait()
            assert self.total_frames is not None
            self._measure(held[: max(0, self.total_frames - fed)])
        except BaseException as e:  # handed to the main thread in result()
            self.error = e

    def result(self) -> Verified:
        self.thread.join()
        if self.error:
            raise self.error
        exact = (self.total_frames is not None and self.meter.frames == self.total_frames
                 and encoder_delay(self.mp3, self.preset.sample_rate) == ASSUMED_DELAY)
        if exact:
            return Verified(self.meter.result(), OVERLAPPED)
        return Verified(measure_file(self.mp3, self.preset.sample_rate, self.preset.channels), FROM_FILE)

    def abort(self) -> None:
        self.encoder_finished.set()
        self.thread.join(timeout=10)
