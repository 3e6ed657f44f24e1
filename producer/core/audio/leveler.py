"""Leveling maths: per-track speech activity, track balance, the speech leveler
and the gates, as gain curves over 100 ms blocks. Pure: block features in,
gains in dB out; stages/level.py measures the features and applies the gains.

Every track is described by two numbers a block: its K-weighted mean square
(`energy`) and the share of its 20 ms frames the voice detector called speech
(`voiced`). From those:

- a track is *active* in a block when its voice detector hears speech, the block
  stands clear of the track's own noise floor, and the track is not merely
  carrying another speaker's bleed (its level relative to its own speech level
  is not far below another track's relative level);
- each track's *speech loudness* is the energy mean of its active blocks, and
  its balance gain brings it to the common speech loudness (the mean of the
  tracks', in dB);
- `adaptive` also rides the level inside each track: the loudness of the active
  blocks within ±window of a block, brought to the track's speech loudness,
  within ±range dB;
- when nobody talks, every track eases back to the pause gain (where one plain
  linear gain would put the noise, but no higher than 1 dB over the gain of the
  loudest voice, so the noise does not rise against it); a track that is silent while another talks
  is gated `gate_depth_db` below that, so its hiss and bleed do not add up under
  the other voice;
- the curve moves at most `slew_db_per_s` between blocks, with look-ahead, so a
  gain is in place before the first syllable of a turn.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .loudness import ABSOLUTE_GATE, energy_mean_lufs, lufs
from .speech import close_gaps


BLOCK_S = 0.1
PAUSE_OVER_LOUDEST_DB = 1.0  # pauses at most this far above the gain of the loudest voice
MODES = ("adaptive", "tracks", "off")


@dataclass(frozen=True)
class LevelerSettings:
    """Range and time constants; a preset's [leveler] table."""

    range_db: float = 12.0  # the speech leveler's reach either way
    max_track_gain_db: float = 24.0  # the balance gain's reach either way
    window_s: float = 3.0  # the loudness the leveler follows: active speech within ±window/2
    slew_db_per_s: float = 20.0  # the fastest the gain may move (pauses, gates)
    gate_depth_db: float = 12.0  # a silent track under another voice, below the pause gain
    min_pause_s: float = 0.4  # shorter silences are part of the speech (the gain holds)
    voiced_share: float = 0.3  # of a block's frames, for the block to count as speech
    floor_margin_db: float = 12.0  # above the track's noise floor, for speech
    bleed_margin_db: float = 6.0  # relative level under another active track that counts as bleed
    max_spread_lu: float = 6.0  # `producer check`: the turns' loudness spread (core.audio.speech.balance) past which it warns
    require_balance: bool = False  # a spread past max_spread_lu fails check (and the build) instead of warning


@dataclass(frozen=True)
class TrackFeatures:
    energy: np.ndarray  # (blocks,) K-weighted mean square
    voiced: np.ndarray  # (blocks,) share of voiced frames, 0..1
    spectrum: np.ndarray | None = None  # mean power a 1 Hz bin below core.audio.cleanup.SPECTRUM_HZ (hum)
    spectrum_seconds: int = 0  # how many one-second frames that mean is of
    fine: np.ndarray = field(default_factory=lambda: np.zeros(0))  # K-weighted mean square every 10 ms (cut edges)
    seconds: float = 0.0  # the decoded length, which an MP3's header only estimates


@dataclass(frozen=True)
class TrackPlan:
    gains_db: np.ndarray  # (blocks,) the gain of this track at each block's centre
    active: np.ndarray  # (blocks,) bool: this track's speaker talks
    gated: np.ndarray  # (blocks,) bool: silent while another track talks
    energy: np.ndarray  # (blocks,) the track's energy, as analysed
    speech_lufs: float  # in the analysis domain; nan when the track never speaks
    balance_db: float

    @property
    def speech_lufs_after(self) -> float:
        """The track's speech loudness once its gains are applied (before the final gain)."""
        if not self.active.any():
            return float("nan")
        return energy_mean_lufs(self.energy[self.active] * 10 ** (self.gains_db[self.active] / 10))

    def summary(self) -> dict[str, float | None]:
        used = self.gains_db[self.active] if self.active.any() else self.gains_db
        return {"speech_lufs_before": _round(self.speech_lufs), "speech_lufs_after": _round(self.speech_lufs_after),
                "balance_db": round(self.balance_db, 2),
                "gain_min_db": round(float(used.min()), 2), "gain_max_db": round(float(used.max()), 2),
                "speech_share": round(float(self.active.mean()), 3),
                "gated_share": round(float(self.gated.mean()), 3)}


def _round(x: float) -> float | None:
    return round(x, 2) if math.isfinite(x) else None


def speech_candidates(t: TrackFeatures, s: LevelerSettings) -> np.ndarray:
    """Voiced blocks that stand clear of the track's own noise floor (the median
    level of the blocks the voice detector calls unvoiced)."""
    level = lufs(np.maximum(t.energy, 1e-12))
    voiced = t.voiced >= s.voiced_share
    return voiced & (level >= noise_floor(t, s) + s.floor_margin_db) & (level > ABSOLUTE_GATE)


