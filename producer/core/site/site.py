"""The show's website, drawn from its feed: an index (artwork, description,
subscribe links, episodes newest first) and a page an episode (player, chapters
that seek it, show notes, links). Plain HTML and CSS, a few lines of script;
every link to our own files relative, so the same files work from a folder,
from `producer serve` and from a bucket. Items we did not write (kept in the
feed) appear too, from what the feed says of them."""
from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from importlib import resources
from dataclasses import dataclass
from html import escape
from xml.etree.ElementTree import tostring

import nh3

from ..episode.episode_files import EPISODES, PAGE, EpisodeFiles
from ..feed import feed_doc
from ..feed.media_types import FEED_TYPE
from ..feed.dates import parse_rfc2822
from ..feed.feed_doc import ATOM, CONTENT, FEED_KEY, ITUNES, PODCAST
from ..chapters.timecode import format_time, parse_time, spoken_length


def _asset(name: str) -> str:
    """A file of the package's assets/ (the pages' script and style, kept as the files
    an editor and a linter read): package data, read once at import like code."""
    return (resources.files(__package__) / "assets" / name).read_text(encoding="utf-8")


def _script(name: str) -> str:
    return f"<script>\n{_asset(name)}</script>"


INDEX = PAGE  # the show's front page and each episode's: episode_files names them


@dataclass(frozen=True)
class ShowInfo:
    title: str
    description: str
    image_url: str | None
    link: str | None
    feed_url: str | None
    author: str | None


@dataclass(frozen=True)
class Entry:
    guid: str
    title: str
    date: dt.datetime | None
    enclosure_url: str | None
    enclosure_type: str | None
    duration_s: float | None
    notes_html: str
    chapters_url: str | None
    image_url: str | None
    episode: int | None
    link: str | None
    digest: str = ""  # of the item's XML: a page is redrawn only when its item changed
    transcript_url: str | None = None  # the item's WebVTT transcript (podcast:transcript type text/vtt)
    video_url: str | None = None  # a podcast:alternateEnclosure of type video/mp4 (the YouTube video)


@dataclass(frozen=True)
class SiteCue:
    start_s: float
    speaker: str | None
    text: str


@dataclass(frozen=True)
class SiteChapter:
    start_s: float
    title: str
    img: str | None = None
    url: str | None = None


def read_feed(xml: bytes) -> tuple[ShowInfo, list[Entry]]:
    channel = feed_doc.parse(xml, FEED_KEY).channel
    feed_url = next((a.get("href") for a in channel.findall(f"{ATOM}link")
                     if a.get("rel") == "self"), None)
    show = ShowInfo(_text(channel, "title"), _text(channel, "description"), _image(channel),
                    _text(channel, "link") or None, feed_url, _text(channel, f"{ITUNES}author") or None)
    return show, [_entry(i) for i in channel.findall("item")]


def _text(el, tag: str) -> str:  # type: ignore[no-untyped-def]
    found = el.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _image(el) -> str | None:  # type: ignore[no-untyped-def]
    img = el.find(f"{ITUNES}image")
    return img.get("href") if img is not None else None


def _entry(item) -> Entry:  # type: ignore[no-untyped-def]
    enclosure = item.find("enclosure")
    chapters = item.find(f"{PODCAST}chapters")
    notes = _text(item, f"{CONTENT}encoded") or _text(item, "description")
    title = _text(item, "title") or "(untitled)"
    guid = _text(item, "guid") or (enclosure.get("url") if enclosure is not None else "") or title
    return Entry(guid=guid, digest=hashlib.sha256(tostring(item)).hexdigest(),
                 title=title, date=parse_rfc2822(_text(item, "pubDate")),
                 enclosure_url=enclosure.get("url") if enclosure is not None else None,
                 enclosure_type=enclosure.get("type") if enclosure is not None else None,
                 duration_s=_duration(_text(item, f"{ITUNES}duration")), notes_html=notes,
                 chapters_url=chapters.get("url") if chapters is not None else None, image_url=_image(item),
                 episode=int(e) if (e := _text(item, f"{ITUNES}episode")).isdigit() else None,
                 link=_text(item, "link") or None, transcript_url=_vtt_url(item), video_url=_video_url(item))


