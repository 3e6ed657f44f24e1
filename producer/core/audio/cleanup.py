"""Cleanup of each recording before leveling: what to do to a track (denoise,
dehum) decided from the analysis the leveler already makes, as ffmpeg filter
text for the assembly's graph. Pure.

Denoising is ffmpeg's `afftdn` (spectral subtraction with a noise profile): on
the speech we measured it takes broadband noise down 20 dB at 24 dB asked and
moves speech loudness by 0.1 LU, at about 15 s of one core an hour, where
DeepFilterNet3 costs 7 minutes (see the README's table). It is told the track's
noise floor as the analysis measured it. Hum is notched out with one narrow
band-reject biquad per harmonic found.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ...errors import InputError, located
from .speech import runs
from ..episode.models import Episode, Show

AUTO = "auto"
OFF = "off"
MAINS = (50, 60)
AUTO_DENOISE_FLOOR = -62.0  # LUFS (K-weighted, as analysed): a floor above this is audible noise under speech
AUTO_REDUCTION_DB = 24.0  # what "auto" asks of afftdn: about 20 dB in the pauses
HUM_MARGIN_DB = 10.0  # a harmonic stands this far above its neighbouring bins to count
HUM_ALONE_DB = 15.0  # a fundamental this clear is hum without a second harmonic
HUM_HARMONICS = 8  # the most notched (up to 400 or 480 Hz: above it hum hides in the voice)
NOTCH_Q = 20  # 2.5 Hz wide at 50 Hz: mains drift stays inside, the voice does not notice
SPECTRUM_HZ = 1000  # the analysis keeps the power spectrum below this, in 1 Hz bins
NF_OVER_FLOOR_DB = 10.0  # afftdn's nf this far over the measured floor: its reduction then reaches the floor
SAMPLE_S = (0.5, 3.0)  # the noise afftdn samples: the longest quiet stretch, cut to at most 3 s


@dataclass(frozen=True)
class CleanupSettings:
    """`[cleanup]` of show.toml, episode.toml's keys over it."""

    denoise: str | float = AUTO  # "auto" | "off" | a maximum reduction in dB
    dehum: str | int = AUTO  # "auto" | "off" | 50 | 60
    max_pause_s: float | None = None  # None: no silence cutting
    keep_pause_s: float = 0.8


@dataclass(frozen=True)
class Hum:
    base_hz: int
    harmonics: tuple[int, ...]  # which multiples of base_hz stand out (1 = the base)
    strength_db: float  # the strongest harmonic over its neighbours

    def as_dict(self) -> dict[str, object]:
        return {"base_hz": self.base_hz, "harmonics": list(self.harmonics), "strength_db": round(self.strength_db, 1)}


@dataclass(frozen=True)
class TrackCleanup:
    noise_floor_lufs: float  # as analysed (K-weighted, 16 kHz mono), before cleanup
    denoise_db: float  # 0: not denoised
    hum: Hum | None
    speech_lufs: float = float("nan")  # the track's speech, as analysed: the floor's reference
    noise_sample: tuple[float, float] | None = None  # seconds of the track with nothing but its noise
    index: int = 0  # the recording's place: names its afftdn in the graph, so commands reach only it

    @property
    def filters(self) -> str:
        """Filter text for this track, at its own rate before anything else ("" for none).
        afftdn's own model is white noise; a fan's pink noise or a room's rumble is only
        taken down when afftdn has sampled it, so it is told to sample the track's longest
        quiet stretch (a fan's pink noise: 2 dB down unsampled, 22 dB sampled)."""
        steps = [f"bandreject=f={self.hum.base_hz * k}:width_type=q:width={NOTCH_Q}"
                 for k in self.hum.harmonics] if self.hum else []
        if self.denoise_db > 0:
            name = f"afftdn@t{self.index}"
            if self.noise_sample:
                a, b = self.noise_sample
                steps.append(f"asendcmd=c='{a:.2f} {name} sn start\\;{b:.2f} {name} sn stop'")
            floor = min(-20.0, max(-80.0, self.noise_floor_lufs + NF_OVER_FLOOR_DB))
            steps.append(f"{name}=nr={self.denoise_db:g}:nf={floor:.1f}")
        return ",".join(steps)

    def as_dict(self) -> dict[str, object]:
        return {"noise_floor_lufs": round(self.noise_floor_lufs, 1),
                "speech_over_floor_db": _rounded(self.speech_lufs - self.noise_floor_lufs),
                "denoise_db": self.denoise_db, "hum": self.hum.as_dict() if self.hum else None}


