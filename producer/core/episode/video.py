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

FPS = 1
ART_SHARE = 0.76  # the artwork's side, of the frame's height
TITLE = ("font=Sans:fontsize=h/20:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=24:x=(w-tw)/2:"
         "y={y}")
CAPTIONS = "FontName=Sans,FontSize=20,Outline=1,Shadow=0,MarginV=60"


def still_args(artwork: Path, out: Path, width: int, height: int) -> list[str]:
    """ffmpeg's arguments for a still: the picture scaled to cover the frame, blurred and
    darkened, with the picture itself centred over it."""
    side = round(height * ART_SHARE / 2) * 2
    graph = (f"[0:v]scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},"
             f"gblur=sigma=40,eq=brightness=-0.15[bg];[0:v]scale=-2:{side}[fg];"
             f"[bg][fg]overlay=(W-w)/2:(H-h)/2,format=yuv420p")
    return ["-i", str(artwork), "-filter_complex", graph, "-frames:v", "1", "-update", "1", str(out)]


def picture_inputs(stills: Sequence[Path], seconds: float) -> list[str]:
    """Each still, looped for the episode's whole seconds (never longer than its audio)."""
    frames = max(1, math.floor(seconds * FPS))
    return [a for still in stills
            for a in ("-framerate", str(FPS), "-loop", "1", "-t", f"{frames / FPS:.3f}", "-i", str(still))]


def picture_graph(first_input: int, chapters: Sequence[Chapter], duration_ms: int, title_files: Sequence[Path],
                  chapter_stills: dict[int, int] | None = None, captions: Path | None = None) -> str:
    """The artwork's still (input `first_input`); over it, while a chapter with its own
    image plays, that chapter's still (`chapter_stills`: chapter index → input offset);
    each chapter's title (read from its own file: no escaping of what a producer typed);
    with `captions` (an SRT file), the transcript's cues under it. The output is [v]."""
    spans = list(zip(chapters, ends(list(chapters), duration_ms)))
    chains, last = [], f"{first_input}:v"
    for n, (k, offset) in enumerate(sorted((chapter_stills or {}).items())):
        c, end = spans[k]
        chains.append(f"[{last}][{first_input + offset}:v]overlay=0:0:enable='between(t,{c.start_ms / 1000:.3f},"
                      f"{end / 1000:.3f})'[s{n}]")
        last = f"s{n}"
    title_y = "h-th-56" if captions is None else "56"
    draws = [f"drawtext=textfile='{_path(f)}':{TITLE.format(y=title_y)}:"
             f"enable='between(t,{c.start_ms / 1000:.3f},{end / 1000:.3f})'" for (c, end), f in zip(spans, title_files)]
    if captions is not None:
        draws.append(f"subtitles=filename='{_path(captions)}':force_style='{CAPTIONS}'")
    chains.append(f"[{last}]" + ",".join([*draws, "format=yuv420p"]) + "[v]")
    return ";".join(chains)


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
