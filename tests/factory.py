"""Test media made on the spot with espeak-ng, ffmpeg's lavfi and Pillow, and independent
measurements (ffmpeg's ebur128, ffprobe) to check producer's results against."""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import subprocess
import textwrap
import wave
from typing import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image


def ffmpeg(*args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], input=stdin, check=True)


SPEECH_LINES = [
    "We shipped the new release last week, and the feedback has been mostly good so far.",
    "The hardest part was the migration of the old data, which took us almost a month.",
    "People kept asking for offline support, so we finally built it into the core.",
    "If you listen closely, you can hear how the room changes the sound of a voice.",
    "Our next step is to measure everything again and compare it with last year.",
    "I think the simplest answer is usually the right one, at least at first.",
]
SPEECH_VOICES = [("en-us", 45), ("en-gb", 55), ("en-us+m3", 35), ("en-gb+f3", 65), ("en-us+f2", 70)]


def speech_like(out: Path, seconds: float, rate: int = 44100, channels: int = 1,
                level_db: float = 0.0, seed: int = 1, click_at: float | None = None,
                pause_db: float = -34.0) -> Path:
    """Real speech by espeak-ng (a voice and an order of lines chosen by `seed`) in
    5.5-s turns every 7 s, over a pink-noise room floor `pause_db` under the talk
    (-34: a noisy room's floor), so the speech map's voice detector hears a voice.
    At 0 dB the whole file measures -27 LUFS. `click_at` adds a full-scale 0.5 ms
    transient. Made once per set of arguments and copied from a cache after (the
    suite makes the same show for many tests)."""
    return _cached(out, (seconds, rate, channels, level_db, seed, click_at, pause_db, SPEECH_LINES, SPEECH_VOICES),
                   lambda part: _make_speech_like(part, seconds, rate, channels, level_db, seed, click_at, pause_db))


def _cached(out: Path, args: object, make: Callable[[Path], None]) -> Path:
    """`out` copied from a file that `make` wrote once per set of `args` (and suffix)
    for every test process: an ffmpeg costs 75 ms of CPU before its first sample."""
    key = hashlib.sha256(repr((make.__qualname__, args, out.suffix)).encode()).hexdigest()[:20]
    cached = Path(tempfile.gettempdir()) / "producer-test-media" / f"{key}{out.suffix}"
    if not cached.is_file():
        cached.parent.mkdir(exist_ok=True)
        part = cached.with_name(f".{key}-{os.getpid()}{out.suffix}")
        make(part)
        part.replace(cached)
    shutil.copyfile(cached, out)
    return out


def _make_speech_like(out: Path, seconds: float, rate: int, channels: int, level_db: float, seed: int,
                      click_at: float | None, pause_db: float) -> None:
    voice, pitch = SPEECH_VOICES[seed % len(SPEECH_VOICES)]
    lines = SPEECH_LINES[seed % len(SPEECH_LINES):] + SPEECH_LINES[:seed % len(SPEECH_LINES)]
    n = int(round(seconds * rate))
    talk = np.zeros(n, np.float32)
    turn, line = int(5.5 * rate), 0
    fade = np.linspace(1.0, 0.0, int(0.01 * rate), dtype=np.float32)
    for start in range(0, n, 7 * rate):
        filled = []
        while sum(len(x) for x in filled) < turn:
            filled.append(_spoken_cached(lines[line % len(lines)], voice, rate, pitch))
            line += 1
        said = np.concatenate(filled)[:min(turn, n - start)].copy()
        said[-len(fade):] *= fade[:len(said)] if len(said) < len(fade) else fade
        talk[start:start + len(said)] = said
    talk = at_lufs(talk, rate, -27.0 + level_db)
    x = talk + noise(seconds, rate, -27.0 + level_db + pause_db, seed)[:n]
    if click_at is not None and int(click_at * rate) < n:
        x[int(click_at * rate)] = 1.0
    raw = np.ascontiguousarray(np.repeat(x[:, None], channels, axis=1), np.float32).tobytes()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", str(channels),
                    "-i", "pipe:0", *(["-c:a", "pcm_s16le"] if out.suffix == ".wav" else []), str(out)],
                   input=raw, check=True)


