"""Tags of any format we make, by its row in core.episode.formats: ID3 for the MP3
(io.id3), MP4 atoms or Vorbis comments for the renditions (io.rendition_tags)."""
from __future__ import annotations

from pathlib import Path

from ..core.episode.artwork import Artwork
from ..core.episode.formats import Format, by_suffix
from ..core.episode.id3 import ContainerSummary, Id3Summary
from ..core.episode.plan import BuildPlan
from . import rendition_tags
from .id3 import read_id3, write_tags


def write(path: Path, fmt: Format, plan: BuildPlan, cover: Artwork, duration_ms: int) -> None:
    if fmt.tags == "id3":
        write_tags(path, plan.episode, plan.show, cover, duration_ms, plan.preset)
    else:
        rendition_tags.tag(path, fmt, plan, cover)


def read(path: Path) -> Id3Summary | ContainerSummary:
    """What a player sees of the file's tags; a name we do not make is read as an MP3."""
    fmt = by_suffix(path.suffix)
    return read_id3(path) if fmt is None or fmt.tags == "id3" else rendition_tags.read(path)
