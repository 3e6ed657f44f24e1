"""ITU-R BS.1770-4 loudness and true peak, measured on a stream of chunks.

pyloudnorm is the reference: we build the K-weighting with its public IIRfilter
from BS.1770's own parameters (as its Meter does) and follow its gating exactly, but keep only one energy per 100 ms per channel instead of the
whole signal, so a 2-hour episode costs a few hundred kilobytes, not gigabytes.
True peak is measured 4× oversampled (BS.1770-4 Annex 2), as pyloudnorm has none.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Iterable

import numpy as np
from .lazy import pyloudnorm, signal

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
OVERSAMPLE = 4
TAPS_PER_PHASE = 12
SILENCE_DB = -120.0
GROUPS_AT_ONCE = 4096  # interpolated_peaks' block: 2 MB of float64 windows at 32 taps


@dataclass(frozen=True)
class Curve:
    """Loudness over time, for the report page: momentary (400 ms) and short-term (3 s)
    loudness every 100 ms, and the sample peak of each stretch the meter was fed."""

    step_s: float
    momentary: np.ndarray  # LUFS, one every step_s (SILENCE_DB where silent)
    short_term: np.ndarray
    peak_times: np.ndarray  # seconds: where each stretch starts
    peaks: np.ndarray  # dBFS


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS; -inf when nothing is above the absolute gate
    true_peak: float  # dBTP
    sample_peak: float  # dBFS
    lra: float  # LU
    duration: float  # seconds
    curve: Curve | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, float | None]:
        figures = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "curve"}
        return {k: (round(v, 3) if math.isfinite(v) else None) for k, v in figures.items()}


def db(linear: float) -> float:
    return 20 * math.log10(linear) if linear > 0 else SILENCE_DB


# BS.1770-4's K-weighting, the one definition: (gain dB, Q, corner Hz, kind) of a
# +4 dB high shelf at 1500 Hz, then a high pass at 38 Hz
K_STAGES = ((4.0, 1 / math.sqrt(2), 1500.0, "high_shelf"), (0.0, 0.5, 38.0, "high_pass"))
_FFMPEG_BIQUAD = {"high_shelf": "highshelf=f={fc:g}:gain={g:g}:width_type=q:width={q:.4f}",
                  "high_pass": "highpass=f={fc:g}:poles=2:width_type=q:width={q:.4f}"}


def k_weighting_filters() -> str:
    """The same K-weighting as ffmpeg biquads (RBJ's cookbook, as pyloudnorm builds
    its filters), for passes that filter inside ffmpeg."""
    return ",".join(_FFMPEG_BIQUAD[kind].format(fc=fc, g=g, q=q) for g, q, fc, kind in K_STAGES)


@lru_cache(maxsize=8)
def k_weighting(rate: int) -> np.ndarray:
    """The K-weighting as one second-order-sections array, made by pyloudnorm's
    public IIRfilter (the tests hold the result to pyloudnorm's Meter)."""
    sections = []
    gain = 1.0
    for g, q, fc, kind in K_STAGES:
        stage = pyloudnorm.IIRfilter(g, q, fc, rate, kind)
        b, a = np.asarray(stage.b, float), np.asarray(stage.a, float)
        sections.append(np.concatenate([b / a[0], a / a[0]]))
        gain *= stage.passband_gain
    sos = np.array(sections)
    sos[0, :3] *= gain
    return sos


@lru_cache(maxsize=4)
def peak_bound(factor: int = OVERSAMPLE, taps: int = TAPS_PER_PHASE) -> float:
    """How far any interpolated value can exceed the largest sample it is made from."""
    h = interpolator(factor, taps)
    return float(max(np.abs(h[p::factor]).sum() for p in range(factor)))


@lru_cache(maxsize=4)
def interpolator(factor: int = OVERSAMPLE, taps: int = TAPS_PER_PHASE) -> np.ndarray:
    """Low-pass FIR for oversampling, `taps` per phase; gain `factor` so each phase has
    unity DC gain."""
    n = factor * taps
    m = np.arange(n) - (n - 1) / 2
    h = np.sinc(m / factor) * np.kaiser(n, 6.0)  # scipy's firwin(n, 1/factor, window=("kaiser", 6.0)),
    return h / h.sum() * factor  # without its import (tests hold the two equal)


def oversampled(x: np.ndarray) -> np.ndarray:
    """|x| oversampled, per channel, shape (channels, frames*4 + taps-1). The reference
    the candidate-only computation below is tested against."""
    h = interpolator()
    return np.abs(np.stack([signal.upfirdn(h, x[:, c], up=OVERSAMPLE) for c in range(x.shape[1])]))


def frame_peaks(x: np.ndarray) -> np.ndarray:
    """|x| of the loudest channel, per frame (max over a short axis is slow in numpy)."""
    out = np.abs(x[:, 0])
    for c in range(1, x.shape[1]):
        out = np.maximum(out, np.abs(x[:, c]))
    return out


def interpolated_peaks(x: np.ndarray, ms: np.ndarray, factor: int = OVERSAMPLE,
                       taps: int = TAPS_PER_PHASE) -> np.ndarray:
    """max |y[4m+p]| over the 4 phases and all channels, for each m in `ms` (each ≥ 11):
    exactly what upfirdn(interpolator(), x, up=4) gives there, computed only where asked.
    Output group m lies between samples m-6 and m-5 (m - taps/2 and m - taps/2 + 1 for
    other sizes)."""
    if not len(ms):
        return np.zeros(0)
    # Each group's `taps` samples, oldest first, as a view (no copy until indexed), times
    # the phases reversed in one matrix product: 3-5x numpy's einsum on a loud
    # programme's tens of thousands of groups a second, in float64 as before. A block
    # of groups at a time: a loud second holds 90,000 fine groups, whose windows in
    # float64 at once were 45 MB of the build's peak memory.
    windows = np.lib.stride_tricks.sliding_window_view(x, taps, axis=0)  # (frames-taps+1, channel, i)
    phases = _reversed_phases(factor, taps)
    out = np.empty(len(ms))
    for a in range(0, len(ms), GROUPS_AT_ONCE):
        block = windows[ms[a: a + GROUPS_AT_ONCE] - taps + 1].astype(np.float64)
        out[a: a + GROUPS_AT_ONCE] = np.abs(np.matmul(block, phases)).max(axis=(1, 2))
    return out


@lru_cache(maxsize=4)
def _reversed_phases(factor: int, taps: int) -> np.ndarray:
    """phases[i, p] = h[factor*(taps-1-i) + p]: the weight of the i-th oldest sample of a group."""
    return np.ascontiguousarray(interpolator(factor, taps).reshape(taps, factor)[::-1])


def candidates(x: np.ndarray, threshold: float, peaks: np.ndarray | None = None,
               factor: int = OVERSAMPLE, taps: int = TAPS_PER_PHASE) -> np.ndarray:
    """The output groups whose interpolated values could exceed `threshold`: the 12
    groups (`taps`) made from each sample louder than threshold / peak_bound()."""
    peaks = frame_peaks(x) if peaks is None else peaks
    loud = np.nonzero(peaks > threshold / peak_bound(factor, taps))[0]
    reach = np.zeros(len(peaks) + taps, bool)
    for k in range(taps):
        reach[loud + k] = True
    ms = np.nonzero(reach[:len(peaks)])[0]
    return ms[ms >= taps - 1]


class TruePeak:
    """Running true peak: chunks are joined with the previous chunk's tail so no
    interpolated value at a chunk boundary is lost or invented. Only the places
    whose samples could make a value above the peak so far are interpolated."""

    def __init__(self, channels: int) -> None:
        self.tail = np.zeros((TAPS_PER_PHASE, channels), np.float32)
        self.peak = 0.0
        self.sample_peak = 0.0
        self.last_peak = 0.0  # the sample peak of the last chunk added

    def add(self, chunk: np.ndarray) -> None:
        if not len(chunk):
            return
        joined = np.concatenate([self.tail, chunk.astype(np.float32, copy=False)])
        peaks = frame_peaks(joined)
        self.last_peak = float(peaks[len(self.tail):].max())
        self.sample_peak = max(self.sample_peak, self.last_peak)
        values = interpolated_peaks(joined, candidates(joined, max(self.peak, self.sample_peak), peaks))
        if values.size:
            self.peak = max(self.peak, float(values.max()))
        self.tail = joined[-TAPS_PER_PHASE:]

    def finish(self) -> float:
        self.add(np.zeros((TAPS_PER_PHASE, self.tail.shape[1]), np.float32))
        return max(self.peak, self.sample_peak)


def sub_block_frames(rate: int) -> int:
    """The meter's 100 ms sub-block in frames: BS.1770's 400 ms blocks overlap by 75 %."""
    return int(round(0.1 * rate))


class Meter:
    """Streaming BS.1770-4 meter: feed chunks of shape (frames, channels), then result()."""

    def __init__(self, rate: int, channels: int, true_peak: bool = True, downmix: bool = False) -> None:
        """`downmix`: also keep every 100 ms's mean square of the channels' mean (the
        speech figures' energy: what the analysis hears of a track, core.audio.speech)."""
        self.rate = rate
        self.channels = channels
        self.zi: np.ndarray | None = None  # sosfilt's state, from the first raw chunk on (add)
        self.step = sub_block_frames(rate)
        self.partial = np.zeros((0, channels))
        self.energies: list[np.ndarray] = []  # per chunk: (blocks, channels) sums of squares per 100 ms
        self.frames = 0
        self.peak = TruePeak(channels) if true_peak else None
        self.sample_peak = 0.0
        self.stretch_peaks: list[tuple[int, float]] = []  # (first frame, sample peak) of each chunk
        self.downmix: list[np.ndarray] | None = [] if downmix else None  # per chunk: (blocks,)

    def add(self, chunk: np.ndarray) -> None:
        """Samples as they are: K-weighted here (scipy's sosfilt)."""
        if chunk.ndim == 1:
            chunk = chunk[:, None]
        sos = k_weighting(self.rate)  # only a meter fed raw samples loads pyloudnorm and scipy
        zi = self.zi if self.zi is not None else np.zeros((sos.shape[0], 2, self.channels))
        weighted, self.zi = signal.sosfilt(sos, chunk.astype(np.float64), axis=0, zi=zi)
        self.add_weighted(chunk, weighted)

    def add_weighted(self, chunk: np.ndarray, weighted: np.ndarray) -> None:
        """Samples with their K-weighted copy, weighted by ffmpeg as it decoded them
        (k_weighting_filters): a build's meters never load scipy, whose import alone
        is 76 MB of the process."""
        start = self.frames
        self.frames += len(chunk)
        if self.peak is not None:
            self.peak.add(chunk)
            if len(chunk):
                self.stretch_peaks.append((start, self.peak.last_peak))
        elif len(chunk):
            here = float(np.abs(chunk).max())
            self.sample_peak = max(self.sample_peak, here)
            self.stretch_peaks.append((start, here))
        data = np.concatenate([self.partial, weighted]) if len(self.partial) else weighted
        whole = len(data) // self.step * self.step
        if whole:
            blocks = data[:whole].reshape(-1, self.step, self.channels)
            sums = _channel_sums(blocks)
            self.energies.append(sums)
            if self.downmix is not None:
                self.downmix.append(_downmix_sums(blocks, sums))
        self.partial = data[whole:]

    def result(self) -> Loudness:
        subs = (np.concatenate(self.energies) if self.energies else np.zeros((0, self.channels)))
        integrated = _gated_loudness(_block_energies(subs, 4, self.step), ABSOLUTE_GATE, RELATIVE_GATE)
        true_peak = db(self.peak.finish()) if self.peak else float("nan")
        sample_peak = self.peak.sample_peak if self.peak else self.sample_peak
        return Loudness(integrated=integrated, true_peak=true_peak, sample_peak=db(sample_peak),
                        lra=_loudness_range(subs, self.step),
                        duration=self.frames / self.rate, curve=self._curve(subs))

    def mean_squares(self) -> np.ndarray:
        """(sub-blocks,) each 100 ms's mean square, the channels summed with BS.1770's
        weights: what core.audio.programme adds up across an episode's layers."""
        subs = np.concatenate(self.energies) if self.energies else np.zeros((0, self.channels))
        return subs @ _channel_weights(self.channels) / self.step

    def downmix_mean_squares(self) -> np.ndarray:
        """(sub-blocks,) each 100 ms's mean square of the K-weighted channels' mean; the
        last part block padded with silence."""
        assert self.downmix is not None, "a Meter(downmix=True) keeps these"
        last = [_downmix_sums(self.partial[None], _channel_sums(self.partial[None]))] if len(self.partial) else []
        sums = np.concatenate([*self.downmix, *last]) if self.downmix or last else np.zeros(0)
        return sums / self.step

    def _curve(self, subs: np.ndarray) -> Curve:
        at = np.array([s for s, _ in self.stretch_peaks], float) / self.rate
        peaks = np.array([db(p) for _, p in self.stretch_peaks])
        return Curve(self.step / self.rate, _every_step(subs, 4, self.step), _every_step(subs, 30, self.step), at, peaks)


def _channel_sums(blocks: np.ndarray) -> np.ndarray:
    """(blocks, frames, channels) → (blocks, channels) sums of squares: one einsum a
    channel (3.5x one over all channels, whose inner axis is two long; the same sums)."""
    return np.stack([np.einsum("bs,bs->b", blocks[:, :, c], blocks[:, :, c]) for c in range(blocks.shape[2])],
                    axis=1)


def _downmix_sums(blocks: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Each block's sum of squares of its channels' mean, from the channels' own sums
    and, for two, their cross term: (L² + R² + 2LR) / 4 (the mean taken sample by
    sample cost 3 s of CPU an hour, the cross term 0.15)."""
    if blocks.shape[2] == 1:
        return sums[:, 0]
    if blocks.shape[2] == 2:
        return (sums[:, 0] + sums[:, 1] + 2 * np.einsum("bs,bs->b", blocks[:, :, 0], blocks[:, :, 1])) / 4
    mono = blocks.mean(axis=2)
    return np.einsum("bs,bs->b", mono, mono)


def _every_step(subs: np.ndarray, n: int, step: int) -> np.ndarray:
    """The loudness of a window of n sub-blocks ending at each sub-block; the first
    windows reach back before the start into silence, as a live meter's (and ebur128's) do."""
    padded = np.concatenate([np.zeros((n - 1, subs.shape[1])), subs]) if len(subs) else subs
    return np.maximum(_block_loudness(_block_energies(padded, n, step)), SILENCE_DB)


def of_mean_squares(mean_squares: np.ndarray, duration: float, sample_peak: float = float("nan")) -> Loudness:
    """Integrated loudness, loudness range and the curve (without its peaks) from every
    100 ms's weighted mean square, as the meter would give them for the same signal."""
    subs = mean_squares[:, None]
    none = np.zeros(0)
    return Loudness(integrated=gated(mean_squares), true_peak=float("nan"), sample_peak=sample_peak,
                    lra=_loudness_range(subs, 1), duration=duration,
                    curve=Curve(0.1, _every_step(subs, 4, 1), _every_step(subs, 30, 1), none, none))


def gated(mean_squares: np.ndarray) -> float:
    """Integrated loudness from every 100 ms's weighted mean square (Meter.mean_squares):
    the meter's own 400 ms blocks and gates."""
    return _gated_loudness(_block_energies(mean_squares[:, None], 4, 1), ABSOLUTE_GATE, RELATIVE_GATE)


def _channel_weights(channels: int) -> np.ndarray:
    return np.array([1.0, 1.0, 1.0, 1.41, 1.41][:channels])


def _block_energies(subs: np.ndarray, n: int, step: int) -> np.ndarray:
    """Mean square per channel of every block of `n` consecutive 100 ms sub-blocks."""
    if len(subs) < n:
        return np.zeros((0, subs.shape[1] if subs.ndim == 2 else 1))
    csum = np.concatenate([np.zeros((1, subs.shape[1])), np.cumsum(subs, axis=0)])
    return (csum[n:] - csum[:-n]) / (n * step)


def lufs(energy: np.ndarray | float) -> np.ndarray | float:
    """BS.1770's loudness of a K-weighted mean square (channels already weighted and
    summed): the one energy → LUFS formula (the meter, the leveler, the speech map)."""
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(energy)


def energy(lufs_value: float) -> float:
    """The mean square whose loudness is `lufs_value`: lufs() backwards."""
    return float(10 ** ((lufs_value + 0.691) / 10))


def energy_mean_lufs(energy: np.ndarray) -> float:
    """The loudness of blocks' mean energy (ungated: the caller chose the blocks)."""
    return float(lufs(np.mean(energy))) if len(energy) else float("nan")


def _block_loudness(z: np.ndarray) -> np.ndarray:
    return lufs(z @ _channel_weights(z.shape[1]))


def _gated_loudness(z: np.ndarray, absolute: float, relative: float) -> float:
    if not len(z):
        return float("-inf")
    loud = _block_loudness(z)
    above = z[loud >= absolute]
    if not len(above):
        return float("-inf")
    gate = _block_loudness(above.mean(axis=0, keepdims=True))[0] + relative
    kept = z[(loud > gate) & (loud >= absolute)]
    if not len(kept):
        return float("-inf")
    return float(_block_loudness(kept.mean(axis=0, keepdims=True))[0])


def _loudness_range(subs: np.ndarray, step: int) -> float:
    """EBU Tech 3342: 3 s short-term blocks, -70 LUFS absolute and -20 LU relative gate,
    the spread between the 10th and 95th percentile."""
    z = _block_energies(subs, 30, step)
    if not len(z):
        return 0.0
    loud = _block_loudness(z)
    loud = loud[loud >= ABSOLUTE_GATE]
    if not len(loud):
        return 0.0
    power = np.mean(10 ** (loud / 10))
    kept = loud[loud >= 10 * np.log10(power) - 20]
    if not len(kept):
        return 0.0
    return float(np.percentile(kept, 95) - np.percentile(kept, 10))


def measure_chunks(chunks: Iterable[np.ndarray], rate: int, channels: int, true_peak: bool = True) -> Loudness:
    meter = Meter(rate, channels, true_peak)
    for chunk in chunks:
        meter.add(chunk)
    return meter.result()
