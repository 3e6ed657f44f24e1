"""The leveled episode's loudness from the analysis, in place of a measuring pass
over the assembled programme (pure).

The render needs one gain before it starts, and a pass that assembles, levels
and measures the whole episode first cost as much as a fifth of LAME's time.
Loudness is energy, so the episode's can be added up from its layers: each
recording's K-weighted energy every 100 ms (summed over the episode's ears, as
the analysis measured it) times its gain curve squared, the music's energy
faded as its crossfade fades it, and the cuts' blocks taken out; then BS.1770's
gates. What this leaves out is the cross term between recordings (one voice's
bleed on another's mic, summed in phase or not) and the analysis's 16 kHz
band: 0.02 LU on one recording and 0.06 LU on two with bleed, measured against
the full pass. The render meters the programme it plays, and the policy
corrects a miss, so an estimate off by more costs a render, never a file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .leveler import BLOCK_S, TrackFeatures


@dataclass(frozen=True)
class Layer:
    """Energy every 100 ms from `start` (a block of the uncut episode) on."""

    start: int
    energy: np.ndarray


def recording(features: TrackFeatures, ears: float, gains_db: np.ndarray | None, start: int) -> Layer:
    """A recording as the episode hears it, times its gain curve: `ears` is its energy
    in the episode's channels over the analysis's (a mono fold): 2 for a mono voice
    in both ears, up to 4 for a stereo track whose ears carry different voices."""
    energy = features.energy * ears
    if gains_db is not None:
        gains = np.zeros(len(energy))
        shared = min(len(gains), len(gains_db))
        gains[:shared] = gains_db[:shared]
        energy = energy * 10 ** (gains / 10)
    return Layer(start, energy)


def block_at(seconds: float) -> int:
    return round(seconds / BLOCK_S)


def ears(programme_energy: float, folded_energy: float, channels: int) -> float:
    """A recording's `ears` from the same stretch of it in the episode's channels and
    folded to mono (a silent stretch tells nothing: a mono voice in `channels` ears)."""
    if folded_energy <= 0 or programme_energy <= 0:
        return float(channels)
    return programme_energy / folded_energy


def mean_squares(layers: Sequence[Layer], cuts: Sequence[tuple[int, int]] = ()) -> np.ndarray:
    """The episode's energy every 100 ms: the layers summed, the blocks in `cuts`
    ([start, end)) taken out."""
    if not layers:
        return np.zeros(0)
    total = np.zeros(max(layer.start + len(layer.energy) for layer in layers))
    for layer in layers:
        total[layer.start: layer.start + len(layer.energy)] += layer.energy
    keep = np.ones(len(total), bool)
    for start, end in cuts:
        keep[start:end] = False
    return total[keep]
