"""Level: measure every recording track on its own (loudness per 100 ms, voice
activity per 20 ms), plan the gains (core.leveler), and mix the tracks with
those gains as a stream for the assembly. Music (intro, outro) is never leveled:
the leveled programme goes into the same ffmpeg crossfade graph as before.

The analysis decodes each track at 16 kHz mono (what the voice detector takes);
the mix decodes each track at the episode's rate and channels. Neither holds
more than a few seconds of audio.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Iterator, Sequence

import numpy as np
import webrtcvad

from ..core import leveler
from ..core.models import AudioInfo
from ..core.plan import Assembly, conform_filter
from ..io import ffmpeg
from ..io.progress import Progress

VAD_RATE = 16000
VAD_FRAME = 320  # 20 ms at 16 kHz
VAD_AGGRESSIVENESS = 2  # webrtcvad's 0 (lenient) to 3 (strict)
BLOCK = int(leveler.BLOCK_S * VAD_RATE)
# BS.1770's K-weighting as ffmpeg's biquads (RBJ's cookbook, as pyloudnorm builds it):
# 2.3 s of Python filtering an hour saved; the detector hears the same speech
K_WEIGHTING = ("highshelf=f=1500:gain=4:width_type=q:width=0.7071,"
               "highpass=f=38:poles=2:width_type=q:width=0.5")


@dataclass(frozen=True)
class Leveling:
    mode: str
    plans: list[leveler.TrackPlan]

    def report(self, tracks: Sequence[AudioInfo]) -> dict[str, object]:
        return {"mode": self.mode,
                "tracks": [{"file": t.path.name, **p.summary()} for t, p in zip(tracks, self.plans)]}


def track_features(track: AudioInfo) -> leveler.TrackFeatures:
    """One streaming pass over a track: K-weighted energy and voiced share per block
    (the voice detector hears the K-weighted signal: a +4 dB shelf does not change
    what is speech)."""
    args = ["-i", str(track.path), "-vn", "-map", "0:a:0",
            "-af", f"{conform_filter(track.channels, 1, VAD_RATE)},{K_WEIGHTING}", "-f", "f32le", "pipe:1"]
    source = ffmpeg.PcmSource(args, 1, VAD_RATE, track.path)
    vad = webrtcvad.Vad(VAD_AGGRESSIVENESS)
    energies: list[np.ndarray] = []
    voiced: list[np.ndarray] = []
    rest = np.zeros(0, np.float32)
    for chunk in source:
        data = np.concatenate([rest, chunk[:, 0]])
        whole = len(data) // BLOCK * BLOCK
        blocks, rest = data[:whole], data[whole:]
        if not whole:  # a chunk shorter than a block: wait for the next
            continue
        energies.append(np.square(blocks, dtype=np.float64).reshape(-1, BLOCK).mean(axis=1))
        voiced.append(_voiced_share(vad, blocks))
    if len(rest):  # the last partial block, padded with silence
        padded = np.concatenate([rest, np.zeros(BLOCK - len(rest), np.float32)])
        energies.append(np.array([np.square(padded, dtype=np.float64).mean()]))
        voiced.append(_voiced_share(vad, padded))
    return leveler.TrackFeatures(np.concatenate(energies) if energies else np.zeros(0),
                                 np.concatenate(voiced) if voiced else np.zeros(0))


def speech_spread(path: Path, settings: leveler.LevelerSettings) -> float:
    """The speech-balance figure of any file (core.leveler.spread)."""
    f = track_features(ffmpeg.probe(path))
    return leveler.spread(f.energy, f.voiced, settings)


def _voiced_share(vad: webrtcvad.Vad, blocks: np.ndarray) -> np.ndarray:
    pcm = (np.clip(blocks, -1, 1) * 32767).astype("<i2")
    frames = pcm.reshape(-1, VAD_FRAME)
    flags = np.array([vad.is_speech(f.tobytes(), VAD_RATE) for f in frames], float)
    return flags.reshape(-1, BLOCK // VAD_FRAME).mean(axis=1)


def plan(assembly: Assembly, mode: str, settings: leveler.LevelerSettings, progress: Progress) -> Leveling:
    stage = progress.stage("level", assembly.programme_seconds * len(assembly.recordings))
    features = []
    for i, track in enumerate(assembly.recordings):
        features.append(track_features(track))
        stage.update(assembly.programme_seconds * (i + 1))
    blocks = max(len(f.energy) for f in features)
    features = [leveler.TrackFeatures(np.pad(f.energy, (0, blocks - len(f.energy))),
                                      np.pad(f.voiced, (0, blocks - len(f.voiced)))) for f in features]
    plans = leveler.plan_tracks(features, mode, settings)
    summary = ", ".join(f"{t.path.name} {p.balance_db:+.1f} dB" for t, p in zip(assembly.recordings, plans))
    stage.done(f"{mode}: {summary}")
    return Leveling(mode, plans)


def mixed(assembly: Assembly, leveling: Leveling) -> Iterator[np.ndarray]:
    """The recordings, each through its gain curve, summed; as long as the longest."""
    rate = assembly.sample_rate
    sources = [iter(ffmpeg.PcmSource(
        ["-i", str(t.path), "-vn", "-map", "0:a:0", "-af", conform_filter(t.channels, assembly.channels, rate),
         "-f", "f32le", "pipe:1"], assembly.channels, rate, t.path)) for t in assembly.recordings]
    position = 0
    for chunks in itertools.zip_longest(*sources):
        present = [(c, p) for c, p in zip(chunks, leveling.plans) if c is not None]
        frames = max(len(c) for c, _ in present)
        out = np.zeros((frames, assembly.channels), np.float32)
        for chunk, p in present:
            out[:len(chunk)] += chunk * leveler.gains_at(p.gains_db, position, len(chunk), rate)[:, None]
        position += frames
        yield out


def feed(chunks: Callable[[], Iterator[np.ndarray]]) -> Callable[[IO[bytes]], None]:
    """A stdin feed for the assembly's ffmpeg: the leveled programme as f32 PCM."""

    def write(pipe: IO[bytes]) -> None:
        try:
            for chunk in chunks():
                pipe.write(np.ascontiguousarray(chunk, np.float32).tobytes())
        except (BrokenPipeError, ValueError):
            pass  # the assembly stopped early; it reports why (a decode error propagates)
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    return write