@functools.lru_cache(maxsize=128)
def _spoken_cached(text: str, voice: str, rate: int, pitch: int) -> np.ndarray:
    """Each line spoken once a machine (espeak-ng and a resample: 0.1 s a line, most of
    it the two processes' start), kept in memory once a process."""
    def speak(part: Path) -> None:
        wav = subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-p", str(pitch), "--stdout", text],
                             capture_output=True, check=True).stdout
        ffmpeg("-f", "wav", "-i", "pipe:0", "-ac", "1", "-ar", str(rate), "-f", "f32le", str(part), stdin=wav)

    with tempfile.TemporaryDirectory() as tmp:
        return np.fromfile(_cached(Path(tmp) / "line.f32", (text, voice, rate, pitch), speak), np.float32)


def music_like(out: Path, seconds: float, rate: int = 48000, channels: int = 2,
               level_db: float = -14.0) -> Path:
    chain = (f"sine=f=220:r={rate}:d={seconds}[a];sine=f=330:r={rate}:d={seconds}[b];"
             f"sine=f=440:r={rate}:d={seconds}[c];[a][b][c]amix=inputs=3,"
             f"tremolo=f=2:d=0.4,volume={level_db}dB")
    return _cached(out, (chain, channels, rate), lambda part: ffmpeg("-filter_complex", chain, "-ac", str(channels), "-ar", str(rate),
                                                   str(part)))


def cover(out: Path, size: tuple[int, int] = (1400, 1400), mode: str = "RGB", fmt: str = "JPEG") -> Path:
    colour = {"RGB": (200, 60, 40), "CMYK": (0, 120, 200, 0), "L": 128, "RGBA": (1, 2, 3, 255)}[mode]
    Image.new(mode, size, colour).save(out, fmt)
    return out


@dataclass
class Ebur128:
    integrated: float
    true_peak: float
    lra: float


def ebur128(path: Path) -> Ebur128:
    """ffmpeg's own EBU R128 meter: independent of producer's loudness code."""
    err = subprocess.run(["ffmpeg", "-nostdin", "-nostats", "-i", str(path), "-map", "0:a:0", "-af",
                          "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    lra = float(re.search(r"LRA:\s+(-?[\d.]+) LU", summary).group(1))
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1)
    return Ebur128(integrated, float(peak), lra)


def ffprobe(path: Path, entries: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", entries, "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def decoded_frames(path: Path, rate: int = 44100) -> int:
    """Samples per channel after a full decode (gapless: encoder delay and padding removed)."""
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate),
                          "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return len(raw) // 2


SHOW_TOML = """\
[show]
title = "Test Show & <Friends>"
author = "Plabayo BV"
description = "A show made by the tests."
link = "https://example.test"
language = "en"
owner_name = "Plabayo BV"
owner_email = "hello@example.test"
categories = ["Technology"]
explicit = false
artwork = "artwork.jpg"

[audio]
preset = "podcast-stereo"
intro = "music/intro.wav"
outro = "music/outro.wav"
intro_crossfade = 2.0
outro_crossfade = 3.0

[publish]
base_url = "https://cdn.example.test"

[transcript]
engine = "off"  # recognition has tests of its own (test_recognise); the others need not wait for it
"""


def episode_toml(recordings: list[str], chapters: list[tuple[str, str, str | None]],
                 extra: str = "", number: int = 7, title: str = "Ünïcode & <XML> \"quotes\" episode") -> str:
    body = textwrap.dedent(f"""\
        number = {number}
        title = {json.dumps(title, ensure_ascii=False)}
        date = 2026-03-24
        description = "Notes with a link: https://example.test/notes"
        recordings = {json.dumps(recordings)}
        {extra}
        """)
    for start, ctitle, url in chapters:
        body += f"\n[[chapters]]\nstart = \"{start}\"\ntitle = {json.dumps(ctitle, ensure_ascii=False)}\n"
        if url:
            body += f'url = "{url}"\n'
    return body


LONG_TITLE = "A chapter title that is well over fifty-one characters long, to be sure"
CHAPTERS = [
    ("00:00", "Intro — «café» & <tags>", None),
    ("00:05.250", "Second: \"quoted\" & 'single'", "https://example.test/a?b=1&c=2"),
    ("00:20", LONG_TITLE, None),
    ("00:00:31.125", "日本語のタイトル", None),
]


def make_show(root: Path, seconds: float = 40.0, chapters: list | None = None,
              recordings: int = 2) -> Path:
    """A show with an intro at 48 kHz stereo, an outro at 22.05 kHz mono, a host
    at 44.1 kHz mono and a guest 18 dB quieter at 16 kHz stereo with a
    full-scale click; returns the episode folder."""
    (root / "music").mkdir(parents=True)
    ep = root / "ep7"
    (ep / "raw").mkdir(parents=True)
    music_like(root / "music" / "intro.wav", 6.0, 48000, 2)
    music_like(root / "music" / "outro.wav", 5.0, 22050, 1)
    speech_like(ep / "raw" / "host.wav", seconds, 44100, 1, level_db=8, seed=3)
    names = ["raw/host.wav"]
    if recordings > 1:
        speech_like(ep / "raw" / "guest.flac", seconds - 3, 16000, 2, level_db=-10, seed=9,
                    click_at=12.5)
        names.append("raw/guest.flac")
    cover(root / "artwork.jpg")
    (root / "show.toml").write_text(SHOW_TOML, encoding="utf-8")
    (ep / "episode.toml").write_text(episode_toml(names, CHAPTERS if chapters is None else chapters),
                                     encoding="utf-8")
    return ep


def add_renditions(show_root: Path, formats: tuple[str, ...] = ("m4a", "opus")) -> None:
    """show.toml's [audio] renditions."""
    show = show_root / "show.toml"
    line = f"[audio]\nrenditions = {json.dumps(list(formats))}\n"
    show.write_text(show.read_text(encoding="utf-8").replace("[audio]\n", line), encoding="utf-8")


# ---------------------------------------------------------------- voices (espeak-ng)

HOST_LINES = ["Welcome back to the show. Today we talk about networking and the protocols we use every day.",
              "That is a great point. Tell me more about how you started working on this project.",
              "Interesting. And what would you tell someone who wants to contribute for the first time?"]
GUEST_LINES = ["Thanks for having me. I have been building web servers for about ten years now.",
               "It started as a weekend experiment, and then people began to use it in production.",
               "Read the issues, ask questions, and start with something small that you really need."]


def words_of(text: str) -> list[str]:
    """Lower-case words, digits as espeak-ng says them where the script has them."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("10", "ten"))


def wer(reference: list[str], hypothesis: list[str]) -> float:
    """Word error rate: Levenshtein distance over words, divided by the reference's length."""
    d = np.arange(len(hypothesis) + 1)
    for i, r in enumerate(reference, 1):
        prev, d[0] = d.copy(), i
        for j, h in enumerate(hypothesis, 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (r != h))
    return float(d[-1]) / len(reference)


def spoken(text: str, voice: str, rate: int = 44100, pitch: int = 50) -> np.ndarray:
    """One utterance by espeak-ng, as float32 mono at `rate` (a copy of the process's own)."""
    return _spoken_cached(text, voice, rate, pitch).copy()


def lufs_of(x: np.ndarray, rate: int) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(x.astype("float64")))