def _video_url(item) -> str | None:  # type: ignore[no-untyped-def]
    for alt in item.findall(f"{PODCAST}alternateEnclosure"):
        source = alt.find(f"{PODCAST}source")
        if alt.get("type") == "video/mp4" and source is not None:
            return source.get("uri")
    return None


def _vtt_url(item) -> str | None:  # type: ignore[no-untyped-def]
    for t in item.findall(f"{PODCAST}transcript"):
        if t.get("type") == "text/vtt":
            return t.get("url")
    return None


def _duration(text: str) -> float | None:
    try:
        return parse_time(text) / 1000 if text else None
    except ValueError:
        return None


def own_key(url: str | None, base_url: str) -> str | None:
    """The storage key of a URL under the show's base_url; None for anyone else's."""
    prefix = base_url.rstrip("/") + "/"
    return url[len(prefix):] if url and url.startswith(prefix) else None


def page_key(entry: Entry, base_url: str) -> str:
    """episodes/<slug>/index.html for our items; a folder named by the guid for the rest."""
    key = own_key(entry.enclosure_url, base_url)
    parts = key.split("/") if key else []
    if len(parts) == 3 and parts[0] == EPISODES:
        return EpisodeFiles(parts[1]).page_key
    return EpisodeFiles(f"item-{hashlib.sha1(entry.guid.encode()).hexdigest()[:12]}").page_key


def href(url: str | None, page: str, base_url: str) -> str | None:
    """A link from page `page` to `url`: relative when it is our own file."""
    key = own_key(url, base_url)
    if key is None:
        return url
    return posixpath.relpath(key, posixpath.dirname(page) or ".")


def newest_first(entries: list[Entry]) -> list[Entry]:
    epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return sorted(entries, key=lambda e: e.date or epoch, reverse=True)


def pages(show: ShowInfo, entries: list[Entry], chapters: dict[str, list[SiteChapter]],
          base_url: str, only: set[str] | None = None,
          transcripts: dict[str, list[SiteCue]] | None = None) -> dict[str, str]:
    """Pages by storage key: the index, and one a feed item (those whose guid is in
    `only`, when given)."""
    ordered = newest_first(entries)
    out = {INDEX: index_page(show, ordered, base_url)}
    for e in ordered:
        if only is None or e.guid in only:
            key = page_key(e, base_url)
            out[key] = episode_page(show, e, chapters.get(e.guid, []), base_url, key,
                                    (transcripts or {}).get(e.guid, []))
    return out


SEARCH = "search.json"  # beside the index: every episode's transcript, for the index page's search


