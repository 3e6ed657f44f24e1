"""The Podcasting 2.0 tags beyond the first eight (DESIGN.md "Every app"): each
from one key of show.toml or episode.toml, each left out when its key is. Pure:
models in, XML text out; trailers read back from the feed's own items."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

from ..episode.models import License, Location, RemoteItem, Social, Txt, UpdateFrequency
from .feed_doc import ITUNES, NS


@dataclass(frozen=True)
class Image:
    """podcast:image: the artwork with what apps lay it out by."""
    url: str
    width: int
    height: int
    mime: str


def _tag(name: str, text: str, attrs: Sequence[tuple[str, str | int | None]] = ()) -> str:
    written = "".join(f" {k}={quoteattr(str(v))}" for k, v in attrs if v is not None)
    return f"<podcast:{name}{written}>{escape(text)}</podcast:{name}>"


def image(i: Image) -> str:
    return (f"<podcast:image href={quoteattr(i.url)} width=\"{i.width}\" height=\"{i.height}\" "
            f"type={quoteattr(i.mime)} purpose=\"artwork\"/>")


def txt(t: Txt) -> str:
    return _tag("txt", t.text, [("purpose", t.purpose)])


def license_(lic: License) -> str:
    return _tag("license", lic.name, [("url", lic.url)])


def location(loc: Location) -> str:
    return _tag("location", loc.name, [("geo", loc.geo), ("osm", loc.osm)])


def update_frequency(u: UpdateFrequency) -> str:
    return _tag("updateFrequency", u.text, [("rrule", u.rrule)])


def podroll(items: Sequence[RemoteItem]) -> str:
    inner = "".join(f"<podcast:remoteItem feedGuid={quoteattr(r.feed_guid)}"
                    + (f" feedUrl={quoteattr(r.feed_url)}" if r.feed_url else "") + "/>" for r in items)
    return f"<podcast:podroll>{inner}</podcast:podroll>"


def social(s: Social, priority: int) -> str:
    attrs = [("protocol", s.protocol), ("uri", s.uri), ("accountId", s.account_id), ("priority", priority)]
    return "<podcast:socialInteract" + "".join(f" {k}={quoteattr(str(v))}" for k, v in attrs if v is not None) + "/>"


def season(number: int, name: str | None) -> str:
    return _tag("season", str(number), [("name", name)])


def episode(number: int) -> str:
    return _tag("episode", str(number))


def medium(value: str) -> str:
    return _tag("medium", value)


def trailers(items: Sequence[str]) -> list[str]:
    """podcast:trailer in the channel for every item whose itunes:episodeType is
    "trailer", newest first as the items are: its enclosure, date, title and season."""
    out = []
    declarations = " ".join(f'xmlns:{p}="{u}"' for p, u in NS.items())
    for raw in items:
        try:
            item = ET.fromstring(f"<wrap {declarations}>{raw}</wrap>").find("item")
        except ET.ParseError:
            continue
        if item is None or (item.findtext(f"{ITUNES}episodeType") or "").strip() != "trailer":
            continue
        enclosure = item.find("enclosure")
        if enclosure is None or not item.findtext("pubDate"):
            continue
        out.append(_tag("trailer", (item.findtext("title") or "Trailer")[:128], [
            ("pubdate", item.findtext("pubDate")), ("url", enclosure.get("url")),
            ("length", enclosure.get("length")), ("type", enclosure.get("type")),
            ("season", item.findtext(f"{ITUNES}season"))]))
    return out