def noise_floor(t: TrackFeatures, s: LevelerSettings) -> float:
    """The track's noise floor: the median level of the blocks the voice detector
    calls unvoiced (-120 when every block is voiced)."""
    voiced = t.voiced >= s.voiced_share
    level = lufs(np.maximum(t.energy[~voiced], 1e-12))
    return float(np.median(level)) if len(level) else -120.0


def speech_lufs(t: TrackFeatures, s: LevelerSettings) -> float:
    """The energy mean of the track's speech blocks, as analysed (nan without speech)."""
    return energy_mean_lufs(t.energy[speech_candidates(t, s)])


def speech_reference(level: np.ndarray, candidates: np.ndarray) -> float:
    """A track's own voice is the loudest thing on its microphone: the 90th
    percentile of its speech blocks, which bleed from other voices does not move."""
    return float(np.percentile(level[candidates], 90)) if candidates.any() else 0.0


def own_speech(tracks: Sequence[TrackFeatures], s: LevelerSettings) -> list[np.ndarray]:
    """Per track, the blocks where its own speaker talks: candidates, minus blocks
    where the track is far below another active track relative to each one's own
    speech level (the other speaker's bleed). Gaps are left as heard (the balance
    figure splits turns at them)."""
    candidates = [speech_candidates(t, s) for t in tracks]
    if len(tracks) > 1:
        levels = [lufs(np.maximum(t.energy, 1e-12)) for t in tracks]
        # every track's level counts, not only where its own detector fired: Silero can
        # miss a 100 ms block of the speaker on their own track and hear the same
        # block as bleed on another (no noise, no level: it judges the voice alone)
        relative = np.stack([lv - speech_reference(lv, c) for lv, c in zip(levels, candidates)])
        loudest = relative.max(axis=0)
        candidates = [c & (relative[i] >= loudest - s.bleed_margin_db) for i, c in enumerate(candidates)]
    return candidates


def activity(tracks: Sequence[TrackFeatures], s: LevelerSettings,
             own: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
    """Per track, its own speech (own_speech) with gaps shorter than min_pause_s
    closed: what the gains, gates, pauses and the recogniser's windows follow."""
    gap = max(1, round(s.min_pause_s / BLOCK_S))
    return [close_gaps(c, gap) for c in (own_speech(tracks, s) if own is None else own)]


@dataclass(frozen=True)
class SpeechMap:
    """Who talks when, per 100 ms block of the recordings (padded to the longest):
    made once from the analysis, read by everything that needs it (the gains and
    gates, silence cutting, the recogniser's windows, the balance figure)."""

    own: tuple[np.ndarray, ...]  # each track's own speech, its gaps as heard (the balance figure's turns)
    active: tuple[np.ndarray, ...]  # the same, gaps under min_pause_s closed (gains, gates, pauses, recognition)
    voiced: np.ndarray  # any voice heard on any track, own or bleed (where the shipped file's floor is not)

    @property
    def anyone(self) -> np.ndarray:
        return np.any(np.stack(self.active), axis=0)


def speech_map(tracks: Sequence[TrackFeatures], s: LevelerSettings) -> SpeechMap:
    every = padded(tracks)
    own = own_speech(every, s)
    return SpeechMap(tuple(own), tuple(activity(every, s, own)),
                     np.any([t.voiced >= s.voiced_share for t in every], axis=0))


def padded(tracks: Sequence[TrackFeatures]) -> list[TrackFeatures]:
    """Every track's blocks to the longest's length (silence after a shorter one ends):
    the planner, the pause map and the recogniser compare tracks block by block."""
    blocks = max(len(t.energy) for t in tracks)
    return [TrackFeatures(np.pad(t.energy, (0, blocks - len(t.energy))), np.pad(t.voiced, (0, blocks - len(t.voiced))))
            for t in tracks]


def local_loudness(energy: np.ndarray, active: np.ndarray, half_window: int) -> np.ndarray:
    """Energy mean of the active blocks within ±half_window, per block (nan where none)."""
    e = np.where(active, energy, 0.0)
    n = active.astype(float)
    k = np.ones(2 * half_window + 1)
    # "full" then the centre: mode="same" returns the kernel's length when the episode is
    # shorter than the window (a 3-second trailer), and the curves no longer line up
    centre = slice(half_window, half_window + len(e))
    sums = np.convolve(e, k, mode="full")[centre]
    counts = np.convolve(n, k, mode="full")[centre]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts >= 3, lufs(sums / np.maximum(counts, 1)), np.nan)