def at_lufs(x: np.ndarray, rate: int, target: float) -> np.ndarray:
    """Scaled so that it measures `target` LUFS (as a mono file; BS.1770, pyloudnorm)."""
    return (x * 10 ** ((target - lufs_of(x, rate)) / 20)).astype("float32")


def noise(seconds: float, rate: int, lufs: float, seed: int) -> np.ndarray:
    from scipy import signal

    rng = np.random.default_rng(seed)
    white = rng.normal(0, 1, int(seconds * rate))
    pinkish = signal.lfilter([0.049922035, -0.095993537, 0.050612699, -0.004408786],
                             [1, -2.494956002, 2.017265875, -0.522189400], white)
    return at_lufs(pinkish.astype("float32"), rate, lufs)


def write_wav(path: Path, x: np.ndarray, rate: int) -> Path:
    return write_pcm16(path, x, rate)


def write_pcm16(path: Path, x: np.ndarray, rate: int) -> Path:
    """A 16-bit WAV of float samples (frames, or frames × channels), as ffmpeg's
    pcm_s16le encoder writes them (round half to even, clipped), without an ffmpeg."""
    frames = np.asarray(x, np.float32).reshape(len(x), -1)
    pcm = np.clip(np.rint(frames * np.float32(32768)), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(frames.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


@dataclass
class Conversation:
    """Turns on a timeline: (start s, end s, speaker) and pauses (start s, end s, after whom)."""
    seconds: float
    turns: list[tuple[float, float, str]]
    pauses: list[tuple[float, float, str]]


def conversation(rate: int = 44100, gap: float = 0.8, long_pause: float = 4.0) -> tuple[Conversation, dict]:
    """Host and guest taking three turns each, with a long pause after the guest's
    second turn and after the host's third; returns the timeline and each voice's
    utterances placed on it (dry, unscaled, as mono arrays of the full length)."""
    host = [spoken(t, "en-us", rate, 40) for t in HOST_LINES]
    guest = [spoken(t, "en-gb+f3", rate, 60) for t in GUEST_LINES]
    order = [("host", host[0]), ("guest", guest[0]), ("host", host[1]), ("guest", guest[1]),
             ("pause", None), ("host", host[2]), ("pause", None), ("guest", guest[2])]
    t = 0.5
    turns, pauses, placed = [], [], []
    for who, audio in order:
        if audio is None:
            pauses.append((t, t + long_pause, turns[-1][2]))
            t += long_pause
            continue
        turns.append((t, t + len(audio) / rate, who))
        placed.append((who, int(t * rate), audio))
        t += len(audio) / rate + gap
    total = t + 0.5
    voices = {name: np.zeros(int(total * rate), np.float32) for name in ("host", "guest")}
    for who, start, audio in placed:
        voices[who][start: start + len(audio)] += audio
    return Conversation(total, turns, pauses), voices


def segments_loudness(path: Path, spans: list[tuple[float, float]]) -> list[float]:
    """ffmpeg's ebur128 integrated loudness of each [start, end) of a file, from one
    ffmpeg: each span an input of its own (seeking as one alone does), each through an
    ebur128 named after its place, whose summary the log prefixes with that name (a
    test measuring a dozen turns started a dozen ffmpegs, at 75 ms of CPU each)."""
    inputs = [a for start, end in spans
              for a in ("-ss", f"{start:.3f}", "-t", f"{end - start:.3f}", "-i", str(path))]
    graph = ";".join(f"[{k}:a:0]ebur128@s{k}[o{k}]" for k in range(len(spans)))
    maps = [a for k in range(len(spans)) for a in ("-map", f"[o{k}]")]
    err = subprocess.run(["ffmpeg", "-nostdin", "-nostats", *inputs, "-filter_complex", graph, *maps, "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    found = {int(m.group(1)): float(m.group(2))
             for m in re.finditer(r"\[ebur128@s(\d+) @ [^\]]*\] Summary:.*?I:\s+(-?[\d.]+) LUFS", err, re.S)}
    assert sorted(found) == list(range(len(spans))), err[-2000:]
    return [found[k] for k in range(len(spans))]


# ---------------------------------------------------------------- disfluent speech (automatic cutting)

# (voice, piece): a piece "um"/"uh" is a filler said on its own, "COUGH" a filtered noise burst in a pause
DISFLUENT = [
    ("en-us", "Welcome back to the show about boats and the sea."),
    ("en-us", "Today we talk about"), ("en-us", "um"), ("en-us", "sailing across the channel in winter."),
    ("en-gb+f3", "Thanks for having me. It was a long and cold trip."),
    ("en-gb+f3", "We left the harbour early and"), ("en-gb+f3", "um"), ("en-gb+f3", "the wind came from the north."),
    ("en-us", "COUGH"),
    ("en-us", "I think I think the hardest part was the night watch."),
    ("en-gb+f3", "Yes, the night was long, but the stars were bright above us."),
    ("en-us", "So"), ("en-us", "um"), ("en-us", "what would you tell a new sailor today?"),
    ("en-gb+f3", "Start small, learn the knots, and always check the weather."),
]
FILLERS = ("um", "uh")


@dataclass
class Disfluent:
    seconds: float
    fillers: list[tuple[float, float]]  # where each placed filler is said, s in the recording
    cough: tuple[float, float]
    stumble_text: str  # said twice in the recording
    words: list[str]  # every word that is not a filler (the script)


def cough(rate: int, seconds: float = 0.35, seed: int = 4) -> np.ndarray:
    """A cough-like burst: noise band-passed to a voice's range under a fast attack and decay."""
    from scipy import signal

    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, int(seconds * rate))
    b, a = signal.butter(2, [300 / (rate / 2), 3000 / (rate / 2)], "band")
    t = np.arange(len(x)) / rate
    return (signal.lfilter(b, a, x) * np.exp(-t / 0.08) * np.minimum(1, t / 0.01)).astype(np.float32)


def disfluent(out: Path, rate: int = 44100) -> Disfluent:
    """One recording of two espeak-ng voices with fillers, a stumble and a cough at known
    places over a room floor 45 dB under the talk; cached like speech_like."""
    pieces: list[np.ndarray] = []
    fillers, cough_at, t, prev = [], (0.0, 0.0), 0.6, ""
    pieces.append(np.zeros(int(t * rate), np.float32))
    for voice, text in DISFLUENT:
        if text == "COUGH":
            gap = np.zeros(int(0.6 * rate), np.float32)
            burst = cough(rate)
            burst = burst / np.abs(burst).max() * 0.3
            pieces += [gap, burst, gap]
            cough_at = (t + 0.6, t + 0.6 + len(burst) / rate)
            t += (2 * len(gap) + len(burst)) / rate
            prev = text
            continue
        x = _spoken_cached(text, voice, rate, 50)
        x = np.trim_zeros(np.where(np.abs(x) > 1e-3, x, 0)) if text in FILLERS else x
        before = 0.25 if text in FILLERS or prev in FILLERS else 0.5  # a filler inside a sentence
        prev = text
        pieces.append(np.zeros(int(before * rate), np.float32))
        t += before
        if text in FILLERS:
            fillers.append((t, t + len(x) / rate))
        pieces.append(x.astype(np.float32))
        t += len(x) / rate
    pieces.append(np.zeros(int(0.8 * rate), np.float32))
    speech = np.concatenate(pieces)
    speech = at_lufs(speech, rate, -20.0)
    floor = noise(len(speech) / rate + 0.01, rate, -65.0, 11)[:len(speech)]
    write_wav(out, speech + floor, rate)
    words = [w for _, text in DISFLUENT if text not in FILLERS and text != "COUGH" for w in words_of(text)]
    return Disfluent(len(speech) / rate, fillers, cough_at, "i think", words)


# ---------------------------------------------------------------- three topics (chapter suggestions)

TOPICS = {
    "cooking": (["pasta", "sauce", "garlic", "onion", "oven", "recipe", "butter", "flour", "dough", "kitchen",
                 "tomato", "pepper", "salt", "soup", "bread"],
                ["slice", "boil", "roast", "stir", "bake", "season", "chop", "taste"]),
    "sailing": (["boat", "sail", "wind", "harbour", "anchor", "rope", "deck", "tide", "mast", "captain",
                 "island", "wave", "compass", "crew", "storm"],
                ["steer", "tie", "raise", "lower", "watch", "trim", "drop", "check"]),
    "chess": (["bishop", "knight", "pawn", "queen", "king", "board", "opening", "castle", "rook", "endgame",
               "tournament", "clock", "square", "move", "player"],
              ["attack", "defend", "trade", "protect", "push", "pin", "study", "sacrifice"]),
}
TEMPLATES = ["The {n1} and the {n2} are what we {v} first.",
             "You should {v} the {n1} before the {n2}.",
             "My friend likes to {v} the {n1} near the {n2}.",
             "Every {n1} needs a good {n2}, so we {v} it.",
             "Then we {v} the {n1} again and look at the {n2}."]


def topic_sentences(topic: str, count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    nouns, verbs = TOPICS[topic]
    out = []
    for _ in range(count):
        n1, n2 = rng.choice(nouns, 2, replace=False)
        out.append(str(rng.choice(TEMPLATES)).format(n1=n1, n2=n2, v=rng.choice(verbs)))
    return out


def three_topics(out: Path, transcript: Path, rate: int = 16000, per_topic: int = 42) -> list[float]:
    """An episode's recording on cooking, then sailing, then chess, with its transcript
    (WebVTT, a cue a sentence, at a steady 0.4 s a word and 0.6 s between sentences);
    returns where each topic starts (s in the recording). The audio is 20 s of
    speech_like looped to the length: the suggestions read the transcript, not the
    voice (but a build refuses a recording without speech)."""
    cues, starts, t = [], [], 0.5
    for k, topic in enumerate(TOPICS):
        starts.append(t)
        for sentence in topic_sentences(topic, per_topic, k):
            end = t + 0.4 * len(sentence.split())
            cues.append(f"{_vtt_time(t)} --> {_vtt_time(end)}\n{sentence}\n")
            t = end + 0.6
    transcript.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
    clip = speech_like(out.with_name("clip.wav"), 20.0, rate, 1, level_db=6, seed=21)
    ffmpeg("-stream_loop", "-1", "-i", str(clip), "-t", f"{t + 0.5:.3f}", "-c:a", "pcm_s16le", str(out))
    clip.unlink()
    return starts


def _vtt_time(s: float) -> str:
    return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:06.3f}"
