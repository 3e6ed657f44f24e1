"""Transcripts (issue 13's transcript part): WebVTT and SRT read with line-named
errors, shifted by the intro into the episode's time, published as WebVTT and
Podcasting 2.0 JSON with podcast:transcript tags. The cues are checked against
the speech in the shipped MP3 with ffmpeg's ebur128."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from producer.core.transcripts import transcript
from producer.errors import InputError
from tests import factory
from tests.conftest import run_producer

PODCAST = "{https://podcastindex.org/namespace/1.0}"
VTT = """WEBVTT

NOTE made by a transcription service

intro-1
00:01.000 --> 00:03.500 align:start
<v Glen>Welcome <b>back</b>

00:00:04.250 --> 00:00:06.000
<v.loud Delaney>Thanks for having me.
"""
SRT = """1
00:00:01,000 --> 00:00:03,500
Welcome back

2
00:00:04,250 --> 00:00:06,000
Thanks for having me.
"""


def test_vtt_and_srt_read_alike_and_round_trip() -> None:
    vtt = transcript.parse(VTT, "vtt", "t.vtt")
    srt = transcript.parse(SRT, "srt", "t.srt")
    assert [(c.start_ms, c.end_ms, c.text) for c in vtt] == [(c.start_ms, c.end_ms, c.text) for c in srt] == [
        (1000, 3500, "Welcome back"), (4250, 6000, "Thanks for having me.")]
    assert [c.speaker for c in vtt] == ["Glen", "Delaney"]
    assert transcript.parse(transcript.to_vtt(vtt), "vtt", "again") == vtt
    doc = json.loads(transcript.to_json(vtt))
    assert doc["version"] == "1.0.0" and doc["segments"][1] == {
        "speaker": "Delaney", "startTime": 4.25, "endTime": 6.0, "body": "Thanks for having me."}


@pytest.mark.parametrize("text, fmt, message", [
    ("1\n00:00:01,000 -> 00:00:02,000\nx\n", "srt", "line 1"),
    ("WEBVTT\n\n00:01.000 --> 00:00.500\nx\n", "vtt", "line 3: the cue ends before it starts"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nx\n\n00:00:61.000 --> 00:01:02.000\ny\n", "vtt", "line 6"),
    ("1\n00:00:01,000 --> 00:00:02,000\nx\n", "vtt", "starts with WEBVTT"),
])
def test_a_bad_transcript_names_its_line(text: str, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        transcript.parse(text, fmt, "t")


def test_cues_move_by_the_intro_and_stop_at_the_end() -> None:
    cues = transcript.parse(SRT, "srt", "t.srt")
    moved = transcript.shifted(cues, 4000, 9500, "t.srt")
    assert [(c.start_ms, c.end_ms) for c in moved] == [(5000, 7500), (8250, 9500)]
    with pytest.raises(InputError, match="cue 2 starts"):
        transcript.shifted(cues, 4000, 8000, "t.srt")


def test_the_published_transcript_lines_up_with_the_speech(tmp_path: Path) -> None:
    rate = 44100
    root = tmp_path / "show"
    ep = factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    lines = [factory.spoken(line, "en-us", rate) for line in factory.HOST_LINES[:2]]
    starts = [3.0, 3.0 + len(lines[0]) / rate + 4.0]  # in the recording; 4 s of room tone between
    voice = factory.noise(starts[1] + len(lines[1]) / rate + 2.0, rate, -60, seed=5)
    for start, line in zip(starts, lines):
        at = int(start * rate)
        voice[at:at + len(line)] += factory.at_lufs(line, rate, -20)
    factory.write_wav(ep / "raw" / "host.wav", voice, rate)
    cues = [(s, s + len(x) / rate) for s, x in zip(starts, lines)]
    srt = "".join(f"{i + 1}\n{_srt(a)} --> {_srt(b)}\nline {i + 1}\n\n" for i, (a, b) in enumerate(cues))
    (ep / "ep7.srt").write_text(srt, encoding="utf-8")
    toml = ep / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("number = 7\n", 'number = 7\ntranscript = "ep7.srt"\n'),
                    encoding="utf-8")
    r = run_producer("publish", str(ep))
    assert r.code == 0, r.err

    offset = 6.0 - 2.0  # the intro (6 s) less its crossfade (2 s)
    vtt = (root / "public/episodes/ep7/ep7.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")
    published = vtt_timings(vtt)  # read here, not by the parser under test
    assert published == [(round(a + offset, 3), round(b + offset, 3)) for a, b in cues]
    mp3 = ep / "dist" / "ep7.mp3"
    *speech, gap = factory.segments_loudness(mp3, [*published, (published[0][1] + 0.5, published[1][0] - 0.5)])
    assert min(speech) > gap + 20, (speech, gap)  # the cues sit on the words, not on the room tone

    item = ET.fromstring((root / "public" / "feed.xml").read_bytes()).find("channel/item")
    tags = {t.get("type"): t for t in item.findall(f"{PODCAST}transcript")}
    assert tags["text/vtt"].get("rel") == "captions"
    assert tags["text/vtt"].get("url") == "https://cdn.example.test/episodes/ep7/ep7.vtt"
    assert tags["application/json"].get("url") == "https://cdn.example.test/episodes/ep7/transcript.json"
    from tests.e2e.test_podcast_tags import podcastparser_view

    episode = podcastparser_view((root / "public" / "feed.xml").read_bytes())["episodes"][0]
    assert episode["transcript_url"] in {tags["text/vtt"].get("url"), tags["application/json"].get("url")}
    doc = json.loads((root / "public/episodes/ep7/transcript.json").read_text(encoding="utf-8"))
    assert [s["startTime"] for s in doc["segments"]] == [a for a, _ in published]


def vtt_timings(text: str) -> list[tuple[float, float]]:
    """Every cue's (start, end) in seconds, from the HH:MM:SS.mmm --> HH:MM:SS.mmm lines."""
    stamp = r"(\d+):(\d\d):(\d\d)\.(\d\d\d)"
    found = []
    for m in re.finditer(stamp + r" --> " + stamp, text):
        h1, m1, s1, f1, h2, m2, s2, f2 = (int(g) for g in m.groups())
        found.append((round(h1 * 3600 + m1 * 60 + s1 + f1 / 1000, 3), round(h2 * 3600 + m2 * 60 + s2 + f2 / 1000, 3)))
    return found


def _srt(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def test_a_transcript_that_is_not_vtt_or_srt_is_refused(tmp_path: Path) -> None:
    ep = factory.make_show(tmp_path / "show", seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    (ep / "words.txt").write_text("hello\n", encoding="utf-8")
    toml = ep / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("number = 7\n", 'number = 7\ntranscript = "words.txt"\n'),
                    encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 2 and "transcript" in r.err and not (ep / "dist").exists()
