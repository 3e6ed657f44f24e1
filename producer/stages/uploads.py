"""What publish uploads for an episode, in upload order, and what each object
on the target is now (new, changed, unchanged): the plan a publish carries out
and a dry run prints."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..core.chapters import chapters as chap
from ..core.episode.episode_files import CHAPTERS, REPORT_PAGE, EpisodeFiles
from ..core.feed.episode_item import chapter_image_key, cover_key, person_key, show_artwork_key, url
from ..core.feed.media_types import CACHE_MEDIA, CACHE_PAGE, content_type
from ..io import artwork, files as files_io
from ..io.config import Context
from ..io.storage import Storage, holds


@dataclass(frozen=True)
class Upload:
    key: str
    path: Path
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class Planned:
    upload: Upload
    state: Literal["new", "changed", "unchanged"]
    sha256: str


def uploads(ctx: Context, files: EpisodeFiles, base_url: str, scratch: Path) -> list[Upload]:
    """In upload order (DESIGN.md): media, then artwork (show, episode, chapter images,
    persons), then chapters.json, the transcripts and the report page; the feed,
    written last, may point at all of them."""
    dist = ctx.episode.folder / "dist"
    media = [Upload(files.key(name), dist / name, content_type(name), CACHE_MEDIA) for name in files.media]
    images = [_image(show_artwork_key(ctx.show), ctx.show.artwork)]
    if ctx.episode.artwork:
        images.append(_image(cover_key(files, ctx.episode.artwork), ctx.episode.artwork))
    chapter_images = {i: Path(c.image) for i, c in enumerate(ctx.episode.chapters) if c.image}
    images += [_image(chapter_image_key(files, i, path), path) for i, path in chapter_images.items()]
    images += [_image(key, path) for key, path in _person_images(ctx).items()]
    rest = []
    for name in files.published()[len(files.media):]:
        path = dist / name
        if name == CHAPTERS and chapter_images:  # their URLs are known only here: `img` points at them
            path = scratch / CHAPTERS
            path.write_text(chap.json_text(ctx.episode.chapters, {
                i: url(base_url, chapter_image_key(files, i, p)) for i, p in chapter_images.items()}),
                encoding="utf-8")
        rest.append(Upload(files.key(name), path, content_type(name), CACHE_PAGE if name == REPORT_PAGE
                           else CACHE_MEDIA))
    return [*media, *images, *rest]


def _image(key: str, path: Path) -> Upload:
    return Upload(key, path, artwork.load(path, cover=False).mime, CACHE_MEDIA)


def _person_images(ctx: Context) -> dict[str, Path]:
    return {person_keys(ctx)[p.img]: p.img for p in (*ctx.show.persons, *ctx.episode.persons) if p.img}


def person_keys(ctx: Context) -> dict[Path, str]:
    return {p.img: person_key(files_io.sha256(p.img), p.img) for p in (*ctx.show.persons, *ctx.episode.persons)
            if p.img}


def planned(storage: Storage, u: Upload) -> Planned:
    digest = files_io.sha256(u.path)
    info = storage.head(u.key)
    if info is None:
        return Planned(u, "new", digest)
    return Planned(u, "unchanged" if holds(info, u.path, digest) else "changed", digest)
