"""Verify: decode the encoded MP3 and measure it again, independently of the render.

The decode runs while LAME is still writing the file, so the check costs
little beyond the encode. It measures exactly the samples a gapless decoder
gets from the finished file: the Xing frame is skipped, the encoder delay
dropped and the stream cut at the rendered length. If the finished file's
delay is not the one assumed, the file is decoded again from disk instead.
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from .. import loudness, media
from ..config import Preset

# libmp3lame's encoder delay (576) plus the decoder's (529): what ffmpeg writes in
# the LAME tag and trims when it decodes the finished file
ASSUMED_DELAY = 1105
HOLD_BACK = 8192  # more than one frame of end padding: kept until the length is known


def measure_file(mp3: Path, preset: Preset) -> loudness.Loudness:
    source = media.decode(mp3, preset.sample_rate, preset.channels)
    return loudness.measure_chunks(source, preset.sample_rate, preset.channels)


def encoder_delay(mp3: Path, rate: int) -> int:
    streams = media.probe_json(mp3, "stream=start_time").get("streams") or [{}]
    return round(float(streams[0].get("start_time") or 0) * rate)


class OverlappedVerify:
    def __init__(self, mp3: Path, preset: Preset) -> None:
        self.mp3, self.preset = mp3, preset
        self.encoder_finished = threading.Event()
        self.total_frames: int | None = None
        self.meter = loudness.Meter(preset.sample_rate, preset.channels)
        self.error: BaseException | None = None
        self.source = media.PcmSource(
            ["-f", "mp3", "-i", "pipe:0", "-vn", "-ac", str(preset.channels), "-ar", str(preset.sample_rate),
             "-f", "f32le", "pipe:1"], preset.channels, preset.sample_rate, mp3,
            feed=media.follow(mp3, self.encoder_finished.is_set))
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def finished(self, frames: int) -> None:
        """The encoder is done and took `frames` frames per channel."""
        self.total_frames = frames
        self.encoder_finished.set()

    def _run(self) -> None:
        try:
            skip, held, fed = ASSUMED_DELAY, np.zeros((0, self.preset.channels), np.float32), 0
            for chunk in self.source:
                if skip:
                    dropped = min(skip, len(chunk))
                    chunk, skip = chunk[dropped:], skip - dropped
                held = np.concatenate([held, chunk])
                if len(held) > HOLD_BACK:
                    self.meter.add(held[:-HOLD_BACK])
                    fed += len(held) - HOLD_BACK
                    held = held[-HOLD_BACK:]
            self.encoder_finished.wait()
            assert self.total_frames is not None
            self.meter.add(held[: max(0, self.total_frames - fed)])
        except BaseException as e:  # handed to the main thread in result()
            self.error = e

    def result(self) -> loudness.Loudness:
        self.thread.join()
        if self.error:
            raise self.error
        measured = self.meter.result()
        exact = (self.total_frames is not None and self.meter.frames == self.total_frames
                 and encoder_delay(self.mp3, self.preset.sample_rate) == ASSUMED_DELAY)
        return measured if exact else measure_file(self.mp3, self.preset)

    def abort(self) -> None:
        self.encoder_finished.set()
        self.thread.join(timeout=10)
