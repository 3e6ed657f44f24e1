"""By hand: leveling measured by ffmpeg's ebur128 on real voices: two 30-s
excerpts of the AMI meeting corpus (CC BY 4.0), ami-dev01.wav and
ami-trn03.wav, in the folder VOICES names (they are not in this repository;
the team keeps them beside it, in ../shared/real-speech, the default), or
with SOURCE=espeak on the tests' espeak-ng conversation. Not a test.

    VOICES=DIR .venv/bin/python scripts/level_real_speech.py two-adaptive two-tracks two-off one-adaptive one-off

Cases: two-* (host and guest tracks at -18 / -30 LUFS, own noise, bleed) and
one-* (one recording, voices at -20 / -30 LUFS); the suffix is the leveler.
Prints, per case, host − guest turn loudness in and out, pause level against
the host's speech in and out, and the whole file by ebur128.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import factory
from tests.e2e.test_level import pauses, show_with, turns

RATE = 44100
SHARED = Path(os.environ.get("VOICES", ROOT.parent / "shared" / "real-speech"))
WORK = Path(tempfile.gettempdir()) / "producer-level"

def load(name):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(SHARED / name), "-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32).copy()

ESPEAK = os.environ.get("SOURCE") == "espeak"
a, b = (None, None) if ESPEAK else (load("ami-dev01.wav"), load("ami-trn03.wav"))
# alternate 6-s turns: host from dev01, guest from trn03; a 4-s pause after a guest turn and after a host turn
plan = [("host", a, 0), ("guest", b, 0), ("host", a, 6), ("guest", b, 6), ("pause", None, 0), ("host", a, 12),
        ("pause", None, 0), ("guest", b, 12), ("host", a, 18), ("guest", b, 18)]
t = 0.5; turns_, pauses_, placed = [], [], []
for who, src, off in plan:
    if src is None:
        pauses_.append((t, t + 4, turns_[-1][2])); t += 4; continue
    seg = src[int(off * RATE): int((off + 6) * RATE)] if src is not None else np.zeros(6 * RATE, np.float32)
    turns_.append((t, t + 6, who)); placed.append((who, int(t * RATE), seg)); t += 6 + 0.6
total = t + 0.5
conv = factory.Conversation(total, turns_, pauses_)
voices = {k: np.zeros(int(total * RATE), np.float32) for k in ("host", "guest")}
for who, start, seg in placed:
    voices[who][start:start + len(seg)] += seg
if ESPEAK:
    conv, voices = factory.conversation(RATE)
out = {}
for case in sys.argv[1:]:
    work = WORK / f"{os.environ.get('SOURCE', 'real')}-{case}"; subprocess.run(["rm", "-rf", str(work)])
    if case.startswith("two"):
        host = factory.at_lufs(voices["host"], RATE, -18); guest = factory.at_lufs(voices["guest"], RATE, -30)
        n = len(host)
        tracks = {"host": host + 10 ** (-30 / 20) * guest + factory.noise(n / RATE, RATE, -62, 1),
                  "guest": guest + 10 ** (-24 / 20) * host + factory.noise(n / RATE, RATE, -54, 2)}
        plain_audio = tracks["host"] + tracks["guest"]
    else:
        one = factory.at_lufs(voices["host"], RATE, -20) + factory.at_lufs(voices["guest"], RATE, -30) \
            + factory.noise(len(voices["host"]) / RATE, RATE, -60, 3)
        tracks = {"room": one}; plain_audio = one
    mode = case.split("-")[1]
    ep = show_with(work, tracks, mode)
    r = subprocess.run([sys.executable, "-m", "producer", "build", str(ep), "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    mp3 = ep / "dist" / "ep7.mp3"
    plain = factory.write_wav(work / "plain.wav", plain_audio, RATE)
    hi, gi = turns(plain, conv, "host", 0), turns(plain, conv, "guest", 0)
    ho, go = turns(mp3, conv, "host", 4.0), turns(mp3, conv, "guest", 4.0)
    pi, po = pauses(plain, conv, 0), pauses(mp3, conv, 4.0)
    whole = factory.ebur128(mp3)
    rep = json.loads((ep / "dist" / "report.json").read_text())
    out[case] = {"input host-guest LU": round(hi - gi, 2), "output host-guest LU": round(ho - go, 2),
                 "input pause-host dB": {k: round(v - hi, 1) for k, v in pi.items()},
                 "output pause-host dB": {k: round(v - ho, 1) for k, v in po.items()},
                 "whole LUFS": whole.integrated, "TP": whole.true_peak, "LRA": whole.lra,
                 "seconds": rep["seconds"]}
print(json.dumps(out, indent=1))
