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
    folder = Path(tempfile.mkdtemp(prefix="producer-video-"))
    try:
        still = folder / "still.png"
        ffmpeg.run(video.still_args(plan.artwork, still), still, "the video's picture")
        titles = []
        for i, c in enumerate(plan.chapters):
            titles.append(folder / f"title-{i}.txt")
            titles[-1].write_text(c.title, encoding="utf-8")
        seconds = plan.assembly.expected_seconds
        return Picture(video.picture_inputs(still, seconds),
                       video.picture_graph(PICTURE_INPUT, plan.chapters, round(seconds * 1000), titles), folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
