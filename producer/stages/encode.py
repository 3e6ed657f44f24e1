"""Encode: stream rendered PCM into one format's encoder (libmp3lame for the MP3,
the format's row in core.formats for the others)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..core.formats import MAIN, Format
from ..core.models import Preset
from ..io.ffmpeg import Mp3Encoder, PcmEncoder


def encoder_for(fmt: Format, out: Path, preset: Preset, streams: Sequence[str] = ("-map_metadata", "-1"),
                extra_inputs: Sequence[str] = ()) -> PcmEncoder:
    """The encoder process of `fmt`; `streams` and `extra_inputs` say what else goes
    into a rendition's container (its chapters as ffmetadata)."""
    if fmt is MAIN:
        return Mp3Encoder(out, preset)
    return PcmEncoder(out, preset.sample_rate, preset.channels, [*streams, *fmt.encoder(preset)], extra_inputs,
                      what=f"{fmt.name} encoding")


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