def search_entries(entries: list[Entry], transcripts: dict[str, list[SiteCue]], base_url: str,
                   before: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """search.json's episodes by guid: those whose transcripts were read now, the rest as
    they were before (an unchanged item's page and transcript are not read again), none
    that left the feed."""
    out = {}
    for e in newest_first(entries):
        if e.guid in transcripts:
            if transcripts[e.guid]:
                out[e.guid] = {"title": e.title, "page": page_key(e, base_url),
                               "cues": [[round(c.start_s, 3), c.speaker or "", c.text] for c in transcripts[e.guid]]}
        elif e.guid in before:
            out[e.guid] = before[e.guid]
    return out


SHOW_KEY = ""  # in the drawn state, beside the guids: the show's own details


def drawn_state(show: ShowInfo, entries: list[Entry]) -> dict[str, str]:
    """What the pages are drawn from: the show's details, and each item's digest by guid."""
    return {SHOW_KEY: hashlib.sha256(repr(show).encode()).hexdigest(), **{e.guid: e.digest for e in entries}}


def to_redraw(state: dict[str, str], drawn: dict[str, str], always: str | None) -> set[str]:
    """The guids whose page must be drawn: every one when the show changed (its title
    and artwork are on every page), else items new or changed since the last drawing,
    and `always` (the episode just published: its chapters may have changed behind an
    unchanged item)."""
    guids = {g for g in state if g != SHOW_KEY}
    if drawn.get(SHOW_KEY) != state[SHOW_KEY]:
        return guids
    return {g for g in guids if drawn.get(g) != state[g] or g == always}


def index_page(show: ShowInfo, entries: list[Entry], base_url: str) -> str:
    art = href(show.image_url, INDEX, base_url)
    items = "".join(_summary(e, base_url) for e in entries) or "<p>No episodes yet.</p>"
    feed = show.feed_url or ""
    subscribe = (f"<p class=\"subscribe\"><a class=\"button\" href=\"{escape(href(feed, INDEX, base_url) or '')}\">"
                 f"RSS feed</a> <a class=\"button\" href=\"{escape(podcast_scheme(feed))}\">Open in a podcast app</a>"
                 f"</p><p class=\"feed-url\">Feed: <code>{escape(feed)}</code></p>" if feed else "")
    head = (f"<header class=\"show\">{_img(art, show.title + ' artwork', 'cover')}<div><h1>{escape(show.title)}</h1>"
            + (f"<p class=\"author\">{escape(show.author)}</p>" if show.author else "")
            + f"<p>{escape(show.description)}</p>{subscribe}</div></header>")
    search = ("<section class=\"search\" hidden><h2>Search the transcripts</h2><input id=\"search\" type=\"search\" "
              "placeholder=\"A word said in any episode\" aria-label=\"Search the transcripts\">"
              "<ol id=\"hits\" class=\"hits\"></ol></section>")
    return _document(show.title, f"{head}{search}<h2>Episodes</h2><ol class=\"episodes\" reversed>{items}</ol>",
                     script=SEARCH_SCRIPT, feed_href=href(feed, INDEX, base_url))


def podcast_scheme(feed_url: str) -> str:
    """podcast://host/path: the link podcast apps register to subscribe."""
    rest = feed_url.split("://", 1)[1] if "://" in feed_url else feed_url
    return f"podcast://{rest}"


def _summary(e: Entry, base_url: str) -> str:
    link = href(base_url.rstrip("/") + "/" + page_key(e, base_url), INDEX, base_url)
    number = f"<span class=\"num\">#{e.episode}</span> " if e.episode is not None else ""
    return (f"<li><a class=\"title\" href=\"{escape(link or '')}\">{number}{escape(e.title)}</a>"
            f"<p class=\"meta\">{_meta(e)}</p></li>")


def _meta(e: Entry) -> str:
    bits = []
    if e.date:
        bits.append(f"<time datetime=\"{e.date.isoformat()}\">{e.date:%d %B %Y}</time>")
    if e.duration_s:
        bits.append(escape(spoken_length(e.duration_s)))
    return " · ".join(bits)


def episode_page(show: ShowInfo, e: Entry, chapters: list[SiteChapter], base_url: str, key: str,
                 cues: list[SiteCue] | None = None) -> str:
    art = href(e.image_url or show.image_url, key, base_url)
    audio = href(e.enclosure_url, key, base_url)
    player = (f"<audio id=\"player\" controls preload=\"metadata\" src=\"{escape(audio or '')}\"></audio>"
              f"<p class=\"download\"><a href=\"{escape(audio or '')}\" download>Download</a>"
              f"{' (' + escape(e.enclosure_type) + ')' if e.enclosure_type else ''}</p>" if audio else
              "<p>This item has no audio.</p>")
    movie = href(e.video_url, key, base_url) if e.video_url else None
    if movie:  # the video plays on the page; the chapter and transcript links seek the audio player
        player += (f"<details class=\"video\"><summary>Watch the video</summary><video id=\"video\" controls "
                   f"preload=\"metadata\" width=\"640\" src=\"{escape(movie)}\"></video></details>")
    back = href(base_url.rstrip("/") + "/" + INDEX, key, base_url)
    body = [f"<p class=\"back\"><a href=\"{escape(back or INDEX)}\">← {escape(show.title)}</a></p>",
            f"<header class=\"episode\">{_img(art, e.title + ' artwork', 'cover')}<div><h1>{escape(e.title)}</h1>"
            f"<p class=\"meta\">{_meta(e)}</p>{player}</div></header>"]
    if chapters:
        body.append(_chapter_list(chapters, key, base_url))
    if cues:
        body.append(_transcript(cues))
    if e.notes_html:
        body.append(f"<section class=\"notes\"><h2>Show notes</h2>{clean_notes(e.notes_html)}</section>")
    links = [(c.title, c.url) for c in chapters if c.url] + ([("Episode page", e.link)] if e.link else [])
    if links:
        body.append("<section><h2>Links</h2><ul class=\"links\">" + "".join(
            f"<li><a href=\"{escape(u)}\" rel=\"noopener\">{escape(t)}</a></li>" for t, u in links) + "</ul></section>")
    return _document(f"{e.title} · {show.title}", "".join(body), script=SEEK_SCRIPT if chapters or cues else "")


def _transcript(cues: list[SiteCue]) -> str:
    items = "".join(
        f"<li><button type=\"button\" class=\"seek cue\" data-start=\"{c.start_s:.3f}\" id=\"cue-{i}\">"
        f"<span class=\"t\">{format_time(round(c.start_s * 1000))}</span> "
        + (f"<span class=\"who\">{escape(c.speaker)}</span> " if c.speaker else "")
        + f"<span class=\"ct\">{escape(c.text)}</span></button></li>" for i, c in enumerate(cues))
    return f"<section><h2>Transcript</h2><ol class=\"marks transcript\">{items}</ol></section>"


def _chapter_list(chapters: list[SiteChapter], key: str, base_url: str) -> str:
    items = []
    for i, c in enumerate(chapters):
        img = href(c.img, key, base_url)
        items.append(f"<li><button type=\"button\" class=\"seek\" data-start=\"{c.start_s:.3f}\" id=\"chapter-{i}\">"
                     f"{_img(img, '', 'thumb') if img else ''}<span class=\"t\">{format_time(round(c.start_s * 1000))}"
                     f"</span> <span class=\"ct\">{escape(c.title)}</span></button></li>")
    return f"<section><h2>Chapters</h2><ol class=\"marks chapters\">{''.join(items)}</ol></section>"


def clean_notes(notes_html: str) -> str:
    """Show notes as the feed has them, with scripts, styles and handlers taken out
    (an item we kept may come from anywhere)."""
    return nh3.clean(notes_html, tags={"p", "br", "a", "ul", "ol", "li", "strong", "em", "b", "i", "code",
                                       "pre", "blockquote", "h3", "h4", "img"},
                     attributes={"a": {"href", "title"}, "img": {"src", "alt"}})


def _img(src: str | None, alt: str, css: str) -> str:
    return f"<img class=\"{css}\" src=\"{escape(src)}\" alt=\"{escape(alt)}\" loading=\"lazy\">" if src else ""


def _document(title: str, body: str, script: str = "", feed_href: str | None = None) -> str:
    alternate = (f"<link rel=\"alternate\" type=\"{FEED_TYPE}\" title=\"{escape(title)}\" "
                 f"href=\"{escape(feed_href)}\">" if feed_href else "")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<link rel=\"icon\" href=\"data:,\">"
            f"<title>{escape(title)}</title>{alternate}<style>{CSS}</style></head>"
            f"<body><main>{body}</main>{script}</body></html>\n")


# Clicking a chapter or a transcript cue seeks the player there and plays; the
# chapter and the cue playing are marked (each list on its own); `#t=SECONDS` in
# the address (a search hit on the index) seeks there on arrival.
SEEK_SCRIPT = _script("seek.js")

# The index's search: search.json (every episode's cues, written at publish) is
# fetched once; each hit links to its episode's page at the cue (#t=).
SEARCH_SCRIPT = _script("search.js")

CSS = "\n" + _asset("site.css")
