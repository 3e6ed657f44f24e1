"""Encode: stream rendered PCM into ffmpeg's libmp3lame."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..core.models import Preset
from ..io.ffmpeg import Mp3Encoder


def encode(chunks: Iterable[np.ndarray], out: Path, preset: Preset,
           on_chunk: Callable[[int], None] | None = None) -> int:
    """Writes the MP3; returns the number of frames encoded."""
    encoder = Mp3Encoder(out, preset)
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
