"""Lint a podcast feed against Apple Podcasts' published requirements and the
podcast namespace. Pure: the feed's bytes in, findings out; whether a URL
resolves, and what it holds, is asked of a `Resolver` the caller supplies
(HTTP for any feed, the storage target for our own)."""
from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass
from typing import Any, Callable, Protocol

from ...errors import InputError, TimeError
from . import feed_doc
from ..episode.artwork import Artwork
from ..episode.models import GEO_URI, MEDIUMS, OSM_ID, RRULE, SHORT_MAX, TXT_MAX
from .dates import parse_rfc2822
from .feed_doc import ITUNES, NS, PODCAST, PSC
from ..chapters import chapter_formats
from ..chapters.timecode import format_time, parse_time

ERROR, WARNING = "error", "warning"
CHANNEL_REQUIRED = ("title", "description", "language", f"{ITUNES}image", f"{ITUNES}category",
                    f"{ITUNES}explicit")
CHANNEL_RECOMMENDED = ("link", f"{ITUNES}author", f"{ITUNES}owner")
# Apple Podcasts plays these; other apps play more (Opus, for one), so others only warn
APPLE_TYPES = ("audio/mpeg", "audio/x-m4a", "audio/mp4", "audio/aac", "video/mp4", "video/x-m4v",
               "video/quicktime", "application/pdf", "application/x-mpegURL")
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    where: str  # "channel" or "item <guid or title>"
    message: str
    item: str | None = None  # the item's guid, for a finding about one item

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def line(self) -> str:
        return f"{self.severity:<7} {self.rule:<22} {self.where}: {self.message}"


@dataclass(frozen=True)
class Resource:
    size: int | None
    content_type: str | None
    reached: bool = True  # False: the host did not answer at all (said once per host, not per URL)


class Resolver(Protocol):
    def covers(self, url: str) -> bool: ...  # whether this resolver may answer for the URL
    def head(self, url: str) -> Resource | None: ...  # None: it does not resolve
    def image(self, url: str) -> Artwork | None: ...
    def read(self, url: str) -> bytes | None: ...  # a small file's bytes (chapters.json)


def lint(xml: bytes, resolver: Resolver | None = None,
         resolve_item: Callable[[str | None], bool] = lambda guid: True) -> list[Finding]:
    """Every finding, channel first. URLs are resolved only where `resolver`
    covers them and, for items, where `resolve_item(guid)` says so."""
    try:
        channel = feed_doc.parse(xml).channel
    except InputError as e:  # not XML, a DTD or entities, not RSS: nothing else can be read
        return [Finding("feed.xml", ERROR, "feed", str(e))]
    findings = _channel(channel, resolver)
    seen: dict[str, int] = {}
    for n, item in enumerate(channel.findall("item"), 1):
        guid = (item.findtext("guid") or "").strip() or None
        where = f"item {n} ({guid or item.findtext('title') or 'untitled'})"
        findings += _item(item, where, guid, resolver if resolve_item(guid) else None)
        if guid is not None:
            if guid in seen:
                findings.append(Finding("item.guid.unique", ERROR, where, f"the same guid as item {seen[guid]}", guid))
            seen.setdefault(guid, n)
    for host in getattr(resolver, "unreachable", ()):  # one line a host, not a missing object per URL
        findings.append(Finding("url.reachable", WARNING, "feed", f"cannot reach {host}: its URLs were not checked"))
    return findings


def _channel(c, resolver: Resolver | None) -> list[Finding]:  # type: ignore[no-untyped-def]
    out = [Finding("channel.required", ERROR, "channel", f"<{_name(tag)}> is missing or empty")
           for tag in CHANNEL_REQUIRED if not _present(c.find(tag))]
    out += [Finding("channel.recommended", WARNING, "channel", f"<{_name(tag)}> is missing")
            for tag in CHANNEL_RECOMMENDED if not _present(c.find(tag))]
    out += _explicit(c, "channel", None)
    language = (c.findtext("language") or "").strip()
    if language and not _LANGUAGE.match(language):
        out.append(Finding("channel.language", ERROR, "channel", f'"{language}" is not an ISO 639 code'))
    image = c.find(f"{ITUNES}image")
    if image is not None and image.get("href"):
        out += _artwork(image.get("href", ""), "channel", None, resolver)
    locked = c.find(f"{PODCAST}locked")
    if locked is not None and (locked.text or "").strip() not in ("yes", "no"):
        out.append(Finding("podcast.locked", ERROR, "channel", 'podcast:locked must be "yes" or "no"'))
    out += _namespace(c, "channel", None)
    return out


def _short(el) -> str | None:  # type: ignore[no-untyped-def]
    text = (el.text or "").strip()
    return "is empty" if not text else (f"is {len(text)} characters (at most {SHORT_MAX})" if len(text) > SHORT_MAX
                                        else None)


def _number(value: str | None) -> bool:
    return value is not None and value.strip().isdigit()


