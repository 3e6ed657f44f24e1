"""Generate the bundled sample show in sample_media/ (run: make sample-media).

Speech comes from espeak-ng, the jingles from pydub's generators, the cover
from ffmpeg's lavfi. Host and guest are separate tracks at very different
levels, as a double-ender recording would be; each is silent while the other
speaks. The output is committed, so this runs only when the sample changes.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pydub import AudioSegment
from pydub.generators import Sine

RATE = 16000
INTRO_CROSSFADE = 2.0
OUTRO_CROSSFADE = 3.0

# (speaker, chapter title or None, text)
SCRIPT = [
    ("host", "Intro", "Welcome to Netstack dot F M, the podcast about networking, Rust, and "
     "everything in between. I am your host, and today we talk about hypermedia."),
    ("guest", None, "Thanks for having me. It is great to be here."),
    ("host", "Delaney and his background", "You started as a three D artist. How did you end up "
     "writing a web framework?"),
    ("guest", None, "I wanted real time visualisations in the browser, and every framework I tried "
     "shipped far too much JavaScript. So I started small, with server sent events and plain HTML."),
    ("host", "SSE & compression: \"why\" <not> WebSockets?", "Why server sent events and not "
     "WebSockets?"),
    ("guest", None, "Server sent events are just HTTP. They compress well, they work through "
     "proxies, and the browser reconnects for you. WebSockets give you a raw pipe and every "
     "problem that comes with it."),
    ("host", None, "And what about compression? People worry about sending whole fragments of HTML."),
    ("guest", None, "With a long lived stream the compressor keeps its window, so the tenth fragment "
     "costs almost nothing. We measured ratios above two hundred to one on real dashboards."),
    ("host", "The social web (2:7x, 10:30 and other digits in a title)", "Let us talk about "
     "the social web. What changes when many people edit the same page at once?"),
    ("guest", None, "Then you need one source of truth, and that is the server. Every client "
     "subscribes, every change goes through the server, and everyone sees the same thing within "
     "a few milliseconds. No conflict resolution in the browser, no client side database."),
    ("host", None, "That sounds almost too simple."),
    ("guest", None, "It is simple, and that is the point. Most of the complexity in front end "
     "work comes from pretending the network is not there."),
    ("host", "Signals in Datastar: when to use them, and when plain hypermedia is enough",
     "When should people reach for signals?"),
    ("guest", None, "Only for state that lives in the browser. Everything else belongs on the "
     "server, and the server sends the new HTML."),
    ("host", "Final thoughts — café & outro", "That is all for today. Thank you for listening, "
     "and see you next week."),
]
URLS = {"Delaney and his background": "https://data-star.dev/"}


def speak(text: str, voice: str, out: Path) -> AudioSegment:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(out), text], check=True)
    return AudioSegment.from_wav(out).set_frame_rate(RATE).set_channels(1)


def jingle(notes: list[float], seconds: float, fade_in: int, fade_out: int) -> AudioSegment:
    beat = seconds * 1000 / len(notes)
    out = AudioSegment.silent(duration=0, frame_rate=44100)
    for f in notes:
        chord = Sine(f).to_audio_segment(beat).overlay(Sine(f * 1.5).to_audio_segment(beat) - 6)
        out += chord.overlay(Sine(f / 2).to_audio_segment(beat) - 3).fade_in(20).fade_out(40)
    return out.set_channels(2).apply_gain(-16).fade_in(fade_in).fade_out(fade_out)


def main(root: Path) -> None:
    show = root
    (show / "music").mkdir(parents=True, exist_ok=True)
    ep = show / "ep32"
    (ep / "raw").mkdir(parents=True, exist_ok=True)
    intro = jingle([262, 330, 392, 523, 392, 330, 262, 392], 8.0, 300, 1500)
    outro = jingle([392, 330, 262, 196, 262, 330], 7.0, 1500, 2500)
    intro.export(show / "music" / "intro.flac", format="flac")
    outro.export(show / "music" / "outro.flac", format="flac")

    host = AudioSegment.silent(duration=0, frame_rate=RATE)
    guest = AudioSegment.silent(duration=0, frame_rate=RATE)
    chapters: list[tuple[float, str]] = []
    offset = len(intro) / 1000 - INTRO_CROSSFADE
    with tempfile.TemporaryDirectory() as tmp:
        for i, (who, title, text) in enumerate(SCRIPT):
            line = speak(text, "en-us" if who == "host" else "en+m3", Path(tmp) / f"{i}.wav")
            line += AudioSegment.silent(duration=700, frame_rate=RATE)
            if title:
                chapters.append((offset + len(host) / 1000, title))
            # the guest sits 14 dB quieter, as a guest on a laptop microphone does
            host += line if who == "host" else AudioSegment.silent(len(line), RATE)
            guest += (line - 14) if who == "guest" else AudioSegment.silent(len(line), RATE)
    host = AudioSegment.silent(1500, RATE) + host + AudioSegment.silent(2000, RATE)
    guest = AudioSegment.silent(1500, RATE) + guest + AudioSegment.silent(2000, RATE)
    host.export(ep / "raw" / "host.flac", format="flac")
    guest.export(ep / "raw" / "guest.flac", format="flac")
    chapters = [(0.0, chapters[0][1])] + [(t + 1.5, title) for t, title in chapters[1:]]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "gradients=s=1400x1400:c0=0x1d3557:c1=0xe63946:x0=0:y0=0:x1=1400:y1=1400:d=1",
                    "-frames:v", "1", "-q:v", "4", str(show / "artwork.jpg")], check=True)
    (show / "show.toml").write_text(SHOW_TOML, encoding="utf-8")
    (ep / "episode.toml").write_text(episode_toml(chapters), encoding="utf-8")


SHOW_TOML = '''[show]
title = "Netstack.FM (sample)"
author = "Plabayo BV"
description = "A podcast about networking, Rust, and everything in between."
link = "https://netstack.fm"
language = "en"
owner_name = "Plabayo BV"
owner_email = "hello@netstack.fm"
categories = ["Technology"]
explicit = false
artwork = "artwork.jpg"

[audio]
preset = "podcast-stereo"
intro = "music/intro.flac"
outro = "music/outro.flac"
intro_crossfade = 2.0
outro_crossfade = 3.0

[publish]
target = "public"
base_url = "http://localhost:8000"

[[persons]]                    # the host: named in every episode's transcript where they speak
name = "Glen"
track = "raw/host.flac"        # in each episode folder
'''


def episode_toml(chapters: list[tuple[float, str]]) -> str:
    lines = ['number = 32',
             'title = "Datastar and Hypermedia (sample)"',
             'date = 2026-03-24T09:00:00Z',
             'description = """A short sample episode made by scripts/make_sample_media.py: '
             'a host and a guest, recorded on separate tracks, talk about hypermedia.',
             'Learn more: https://data-star.dev/"""',
             'recordings = ["raw/host.flac", "raw/guest.flac"]',
             '# the feed item\'s id, kept for good (producer publish records one when it is missing)',
             'guid = "844a7bea-22f0-5ca8-be05-cd718419d112"', '']
    for start, title in chapters:
        m, s = divmod(int(start), 60)
        lines += ["[[chapters]]", f'start = "{m:02d}:{s:02d}"',
                  'title = "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"']
        if title in URLS:
            lines.append(f'url = "{URLS[title]}"')
        lines.append("")
    lines += ["[[persons]]", 'name = "Delaney"', 'role = "guest"', 'track = "raw/guest.flac"', ""]
    return "\n".join(lines)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "sample_media")
    for tool in ("espeak-ng", "ffmpeg"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed: apt-get install {tool if tool != 'ffmpeg' else 'ffmpeg'}")
    main(target)
