"""From an episode, its show and the objects its publish put on the target to
the feed's channel and item. Pure: the keys come from core.episode.episode_files, the
sizes and digests from the upload plan, so every URL the item names is a key
publish uploaded."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ...errors import InputError
from ..chapters import chapter_formats
from . import feed
from .dates import aware
from ..episode.episode_files import CHAPTERS, EpisodeFiles
from .feed_doc import FEED_KEY
from ..episode.formats import FORMATS
from .media_types import content_type
from ..episode.artwork import Artwork
from ..episode.models import Episode, Person, Preset, Show
from . import namespace_tags as tags


@dataclass(frozen=True)
class Stored:
    """An object as publish put it on the target: its size and SHA-256 (hex)."""

    size: int
    sha256: str


def url(base_url: str, key: str) -> str:
    return f"{base_url.rstrip('/')}/{key}"


def show_artwork_key(show: Show) -> str:
    return f"artwork{show.artwork.suffix.lower()}"


def cover_key(files: EpisodeFiles, artwork: Path) -> str:
    return files.key(f"cover{artwork.suffix.lower()}")


def chapter_image_key(files: EpisodeFiles, index: int, image: Path) -> str:
    return files.key(f"chapter-{index}{image.suffix.lower()}")


def person_key(sha256: str, image: Path) -> str:
    """By content: two guests' "photo.jpg" never overwrite each other."""
    return f"people/{sha256[:16]}{image.suffix.lower()}"


def main_format(files: EpisodeFiles, preset: Preset, show: Show) -> str:
    """The feed's enclosure: the MP3, unless the preset names a rendition the show builds."""
    main = preset.renditions.main
    if main not in files.formats:
        raise InputError(f"preset {preset.name}: renditions.main: \"{main}\" is not built for this show "
                         f"(add it to [audio] renditions in {show.file.name})")
    return main


def _image(image_url: str, art: Artwork | None) -> tags.Image | None:
    return tags.Image(image_url, art.width, art.height, art.mime) if art is not None else None


def channel_info(show: Show, base_url: str, person_keys: Mapping[Path, str],
                 images: Mapping[Path, Artwork] | None = None) -> feed.ChannelInfo:
    """`images`: each artwork file as loaded (podcast:image gives its size); absent, no podcast:image."""
    images = images or {}
    return feed.ChannelInfo(
        title=show.title, link=show.link, description=show.description, language=show.language,
        author=show.author, owner_name=show.owner_name, owner_email=show.owner_email,
        image_url=url(base_url, show_artwork_key(show)), categories=show.categories, explicit=show.explicit,
        feed_url=url(base_url, FEED_KEY), locked=show.locked, funding=tuple((f.url, f.text) for f in show.funding),
        persons=_person_tags(show.persons, base_url, person_keys),
        image=_image(url(base_url, show_artwork_key(show)), images.get(show.artwork)), medium=show.medium,
        txt=show.txt, license=show.license, location=show.location, update_frequency=show.update_frequency,
        podroll=show.podroll)


def item_info(show: Show, episode: Episode, preset: Preset, files: EpisodeFiles, guid: str, base_url: str,
              duration_s: float, stored: Mapping[str, Stored], person_keys: Mapping[Path, str],
              images: Mapping[Path, Artwork] | None = None) -> feed.ItemInfo:
    """`stored` by key: every object of the episode publish uploaded (or found unchanged)."""
    images = images or {}
    cover = url(base_url, cover_key(files, episode.artwork)) if episode.artwork else None
    main = main_format(files, preset, show)
    enclosure = files.key(files.audio(main))
    # an item's persons replace the channel's in apps: with guests, the hosts are named again
    persons = _person_tags((*show.persons, *episode.persons), base_url, person_keys) if episode.persons else ()
    return feed.ItemInfo(
        guid=guid, title=episode.title, notes=notes(show, episode, duration_s), pub_date=aware(episode.date),
        enclosure_url=url(base_url, enclosure), enclosure_length=stored[enclosure].size,
        enclosure_type=FORMATS[main].mime, duration_seconds=duration_s, episode=episode.number,
        season=episode.season, episode_type=episode.episode_type,
        image_url=url(base_url, cover_key(files, episode.artwork)) if episode.artwork else None,
        chapters_url=url(base_url, files.key(CHAPTERS)) if files.chapters else None,
        explicit=show.explicit, persons=persons, soundbites=soundbites(episode, duration_s),
        transcripts=transcripts(files, base_url), alternates=alternates(files, main, base_url, duration_s, stored),
        chapters=tuple((c.start_ms, c.title, c.url) for c in episode.chapters),
        image=_image(cover, images.get(episode.artwork)) if cover and episode.artwork else None,
        season_name=episode.season_name, license=episode.license or show.license,
        location=episode.location or show.location, social=episode.social)


def notes(show: Show, episode: Episode, duration_s: float) -> str:
    """The show notes, ending with the chapter list apps read from a description
    (core.chapters.chapter_formats.description_list), unless the show turns it off
    or the notes already hold one."""
    text = episode.description
    listed = chapter_formats.description_list(list(episode.chapters), duration_s)
    if not show.description_chapters or listed is None or chapter_formats.holds_list(text):
        return text
    return f"{text.rstrip()}\n\n{listed}" if text.strip() else listed


def _person_tags(persons: tuple[Person, ...], base_url: str,
                 person_keys: Mapping[Path, str]) -> tuple[feed.PersonTag, ...]:
    return tuple(feed.PersonTag(p.name, p.role, p.group, p.href, url(base_url, person_keys[p.img]) if p.img else None)
                 for p in persons)


def soundbites(episode: Episode, duration_s: float) -> tuple[tuple[float, float, str | None], ...]:
    bites = []
    for i, b in enumerate(episode.soundbites):
        start = b.start_ms / 1000
        if start + b.duration_s > duration_s + 0.001:
            raise InputError(f"{episode.file}: soundbites[{i}]: {start:g} s + {b.duration_s:g} s runs past "
                             f"the end of the episode ({duration_s:.3f} s)")
        bites.append((start, b.duration_s, b.title))
    return tuple(bites)


def transcripts(files: EpisodeFiles, base_url: str) -> tuple[tuple[str, str, str | None], ...]:
    """(url, type, rel) of each transcript file: the WebVTT one is timed, so apps may
    show it as captions."""
    rel = {files.vtt: "captions"}
    return tuple((url(base_url, files.key(name)), content_type(name), rel.get(name))
                 for name in files.transcripts)


def alternates(files: EpisodeFiles, main: str, base_url: str, duration_s: float,
               stored: Mapping[str, Stored]) -> tuple[feed.Alternate, ...]:
    """The MP3 and every rendition, the main enclosure marked default, each with its
    SHA-256 for podcast:integrity; none when the MP3 is the only file."""
    if len(files.formats) == 1:
        return ()
    found = []
    for fmt in files.formats:
        key = files.key(files.audio(fmt))
        size, digest = stored[key].size, base64.b64encode(bytes.fromhex(stored[key].sha256)).decode()
        found.append(feed.Alternate(url(base_url, key), FORMATS[fmt].mime, size, round(size * 8 / duration_s),
                                    FORMATS[fmt].title, digest, fmt == main))
    return tuple(found)