# each Podcasting 2.0 tag's values: (tag, check of one element → what is wrong, or None)
NAMESPACE_RULES: tuple[tuple[str, Callable[[Any], str | None]], ...] = (
    ("txt", lambda e: "is empty" if not (e.text or "").strip() else (
        f"is {len(e.text)} characters (at most {TXT_MAX})" if len(e.text) > TXT_MAX else (
            "purpose is over 128 characters" if len(e.get("purpose", "")) > SHORT_MAX else None))),
    ("medium", lambda e: None if (e.text or "").strip() in MEDIUMS else f'"{e.text}" is not a medium the namespace '
                                                                        f"lists"),
    ("license", _short),
    ("location", lambda e: _short(e) or (f'geo "{e.get("geo")}" is not a geo URI' if e.get("geo") is not None
                                         and not GEO_URI.match(e.get("geo")) else (
        f'osm "{e.get("osm")}" is not an OpenStreetMap id' if e.get("osm") is not None
        and not OSM_ID.match(e.get("osm")) else None))),
    ("updateFrequency", lambda e: _short(e) or (f'rrule "{e.get("rrule")}" is not an RFC 5545 rule'
                                                if e.get("rrule") is not None and not RRULE.match(e.get("rrule"))
                                                else None)),
    ("remoteItem", lambda e: None if (e.get("feedGuid") or "").strip() else "has no feedGuid"),
    ("socialInteract", lambda e: None if e.get("protocol") == "disabled" or (e.get("protocol") and e.get("uri"))
     else "needs a protocol and a uri"),
    ("season", lambda e: None if _number(e.text) else f'"{e.text}" is not a whole number'),
    ("episode", lambda e: None if (e.text or "").strip().replace(".", "", 1).isdigit() else
     f'"{e.text}" is not a number'),
    ("trailer", lambda e: _short(e) or ("has no url" if not e.get("url") else (
        f'pubdate "{e.get("pubdate")}" is not an RFC 2822 date' if parse_rfc2822(e.get("pubdate") or "") is None
        else None))),
    ("image", lambda e: "has no href" if not e.get("href") else (
        "width or height is not a whole number" if any(e.get(k) is not None and not _number(e.get(k))
                                                      for k in ("width", "height")) else None)),
)


def _namespace(el, where: str, guid: str | None) -> list[Finding]:  # type: ignore[no-untyped-def]
    out = []
    for tag, check in NAMESPACE_RULES:
        path = f"{PODCAST}podroll/{PODCAST}{tag}" if tag == "remoteItem" else f"{PODCAST}{tag}"
        for found in el.findall(path):  # this element's own (the channel's are not its items')
            problem = check(found)
            if problem:
                out.append(Finding(f"podcast.{tag}", ERROR, where, f"podcast:{tag} {problem}", guid))
    kind = el.findtext(f"{ITUNES}episodeType")
    if kind is not None and kind.strip() not in ("full", "trailer", "bonus"):
        out.append(Finding("itunes.episodeType", ERROR, where, f'"{kind}" is not full, trailer or bonus', guid))
    season = el.findtext(f"{ITUNES}season")
    if season is not None and not (_number(season) and int(season) > 0):
        out.append(Finding("itunes.season", ERROR, where, f'"{season}" is not a season number', guid))
    return out


def _item(item, where: str, guid: str | None, resolver: Resolver | None) -> list[Finding]:  # type: ignore[no-untyped-def]
    out = [Finding("item.required", ERROR, where, f"<{tag}> is missing or empty", guid)
           for tag in ("title", "guid") if not (item.findtext(tag) or "").strip()]
    out += _explicit(item, where, guid)
    date = item.findtext("pubDate")
    if date is None:
        out.append(Finding("item.pubDate", WARNING, where, "<pubDate> is missing: apps cannot order it", guid))
    elif parse_rfc2822(date) is None:
        out.append(Finding("item.pubDate", ERROR, where, f'"{date}" is not an RFC 2822 date', guid))
    enclosure = item.find("enclosure")
    if enclosure is None:
        out.append(Finding("item.required", ERROR, where, "<enclosure> is missing", guid))
    else:
        out += _enclosure(enclosure, where, guid, resolver)
    image = item.find(f"{ITUNES}image")
    if image is not None and image.get("href"):
        out += _artwork(image.get("href", ""), where, guid, resolver)
    for tag, kind in ((f"{PODCAST}chapters", "chapters"), (f"{PODCAST}transcript", "transcript")):
        for el in item.findall(tag):
            out += _url(el.get("url", ""), f"{kind} URL", where, guid, resolver)[0]
    out += _chapters_agree(item, where, guid, resolver)
    out += _namespace(item, where, guid)
    return out