def plan_tracks(tracks: Sequence[TrackFeatures], mode: str, s: LevelerSettings,
                active: Sequence[np.ndarray] | None = None) -> list[TrackPlan]:
    """Gain curves (dB per block) for every track; `off` gives flat zeros. `active`:
    the speech map's (SpeechMap.active), else made here."""
    blocks = len(tracks[0].energy)
    if mode == "off":
        none = np.zeros(blocks, bool)
        return [TrackPlan(np.zeros(blocks), none, none, t.energy, float("nan"), 0.0) for t in tracks]
    active = list(active) if active is not None else activity(tracks, s)
    speech = [energy_mean_lufs(t.energy[a]) for t, a in zip(tracks, active)]
    known = [x for x in speech if math.isfinite(x)]
    common = float(np.mean(known)) if known else 0.0
    balance = [float(np.clip(common - x, -s.max_track_gain_db, s.max_track_gain_db)) if math.isfinite(x) else 0.0
               for x in speech]
    wanted = []
    for t, a, x, b in zip(tracks, active, speech, balance):
        want = np.full(blocks, b)
        if mode == "adaptive" and math.isfinite(x):
            local = local_loudness(t.energy, a, max(1, round(s.window_s / 2 / BLOCK_S)))
            ride = np.clip(np.nan_to_num(x - local, nan=0.0), -s.range_db, s.range_db)
            want = want + ride
        wanted.append(want)
    pause = pause_gain(tracks, active, wanted)
    if len(known) > 1:  # nor may the noise rise against the loudest voice, whose gain is the lowest
        loudest = int(np.nanargmax([x if math.isfinite(x) else -np.inf for x in speech]))
        pause = min(pause, float(np.mean(wanted[loudest][active[loudest]])) + PAUSE_OVER_LOUDEST_DB)
    anyone = np.any(np.stack(active), axis=0)
    plans = []
    for t, a, want, x, b in zip(tracks, active, wanted, speech, balance):
        gated = anyone & ~a
        target = np.where(a, want, np.where(gated, np.minimum(want, pause) - s.gate_depth_db, pause))
        gains = slew_limit(target, a, s.slew_db_per_s * BLOCK_S)
        plans.append(TrackPlan(gains, a, gated, t.energy, x, b))
    return plans


def pause_gain(tracks: Sequence[TrackFeatures], active: Sequence[np.ndarray], wanted: Sequence[np.ndarray]) -> float:
    """The gain that leaves the noise in pauses where one plain linear gain would put
    it: the final normalization will move the leveled mix by its loudness, so the
    pauses move by the difference between the plain and the leveled loudness."""
    plain = sum(t.energy for t in tracks)
    leveled = sum(t.energy * np.where(a, 10 ** (w / 10), 1.0) for t, a, w in zip(tracks, active, wanted))
    anyone = np.any(np.stack(active), axis=0)
    if not anyone.any():
        return 0.0
    return float(energy_mean_lufs(leveled[anyone]) - energy_mean_lufs(plain[anyone]))


def slew_limit(target: np.ndarray, anchors: np.ndarray, step: float) -> np.ndarray:
    """The curve closest to `target` that moves at most `step` dB a block, with the
    anchored (speech) blocks kept exactly where they can be: a pause bends toward
    the next speech before it starts (look-ahead) and after the last ends."""
    n = len(target)
    upper = np.where(anchors, target, np.inf)
    lower = np.where(anchors, target, -np.inf)
    for i in range(1, n):  # forward, then backward: distance-to-anchor envelopes
        upper[i] = min(upper[i], upper[i - 1] + step)
        lower[i] = max(lower[i], lower[i - 1] - step)
    for i in range(n - 2, -1, -1):
        upper[i] = min(upper[i], upper[i + 1] + step)
        lower[i] = max(lower[i], lower[i + 1] - step)
    bounded = np.clip(target, np.minimum(lower, upper), np.maximum(lower, upper))
    return _slew(bounded, step)


def _slew(x: np.ndarray, step: float) -> np.ndarray:
    """Symmetric slew limit: the mean of a forward and a backward limited pass."""
    fwd = x.copy()
    for i in range(1, len(x)):
        fwd[i] = min(max(fwd[i], fwd[i - 1] - step), fwd[i - 1] + step)
    bwd = x.copy()
    for i in range(len(x) - 2, -1, -1):
        bwd[i] = min(max(bwd[i], bwd[i + 1] - step), bwd[i + 1] + step)
    return (fwd + bwd) / 2


def gains_at(block_gains_db: np.ndarray, start_frame: int, frames: int, rate: int) -> np.ndarray:
    """Linear gain per sample for frames [start, start+frames): the block gains (at
    block centres) interpolated between the blocks that span the span, linearly in
    amplitude (at the 2 dB a block the slew limit allows, within 0.06 dB of
    interpolating in dB, at a tenth of the cost)."""
    if not len(block_gains_db):
        return np.ones(frames, np.float32)
    positions = (start_frame + np.arange(frames)) / rate
    first = max(0, int(start_frame / rate / BLOCK_S) - 1)
    last = min(len(block_gains_db), int((start_frame + frames) / rate / BLOCK_S) + 2)
    centres = (np.arange(first, last) + 0.5) * BLOCK_S
    linear = 10 ** (block_gains_db[first:last] / 20)
    return np.interp(positions, centres, linear).astype(np.float32)
