"""The speech map's old detector (webrtcvad, aggressiveness 2) against its new one
(Silero VAD, io/voice), each with the leveler's own rule (a block is speech when
30 % of it is voiced and it stands 12 dB over the track's floor), on real voices
with the noises the cleanup tests use between and under them.

    .venv/bin/pip install webrtcvad-wheels   # the old detector, for this comparison only
    VOICES=../shared/real-speech .venv/bin/python scripts/compare_speech_maps.py

Each real clip is put between 4 s of room noise on either side (pink noise at
-50 dBFS, mains hum at -40 dBFS, or both, as in tests/e2e/test_cleanup.py), and the
same noise runs under the clip. Truth: a block of the clip is speech where the
clean clip itself is within 35 dB of its loudest 100 ms (AMI's far voices
included); the added noise-only seconds are not speech. Printed: the share of
speech blocks each map finds, the share of noise-only blocks each calls speech,
and each detector's CPU seconds per hour of audio.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from producer.core.audio import leveler, speech  # noqa: E402
from producer.io.voice import VoiceDetector  # noqa: E402

RATE = 16000
BLOCK = 1600
K = "highshelf=f=1681.97:g=4:t=q:w=0.7071,highpass=f=38.13:t=q:w=0.5"  # BS.1770's K-weighting, as the analysis


def decode(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE), "-f", "f32le",
                          "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).copy()


def weighted(x: np.ndarray) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
                          "-af", K, "-f", "f32le", "pipe:1"], input=x.tobytes(), capture_output=True,
                         check=True).stdout
    return np.frombuffer(raw, np.float32).copy()


def room(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.zeros(n, np.float32)
    if "noise" in kind:
        white = rng.normal(0, 1, n)
        pink = np.cumsum(white) * 0.02
        pink = np.diff(np.concatenate([[0], pink])) + np.convolve(white, np.ones(8) / 8, "same")
        out += (pink / np.sqrt(np.mean(pink ** 2)) * 10 ** (-50 / 20)).astype(np.float32)
    if "hum" in kind:
        t = np.arange(n) / RATE
        out += (np.sqrt(2) * 10 ** (-40 / 20) * np.sin(2 * np.pi * 50 * t)).astype(np.float32)
    return out


def webrtc_shares(x: np.ndarray) -> tuple[np.ndarray, float]:
    import webrtcvad

    vad = webrtcvad.Vad(2)
    start = time.process_time()
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
    frames = pcm[: len(pcm) // 320 * 320].reshape(-1, 320)
    flags = np.array([vad.is_speech(f.tobytes(), RATE) for f in frames], float)
    blocks = len(flags) // 5
    return flags[: blocks * 5].reshape(-1, 5).mean(axis=1), time.process_time() - start


def silero_shares(x: np.ndarray) -> tuple[np.ndarray, float]:
    start = time.process_time()
    d = VoiceDetector()
    for k in range(0, len(x), RATE):
        d.add(x[k:k + RATE])
    shares = speech.block_shares(speech.speech_windows(d.finish()), BLOCK, len(x) // BLOCK)
    return shares, time.process_time() - start


def main() -> None:
    voices = Path(os.environ.get("VOICES", "../shared/real-speech"))
    clips = sorted(voices.glob("*.wav")) + sorted((voices / "words").glob("*.wav"))[:6]
    s = leveler.LevelerSettings()
    totals: dict[str, list[float]] = {f"{d}{rule}": [0, 0, 0, 0, 0.0] for d in ("webrtcvad", "silero")
                                      for rule in ("", " + floor rule")}
    seconds = 0.0
    print(f"{'clip':32} {'room':10} {'speech found (webrtcvad / silero)':>36} {'noise called speech':>24}")
    for i, clip in enumerate(clips):
        for kind in ("noise", "hum", "noise+hum"):
            clean = decode(clip)
            pad = np.zeros(4 * RATE, np.float32)
            x = np.concatenate([pad, clean, pad])
            x = x + room(kind, len(x), i)
            n = len(x) // BLOCK
            e_clean = np.square(np.concatenate([pad, clean, pad])[: n * BLOCK].reshape(n, BLOCK)).mean(axis=1)
            level = 10 * np.log10(e_clean + 1e-20)
            truth = level >= level.max() - 35
            noise_only = np.zeros(n, bool)
            noise_only[: len(pad) // BLOCK] = True
            noise_only[(len(pad) + len(clean)) // BLOCK + 1:] = True
            w = weighted(x)
            energy = np.square(w[: n * BLOCK].reshape(n, BLOCK).astype(np.float64)).mean(axis=1)
            row = []
            for name, shares_of in (("webrtcvad", webrtc_shares), ("silero", silero_shares)):
                shares, cpu = shares_of(w)
                shares = np.pad(shares, (0, max(0, n - len(shares))))[:n]
                ruled = leveler.speech_candidates(leveler.TrackFeatures(energy, shares), s)
                for key, found in ((name, shares >= s.voiced_share), (f"{name} + floor rule", ruled)):
                    t = totals[key]
                    t[0] += int((found & truth).sum())
                    t[1] += int(truth.sum())
                    t[2] += int((found & noise_only).sum())
                    t[3] += int(noise_only.sum())
                    t[4] += cpu
                row.append((ruled[truth].mean(), ruled[noise_only].mean()))
            seconds += len(x) / RATE
            print(f"{clip.name[:32]:32} {kind:10} {row[0][0]:>17.0%} / {row[1][0]:<17.0%} "
                  f"{row[0][1]:>11.0%} / {row[1][1]:<10.0%}")
    for name, t in totals.items():
        print(f"{name}: speech found {t[0] / t[1]:.1%}, noise called speech {t[2] / t[3]:.1%}, "
              f"{t[4] / seconds * 3600:.1f} s of CPU an hour")


if __name__ == "__main__":
    main()
