"""Chapters where each app reads them (issue 36): psc:chapters, the description's
timestamped list, and lint holding them to chapters.json. Read back with
ElementTree, feedparser, podcastparser, a regex, and ffprobe's chapters of the MP3."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from tests import factory
from tests.conftest import run_producer
from tests.e2e.test_podcast_tags import podcastparser_view

PSC = "{http://podlove.org/simple-chapters}"
STAMP = re.compile(r"^(\d{2}:\d{2}(?::\d{2})?) (.+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("apps") / "show"
    ep = factory.make_show(root, seconds=40.0, recordings=1)
    r = run_producer("publish", str(ep), "--quiet")
    assert r.code == 0, r.err
    return ep


def ffprobe_chapters(mp3: Path) -> list[tuple[float, str]]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
                         capture_output=True, text=True, check=True).stdout
    return [(float(c["start_time"]), c["tags"]["title"]) for c in json.loads(out)["chapters"]]


def test_every_form_of_the_chapters_agrees_with_the_mp3(published: Path) -> None:
    xml = (published.parent / "public" / "feed.xml").read_bytes()
    assert not feedparser.parse(xml).bozo
    assert podcastparser_view(xml)["episodes"]
    item = ET.fromstring(xml).find("channel/item")
    psc = [(c.get("start"), c.get("title")) for c in item.find(f"{PSC}chapters").findall(f"{PSC}chapter")]
    mp3 = ffprobe_chapters(published / "dist" / "ep7.mp3")

    def seconds(text: str) -> float:
        h, m, s = text.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    assert [(round(seconds(s), 3), t) for s, t in psc] == [(round(s, 3), t) for s, t in mp3]
    description = feedparser.parse(xml).entries[0].summary
    text = re.sub(r"<br\s*/?>", "\n", description)
    listed = STAMP.findall(re.sub(r"<[^>]+>", "\n", text))
    assert [s for s, _ in listed][0] == "00:00" and len(listed) == len(mp3) >= 3
    assert [int(seconds("00:" + s)) for s, _ in listed] == [int(s) for s, _ in mp3]


def test_lint_fails_a_description_whose_chapters_disagree_naming_both(published: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    xml = (published.parent / "public" / "feed.xml").read_text(encoding="utf-8")
    second = re.search(r"&lt;br/&gt;(\d\d:\d\d) ", xml).group(1)
    feed.write_text(xml.replace(f"&lt;br/&gt;{second} ", "&lt;br/&gt;00:09 ", 2), encoding="utf-8")
    r = run_producer("lint", str(feed), cwd=published.parent)
    assert r.code == 1, r.out + r.err
    line = [x for x in r.out.splitlines() if "chapters.agree" in x][0]
    assert "the description" in line and ("chapters.json" in line or "psc:chapters" in line), line
    assert f'{second}' in line and "00:00:09" in line
    r = run_producer("lint", str(published.parent / "public" / "feed.xml"), cwd=published.parent)
    assert r.code == 0 and "chapters.agree" not in r.out, r.out


def test_the_list_can_be_turned_off(published: Path, tmp_path: Path) -> None:
    copy = tmp_path / "show"
    shutil.copytree(published.parent, copy)
    show = copy / "show.toml"
    show.write_text(show.read_text(encoding="utf-8").replace("[show]\n", "[show]\ndescription_chapters = false\n"),
                    encoding="utf-8")
    r = run_producer("publish", str(copy / published.name), "--quiet")
    assert r.code == 0, r.err
    description = feedparser.parse((copy / "public" / "feed.xml").read_bytes()).entries[0].summary
    assert not STAMP.search(re.sub(r"<[^>]+>", "\n", description))
