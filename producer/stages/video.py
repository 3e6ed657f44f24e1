"""The video's picture for a render pass (core.episode.video): the still composed
once from the artwork, each chapter's title in a file of its own for drawtext, in
a scratch folder of safe characters (its paths go inside a filter graph)."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.episode import video
from ..core.episode.plan import BuildPlan
from ..core.transcripts import transcript
from ..io import ffmpeg

PICTURE_INPUT = 1  # the encoder's inputs: 0 the PCM on stdin, 1 the looped still


@dataclass(frozen=True)
class Picture:
    inputs: list[str]  # the looped still, after the PCM input
    graph: str  # the filter graph, its output [v]
    folder: Path

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def picture(plan: BuildPlan) -> Picture:
    """The stills (the artwork's, and each chapter image's), the titles, and with
    [video] captions the transcript's cues as an SRT file (plan.captions)."""
    folder = Path(tempfile.mkdtemp(prefix="producer-video-"))
    size = plan.show.video
    try:
        stills = [folder / "still.png"]
        ffmpeg.run(video.still_args(plan.artwork, stills[0], size.width, size.height), stills[0],
                   "the video's picture")
        chapter_stills = {}
        for i, c in enumerate(plan.chapters):
            if c.image:
                stills.append(folder / f"chapter-{i}.png")
                ffmpeg.run(video.still_args(Path(c.image), stills[-1], size.width, size.height), stills[-1],
                           f"the video's picture of chapter {i + 1}")
                chapter_stills[i] = len(stills) - 1
        titles = []
        for i, c in enumerate(plan.chapters):
            titles.append(folder / f"title-{i}.txt")
            titles[-1].write_text(c.title, encoding="utf-8")
        captions = None
        if plan.show.video.captions and plan.captions:
            captions = folder / "captions.srt"
            captions.write_text(transcript.to_srt(list(plan.captions)), encoding="utf-8")
        seconds = plan.assembly.expected_seconds
        return Picture(video.picture_inputs(stills, seconds),
                       video.picture_graph(PICTURE_INPUT, plan.chapters, round(seconds * 1000), titles,
                                           chapter_stills, captions), folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
