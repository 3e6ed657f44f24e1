"""Pure: feed XML in → feed XML out.

The channel's own tags are written from show.toml on every publish. Items are
kept as the exact bytes they had in the feed we read (items this tool did not
write included); only the episode's own item, found by its guid, is replaced
or inserted, newest first. The feed is parsed with defusedxml first, so a DTD
or an entity declaration is refused before anything else reads it.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from . import feed_doc
from .dates import parse_rfc2822, rfc2822
from . import namespace_tags as tags
from ..episode.models import License, Location, RemoteItem, Social, Txt, UpdateFrequency
from .feed_doc import FEED_KEY, NS
from .media_types import CHAPTERS_TYPE, FEED_TYPE
from ..chapters.timecode import format_seconds, format_time

# Podcasting 2.0: podcast:guid is a UUIDv5 of the feed URL under this namespace
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_MANAGED = {("", n) for n in ("title", "link", "description", "language", "generator", "lastBuildDate")} | {
    (NS["itunes"], n) for n in ("author", "owner", "image", "category", "explicit", "type", "summary")} | {
    (NS["atom"], "link")} | {(NS["podcast"], n) for n in (
        "guid", "locked", "funding", "person", "image", "medium", "txt", "license", "location", "updateFrequency",
        "podroll", "trailer")}
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


@dataclass(frozen=True)
class PersonTag:
    """podcast:person as written: the image already a URL."""

    name: str
    role: str = "host"
    group: str = "cast"
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Alternate:
    """podcast:alternateEnclosure: one more file of the episode, with its SHA-256."""

    url: str
    type: str
    length: int
    bitrate: int  # bits per second, on average
    title: str
    sha256_b64: str
    default: bool = False


@dataclass(frozen=True)
class ChannelInfo:
    title: str
    link: str
    description: str
    language: str
    author: str
    owner_name: str | None
    owner_email: str | None
    image_url: str
    categories: tuple[str, ...]
    explicit: bool
    feed_url: str
    locked: bool | None = None  # podcast:locked yes/no with owner_email; None: no tag
    funding: tuple[tuple[str, str], ...] = ()  # (url, text)
    persons: tuple[PersonTag, ...] = ()
    image: tags.Image | None = None  # podcast:image
    medium: str | None = None
    txt: tuple[Txt, ...] = ()
    license: License | None = None
    location: Location | None = None
    update_frequency: UpdateFrequency | None = None
    podroll: tuple[RemoteItem, ...] = ()


@dataclass(frozen=True)
class ItemInfo:
    guid: str
    title: str
    notes: str  # plain text show notes; links become clickable
    pub_date: dt.datetime
    enclosure_url: str
    enclosure_length: int
    enclosure_type: str
    duration_seconds: float
    episode: int
    season: int | None = None
    episode_type: str = "full"
    image_url: str | None = None
    chapters_url: str | None = None
    explicit: bool = False
    persons: tuple[PersonTag, ...] = ()  # when given they replace the channel's for this item (hosts too)
    soundbites: tuple[tuple[float, float, str | None], ...] = ()  # (start s, duration s, title)
    transcripts: tuple[tuple[str, str, str | None], ...] = ()  # (url, type, rel)
    alternates: tuple[Alternate, ...] = ()
    chapters: tuple[tuple[int, str, str | None], ...] = ()  # (start ms, title, url): psc:chapters
    image: tags.Image | None = None  # podcast:image of the episode's own artwork
    season_name: str | None = None
    license: License | None = None
    location: Location | None = None
    social: tuple[Social, ...] = ()


def podcast_guid(feed_url: str) -> str:
    normalized = re.sub(r"^[a-zA-Z]+://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, normalized))


def episode_guid(show_link: str, slug: str) -> str:
    """Stable for the episode: derived from the show's link and the episode folder's name."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{show_link.rstrip('/')}/episodes/{slug}"))


