"""Where people speak, and how even their speech sounds: the speech map's pure half.

The map's detector is Silero VAD (io/voice runs it): a speech probability for every
32 ms window. Here those probabilities become the share of each 100 ms block that
is speech (the leveler's `voiced`), and the map of turns becomes the balance
figure a listener would agree with: how far apart the loud and the quiet turns
sound, and with several tracks, how far apart the speakers sound.

Pure: arrays in, arrays and figures out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .loudness import gated, lufs

WINDOW = 512  # Silero VAD's window at 16 kHz (32 ms)
THRESHOLD = 0.5  # Silero's own default: a window at or above it starts speech
NEG_THRESHOLD = 0.35  # ... and speech goes on until a window falls under this (Silero's threshold − 0.15)
TURN_SPLIT_S = 0.3  # a pause this long ends a turn
TURN_MIN_S = 1.5  # shorter turns (a "yeah", a laugh) are left out of the balance figure


def speech_windows(probabilities: np.ndarray, threshold: float = THRESHOLD,
                   neg_threshold: float = NEG_THRESHOLD) -> np.ndarray:
    """Silero's hysteresis (as its get_speech_timestamps applies it): speech starts at a
    window at or over `threshold` and lasts while windows stay at or over `neg_threshold`."""
    out = np.zeros(len(probabilities), bool)
    on = False
    for i, p in enumerate(np.asarray(probabilities, dtype=np.float32).tolist()):  # 112,500 windows an hour: 30 ms
        on = p >= threshold or (on and p >= neg_threshold)
        out[i] = on
    return out


def block_shares(flags: np.ndarray, block: int, blocks: int, window: int = WINDOW) -> np.ndarray:
    """The share of each block of `block` samples covered by speech windows of `window`
    samples (a block's `voiced`); blocks past the last window are 0."""
    edges = np.arange(blocks + 1) * block  # sample positions of the block edges
    covered = np.concatenate([[0], np.cumsum(flags.astype(np.int64) * window)])  # speech samples before each window edge
    at = np.interp(edges, np.arange(len(covered)) * window, covered, right=covered[-1])
    return np.diff(at) / block


@dataclass(frozen=True)
class Turn:
    start: int  # block index
    end: int  # exclusive
    lufs: float  # BS.1770 loudness of the turn (gated as the meter gates a programme)
    speaker: int  # the track whose own speech covers most of it


@dataclass(frozen=True)
class Balance:
    """The speech balance as a listener hears it: P90 − P10 of the turns' loudness,
    weighted by their length, and the gap between the loudest and the quietest
    speaker's speech (0 with one track)."""

    spread_lu: float
    gap_lu: float
    turns: int
    speakers: tuple[float | None, ...]  # each track's speech loudness over its turns

    def as_dict(self) -> dict[str, object]:
        return {"speech_spread_lu": round(self.spread_lu, 2), "speaker_gap_lu": round(self.gap_lu, 2),
                "turns": self.turns,
                "speakers_lufs": [None if x is None else round(x, 2) for x in self.speakers]}


def turns(energy: np.ndarray, own: Sequence[np.ndarray], block_s: float) -> list[Turn]:
    """Runs of speech by the map (any track's own speech), joined over pauses shorter
    than TURN_SPLIT_S, at least TURN_MIN_S long, each with its loudness and speaker."""
    if not own or not len(energy):
        return []
    stack = np.stack([m[:len(energy)] for m in own])
    anyone = stack.any(axis=0)
    joined = close_gaps(anyone, math.ceil(TURN_SPLIT_S / block_s - 1e-9))
    out = []
    for a, b in runs(joined):
        if (b - a) * block_s < TURN_MIN_S - 1e-9:
            continue
        loud = gated(energy[a:b])
        if not math.isfinite(loud):
            continue
        out.append(Turn(a, b, loud, int(np.argmax(stack[:, a:b].sum(axis=1)))))
    return out


def balance(energy: np.ndarray, own: Sequence[np.ndarray], block_s: float) -> Balance:
    """The one balance figure: `energy` is the K-weighted mean square of every block of
    the file (or mix) judged, `own` each track's own-speech map on the same blocks."""
    found = turns(energy, own, block_s)
    if not found:
        return Balance(0.0, 0.0, 0, tuple(None for _ in own))
    loud = np.array([t.lufs for t in found])
    weight = np.array([t.end - t.start for t in found], float)
    spread = weighted_percentile(loud, weight, 90) - weighted_percentile(loud, weight, 10)
    speakers: list[float | None] = []
    for k in range(len(own)):
        mine = [t for t in found if t.speaker == k]
        speakers.append(gated(np.concatenate([energy[t.start:t.end] for t in mine])) if mine else None)
    known = [x for x in speakers if x is not None and math.isfinite(x)]
    gap = max(known) - min(known) if len(known) > 1 else 0.0
    return Balance(float(spread), float(gap), len(found), tuple(speakers))


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-th percentile of values each counted `weight` times (the lower of two
    neighbours where it falls between, as a listener's share of the time)."""
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return float(v[min(int(np.searchsorted(cum, q / 100 - 1e-12)), len(v) - 1)])


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) indices of each run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def close_gaps(active: np.ndarray, shorter_than: int) -> np.ndarray:
    """Silences of fewer than `shorter_than` blocks between speech become speech (the
    one gap rule: the leveler's min_pause_s, the balance figure's turns)."""
    out = active.copy()
    idx = np.flatnonzero(active)
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= shorter_than:
            out[a:b] = True
    return out


def episode_map(own: np.ndarray, offset_ms: int, cut_spans: Sequence[tuple[int, int]], blocks: int,
                block_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """A recording's map (blocks of recording time) on the finished file's blocks: each
    block of the file looks up the recording block it came from, past the intro
    (`offset_ms`) and every cut ([start, end) ms of the uncut episode, sorted). Also
    which blocks of the file are recording at all (not the intro or outro music)."""
    centres = (np.arange(blocks) + 0.5) * block_ms
    source = _unmoved(centres, cut_spans) - offset_ms
    index = np.floor(source / block_ms).astype(np.int64)
    inside = (index >= 0) & (index < len(own))
    mapped = np.zeros(blocks, bool)
    mapped[inside] = own[index[inside]]
    return mapped, inside


def _unmoved(times_ms: np.ndarray, cut_spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """The inverse of cuts.moved: where each instant of the cut episode was before the cuts."""
    out = np.asarray(times_ms, dtype=np.float64).copy()
    removed = 0
    for start, end in sorted(cut_spans):
        moved_start = start - removed  # where the cut's join lands in the cut episode
        out = np.where(times_ms >= moved_start, out + (end - start), out)
        removed += end - start
    return out


@dataclass(frozen=True)
class Heard:
    """A file's speech as the checks report it: the balance, the speech loudness
    and the noise floor (the level of what is neither speech nor music), in the
    analysis domain (K-weighted, 16 kHz mono)."""

    balance: Balance
    speech_lufs: float
    noise_floor: float


def heard(energy: np.ndarray, own: Sequence[np.ndarray], block_s: float,
          inside: np.ndarray | None = None, voiced: np.ndarray | None = None) -> Heard:
    """A file's figures from its blocks' energy and a speech map on the same blocks;
    `inside` the blocks that are recording (not the intro or outro music); the noise
    floor is the median of the blocks where no detector heard a voice (`voiced`:
    any voice at all, own or bleed, where the map of own speech is not enough)."""
    anyone = np.stack([m[:len(energy)] for m in own]).any(axis=0) if own else np.zeros(len(energy), bool)
    quiet = ~(anyone if voiced is None else voiced[:len(energy)] | anyone)
    rest = quiet if inside is None else inside[:len(energy)] & quiet
    speech_lufs = float(lufs(energy[anyone].mean())) if anyone.any() else float("nan")
    floor = float(np.median(lufs(np.maximum(energy[rest], 1e-12)))) if rest.any() else -120.0
    return Heard(balance(energy, own, block_s), speech_lufs, floor)
