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

import mutagen.oggopus
import numpy as np

from ..core.audio import loudness
from ..core.audio.mp3_frames import lame_delay, mp3_frame_bytes
from ..core.episode.formats import OPUS_RATE, Format
from ..core.episode.models import Preset
from ..errors import MediaError
from ..io import ffmpeg
from .measure import measure_file, meter_chunk, metered

# libmp3lame's encoder delay (576) plus the decoder's (529): what ffmpeg writes in
# the LAME tag and trims when it decodes the finished file
DECODER_DELAY = 529
ASSUMED_DELAY = 576 + DECODER_DELAY
HOLD_BACK = 8192  # more than one frame of end padding: kept until the length is known
AAC_FRAME = 1024
OVERLAPPED = "overlapped decode"
TAPPED = "decode of the encoder's stream"
FROM_FILE = "decode of the finished file"


@dataclass(frozen=True)
class Verified:
    loudness: loudness.Loudness
    method: str  # OVERLAPPED or FROM_FILE


def encoder_delay(mp3: Path, rate: int) -> int:
    """The samples a decode of the finished file drops at its start: the LAME tag's
    encoder delay and the decoder's, as ffprobe's start_time gives them (asked only
    where the first frame holds no LAME tag)."""
    with mp3.open("rb") as f:
        head = f.read(4)
        try:
            found = lame_delay(head + f.read(max(0, mp3_frame_bytes(head) - 4)))
        except MediaError:  # not a frame first (an ID3 tag, say): ffprobe finds the audio
            found = None
    if found is not None:
        return found + DECODER_DELAY
    streams = ffmpeg.probe_json(mp3, "stream=start_time").get("streams") or [{}]
    return round(float(streams[0].get("start_time") or 0) * rate)


class _Follower:
    """Measures a decode that runs while the encoder writes (stages.measure.metered:
    the samples and their K-weighted copy), in a thread of its own on the core LAME
    leaves. The source drops what comes before the audio (trim); with `cut` the end
    is held back until the encoder's frame count cuts it (an MP3's end padding).
    `sink` sees every sample that is measured (tests compare it with an independent
    decode of the finished file)."""

    def __init__(self, source: ffmpeg.PcmSource, channels: int, cut: bool,
                 finished: threading.Event, sink: Callable[[np.ndarray], None] | None = None,
                 downmix: bool = False) -> None:
        self.source, self.channels, self.cut, self.sink = source, channels, cut, sink
        self.encoder_finished = finished  # the same event the source's stdin writer watches, where it does
        self.total_frames: int | None = None
        self.meter = loudness.Meter(source.sample_rate, channels, downmix=downmix)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def finished(self, frames: int) -> None:
        """The encoder is done and took `frames` frames per channel."""
        self.total_frames = frames
        self.encoder_finished.set()

    def _measure(self, samples: np.ndarray) -> None:
        meter_chunk(self.meter, samples)
        if self.sink is not None:
            self.sink(samples[:, :self.channels])

    def _run(self) -> None:
        ffmpeg.background_thread()
        try:
            held, fed = np.zeros((0, 2 * self.channels), np.float32), 0
            back = HOLD_BACK if self.cut else 0
            for chunk in self.source:
                held = np.concatenate([held, chunk]) if len(held) else chunk
                if len(held) > back:
                    self._measure(held[:len(held) - back])
                    fed += len(held) - back
                    held = held[len(held) - back:]
            self.encoder_finished.wait()
            if self.cut:
                assert self.total_frames is not None
                self._measure(held[: max(0, self.total_frames - fed)])
        except BaseException as e:  # handed to the main thread in result()
            self.error = e

    def _measured(self) -> int:
        self.thread.join()
        if self.error:
            raise self.error
        return self.meter.frames

    def abort(self) -> None:
        self.encoder_finished.set()
        self.thread.join(timeout=10)


