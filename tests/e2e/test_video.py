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
