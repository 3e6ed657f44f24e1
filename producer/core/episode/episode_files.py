"""An episode's files, named once: what `build` writes into dist/, what a
complete build must hold (`--if-stale`, `status`), which of them `publish`
uploads and under which keys, and what `check` checks. Pure."""
from __future__ import annotations

from dataclasses import dataclass

from .formats import FORMATS

EPISODES = "episodes"  # the target's folder of episode folders (DESIGN.md's storage layout)
CHAPTERS = "chapters.json"
TRANSCRIPT_JSON = "transcript.json"
REPORT_JSON = "report.json"
REPORT_PAGE = "report.html"
PAGE = "index.html"
YOUTUBE = "youtube.txt"  # beside a video: its title, description and keywords to paste (not published)


@dataclass(frozen=True)
class EpisodeFiles:
    slug: str
    renditions: tuple[str, ...] = ()  # formats made beside the MP3, in show.toml's order
    transcript: bool = False  # the build writes <slug>.vtt, <slug>.srt and transcript.json
    chapters: bool = True  # the episode has chapters: chapters.json is published

    @property
    def formats(self) -> tuple[str, ...]:
        """The MP3 first, then every rendition."""
        return ("mp3", *self.renditions)

    def audio(self, fmt: str) -> str:
        return f"{self.slug}{FORMATS[fmt].suffix}"

    @property
    def mp3(self) -> str:
        return self.audio("mp3")

    @property
    def media(self) -> tuple[str, ...]:
        return tuple(self.audio(f) for f in self.formats)

    @property
    def vtt(self) -> str:
        return f"{self.slug}.vtt"

    @property
    def srt(self) -> str:
        return f"{self.slug}.srt"

    @property
    def transcripts(self) -> tuple[str, ...]:
        return (self.vtt, self.srt, TRANSCRIPT_JSON) if self.transcript else ()

    @property
    def extras(self) -> tuple[str, ...]:
        """Files for the producer beside the media: youtube.txt with a video."""
        return (YOUTUBE,) if any(FORMATS[f].video for f in self.renditions) else ()

    def built(self) -> tuple[str, ...]:
        """Every file a complete build leaves in dist/."""
        return (*self.media, CHAPTERS, *self.transcripts, *self.extras, REPORT_JSON, REPORT_PAGE)

    def published(self) -> tuple[str, ...]:
        """The files of dist/ that go to the target, in upload order: media first (the
        feed points at them), then the chapters, transcripts and the report page."""
        return (*self.media, *((CHAPTERS,) if self.chapters else ()), *self.transcripts, REPORT_PAGE)

    @property
    def folder_key(self) -> str:
        return f"{EPISODES}/{self.slug}"

    def key(self, name: str) -> str:
        """A file's key on the target, beside the episode's other files."""
        return f"{self.folder_key}/{name}"

    @property
    def page_key(self) -> str:
        return self.key(PAGE)
