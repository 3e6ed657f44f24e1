"""Renditions (issue 13, part 1): AAC in M4A and Opus in Ogg beside the MP3,
each measured after encoding. Checked with ffprobe (chapters, streams),
ffmpeg's ebur128 (loudness, true peak), mutagen (cover art), hashlib and
ElementTree (the feed's alternateEnclosure and its integrity)."""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from mutagen.flac import Picture
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from producer.errors import InputError
from producer.io.config import load_show
from tests import factory
from tests.conftest import run_producer

pytestmark = pytest.mark.slow  # long builds: tens of seconds each

PODCAST = "{https://podcastindex.org/namespace/1.0}"
# starts that are not whole seconds, half a second and more among them: ffmpeg 5.1 rounds the
# seconds of Ogg chapter comments (10.5 s came out as 11.500)
CHAPTERS = [("00:00", "Start", None), ("00:04.500", "Middle", None), ("00:08.750", "Late", None),
            ("00:11.999", "End", None)]
EXPECTED = [(0, "Start"), (4500, "Middle"), (8750, "Late"), (11999, "End")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("renditions") / "show"
    ep = factory.make_show(root, seconds=14, chapters=CHAPTERS, recordings=1)
    factory.add_renditions(root)
    r = run_producer("publish", str(ep))
    assert r.code == 0, r.err
    return ep


def ffprobe_chapters(path: Path) -> list[tuple[int, str]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return [(round(float(c["start_time"]) * 1000), c["tags"]["title"]) for c in json.loads(out)["chapters"]]


@pytest.mark.parametrize("fmt", ["m4a", "opus"])
def test_each_rendition_has_the_chapters_in_order_with_exact_starts(built: Path, fmt: str) -> None:
    """To the millisecond, against the MP3's CHAP frames and episode.toml, both read by ffprobe."""
    assert ffprobe_chapters(built / "dist" / "ep7.mp3") == EXPECTED
    assert ffprobe_chapters(built / "dist" / f"ep7.{fmt}") == EXPECTED


@pytest.mark.parametrize("fmt", ["m4a", "opus"])
def test_each_rendition_meets_the_target_measured_by_ebur128(built: Path, fmt: str) -> None:
    m = factory.ebur128(built / "dist" / f"ep7.{fmt}")
    assert m.integrated == pytest.approx(-16.0, abs=0.2) and m.true_peak <= -1.0


def test_every_format_is_made_in_one_pass(built: Path) -> None:
    """The MP3 and both renditions ride one pass over the programme; each landed on
    its first render (the ebur128 test above holds them to the target)."""
    report = json.loads((built / "dist" / "report.json").read_text(encoding="utf-8"))
    assert report["passes"] == 1 and report["tries"] == 1
    assert {fmt: r["tries"] for fmt, r in report["renditions"].items()} == {"m4a": 1, "opus": 1}


def test_a_mispredicted_format_alone_is_rendered_again(built: Path, tmp_path: Path) -> None:
    """A test hook adds 1 dB to the M4A's predicted gain: its first file misses by
    about 1 LU, and only the M4A is made again, in a second pass."""
    show = tmp_path / "show"
    shutil.copytree(built.parent, show)
    ep = show / built.name
    r = run_producer("build", str(ep), env={"PRODUCER_TEST_PREDICTION_ERROR": "m4a=1.0"})
    assert r.code == 0, r.err
    report = json.loads((ep / "dist" / "report.json").read_text(encoding="utf-8"))
    assert report["passes"] == 2 and report["tries"] == 1
    assert {fmt: x["tries"] for fmt, x in report["renditions"].items()} == {"m4a": 2, "opus": 1}
    first, shipped = report["renditions"]["m4a"]["attempts"]
    assert first["output"]["integrated"] == pytest.approx(-15.0, abs=0.3)  # the forced error, measured
    m = factory.ebur128(ep / "dist" / "ep7.m4a")
    assert m.integrated == pytest.approx(-16.0, abs=0.2) and m.true_peak <= -1.0
    assert ffprobe_chapters(ep / "dist" / "ep7.m4a") == EXPECTED


def test_renditions_carry_the_cover_and_tags(built: Path) -> None:
    art = (built.parent / "artwork.jpg").read_bytes()
    m4a = MP4(built / "dist" / "ep7.m4a")
    title = tomllib.loads((built / "episode.toml").read_text(encoding="utf-8"))["title"]
    assert bytes(m4a.tags["covr"][0]) == art and m4a.tags["\xa9nam"] == [title]
    opus = OggOpus(built / "dist" / "ep7.opus")
    picture = Picture(base64.b64decode(opus.tags["metadata_block_picture"][0]))
    assert picture.data == art and picture.type == 3 and opus.tags["title"] == [title]
    assert b"chpl" in (built / "dist" / "ep7.m4a").read_bytes(), "Nero chapters beside the QuickTime track"
    streams = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "json",
                              str(built / "dist" / "ep7.m4a")], capture_output=True, text=True, check=True).stdout
    kinds = {(s["codec_type"], s["codec_name"]) for s in json.loads(streams)["streams"]}
    assert ("audio", "aac") in kinds and ("data", "bin_data") in kinds  # the chapter text track