def _rounded(x: float) -> float | None:
    return round(x, 1) if np.isfinite(x) else None


def hum_in(spectrum: np.ndarray, wanted: str | int) -> Hum | None:
    """Mains hum from a track's mean power spectrum (1 Hz bins from 0): the family
    (50 or 60 Hz, or the one asked) whose fundamental stands clear of its
    neighbours (3–8 Hz away), with a second harmonic clear too or the fundamental
    by HUM_ALONE_DB. A voice's pitch never sits as low as 50 or 60 Hz, but its
    harmonics can make a line at 120 or 180 Hz: without the fundamental, no hum.
    Where hum is found its first three harmonics are notched, and any other that
    stands out: mains hum always has them, and a 2.5 Hz notch costs the voice nothing."""
    if wanted == OFF or len(spectrum) < SPECTRUM_HZ:
        return None
    found = []
    for base in (MAINS if wanted == AUTO else (int(wanted),)):
        over = {k: _line_over_neighbours(spectrum, base * k) for k in range(1, HUM_HARMONICS + 1)
                if base * k + 8 < len(spectrum)}
        standing = {k for k, db in over.items() if db >= HUM_MARGIN_DB}
        if 1 in standing and (len(standing) >= 2 or over[1] >= HUM_ALONE_DB):
            found.append(Hum(base, tuple(sorted(standing | {1, 2, 3})), over[1]))
    if not found:
        return None
    return max(found, key=lambda h: h.strength_db)


def _line_over_neighbours(spectrum: np.ndarray, hz: int) -> float:
    line = spectrum[hz - 1: hz + 2].max()
    neighbours = np.concatenate([spectrum[hz - 8: hz - 2], spectrum[hz + 3: hz + 9]])
    return float(10 * np.log10(max(line, 1e-30) / max(float(np.median(neighbours)), 1e-30)))


def noise_sample(quiet: np.ndarray, block_s: float) -> tuple[float, float] | None:
    """The longest run of quiet blocks (nothing voiced, at the floor), trimmed a block
    at each end and to SAMPLE_S[1]; None under SAMPLE_S[0]."""
    trimmed = [(a + 1, b - 1) for a, b in runs(quiet)]
    if not trimmed:
        return None
    a, b = max(trimmed, key=lambda r: r[1] - r[0])
    if (b - a) * block_s < SAMPLE_S[0]:
        return None
    return a * block_s, min(b * block_s, a * block_s + SAMPLE_S[1])


def plan_track(settings: CleanupSettings, noise_floor_lufs: float, spectrum: np.ndarray,
               speech_lufs: float = float("nan"), sample: tuple[float, float] | None = None,
               index: int = 0) -> TrackCleanup:
    hum = hum_in(spectrum, settings.dehum)
    if settings.dehum not in (AUTO, OFF) and hum is None:  # asked for: notch the first three all the same
        hum = Hum(int(settings.dehum), (1, 2, 3), 0.0)
    if settings.denoise == OFF:
        reduction = 0.0
    elif settings.denoise == AUTO:
        reduction = AUTO_REDUCTION_DB if noise_floor_lufs > AUTO_DENOISE_FLOOR else 0.0
    else:
        reduction = float(settings.denoise)
    return TrackCleanup(noise_floor_lufs, reduction, hum, speech_lufs, sample, index)


def settings_for(show: Show, episode: Episode) -> CleanupSettings:
    """The show's [cleanup] with the episode's keys over it."""
    keys = {**dict(show.cleanup), **dict(episode.cleanup)}
    settings = CleanupSettings(**keys)  # type: ignore[arg-type]
    if settings.max_pause_s is not None and settings.keep_pause_s >= settings.max_pause_s:
        where = episode.file if "keep_pause_s" in dict(episode.cleanup) else show.file
        raise InputError(located(where, "cleanup.keep_pause_s", f"{settings.keep_pause_s:g} s must be shorter "
                                 f"than cleanup.max_pause_s ({settings.max_pause_s:g} s)"))
    return settings


def any_work(tracks: Sequence[TrackCleanup]) -> bool:
    return any(t.filters for t in tracks)
