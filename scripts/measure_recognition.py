"""Measure the packaged recogniser for the README's table: word error rate on
speech whose words are known (espeak-ng reading the tests' script, two voices),
and the realtime factor (seconds of one core a second of audio, model loaded:
the Engine's process's CPU, read from /proc, as the model runs there)
on that and on real meeting speech (../shared/real-speech, whose words we do not
have, so no error rate there).

    .venv/bin/python scripts/measure_recognition.py ../shared/real-speech
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from producer.io import ffmpeg, recogniser  # noqa: E402
from tests import factory  # noqa: E402




def decoded(path: Path) -> np.ndarray:
    return np.concatenate([c[:, 0] for c in ffmpeg.decode(path, recogniser.RATE, 1)])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(engine: recogniser.Engine, audio: np.ndarray) -> tuple[list[str], float]:
    heard: list[str] = []
    started = cpu_seconds(engine.pid)
    for at in range(0, len(audio), 28 * recogniser.RATE):  # the windows the build hands it
        heard += [w.text for w in engine.words(audio[at: at + 28 * recogniser.RATE], 0)]
    return heard, (cpu_seconds(engine.pid) - started) / (len(audio) / recogniser.RATE)


def main(real: Path) -> None:
    folder = recogniser.model_folder(None)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    started = time.monotonic()
    engine = recogniser.Engine(folder, "en", Path("show.toml"))
    load = time.monotonic() - started
    conv, voices = factory.conversation(recogniser.RATE, gap=0.8, long_pause=1.5)
    heard, rtf = timed(engine, voices["host"] * 0.5 + voices["guest"] * 0.5)
    script = factory.words_of(" ".join(a for pair in zip(factory.HOST_LINES, factory.GUEST_LINES) for a in pair))
    print(f"model {folder} ({size:.0f} MB), loaded in {load:.1f} s")
    print(f"| espeak-ng, two voices, {conv.seconds:.0f} s | {factory.wer(script, factory.words_of(' '.join(heard))):.1%} | {rtf:.3f} |")
    for path in sorted(real.glob("*.wav")):
        _, rtf = timed(engine, decoded(path))
        print(f"| {path.name} (real, words unknown) | – | {rtf:.3f} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/real-speech"))
