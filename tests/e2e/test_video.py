"""The video for YouTube (issue 36): renditions = ["mp4"] beside the MP3. Read back
with ffprobe (streams, size, duration, chapters), ffmpeg's ebur128 (loudness and
true peak of the file's own audio), a regex (youtube.txt's timestamps), ElementTree
(the feed's alternateEnclosure) and Chromium (the episode page's video plays)."""
from __future__ import annotations

import json
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests import factory
from tests.conftest import run_producer
from tests.e2e.test_serve import browser  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
PODCAST = "{https://podcastindex.org/namespace/1.0}"


@pytest.fixture(scope="module")
def video_show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("video") / "show"
    ep = factory.make_show(root, seconds=40.0, recordings=1)
    factory.add_renditions(root, ("m4a", "mp4"))
    r = run_producer("publish", str(ep), "--quiet")
    assert r.code == 0, r.err
    return ep


def probe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-show_chapters", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_the_mp4_is_h264_and_aac_at_1080p_with_the_mp3s_length_and_chapters(video_show: Path) -> None:
    mp4, mp3 = probe(video_show / "dist" / "ep7.mp4"), probe(video_show / "dist" / "ep7.mp3")
    codecs = {s["codec_type"]: s for s in mp4["streams"] if s["codec_type"] in ("audio", "video")
              and s.get("disposition", {}).get("attached_pic") != 1}
    assert codecs["video"]["codec_name"] == "h264" and codecs["audio"]["codec_name"] == "aac"
    assert (codecs["video"]["width"], codecs["video"]["height"]) == (1920, 1080)
    assert abs(float(mp4["format"]["duration"]) - float(mp3["format"]["duration"])) <= 0.1
    assert [(c["start_time"], c["tags"]["title"]) for c in mp4["chapters"]] == \
           [(c["start_time"], c["tags"]["title"]) for c in mp3["chapters"]]
    with open(video_show / "dist" / "ep7.mp4", "rb") as f:  # +faststart: the index before the media
        head = f.read(1 << 16)
    assert head.find(b"moov") < head.find(b"mdat") or head.find(b"mdat") == -1


def test_the_mp4s_audio_is_at_the_target_under_the_ceiling(video_show: Path) -> None:
    m = factory.ebur128(video_show / "dist" / "ep7.mp4")
    assert abs(m.integrated - (-16.0)) <= 0.2 and m.true_peak <= -1.0, m


def test_youtube_txt_holds_the_title_and_the_chapters_as_timestamps(video_show: Path) -> None:
    text = (video_show / "dist" / "youtube.txt").read_text(encoding="utf-8")
    stamps = re.findall(r"^(\d\d:\d\d) (.+)$", text, re.MULTILINE)
    chapters = probe(video_show / "dist" / "ep7.mp3")["chapters"]
    assert [int(m) * 60 + int(s) for m, s in (x.split(":") for x, _ in stamps)] == \
           [int(float(c["start_time"])) for c in chapters]
    assert stamps[0][0] == "00:00" and "Ünïcode" in text.splitlines()[0]


def test_the_feed_offers_the_video_and_the_episode_page_plays_it(video_show: Path, browser) -> None:  # type: ignore[no-untyped-def]
    feed = ET.parse(video_show.parent / "public" / "feed.xml").getroot()
    types = [a.get("type") for a in feed.find("channel/item").findall(f"{PODCAST}alternateEnclosure")]
    assert "video/mp4" in types
    page = video_show.parent / "public" / "episodes" / "ep7" / "index.html"
    browser.get(page.as_uri())
    browser.execute_script("document.querySelector('details.video').open = true; "
                           "document.getElementById('video').play()")
    deadline = time.monotonic() + 15
    now = 0.0
    while time.monotonic() < deadline and now <= 0.5:
        now = browser.execute_script("return document.getElementById('video').currentTime")
        time.sleep(0.2)
    assert now > 0.5
    assert browser.execute_script("return document.getElementById('video').videoWidth") == 1920


def frame(mp4: Path, at: float) -> "np.ndarray":
    import numpy as np

    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{at:.2f}", "-i", str(mp4), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "480x270", "pipe:1"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(270, 480, 3)


def test_chapter_images_and_burned_in_captions(tmp_path: Path) -> None:
    """A chapter with its own (blue) image shows it while it plays; with [video]
    captions, a cue's words are drawn while it is on screen and not after it."""
    import numpy as np

    root = tmp_path / "show"
    ep = factory.make_show(root, seconds=40.0, recordings=1)
    factory.add_renditions(root, ("mp4",))
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=0x2040d0:s=1400x1400", "-frames:v", "1",
                    str(ep / "blue.png")], check=True)
    (ep / "t.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Host>Hello and welcome to the show.\n",
                              encoding="utf-8")
    toml = ep / "episode.toml"
    text = toml.read_text(encoding="utf-8").replace('recordings = ["raw/host.wav"]',
                                                    'recordings = ["raw/host.wav"]\ntranscript = "t.vtt"')
    toml.write_text(text.replace('start = "00:20"\n', 'start = "00:20"\nimage = "blue.png"\n'), encoding="utf-8")
    show = root / "show.toml"
    show.write_text(show.read_text(encoding="utf-8") + "\n[video]\ncaptions = true\n", encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    mp4 = ep / "dist" / "ep7.mp4"
    centre = lambda f: f[120:150, 225:255].reshape(-1, 3).mean(axis=0)  # noqa: E731
    blue, red = centre(frame(mp4, 25.5)), centre(frame(mp4, 12.5))  # chapter 3 (its image), chapter 2 (the artwork)
    assert blue[2] > blue[0] + 80 and red[0] > red[2] + 80, (blue, red)
    white = lambda f: int((f[150:240].min(axis=2) > 220).sum())  # noqa: E731  (text pixels under the middle)
    assert white(frame(mp4, 6.5)) > 200 > white(frame(mp4, 10.5))  # the cue is on at 5-8 s in the episode
