"""What makes a recording unfit to build from: no speech on it (a muted mic,
the wrong track) or heavy clipping. Pure: decided on the level stage's
analysis of each track, so a silent recording is refused before any render.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .leveler import BLOCK_S, LevelerSettings, TrackFeatures, energy_mean_lufs, lufs, speech_candidates

# Speech quieter than this is not a quiet guest (the balance reaches 24 dB, and a laptop
# mic sits near -30): it is a muted or unplugged input, or bleed on the wrong track.
SPEECH_FLOOR_LUFS = -50.0
MIN_SPEECH_S = 1.0  # less speech than this over a whole recording is no speech
CLIP_PEAK_DB = -0.1  # a peak this close to full scale may be a clipped one
CLIP_SHARE = 1e-4  # of all samples at that peak: a clean peak is a handful, clipping thousands
CLIP_MIN_SAMPLES = 50


@dataclass(frozen=True)
class Peaks:
    """astats' overall figures of a track at its own rate and channels."""

    peak_db: float
    at_peak: int  # samples equal to the peak (either sign)
    samples: int

    @property
    def full_scale_share(self) -> float:
        if self.peak_db < CLIP_PEAK_DB or self.samples <= 0:
            return 0.0
        return self.at_peak / self.samples


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
    if peaks.at_peak < CLIP_MIN_SAMPLES or share < CLIP_SHARE:
        return None
    return (f"clips: {peaks.at_peak} samples ({share * 100:.2f} %) sit at its peak of {peaks.peak_db:.1f} dBFS; "
            f"clipped audio stays distorted, record it again lower if you can")
