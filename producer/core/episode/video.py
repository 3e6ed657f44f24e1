"""The MP4 for YouTube (renditions = ["mp4"]): the episode's artwork centred over a
blurred copy of itself, 1920×1080, and the current chapter's title on screen.
Pure: the ffmpeg arguments and filter text; stages/video writes the files they
name, and the picture rides the render pass like any other format.

The still is composed once (a PNG) and looped at FPS frames a second: a picture
that changes only with the chapter costs x264 next to nothing, and the video
ends where the audio does (its length is known before the render)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

from ..chapters.chapters import Chapter, ends
from .models import Episode, Show

WIDTH, HEIGHT = 1920, 1080
FPS = 1
ART_HEIGHT = 820  # the artwork's side in the middle of the frame
TITLE = "font=Sans:fontsize=54:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=24:x=(w-tw)/2:y=h-th-56"


def still_args(artwork: Path, out: Path) -> list[str]:
    """ffmpeg's arguments for the still: the artwork scaled to cover the frame, blurred and
    darkened, with the artwork itself centred over it."""
    graph = (f"[0:v]scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=increase,crop={WIDTH}:{HEIGHT},"
             f"gblur=sigma=40,eq=brightness=-0.15[bg];[0:v]scale=-2:{ART_HEIGHT}[fg];"
             f"[bg][fg]overlay=(W-w)/2:(H-h)/2,format=yuv420p")
    return ["-i", str(artwork), "-filter_complex", graph, "-frames:v", "1", "-update", "1", str(out)]


def picture_inputs(still: Path, seconds: float) -> list[str]:
    """The still, looped for the episode's whole seconds (never longer than its audio)."""
    frames = max(1, math.floor(seconds * FPS))
    return ["-framerate", str(FPS), "-loop", "1", "-t", f"{frames / FPS:.3f}", "-i", str(still)]


def picture_graph(input_index: int, chapters: Sequence[Chapter], duration_ms: int,
                  title_files: Sequence[Path]) -> str:
    """Each chapter's title (read from its own file: no escaping of what a producer
    typed) drawn while that chapter plays; the output is [v]."""
    spans = list(zip(chapters, ends(list(chapters), duration_ms)))
    draws = [f"drawtext=textfile='{_path(f)}':{TITLE}:enable='between(t,{c.start_ms / 1000:.3f},{end / 1000:.3f})'"
             for (c, end), f in zip(spans, title_files)]
    return f"[{input_index}:v]" + ",".join([*draws, "format=yuv420p"]) + "[v]"


def _path(p: Path) -> str:
    """A path inside a quoted filter argument: ' and : and \\ escaped as the filter parser reads them."""
    return str(p).replace("\\", "\\\\\\\\").replace("'", "\\\\\\'").replace(":", "\\\\:")


def youtube_text(show: Show, episode: Episode, chapters: Sequence[Chapter], description_list: str | None) -> str:
    """dist/youtube.txt: the title, the description with its timestamps (YouTube's
    chapters: three or more, from 00:00), and the show's keywords, to paste."""
    keywords = ", ".join(dict.fromkeys([*show.categories, *show.vocabulary, *episode.vocabulary]))
    parts = [f"{show.title}: {episode.title}" if episode.title else show.title, "", episode.description.strip()]
    if description_list:
        parts += ["", description_list]
    if keywords:
        parts += ["", f"Keywords: {keywords}"]
    return "\n".join(parts).strip() + "\n"
