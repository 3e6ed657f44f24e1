"""show.toml: the show, its audio, publishing and funding."""
from __future__ import annotations

import re
from pathlib import Path


from ...core.episode.formats import RENDITIONS as RENDITION_FORMATS
from ...core.episode.models import (DEFAULT_PRESET, AudioSettings, Funding, PublishSettings, RenditionSettings, Show,
                                     VideoSettings)
from .schema import SHOW_FILE, Table, default, read_toml, resolve_inside
from .tables import (read_cleanup, read_cutting, read_leveler_mode, read_license, read_location, read_medium,
                     read_podroll, read_txt, read_update_frequency, read_vocabulary, read_persons, rendition_list,
                     web_url)
from ...errors import InputError

def find_show_file(start: Path) -> Path:
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / SHOW_FILE
        if candidate.is_file():
            return candidate
    raise InputError(f"{start}: no {SHOW_FILE} found in this folder or any folder above it")


def load_show(show_file: Path) -> Show:
    t = Table(read_toml(show_file), show_file)
    root = show_file.parent.resolve()
    s = t.table("show")
    a = t.table("audio")
    p = t.table("publish")
    persons = read_persons(t, root, show_file)
    cleanup = read_cleanup(t.table("cleanup"))
    tr = t.table("transcript")
    engine = tr.text("engine", False, default(Show, "transcript_engine"))
    if engine not in ("auto", "off"):
        raise tr.fail("engine", f'must be "auto" or "off", not "{engine}"')
    model = tr.text("model", False)
    model_dir = (show_file.parent / model).resolve() if model else None
    vocabulary = read_vocabulary(tr, "vocabulary")
    tr.done()
    cutting = read_cutting(t.table("cutting"))
    video = _video(t.table("video"))
    t.done()
    categories = s.take("categories", list, False, [])
    if not all(isinstance(c, str) and c.strip() for c in categories):
        raise s.fail("categories", "must be a list of non-empty strings")
    show = Show(
        root=root, file=show_file,
        title=s.text("title"), author=s.text("author"),
        description=s.text("description"), link=s.text("link"),
        language=s.text("language"),
        owner_name=s.text("owner_name", False), owner_email=s.text("owner_email", False),
        categories=tuple(categories), explicit=s.take("explicit", bool, False, False),
        artwork=resolve_inside(root, show_file, s.text("artwork"), s, "artwork"),
        audio=_audio(a, root, show_file), publish=_publish(p),
        locked=s.take("locked", bool, False, None),
        description_chapters=s.take("description_chapters", bool, False, default(Show, "description_chapters")),
        funding=_funding(s), persons=persons, cleanup=cleanup, medium=read_medium(s), txt=read_txt(s),
        license=read_license(s), location=read_location(s), update_frequency=read_update_frequency(s),
        podroll=read_podroll(s), video=video,
        transcript_engine=engine, transcript_model=model_dir, vocabulary=vocabulary, cutting=cutting,
    )
    if show.locked is not None and not show.owner_email:
        raise s.fail("locked", "needs owner_email: podcast:locked names the owner who may move the feed")
    s.done()
    return show


def _video(v: Table) -> VideoSettings:
    """`[video] size = "1920x1080"` (even sides, at most 3840x2160) and `captions`."""
    size = v.text("size", False, f"{default(VideoSettings, 'width')}x{default(VideoSettings, 'height')}")
    m = re.fullmatch(r"(\d{2,4})x(\d{2,4})", size)
    if not m or int(m[1]) % 2 or int(m[2]) % 2 or int(m[1]) > 3840 or int(m[2]) > 2160:
        raise v.fail("size", f'must be WIDTHxHEIGHT in even pixels up to 3840x2160, such as "1920x1080", not "{size}"')
    found = VideoSettings(int(m[1]), int(m[2]), v.take("captions", bool, False, default(VideoSettings, "captions")))
    v.done()
    return found


def _funding(s: Table) -> tuple[Funding, ...]:
    """`funding = { url = "…", text = "…" }`, or a list of them."""
    value = s.take("funding", (dict, list), False, [], "a table { url, text } or a list of them")
    found = []
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        f = Table(item, s.file, s.name(f"funding[{i}]." if isinstance(value, list) else "funding."))
        found.append(Funding(url=web_url(f, "url"), text=f.text("text")))
        f.done()
    return tuple(found)


def _audio(a: Table, root: Path, show_file: Path) -> AudioSettings:
    def optional_path(key: str) -> Path | None:
        value = a.text(key, False)
        return resolve_inside(root, show_file, value, a, key) if value else None

    settings = AudioSettings(
        preset=a.text("preset", False, DEFAULT_PRESET),
        intro=optional_path("intro"), outro=optional_path("outro"),
        intro_crossfade=a.number("intro_crossfade", 0.0),
        outro_crossfade=a.number("outro_crossfade", 0.0),
        leveler=read_leveler_mode(a, "leveler", "adaptive"),
        renditions=rendition_list(a, "renditions"),
    )
    a.done()
    return settings


def _rendition_settings(t: Table) -> RenditionSettings:
    defaults = RenditionSettings()
    settings = RenditionSettings(default=rendition_list(t, "default") or (),
                                 m4a_bitrate=t.take("m4a_bitrate", int, False, defaults.m4a_bitrate, "kb/s"),
                                 opus_bitrate=t.take("opus_bitrate", int, False, defaults.opus_bitrate, "kb/s"),
                                 main=t.text("main", False, default(RenditionSettings, "main")))
    if settings.main not in ("mp3", *RENDITION_FORMATS):
        raise t.fail("main", f'must be mp3 or one of {", ".join(RENDITION_FORMATS)}, not "{settings.main}"')
    for key in ("m4a_bitrate", "opus_bitrate"):
        if not 16 <= getattr(settings, key) <= 320:
            raise t.fail(key, f"must be 16 to 320 kb/s, not {getattr(settings, key)}")
    t.done()
    return settings


def _publish(p: Table) -> PublishSettings:
    settings = PublishSettings(
        target=p.text("target", False, default(PublishSettings, "target")),
        endpoint_url=p.text("endpoint_url", False), region=p.text("region", False),
        profile=p.text("profile", False), base_url=p.text("base_url", False),
    )
    p.done()
    return settings