def _chapters_agree(item, where: str, guid: str | None, resolver: Resolver | None) -> list[Finding]:  # type: ignore[no-untyped-def]
    """The item's chapter lists say the same: chapters.json (read through the resolver),
    psc:chapters, and the list its description ends with (starts to the second, titles)."""
    lists: dict[str, list[tuple[int, str]]] = {}
    link = item.find(f"{PODCAST}chapters")
    if link is not None and resolver is not None and resolver.covers(link.get("url", "")):
        body = resolver.read(link.get("url", ""))
        if body is not None:
            try:
                lists["chapters.json"] = [(c.start_ms // 1000, c.title) for c in
                                          chapter_formats.parse_json(body.decode("utf-8", "replace"))]
            except (InputError, ValueError):
                pass  # chapters.json's own problems are the chapters URL's rule's to report
    psc = item.find(f"{PSC}chapters")
    if psc is not None:
        try:
            lists["psc:chapters"] = [(parse_time(c.get("start", "")) // 1000, c.get("title", ""))
                                     for c in psc.findall(f"{PSC}chapter")]
        except TimeError as e:
            return [Finding("chapters.psc", ERROR, where, f"psc:chapter start: {e}", guid)]
    text = _plain(item.findtext("description") or "")
    if chapter_formats.holds_list(text):
        lists["the description"] = [(c.start_ms // 1000, c.title) for c in chapter_formats.parse_shownotes(text)]
    out = []
    names = list(lists)
    for other in names[1:]:
        found = _disagreement(lists[names[0]], lists[other])
        if found:
            out.append(Finding("chapters.agree", ERROR, where, f"{names[0]} and {other} disagree: {found[0]} in "
                                                               f"{names[0]}, {found[1]} in {other}", guid))
    return out


def _disagreement(a: list[tuple[int, str]], b: list[tuple[int, str]]) -> tuple[str, str] | None:
    for n, ((sa, ta), (sb, tb)) in enumerate(zip(a, b), 1):
        if sa != sb or ta.strip() != tb.strip():
            return f'chapter {n} is {format_time(sa * 1000)} "{ta}"', f'{format_time(sb * 1000)} "{tb}"'
    if len(a) != len(b):
        return f"{len(a)} chapters", str(len(b))
    return None


def _plain(html_text: str) -> str:
    """A description's HTML as the text a listener reads (line breaks kept)."""
    text = re.sub(r"<br\s*/?>|</p>", "\n", html_text)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _enclosure(e, where: str, guid: str | None, resolver: Resolver | None) -> list[Finding]:  # type: ignore[no-untyped-def]
    url, kind, length = e.get("url", ""), e.get("type", ""), e.get("length", "")
    out = []
    if kind not in APPLE_TYPES:
        severity = ERROR if not re.match(r"^(audio|video)/", kind) else WARNING
        out.append(Finding("enclosure.type", severity, where, f'type "{kind}" is not one Apple Podcasts plays', guid))
    if not length.isdigit() or int(length) <= 0:
        out.append(Finding("enclosure.length", ERROR, where, f'length "{length}" is not a byte count', guid))
    found, res = _url(url, "enclosure", where, guid, resolver)
    out += found
    if res is not None and res.size is not None and length.isdigit() and res.size != int(length):
        out.append(Finding("enclosure.length", ERROR, where, f"length {length} but the file has {res.size} bytes",
                           guid))
    return out


def _url(url: str, what: str, where: str, guid: str | None,
         resolver: Resolver | None) -> tuple[list[Finding], Resource | None]:
    """The URL's findings, and what it resolved to (None when it was not asked or
    does not resolve): each URL is asked of the resolver once."""
    if not re.match(r"^https?://", url):
        return [Finding("url.valid", ERROR, where, f'{what} "{url}" is not an http(s) URL', guid)], None
    out = []
    if not url.startswith("https://"):
        out.append(Finding("url.https", WARNING, where, f"{what} {url} is not HTTPS (Apple asks for HTTPS)", guid))
    if resolver is None or not resolver.covers(url):
        return out, None
    res = resolver.head(url)
    if res is None:
        out.append(Finding("url.resolves", ERROR, where, f"{what} {url} does not resolve", guid))
    elif not res.reached:
        return out, None
    return out, res


def _artwork(url: str, where: str, guid: str | None, resolver: Resolver | None) -> list[Finding]:
    out, res = _url(url, "artwork", where, guid, resolver)
    if res is None or resolver is None:
        return out
    art = resolver.image(url)
    if art is None:
        return out + [Finding("artwork.format", ERROR, where, f"artwork {url} is not a JPEG or PNG image", guid)]
    if art.width != art.height or not 1400 <= art.width <= 3000:
        out.append(Finding("artwork.size", ERROR, where,
                           f"artwork is {art.width}x{art.height}; Apple wants a square of 1400 to 3000 px", guid))
    return out


def _explicit(el, where: str, guid: str | None) -> list[Finding]:  # type: ignore[no-untyped-def]
    value = el.findtext(f"{ITUNES}explicit")
    if value is None:
        return []
    value = value.strip().lower()
    if value in ("true", "false"):
        return []
    if value in ("yes", "no", "clean"):
        return [Finding("itunes.explicit", WARNING, where, f'"{value}" is deprecated: use true or false', guid)]
    return [Finding("itunes.explicit", ERROR, where, f'"{value}" is not true or false', guid)]


def _present(el) -> bool:  # type: ignore[no-untyped-def]
    return el is not None and bool((el.text or "").strip() or el.attrib or len(el))


def _name(tag: str) -> str:
    for prefix, uri in NS.items():
        tag = tag.replace(f"{{{uri}}}", f"{prefix}:")
    return tag


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]
