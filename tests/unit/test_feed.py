"""Pure feed functions: guids, show notes as HTML, foreign encodings."""
from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from producer.core.feed import feed
from producer.errors import InputError

CHANNEL = feed.ChannelInfo("S", "https://x.test", "d", "en", "a", None, None, "https://x.test/a.jpg",
                           ("Society & Culture > Documentary",), False, "https://x.test/feed.xml")
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def item(guid: str = "g2", when: dt.datetime = WHEN) -> feed.ItemInfo:
    return feed.ItemInfo(guid, "T & <t>", "See https://x.test/a?b=1&c=2.\n\nBye", when, "https://x.test/a.mp3",
                         1, "audio/mpeg", 3725.4, 1)


def test_podcast_guid_is_the_namespace_uuidv5_of_the_feed_url() -> None:
    # the Podcasting 2.0 namespace's own example
    assert feed.podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed.podcast_guid("http://mp3s.nashownotes.com/pc20rss.xml/") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"


def test_notes_become_html_with_clickable_links() -> None:
    html = feed.notes_html("See https://x.test/a?b=1&c=2.\n\nBye <3")
    assert html == ('<p>See <a href="https://x.test/a?b=1&amp;c=2">https://x.test/a?b=1&amp;c=2</a>.</p>'
                    "<p>Bye &lt;3</p>")


def test_a_new_feed_parses_with_category_and_duration() -> None:
    xml, change = feed.upsert(None, CHANNEL, item(), WHEN)
    parsed = feedparser.parse(xml)
    assert change == "added" and not parsed.bozo
    assert parsed.feed.tags[0].term == "Society & Culture"
    (entry,) = parsed.entries
    assert entry.title == "T & <t>" and entry.itunes_duration == "01:02:05"


def test_a_feed_in_another_encoding_keeps_its_items() -> None:
    old = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>x</title>'
           "<item><title>Caf\xe9</title><guid>g1</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate></item>"
           "</channel></rss>").encode("latin-1")
    out, change = feed.upsert(old, CHANNEL, item(), WHEN)
    assert change == "added"
    assert [e.title for e in feedparser.parse(out).entries] == ["T & <t>", "Café"]


def test_replacing_an_item_twice_is_stable() -> None:
    first, _ = feed.upsert(None, CHANNEL, item(), WHEN)
    second, change = feed.upsert(first, CHANNEL, item(), WHEN)
    assert change == "unchanged" and second == first


def test_not_rss_is_refused() -> None:
    with pytest.raises(InputError, match="not an RSS feed"):
        feed.upsert(b"<feed xmlns='http://www.w3.org/2005/Atom'/>", CHANNEL, item(), WHEN)
    with pytest.raises(InputError, match="not well-formed"):
        feed.upsert(b"<rss><channel>", CHANNEL, item(), WHEN)


# ---------------------------------------------------------------- the description's chapter list (issue 36)

from producer.core.chapters.chapter_formats import description_list, holds_list  # noqa: E402
from producer.core.chapters.chapters import Chapter as _Chapter  # noqa: E402

_THREE = [_Chapter(0, "Intro"), _Chapter(65_250, "Second"), _Chapter(3_700_900, "Late")]


@pytest.mark.parametrize("chapters, duration, text", [
    (_THREE, 4000.0, "00:00:00 Intro\n00:01:05 Second\n01:01:40 Late"),  # an hour or more: HH:MM:SS
    (_THREE[:2] + [_Chapter(600_000, "Late")], 900.0, "00:00 Intro\n01:05 Second\n10:00 Late"),
    (_THREE[:2], 900.0, None),  # fewer than three: apps would not read it
    ([_Chapter(5000, "A"), _Chapter(9000, "B"), _Chapter(12000, "C")], 900.0, None),  # not from 00:00
])
def test_the_description_list_is_what_apple_and_youtube_read(chapters, duration, text) -> None:  # type: ignore[no-untyped-def]
    assert description_list(chapters, duration) == text


def test_notes_that_hold_a_list_are_left_alone_and_others_get_one() -> None:
    from dataclasses import replace

    from producer.core.feed.episode_item import notes
    from tests.unit.test_owners import EPISODE, SHOW

    ep = replace(EPISODE, description="Talk.", chapters=tuple(_THREE[:2] + [_Chapter(600_000, "Late")]))
    assert notes(SHOW, ep, 900.0) == "Talk.\n\n00:00 Intro\n01:05 Second\n10:00 Late"
    own = replace(ep, description="Talk.\n0:00 Start\n2:00 Middle\n9:00 End")
    assert holds_list(own.description) and notes(SHOW, own, 900.0) == own.description
    assert notes(replace(SHOW, description_chapters=False), ep, 900.0) == "Talk."