def notes_html(text: str) -> str:
    """Show notes as HTML: paragraphs from blank lines, line breaks kept, URLs clickable."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{_linkify(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)


def _linkify(text: str) -> str:
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[last:m.start()], quote=False))
        url = html.escape(m.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = m.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def _text(tag: str, value: str, attrs: str = "") -> str:
    return f"<{tag}{attrs}>{escape(value)}</{tag}>"


def channel_xml(c: ChannelInfo, now: dt.datetime) -> list[str]:
    parts = [
        _text("title", c.title), _text("link", c.link), _text("description", c.description),
        _text("language", c.language), _text("generator", "producer"),
        _text("lastBuildDate", rfc2822(now)),
        f"<atom:link href={quoteattr(c.feed_url)} rel=\"self\" type=\"{FEED_TYPE}\"/>",
        _text("podcast:guid", podcast_guid(c.feed_url)),
        _text("itunes:author", c.author), _text("itunes:summary", c.description),
        _text("itunes:type", "episodic"),
        f"<itunes:image href={quoteattr(c.image_url)}/>",
        _text("itunes:explicit", "true" if c.explicit else "false"),
    ]
    if c.owner_name or c.owner_email:
        owner = (_text("itunes:name", c.owner_name) if c.owner_name else "") + (
            _text("itunes:email", c.owner_email) if c.owner_email else "")
        parts.append(f"<itunes:owner>{owner}</itunes:owner>")
    parts += [_category(cat) for cat in c.categories]
    if c.locked is not None and c.owner_email:
        parts.append(_text("podcast:locked", "yes" if c.locked else "no", f" owner={quoteattr(c.owner_email)}"))
    parts += [_text("podcast:funding", text, f" url={quoteattr(url)}") for url, text in c.funding]
    parts += [_person(person) for person in c.persons]
    parts += [tags.image(c.image)] if c.image else []
    parts += [tags.medium(c.medium)] if c.medium else []
    parts += [tags.txt(t) for t in c.txt]
    parts += [tags.license_(c.license)] if c.license else []
    parts += [tags.location(c.location)] if c.location else []
    parts += [tags.update_frequency(c.update_frequency)] if c.update_frequency else []
    parts += [tags.podroll(c.podroll)] if c.podroll else []
    return parts


def _person(p: PersonTag) -> str:
    attrs = f" role={quoteattr(p.role)} group={quoteattr(p.group)}"
    attrs += f" href={quoteattr(p.href)}" if p.href else ""
    attrs += f" img={quoteattr(p.img)}" if p.img else ""
    return _text("podcast:person", p.name, attrs)


def _alternate(a: Alternate) -> str:
    attrs = (f"type={quoteattr(a.type)} length=\"{a.length}\" bitrate=\"{a.bitrate}\" title={quoteattr(a.title)}"
             + (' default="true"' if a.default else ""))
    return (f"<podcast:alternateEnclosure {attrs}><podcast:source uri={quoteattr(a.url)}/>"
            f"<podcast:integrity type=\"sri\" value=\"sha256-{a.sha256_b64}\"/></podcast:alternateEnclosure>")


def _psc(chapters: tuple[tuple[int, str, str | None], ...]) -> str:
    """Podlove Simple Chapters 1.2: normal play time with milliseconds."""
    rows = "".join(f"\n        <psc:chapter start=\"{format_time(ms, True)}\" title={quoteattr(title)}"
                   + (f" href={quoteattr(href)}" if href else "") + "/>" for ms, title, href in chapters)
    return f"<psc:chapters version=\"1.2\">{rows}\n      </psc:chapters>"


def _soundbite(start: float, duration: float, title: str | None) -> str:
    return _text("podcast:soundbite", title or "", f' startTime="{start:.3f}" duration="{duration:.3f}"')


def _category(text: str) -> str:
    """"Technology" or "Society & Culture > Documentary" (Apple's category, subcategory)."""
    top, _, sub = (p.strip() for p in text.partition(">"))
    inner = f"<itunes:category text={quoteattr(sub)}/>" if sub else ""
    return f"<itunes:category text={quoteattr(top)}>{inner}</itunes:category>" if inner else \
        f"<itunes:category text={quoteattr(top)}/>"


def item_xml(i: ItemInfo) -> str:
    notes = notes_html(i.notes) if i.notes else ""
    parts = [
        _text("title", i.title), _text("itunes:title", i.title),
        _text("description", notes), f"<content:encoded>{escape(notes)}</content:encoded>",
        _text("guid", i.guid, ' isPermaLink="false"'),
        _text("pubDate", rfc2822(i.pub_date)),
        f"<enclosure url={quoteattr(i.enclosure_url)} length=\"{i.enclosure_length}\" "
        f"type={quoteattr(i.enclosure_type)}/>",
        _text("itunes:duration", format_seconds(i.duration_seconds)),
        _text("itunes:episode", str(i.episode)),
        _text("itunes:episodeType", i.episode_type),
        _text("itunes:explicit", "true" if i.explicit else "false"),
    ]
    if i.season is not None:
        parts += [_text("itunes:season", str(i.season)), tags.season(i.season, i.season_name)]
    parts.append(tags.episode(i.episode))
    if i.image_url:
        parts.append(f"<itunes:image href={quoteattr(i.image_url)}/>")
    if i.chapters_url:
        parts.append(f"<podcast:chapters url={quoteattr(i.chapters_url)} type={quoteattr(CHAPTERS_TYPE)}/>")
    if i.chapters:
        parts.append(_psc(i.chapters))
    parts += [tags.image(i.image)] if i.image else []
    parts += [tags.license_(i.license)] if i.license else []
    parts += [tags.location(i.location)] if i.location else []
    parts += [tags.social(x, n) for n, x in enumerate(i.social, 1)]
    parts += [_person(person) for person in i.persons]
    parts += [_alternate(a) for a in i.alternates]
    parts += [_soundbite(*bite) for bite in i.soundbites]
    parts += [f"<podcast:transcript url={quoteattr(url)} type={quoteattr(kind)}"
              + (f" rel={quoteattr(rel)}" if rel else "") + "/>" for url, kind, rel in i.transcripts]
    return "<item>\n      " + "\n      ".join(parts) + "\n    </item>"


def upsert(existing: bytes | None, channel: ChannelInfo, item: ItemInfo, now: dt.datetime,
           where: str = "feed.xml") -> tuple[bytes, str]:
    """The new feed, and what happened to the item: "added", "replaced" or "unchanged"."""
    parsed = feed_doc.parse(existing, where) if existing else None
    new_item = item_xml(item)
    found = list(zip(parsed.items, parsed.pub_dates)) if parsed else []
    old = [raw for (guid, raw), _ in found if guid == item.guid]
    others = [(raw, when) for (guid, raw), when in found if guid != item.guid]
    change = "added" if not old else ("unchanged" if old[0] == new_item else "replaced")
    items = _insert_by_date(others, new_item, item.pub_date)
    return _document(channel, parsed, items, now), change


def _insert_by_date(others: list[tuple[str, str | None]], new_item: str, when: dt.datetime) -> list[str]:
    """Newest first; other items keep their order. `others`: (xml, its pubDate text)."""
    out = [raw for raw, _ in others]
    for index, (_, text) in enumerate(others):
        other = parse_rfc2822(text) if text else None
        if other is not None and other < when:
            out.insert(index, new_item)
            return out
    out.append(new_item)
    return out


def _document(channel: ChannelInfo, parsed: feed_doc.FeedDoc | None, items: list[str], now: dt.datetime) -> bytes:
    namespaces = {**(parsed.namespaces if parsed else {}), **NS}
    declarations = " ".join(f"xmlns:{p}={quoteattr(u)}" for p, u in sorted(namespaces.items()))
    kept = [raw for name, raw in parsed.others if name not in _MANAGED] if parsed else []
    body = "\n    ".join([*channel_xml(channel, now), *tags.trailers(items), *kept, *items])
    text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {declarations}>\n  <channel>\n'
            f"    {body}\n  </channel>\n</rss>\n")
    return text.encode("utf-8")


def item_guids(xml: bytes) -> list[str | None]:
    return [guid for guid, _ in feed_doc.parse(xml, FEED_KEY).items]


def last_build_date(xml: bytes) -> dt.datetime | None:
    text = feed_doc.parse(xml, FEED_KEY).last_build_date
    return parse_rfc2822(text) if text else None
