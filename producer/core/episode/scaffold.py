"""The files `producer init` and `producer new` write: text only (the artwork is
drawn by io.artwork). Every show.toml field is explained where it stands."""
from __future__ import annotations

import datetime as dt
import json
import re

from .models import DEFAULT_PRESET


def slug_title(folder_name: str) -> str:
    words = re.sub(r"[-_]+", " ", folder_name).strip()
    return words[:1].upper() + words[1:] if words else "My show"


def show_toml(title: str) -> str:
    t = json.dumps(title, ensure_ascii=False)  # a TOML basic string is a JSON string
    return f'''# show.toml: the show, written once. Every episode folder beside this file
# (ep1/, ep2/, …) has its own episode.toml. Paths are relative to this file.

[show]
title = {t}
author = "Your name"                     # itunes:author: who makes the show
description = "What the show is about, in a sentence or two."
link = "https://example.com"             # the show's home page (the feed's <link>)
language = "en"                          # ISO 639 code: en, de, fi, pt-BR, …
owner_name = "Your name"                 # itunes:owner: whom Apple contacts
owner_email = "you@example.com"
categories = ["Technology"]              # Apple's categories; "Parent > Sub" for a subcategory
explicit = false
artwork = "artwork.jpg"                  # square JPEG or PNG, 1400–3000 px, RGB (init drew a placeholder)
# locked = true                          # podcast:locked: other platforms may not import the feed
# funding = {{ url = "https://example.com/support", text = "Support the show" }}
# description_chapters = true            # each item's description ends with its chapters (Spotify, YouTube, Apple)
# medium = "podcast"                     # podcast:medium
# txt = [{{ text = "…", purpose = "applepodcastsverify" }}]   # podcast:txt (Apple's ownership check)
# license = {{ name = "CC BY 4.0", url = "https://creativecommons.org/licenses/by/4.0/" }}
# location = {{ name = "Ghent, Belgium", geo = "geo:51.05,3.72" }}
# update_frequency = {{ text = "Weekly", rrule = "FREQ=WEEKLY" }}
# podroll = [{{ feed_guid = "…", feed_url = "https://…/feed.xml" }}]   # shows you recommend

[audio]
preset = "{DEFAULT_PRESET}"              # loudness target: podcast-stereo, podcast-mono, spotify, ebu-r128, or a .toml
# intro = "music/intro.flac"             # played before the recording, crossfaded into it
# outro = "music/outro.flac"             # played after it
# intro_crossfade = 2.0                  # seconds the intro overlaps the recording
# outro_crossfade = 3.0
# leveler = "adaptive"                   # adaptive (voices balanced and ridden), tracks (balanced only), off
# renditions = ["m4a", "opus"]           # extra formats beside the MP3 (podcast:alternateEnclosure);
                                         # "mp4": a video for YouTube (dist/youtube.txt to paste)

# [cleanup]                              # each recording, before leveling (an episode's own [cleanup] wins)
# denoise = "auto"                       # auto (noisy tracks only), off, or a maximum reduction in dB
# dehum = "auto"                         # auto, off, 50 or 60 (Hz)
# max_pause_s = 2.0                      # shorten pauses longer than this (off unless set)
# keep_pause_s = 0.8                     # to this

# [transcript]                           # recognised offline from the audio unless an episode names a .vtt/.srt
# engine = "auto"                        # auto or off
# model = "models/whisper-small"         # a faster-whisper model folder instead of the packaged tiny.en
# vocabulary = ["QUIC", "HTTP/3"]        # names and jargon the recogniser should expect

# [cutting]                              # each "off", "suggest" (a list to review: producer cuts EP) or "cut"
# fillers = "suggest"                    # um, uh, er… with the breath around them
# stumbles = "suggest"                   # a word or two said twice in a row: the first saying goes
# noises = "suggest"                     # coughs, bumps, lip smacks between words
# pauses = "suggest"                     # pauses over [cleanup] max_pause_s, shortened to keep_pause_s
# filler_words = ["um", "uh", "er", "ah", "erm", "hmm", "mm"]

[publish]
target = "public"                        # a folder beside this file, or s3://bucket/prefix
# base_url = "https://cdn.example.com"   # the public URL of the target's root: required for any target
#                                        # but the default folder, whose feed points at http://localhost:8000
# endpoint_url = "https://s3.eu-west-1.amazonaws.com"  # S3-compatible services other than AWS
# region = "eu-west-1"
# profile = "podcast"                    # an AWS profile; credentials never go in this file
'''


def episode_toml(number: int, date: dt.date, title: str) -> str:
    return f'''# episode.toml: one episode. Drop the recording(s) into raw/: every audio file
# there is used, in name order, mixed together (one file a speaker, or one file
# for everyone). Or name them: recordings = ["raw/host.wav", "raw/guest.wav"].

number = {number}
title = {json.dumps(title, ensure_ascii=False)}
date = {date.isoformat()}
description = """What this episode is about.
Links in the notes become clickable: https://example.com"""
# season = 1
# episode_type = "full"                  # full, trailer or bonus
# artwork = "cover.jpg"                  # this episode's own cover, if any
# chapters_file = "chapters.txt"         # chapters from a text file (00:00 Title per line) instead
# [[cuts]]                               # taken out of every recording: times as you hear them in the recording
# start = "12:03.5"
# end = "12:41"

# Chapters: times in the finished episode (the intro included), the first at 00:00.
[[chapters]]
start = "00:00"
title = "Introduction"

# [[chapters]]
# start = "05:30"
# title = "The second chapter"
# url = "https://example.com"            # optional: a link shown with the chapter
# image = "chapters/second.jpg"          # optional: a JPEG or PNG
'''


GITIGNORE = """# built and published files: producer makes them again from the inputs
*/dist/
public/
.producer-*
"""

MAKEFILE = """# Per-episode targets: make build-ep1, make check-ep1, make publish-ep1; and for
# every episode at once: make build-all, make check-all (what CI runs).
# `producer build --if-stale` decides whether anything changed (a digest of every input).
PRODUCER ?= producer
EPISODES ?= ep*/
JOBS ?= 1

.PHONY: serve new status build-all check-all

build-%:
\t$(PRODUCER) build --if-stale $*

check-%: build-%
\t$(PRODUCER) check $*

publish-%: build-%
\t$(PRODUCER) publish $*

build-all:
\t$(PRODUCER) build --if-stale -j $(JOBS) $(EPISODES)

check-all: build-all
\t$(PRODUCER) check $(EPISODES)

status:
\t$(PRODUCER) status

serve:
\t$(PRODUCER) serve .

new:
\t$(PRODUCER) new
"""

WORKFLOW = """# Builds every episode whose inputs are in the repository and fails the job when
# one misses its loudness target or its chapters (`producer check`, exit 1).
name: check episodes
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          lfs: true                      # recordings are large: keep them in Git LFS
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: ffmpeg
        run: sudo apt-get update && sudo apt-get install -y ffmpeg
      - name: producer
        # a repository variable PRODUCER_PIP can name where producer comes from
        # (for example git+https://github.com/you/producer)
        run: pip install "${{ vars.PRODUCER_PIP || 'producer' }}"
      - name: build every episode whose inputs changed
        run: producer build --if-stale ep*/
      - name: check every episode (exit 1 when one misses its target)
        run: producer check ep*/
"""

MUSIC_README = """Put the show's intro and outro music here (FLAC or WAV), then name them in
show.toml's [audio] table: intro = "music/intro.flac", outro = "music/outro.flac".
"""
