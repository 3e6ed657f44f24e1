"""The one reader of feed XML, for publish's upsert, lint and the website.

defusedxml parses it first (no DTD, no entity declarations: a billion-laughs
feed is refused before anything else reads it) into an ElementTree for the
readers that want elements; expat then finds the exact bytes of each of the
channel's children on the document that already passed, because publish keeps
every item it does not own byte for byte. Every failure is the project's own
InputError naming the feed. Pure."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ...errors import InputError

FEED_KEY = "feed.xml"  # the feed's name at the target's root (DESIGN.md's storage layout)
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "psc": "http://podlove.org/simple-chapters",  # Podlove Simple Chapters 1.2 (Spotify reads them)
}
ITUNES, PODCAST, CONTENT, ATOM, PSC = (f"{{{NS[k]}}}" for k in ("itunes", "podcast", "content", "atom", "psc"))


@dataclass
class FeedDoc:
    channel: Any  # the <channel> element (ElementTree)
    items: list[tuple[str | None, str]] = field(default_factory=list)  # (guid, exact xml), in order
    others: list[tuple[tuple[str, str], str]] = field(default_factory=list)  # other children: (name, xml)
    namespaces: dict[str, str] = field(default_factory=dict)  # prefix → uri declared on rss/channel
    pub_dates: list[str | None] = field(default_factory=list)  # each item's <pubDate> text, as `items`

    @property
    def last_build_date(self) -> str | None:
        return (self.channel.findtext("lastBuildDate") or "").strip() or None


def parse(xml: bytes, where: str = FEED_KEY) -> FeedDoc:
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as e:
        raise InputError(f"{where}: refused: {e}") from None
    except SafeET.ParseError as e:
        raise InputError(f"{where}: is not well-formed XML ({e})") from None
    if root.tag != "rss":
        raise InputError(f"{where}: not an RSS feed (root is <{root.tag.rpartition('}')[2]}>)")
    channel = root.find("channel")
    if channel is None:
        raise InputError(f"{where}: not an RSS feed (no <rss><channel>)")
    doc = FeedDoc(channel)
    _Scanner(xml, where, doc).run()
    doc.pub_dates = [(el.findtext("pubDate") or "").strip() or None for el in channel.findall("item")]
    return doc


class _Scanner:
    """Finds the byte ranges of the channel's children with expat (safe: the
    document already passed defusedxml with DTDs forbidden)."""

    def __init__(self, xml: bytes, where: str, doc: FeedDoc) -> None:
        self.xml, self.where, self.doc = xml, where, doc
        self.encoding = _declared_encoding(xml)
        self.stack: list[tuple[str, str]] = []
        self.child_start = 0
        self.child_name: tuple[str, str] | None = None
        self.guid: str | None = None
        self.in_guid = False
        self.p = expat.ParserCreate(namespace_separator=" ")
        self.p.namespace_prefixes = False
        self.p.StartElementHandler = self.start
        self.p.EndElementHandler = self.end
        self.p.CharacterDataHandler = self.chars
        self.p.StartNamespaceDeclHandler = self.ns

    def run(self) -> None:
        self.p.Parse(self.xml, True)

    @staticmethod
    def split(name: str) -> tuple[str, str]:
        uri, _, local = name.rpartition(" ")
        return (uri, local)

    def ns(self, prefix: str | None, uri: str) -> None:
        if len(self.stack) <= 1 and prefix:
            self.doc.namespaces[prefix] = uri

    def start(self, name: str, attrs: dict[str, str]) -> None:
        qname = self.split(name)
        depth = len(self.stack)
        if depth == 2 and self.stack[1] == ("", "channel"):
            self.child_start = self.p.CurrentByteIndex
            self.child_name = qname
            self.guid = None
        if depth == 3 and self.child_name == ("", "item") and qname == ("", "guid"):
            self.in_guid = True
            self.guid = ""
        self.stack.append(qname)

    def chars(self, data: str) -> None:
        if self.in_guid:
            self.guid = (self.guid or "") + data

    def end(self, name: str) -> None:
        qname = self.stack.pop()
        if qname == ("", "guid"):
            self.in_guid = False
        if len(self.stack) == 2 and self.child_name is not None:
            at = self.p.CurrentByteIndex  # an end tag's start, or just past an empty element's "/>"
            stop = self.xml.index(b">", at) + 1 if self.xml.startswith(b"</", at) else at
            try:  # kept as text and written back in UTF-8, whatever the feed was in
                raw = self.xml[self.child_start:stop].decode(self.encoding)
            except (LookupError, UnicodeDecodeError):
                raise InputError(f"{self.where}: is not valid {self.encoding}") from None
            if qname == ("", "item"):
                self.doc.items.append(((self.guid or "").strip() or None, raw))
            else:
                self.doc.others.append((qname, raw))
            self.child_name = None


def _declared_encoding(xml: bytes) -> str:
    m = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", xml.lstrip(b"\xef\xbb\xbf"))
    return m.group(1).decode() if m else "utf-8"
