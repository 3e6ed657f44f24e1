"""`producer lint` (issue 13's lint part): rules on hand-made feeds, URLs
resolved over HTTP against a loopback server and through the publish target,
and publish refusing a feed with errors in its channel or its own item."""
from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from producer.core.feed import lint
from tests import factory
from tests.servers import free_port
from tests.conftest import run_producer

CHANNEL = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Show</title><link>https://example.test</link><description>About</description><language>{language}</language>
<itunes:author>A</itunes:author><itunes:owner><itunes:email>a@example.test</itunes:email></itunes:owner>
<itunes:image href="https://example.test/art.jpg"/><itunes:category text="Technology"/>
<itunes:explicit>{explicit}</itunes:explicit>{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><guid>{guid}</guid><pubDate>{date}</pubDate>
<enclosure url="{url}" length="{length}" type="{type}"/></item>"""


def feed(language: str = "en", explicit: str = "false", items: list[dict] | None = None) -> bytes:
    rows = items if items is not None else [{}]
    body = "".join(ITEM.format(**{"title": "One", "guid": "g1", "date": "Tue, 24 Mar 2026 09:00:00 +0000",
                                  "url": "https://example.test/1.mp3", "length": "1000", "type": "audio/mpeg",
                                  **row}) for row in rows)
    return CHANNEL.format(language=language, explicit=explicit, items=body).encode()


def rules(findings: list[lint.Finding], severity: str = lint.ERROR) -> set[str]:
    return {f.rule for f in findings if f.severity == severity}


def test_a_good_feed_has_no_errors() -> None:
    assert lint.lint(feed()) == []


@pytest.mark.parametrize("kwargs, rule, severity", [
    ({"language": "english"}, "channel.language", lint.ERROR),
    ({"explicit": "maybe"}, "itunes.explicit", lint.ERROR),
    ({"explicit": "yes"}, "itunes.explicit", lint.WARNING),
    ({"items": [{}, {"title": "Two"}]}, "item.guid.unique", lint.ERROR),
    ({"items": [{"date": "2026-03-24"}]}, "item.pubDate", lint.ERROR),
    ({"items": [{"length": "unknown"}]}, "enclosure.length", lint.ERROR),
    ({"items": [{"type": "text/plain"}]}, "enclosure.type", lint.ERROR),
    ({"items": [{"type": "audio/ogg"}]}, "enclosure.type", lint.WARNING),
    ({"items": [{"url": "http://example.test/1.mp3"}]}, "url.https", lint.WARNING),
    ({"items": [{"url": "ftp://example.test/1.mp3"}]}, "url.valid", lint.ERROR),
    ({"items": [{"title": ""}]}, "item.required", lint.ERROR),
])
def test_each_rule_names_itself(kwargs: dict, rule: str, severity: str) -> None:
    found = lint.lint(feed(**kwargs))
    assert rule in rules(found, severity), [f.line() for f in found]


def test_a_missing_channel_tag_and_a_dtd() -> None:
    xml = feed().replace(b"<title>Show</title>", b"")
    assert "channel.required" in rules(lint.lint(xml))
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel/></rss>'
    assert rules(lint.lint(bomb)) == {"feed.xml"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served on loopback by the standard library (HEAD answers with Content-Length)."""
    root = tmp_path / "site"
    root.mkdir()
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_urls_are_resolved_over_http(served: tuple[Path, str]) -> None:
    root, url = served
    (root / "1.mp3").write_bytes(b"x" * 1000)
    factory.cover(root / "art.jpg", (600, 600))
    xml = feed(items=[{"url": f"{url}/1.mp3", "length": "999"}, {"guid": "g2", "url": f"{url}/gone.mp3"}])
    xml = xml.replace(b"https://example.test/art.jpg", f"{url}/art.jpg".encode())
    (root / "feed.xml").write_bytes(xml)
    r = run_producer("lint", f"{url}/feed.xml", "--json")
    assert r.code == 1, r.out + r.err
    found = {(f["rule"], f["item"]) for f in json.loads(r.out)["findings"] if f["severity"] == "error"}
    assert found == {("enclosure.length", "g1"), ("url.resolves", "g2"), ("artwork.size", None)}


def test_lint_of_our_own_show_and_publish_refusing_a_bad_channel(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    assert run_producer("publish", str(ep)).code == 0
    r = run_producer("lint", cwd=root)
    assert r.code == 0 and "0 errors" in r.out, r.out + r.err
    # the show's own feed file, named: the same verdicts, its URLs through the show's target
    named = run_producer("lint", str(root / "public" / "feed.xml"), "--json")
    plain = run_producer("lint", "--json", cwd=root)
    assert named.code == plain.code == 0 and json.loads(named.out) == json.loads(plain.out), named.out

    published = root / "public" / "feed.xml"
    published.write_bytes(published.read_bytes().replace(b'length="', b'length="1'))
    r = run_producer("lint", cwd=root)
    assert r.code == 1 and "enclosure.length" in r.out

    show = root / "show.toml"
    show.write_text(show.read_text(encoding="utf-8").replace('language = "en"', 'language = "english"'),
                    encoding="utf-8")
    before = published.read_bytes()
    r = run_producer("publish", str(ep))
    assert r.code == 2 and "channel.language" in r.err and "Traceback" not in r.err
    assert published.read_bytes() == before


def test_a_host_that_cannot_be_reached_is_one_warning(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    items = [{"guid": f"g{i}", "url": f"http://127.0.0.1:{port}/{i}.mp3"} for i in range(3)]
    (tmp_path / "feed.xml").write_bytes(feed(items=items))
    r = run_producer("lint", str(tmp_path / "feed.xml"), "--json")
    found = json.loads(r.out)["findings"]
    reach = [f["message"] for f in found if f["rule"] == "url.reachable" and f["severity"] == "warning"]
    # three enclosures on one silent host: one line for it (and one for the artwork's example.test)
    assert len([m for m in reach if f"cannot reach 127.0.0.1:{port}" in m]) == 1, found
    assert len(reach) == len(set(reach)), reach
    assert not [f for f in found if f["rule"] == "url.resolves"], found
