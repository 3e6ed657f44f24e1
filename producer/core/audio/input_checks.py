"""What makes a recording unfit to build from: no speech on it (a muted mic,
the wrong track) or heavy clipping. Pure: decided on the level stage's
analysis of each track, so a silent recording is refused before any render.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .leveler import BLOCK_S, LevelerSettings, TrackFeatures, speech_candidates
from .loudness import energy_mean_lufs, lufs

# Speech quieter than this is not a quiet guest (the balance reaches 24 dB, and a laptop
# mic sits near -30): it is a muted or unplugged input, or bleed on the wrong track.
SPEECH_FLOOR_LUFS = -50.0
MIN_SPEECH_S = 1.0  # less speech than this over a whole recording is no speech
CLIP_PEAK_DB = -0.1  # the track reaches full scale (volumedetect reports 0.1 dB steps)
CLIP_SHARE = 1e-4  # of all samples within 1 dB of full scale: clean speech has a handful, clipping thousands
CLIP_MIN_SAMPLES = 50


@dataclass(frozen=True)
class Peaks:
    """volumedetect's figures of a track at its own rate and channels."""

    peak_db: float
    near_full_scale: int  # samples within 1 dB of full scale (its 0 dB histogram bin)
    samples: int
    same_channels: bool = False  # two channels, and their difference is silence throughout (astats)

    @property
    def full_scale_share(self) -> float:
        if self.peak_db < CLIP_PEAK_DB or self.samples <= 0:
            return 0.0
        return self.near_full_scale / self.samples


def level_text(features: TrackFeatures) -> str:
    """The track's loudness over its whole length, as a person reads it."""
    level = energy_mean_lufs(features.energy)
    return "digital silence" if not math.isfinite(level) else f"{level:.1f} LUFS"


def silence_problem(features: TrackFeatures, s: LevelerSettings) -> str | None:
    """Why a recording is no speech, or None: too little speech clear of its own
    noise floor, or speech below SPEECH_FLOOR_LUFS."""
    if not len(features.energy) or not np.any(features.energy > 0):
        return "is digital silence"
    speech = speech_candidates(features, s)
    if speech.sum() * BLOCK_S < MIN_SPEECH_S:
        return f"has no speech (the voice detector found none over its noise; whole track {level_text(features)})"
    level = float(lufs(np.mean(features.energy[speech])))
    if level < SPEECH_FLOOR_LUFS:
        return (f"has speech at {level:.1f} LUFS, below the floor of {SPEECH_FLOOR_LUFS:.0f} LUFS "
                f"(a muted or wrong input?)")
    return None


def clipping_problem(peaks: Peaks) -> str | None:
    share = peaks.full_scale_share
    if peaks.near_full_scale < CLIP_MIN_SAMPLES or share < CLIP_SHARE:
        return None
    return (f"clips: it reaches full scale and {peaks.near_full_scale} samples ({share * 100:.2f} %) sit within "
            f"1 dB of it; clipped audio stays distorted, record it again lower if you can")