def test_the_feed_offers_every_file_with_its_integrity(built: Path) -> None:
    public = built.parent / "public"
    item = ET.fromstring((public / "feed.xml").read_bytes()).find("channel/item")
    found = {}
    for alt in item.findall(f"{PODCAST}alternateEnclosure"):
        uri = alt.find(f"{PODCAST}source").get("uri")
        local = public / uri.removeprefix("https://cdn.example.test/")
        digest = base64.b64encode(hashlib.sha256(local.read_bytes()).digest()).decode()
        assert alt.find(f"{PODCAST}integrity").get("value") == f"sha256-{digest}"
        assert int(alt.get("length")) == local.stat().st_size
        found[alt.get("type")] = alt.get("default")
    assert found == {"audio/mpeg": "true", "audio/mp4": None, "audio/ogg": None}
    parsed = feedparser.parse((public / "feed.xml").read_bytes())
    assert not parsed.bozo and "podcast_alternateenclosure" in parsed.entries[0]


def test_an_unknown_rendition_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "show"
    factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    show = root / "show.toml"
    show.write_text(show.read_text(encoding="utf-8").replace("[audio]\n", '[audio]\nrenditions = ["flac"]\n'),
                    encoding="utf-8")
    with pytest.raises(InputError, match="renditions"):
        load_show(show)


def test_check_judges_renditions_like_the_mp3(built: Path, tmp_path: Path) -> None:
    r = run_producer("check", str(built / "dist" / "*"), "--episode", str(built), "--json")
    assert r.code == 0, r.out + r.err
    assert sorted(Path(f["file"]).name for f in json.loads(r.out)["files"]) == ["ep7.m4a", "ep7.mp3", "ep7.opus"]

    loud = tmp_path / "ep7.m4a"  # 6 dB too hot and its chapters stripped, as a careless re-encode does
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(built / "dist" / "ep7.m4a"), "-map", "0:a", "-map_chapters",
                    "-1", "-af", "volume=6dB", "-c:a", "aac", "-b:a", "128k", str(loud)], check=True)
    r = run_producer("check", str(loud), "--json")
    assert r.code == 1, r.out + r.err
    failed = {v["name"] for v in json.loads(r.out)["files"][0]["checks"] if not v["pass"]}
    assert {"loudness", "chapters", "cover"} <= failed


def test_a_preset_can_make_a_rendition_the_main_enclosure(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    stereo = (Path(__file__).parent.parent.parent / "presets" / "podcast-stereo.toml").read_text(encoding="utf-8")
    (root / "presets").mkdir()
    (root / "presets" / "aac-first.toml").write_text(stereo + '\n[renditions]\ndefault = ["m4a"]\nmain = "m4a"\n',
                                                     encoding="utf-8")
    (root / "presets" / "opus-first.toml").write_text(stereo + '\n[renditions]\nmain = "opus"\n', encoding="utf-8")
    show = root / "show.toml"
    show.write_text(show.read_text(encoding="utf-8").replace('preset = "podcast-stereo"', 'preset = "opus-first"'),
                    encoding="utf-8")
    r = run_producer("publish", str(ep))
    assert r.code == 2 and "renditions.main" in r.err and "Traceback" not in r.err

    show.write_text(show.read_text(encoding="utf-8").replace('"opus-first"', '"aac-first"'), encoding="utf-8")
    r = run_producer("publish", str(ep))
    assert r.code == 0, r.err
    item = ET.fromstring((root / "public" / "feed.xml").read_bytes()).find("channel/item")
    enclosure = item.find("enclosure")
    assert enclosure.get("url").endswith("/episodes/ep7/ep7.m4a") and enclosure.get("type") == "audio/mp4"
    assert int(enclosure.get("length")) == (ep / "dist" / "ep7.m4a").stat().st_size
    defaults = {a.get("type"): a.get("default") for a in item.findall(f"{PODCAST}alternateEnclosure")}
    assert defaults == {"audio/mpeg": None, "audio/mp4": "true"}
