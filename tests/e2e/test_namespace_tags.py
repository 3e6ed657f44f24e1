"""The rest of the Podcasting 2.0 tags (issue 36): podcast:txt, image, season,
episode, trailer, license, location, updateFrequency, medium, podroll of
remoteItems, socialInteract, and itunes:season / episodeType. Read back with
podcast-partytime (the Podcast Index's parser, from npm), ElementTree, feedparser
and podcastparser; bad values refused in one line naming the file and the field."""
from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from tests import factory
from tests.conftest import run_producer
from tests.e2e.test_podcast_tags import podcastparser_view

PODCAST = "{https://podcastindex.org/namespace/1.0}"
JS = Path(__file__).resolve().parent.parent / "js"
GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
SHOW_KEYS = f"""medium = "podcast"
txt = [{{ text = "pl-verify-8a1f", purpose = "applepodcastsverify" }}, {{ text = "hello" }}]
license = {{ name = "CC BY 4.0", url = "https://creativecommons.org/licenses/by/4.0/" }}
location = {{ name = "Ghent, Belgium", geo = "geo:51.05,3.72", osm = "R897671" }}
update_frequency = {{ text = "Weekly", rrule = "FREQ=WEEKLY" }}
podroll = [{{ feed_guid = "{GUID}", feed_url = "https://other.example.test/feed.xml" }}]
"""
EPISODE_KEYS = """season = 2
season_name = "Transport"
location = { name = "FOSDEM, Brussels" }
license = { name = "CC BY-SA 4.0" }
social = [{ protocol = "activitypub", uri = "https://social.example.test/@show/71", account_id = "@show@social.example.test" }]
"""


def partytime(xml: bytes) -> dict:
    if not (JS / "node_modules" / "podcast-partytime").is_dir():
        pytest.fail("podcast-partytime is not installed (make test-deps)")
    out = subprocess.run(["node", str(JS / "partytime.js")], input=xml, capture_output=True, check=True).stdout
    return json.loads(out)


def tagged_show(root: Path, seconds: float) -> Path:
    """A show with every new key in show.toml and episode.toml; its episode folder."""
    ep = factory.make_show(root, seconds=seconds, chapters=[("00:00", "Start", None)], recordings=1)
    show = root / "show.toml"
    show.write_text(show.read_text(encoding="utf-8").replace("[show]\n", "[show]\n" + SHOW_KEYS), encoding="utf-8")
    toml = ep / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("recordings = ", EPISODE_KEYS + "recordings = "),
                    encoding="utf-8")
    return ep


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    root = tmp_path_factory.mktemp("tags") / "show"
    ep = tagged_show(root, 10.0)
    trailer = root / "ep8"
    shutil.copytree(ep, trailer, ignore=shutil.ignore_patterns("dist"))
    (trailer / "episode.toml").write_text(factory.episode_toml(
        ["raw/host.wav"], [("00:00", "Start", None)], 'episode_type = "trailer"\nseason = 3\n', number=8,
        title="Coming soon").replace("2026-03-24", "2026-03-20"), encoding="utf-8")
    for folder in (ep, trailer):
        r = run_producer("publish", str(folder), "--quiet")
        assert r.code == 0, r.err
    return (root / "public" / "feed.xml").read_bytes()


def test_the_podcast_index_parser_reads_every_new_tag(feed: bytes) -> None:
    p = partytime(feed)
    assert p["medium"] == "podcast"
    assert {(t["value"], t.get("purpose")) for t in p["podcastTxt"]} == {
        ("pl-verify-8a1f", "applepodcastsverify"), ("hello", None)}
    assert p["license"] == {"identifier": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert p["podcastLocation"] == {"name": "Ghent, Belgium", "geo": "geo:51.05,3.72", "osm": "R897671"}
    assert [r["feedGuid"] for r in p["podroll"]] == [GUID]
    (trailer,) = p["trailers"]
    assert trailer["title"] == "Coming soon" and trailer["season"] == 3 and trailer["url"].endswith("/ep8/ep8.mp3")
    item = [i for i in p["items"] if i["title"] != "Coming soon"][0]
    assert item["podcastSeason"] == {"number": 2, "name": "Transport"}
    assert item["podcastEpisode"]["number"] == 7
    assert item["podcastLocation"] == {"name": "FOSDEM, Brussels"}
    social = item["podcastSocialInteraction"][0]
    assert (social["platform"], social["url"], social["id"]) == (
        "activitypub", "https://social.example.test/@show/71", "@show@social.example.test")
    assert item["itunesSeason"] == 2 and item["itunesEpisodeType"] == "full"
    assert [i for i in p["items"] if i["title"] == "Coming soon"][0]["itunesEpisodeType"] == "trailer"


def test_images_and_frequency_read_by_element_tree_and_the_feed_reads_everywhere(feed: bytes) -> None:
    channel = ET.fromstring(feed).find("channel")
    image = channel.find(f"{PODCAST}image")
    assert image.get("href").endswith("/artwork.jpg") and (image.get("width"), image.get("height")) == ("1400", "1400")
    item = [i for i in channel.findall("item") if i.findtext("title") != "Coming soon"][0]
    license_ = item.find(f"{PODCAST}license")  # partytime 5 reads the channel's license only
    assert (license_.text, license_.get("url")) == ("CC BY-SA 4.0", None)
    frequency = channel.find(f"{PODCAST}updateFrequency")
    assert (frequency.text, frequency.get("rrule")) == ("Weekly", "FREQ=WEEKLY")
    assert not feedparser.parse(feed).bozo
    assert len(podcastparser_view(feed)["episodes"]) == 2


def test_lint_passes_our_feed_and_names_each_bad_value(feed: bytes, tmp_path: Path) -> None:
    ok = tmp_path / "ok.xml"
    ok.write_bytes(feed)
    r = run_producer("lint", str(ok))
    assert "podcast." not in r.out, r.out
    bad = tmp_path / "bad.xml"
    bad.write_bytes(feed.replace(b"<podcast:medium>podcast<", b"<podcast:medium>radio<")
                    .replace(b'geo="geo:51.05,3.72"', b'geo="51.05,3.72"')
                    .replace(f'feedGuid="{GUID}"'.encode(), b'feedGuid=""'))
    r = run_producer("lint", str(bad))
    assert r.code == 1
    for rule in ("podcast.medium", "podcast.location", "podcast.remoteItem"):
        assert rule in r.out, r.out


@pytest.mark.parametrize("where, change, field", [
    ("show", lambda t: t.replace('{ text = "hello" }', '{ text = "' + "x" * 4001 + '" }'), "show.txt[1].text"),
    ("show", lambda t: t.replace('name = "Ghent, Belgium", ', ""), "show.location.name"),
    ("show", lambda t: t.replace('medium = "podcast"', 'medium = "radio"'), "show.medium"),
    ("show", lambda t: t.replace(f'feed_guid = "{GUID}", ', ""), "show.podroll[0].feed_guid"),
    ("episode", lambda t: t.replace("season = 2\n", ""), "season_name"),
    ("show", lambda t: t + '\n[video]\nsize = "1921x1080"\n', "video.size"),
])
def test_bad_values_exit_2_in_one_line_naming_the_field(tmp_path: Path, where: str, change, field: str) -> None:  # type: ignore[no-untyped-def]
    ep = tagged_show(tmp_path / "show", 5.0)
    target = ep.parent / "show.toml" if where == "show" else ep / "episode.toml"
    target.write_text(change(target.read_text(encoding="utf-8")), encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1, r.err
    assert str(target) in r.err and field in r.err, r.err
    assert not (ep / "dist").exists()