def trim(samples: int) -> str | None:
    """What comes before the audio, dropped by ffmpeg: the meter's blocks then start
    on its whole seconds (no block straddles two chunks)."""
    return f"atrim=start_sample={samples}" if samples else None


class OverlappedVerify(_Follower):
    """The MP3, decoded from its file as LAME writes it. With `downmix` its meter also
    keeps the speech figures' energies (speech_energy): the build's figures of the
    shipped MP3 come from this decode, at no more than a sum of squares a block (a
    second output of this ffmpeg, resampled to 16 kHz and K-weighted again, cost 3 s
    of CPU an hour on the core LAME leaves)."""

    def __init__(self, mp3: Path, preset: Preset, sink: Callable[[np.ndarray], None] | None = None,
                 downmix: bool = False) -> None:
        self.mp3, self.preset = mp3, preset
        self.exact = False
        finished = threading.Event()
        source = metered(["-f", "mp3", "-i", "pipe:0"], preset.sample_rate, preset.channels, mp3, trim(ASSUMED_DELAY),
                         stdin_writer=ffmpeg.follow(mp3, finished.is_set), background=True)
        super().__init__(source, preset.channels, True, finished, sink, downmix)

    def result(self) -> Verified:
        measured = self._measured()
        self.exact = (self.total_frames is not None and measured == self.total_frames
                      and encoder_delay(self.mp3, self.preset.sample_rate) == ASSUMED_DELAY)
        if self.exact:
            return Verified(self.meter.result(), OVERLAPPED)
        return Verified(measure_file(self.mp3, self.preset.sample_rate, self.preset.channels), FROM_FILE)

    def speech_energy(self) -> np.ndarray | None:
        """After result(): the K-weighted mean square of the channels' mean, every
        100 ms of the finished file; None where this decode was not the file's."""
        return self.meter.downmix_mean_squares() if self.exact else None


class TappedVerify(_Follower):
    """A rendition, decoded from the copy of its packets that its encoder writes to
    stdout (core.episode.formats.Tap). Exact when the samples measured are as many as the
    finished file promises; else the finished file is decoded."""

    def __init__(self, encoder: ffmpeg.PcmEncoder, fmt: Format, out: Path, preset: Preset,
                 sink: Callable[[np.ndarray], None] | None = None) -> None:
        assert fmt.tap is not None and encoder.tap is not None
        self.fmt, self.out = fmt, out
        rate, channels = fmt.tap.rate or preset.sample_rate, preset.channels
        source = metered(["-f", fmt.tap.demuxer, "-i", "pipe:0"], rate, channels, out, trim(fmt.tap.priming),
                         stdin_writer=ffmpeg.relay(encoder.tap, None if fmt.tap.beside else out), background=True)
        finished = threading.Event()
        finished.set()  # nothing waits on the encoder's frame count: the stream ends with the encoder
        super().__init__(source, channels, False, finished, sink)

    def result(self) -> Verified:
        if self._measured() == promised_frames(self.out, self.fmt):
            return Verified(self.meter.result(), TAPPED)
        return Verified(measure_file(self.out), FROM_FILE)


def promised_frames(path: Path, fmt: Format) -> int | None:
    """How many samples ffmpeg decodes the finished file to, from its index: an MP4
    decodes to whole AAC frames less the priming its edit list trims; an Ogg Opus
    stream to its last granule position less the pre-skip."""
    assert fmt.tap is not None
    if fmt.tap.demuxer == "aac":
        streams = ffmpeg.probe_json(path, "stream=codec_type,nb_frames").get("streams") or []
        count = next((str(s.get("nb_frames")) for s in streams if s.get("codec_type") == "audio"), "")
        return int(count) * AAC_FRAME - fmt.tap.priming if count.isdigit() else None
    if fmt.tap.demuxer == "ogg":
        return round(mutagen.oggopus.OggOpus(path).info.length * OPUS_RATE)  # its granules count at 48 kHz
    return None
