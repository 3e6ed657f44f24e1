"""Encode: stream rendered PCM into one format's encoder (libmp3lame for the MP3,
the format's row in core.episode.formats for the others)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..core.episode.formats import MAIN, Format, output_args
from ..core.episode.models import Preset
from ..core.episode import renditions
from ..io import ffmpeg
from ..io.ffmpeg import Mp3Encoder, PcmEncoder


def encoder_for(fmt: Format, out: Path, preset: Preset, streams: Sequence[str] = ("-map_metadata", "-1"),
                extra_inputs: Sequence[str] = ()) -> PcmEncoder:
    """The encoder process of `fmt`; `streams` and `extra_inputs` say what else goes
    into a rendition's container (its chapters as ffmetadata)."""
    if fmt is MAIN:
        return Mp3Encoder(out, preset)
    return PcmEncoder(out, preset.sample_rate, preset.channels, [*streams, *output_args(fmt, preset)], extra_inputs,
                      what=f"{fmt.name} encoding")


def tapped_encoder(fmt: Format, out: Path, preset: Preset, extra_inputs: Sequence[str] = (),
                   picture: str | None = None) -> PcmEncoder:
    """The encoder of a rendition measured as it is written (core.episode.formats.Tap);
    a video's picture comes in as `extra_inputs` through the `picture` graph."""
    return PcmEncoder(out, preset.sample_rate, preset.channels, renditions.tapped_output(fmt, preset, out, picture),
                      extra_inputs, what=f"{fmt.name} encoding", tapped=True)


def remux(fmt: Format, out: Path, chapters_meta: Path) -> None:
    """A tapped encoder's file, finished: its chapters and container options added."""
    ffmpeg.run(renditions.remux_args(fmt, out, chapters_meta), out, f"{fmt.name} remux")
    renditions.unmuxed(out).unlink()


def encode(chunks: Iterable[np.ndarray], out: Path, preset: Preset, fmt: Format = MAIN,
           on_chunk: Callable[[int], None] | None = None) -> int:
    """Writes the file; returns the number of frames encoded."""
    encoder = encoder_for(fmt, out, preset)
    frames = 0
    try:
        for chunk in chunks:
            encoder.write(chunk)
            frames += len(chunk)
            if on_chunk:
                on_chunk(frames)
    except BaseException:
        encoder.abort()
        raise
    encoder.close()
    return frames
