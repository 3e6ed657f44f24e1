"""Podcasting 2.0 tags from show.toml and episode.toml (issue 13, the feed
part): podcast:person, podcast:funding, podcast:locked, podcast:soundbite.
Read back with the standard library's ElementTree, podcastparser (given the
namespace's other URI, which the spec makes identical) and feedparser."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import podcastparser
import pytest

from producer.errors import InputError
from producer.io.config import load_show
from tests import factory
from tests.conftest import run_producer

PODCAST = "{https://podcastindex.org/namespace/1.0}"


def podcastparser_view(xml: bytes) -> dict:
    """podcastparser's reading. It knows the namespace only by its first URI, which the
    spec says clients must treat as identical to the one we write: so it is given that one."""
    old = b"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
    return podcastparser.parse("https://cdn.example.test/feed.xml",
                               io.BytesIO(xml.replace(PODCAST.strip("{}").encode(), old)))


def show_with_people(root: Path) -> Path:
    ep = factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    factory.cover(root / "glen.jpg", (400, 400), "RGB", "JPEG")
    show = root / "show.toml"
    show.write_text(show.read_text(encoding="utf-8").replace(
        'explicit = false\n', 'explicit = false\nlocked = true\n'
        'funding = { url = "https://example.test/support", text = "Support the show" }\n')
        + '\n[[persons]]\nname = "Glen"\nrole = "host"\nhref = "https://example.test/glen"\nimg = "glen.jpg"\n',
        encoding="utf-8")
    with (ep / "episode.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[persons]]\nname = "Delaney"\nrole = "guest"\n'
                '\n[[soundbites]]\nstart = "00:02"\nduration = 3.5\ntitle = "Why SSE"\n')
    return ep


def test_persons_funding_locked_and_soundbites_reach_the_feed(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = show_with_people(root)
    r = run_producer("publish", str(ep))
    assert r.code == 0, r.err
    xml = (root / "public" / "feed.xml").read_bytes()

    assert not feedparser.parse(xml).bozo
    parsed = podcastparser_view(xml)
    assert parsed["funding_url"] == "https://example.test/support" and parsed["import_prohibited"] is True
    assert [(p["name"], p["role"]) for p in parsed["episodes"][0]["persons"]] == [("Glen", "host"), ("Delaney", "guest")]
    channel = ET.fromstring(xml).find("channel")
    (funding,) = channel.findall(f"{PODCAST}funding")
    assert (funding.get("url"), funding.text) == ("https://example.test/support", "Support the show")
    item_people = channel.find("item").findall(f"{PODCAST}person")
    assert [(p.text, p.get("role")) for p in item_people] == [("Glen", "host"), ("Delaney", "guest")]
    locked = channel.find(f"{PODCAST}locked")
    assert locked.text == "yes" and locked.get("owner") == "hello@example.test"
    (host,) = channel.findall(f"{PODCAST}person")
    assert host.get("href") == "https://example.test/glen" and host.get("group") == "cast"
    img = host.get("img")
    assert img.startswith("https://cdn.example.test/people/")
    published = root / "public" / img.removeprefix("https://cdn.example.test/")
    assert published.read_bytes() == (root / "glen.jpg").read_bytes()
    (bite,) = channel.find("item").findall(f"{PODCAST}soundbite")
    assert (float(bite.get("startTime")), float(bite.get("duration")), bite.text) == (2.0, 3.5, "Why SSE")

    edit = root / "show.toml"
    edit.write_text(edit.read_text(encoding="utf-8").replace("locked = true", "locked = false"), encoding="utf-8")
    assert run_producer("publish", str(ep)).code == 0
    channel = ET.fromstring((root / "public" / "feed.xml").read_bytes()).find("channel")
    assert [e.text for e in channel.findall(f"{PODCAST}locked")] == ["no"], "the channel's tags are rewritten"


def test_a_soundbite_past_the_end_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = show_with_people(root)
    toml = ep / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('start = "00:02"', 'start = "00:40"'), encoding="utf-8")
    r = run_producer("publish", str(ep))
    assert r.code == 2 and "soundbites[0]" in r.err and "Traceback" not in r.err
    assert not (root / "public" / "feed.xml").exists()


@pytest.mark.parametrize("change, field", [
    ('owner_email = "hello@example.test"\n', "locked"),  # locked needs the owner's address
    ('role = "host"', "group"),
    ('href = "https://example.test/glen"', "href"),
])
def test_bad_podcast_tags_are_refused_naming_the_field(tmp_path: Path, change: str, field: str) -> None:
    root = tmp_path / "show"
    show_with_people(root)
    show = root / "show.toml"
    text = show.read_text(encoding="utf-8")
    replacement = {"locked": "", "group": 'role = "host"\ngroup = "band"', "href": 'href = "glen.example"'}[field]
    show.write_text(text.replace(change, replacement), encoding="utf-8")
    with pytest.raises(InputError, match=field):
        load_show(show)
