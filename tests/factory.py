"""Test media made on the spot with ffmpeg's lavfi and Pillow, and independent
measurements (ffmpeg's ebur128, ffprobe) to check producer's results against."""
from __future__ import annotations

import json
import re
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def speech_like(out: Path, seconds: float, rate: int = 44100, channels: int = 1,
                level_db: float = 0.0, seed: int = 1, click_at: float | None = None) -> Path:
    """Band-limited pink noise cut into 4 Hz 'syllables' with pauses: speech-like
    loudness statistics (gating, crest factor) without needing a voice. At 0 dB
    it measures about -27 LUFS. `click_at` adds a full-scale 0.5 ms transient."""
    chain = (f"anoisesrc=d={seconds}:c=pink:r={rate}:a=0.5:s={seed},highpass=f=120,lowpass=f=5000,"
             f"tremolo=f=3.7:d=0.9,volume='if(lt(mod(t,7),5.5),1,0.02)':eval=frame,"
             f"volume={level_db}dB")
    if click_at is not None:
        chain += (f"[v];aevalsrc='if(between(t,{click_at},{click_at + 0.0005}),1,0)':d={seconds}:s={rate}[c];"
                  "[v][c]amix=inputs=2:normalize=0")
    ffmpeg("-filter_complex", chain, "-ac", str(channels), "-ar", str(rate), str(out))
    return out


def music_like(out: Path, seconds: float, rate: int = 48000, channels: int = 2,
               level_db: float = -14.0) -> Path:
    chain = (f"sine=f=220:r={rate}:d={seconds}[a];sine=f=330:r={rate}:d={seconds}[b];"
             f"sine=f=440:r={rate}:d={seconds}[c];[a][b][c]amix=inputs=3,"
             f"tremolo=f=2:d=0.4,volume={level_db}dB")
    ffmpeg("-filter_complex", chain, "-ac", str(channels), "-ar", str(rate), str(out))
    return out


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
