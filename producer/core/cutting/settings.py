"""`[cutting]` of show.toml, episode.toml's keys over it: each detector "off",
"suggest" (a list to review; no sample changes) or "cut" (applied in this build)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from ...errors import InputError, located
from ..audio.cleanup import CleanupSettings
from ..episode.models import Episode, Show
from .detect import DEFAULT_FILLERS

Mode = Literal["off", "suggest", "cut"]
MODES: tuple[Mode, ...] = ("off", "suggest", "cut")
DETECTORS = ("fillers", "stumbles", "noises", "pauses")
WORD_DETECTORS = ("fillers", "stumbles", "noises")  # they read the recognised words
DEFAULT_MAX_PAUSE_S = 2.0  # `pauses` on without [cleanup] max_pause_s


@dataclass(frozen=True)
class CuttingSettings:
    fillers: Mode = "off"
    stumbles: Mode = "off"
    noises: Mode = "off"
    pauses: Mode | None = None  # None: "cut" when [cleanup] max_pause_s is set (as before [cutting]), else "off"
    filler_words: tuple[str, ...] = DEFAULT_FILLERS

    def mode(self, detector: str) -> Mode:
        return getattr(self, detector)  # type: ignore[no-any-return]

    def words_before_render(self) -> bool:
        """A word detector cuts in this build: the words are needed before the render."""
        return any(self.mode(d) == "cut" for d in WORD_DETECTORS)

    def wants_words(self) -> bool:
        return any(self.mode(d) != "off" for d in WORD_DETECTORS)

    def suggesting(self) -> bool:
        return any(self.mode(d) == "suggest" for d in DETECTORS)


def settings_for(show: Show, episode: Episode, cleanup: CleanupSettings,
                 recognising: bool) -> tuple[CuttingSettings, CleanupSettings]:
    """The episode's [cutting] over the show's, and the pause settings they imply.
    A word detector without the recogniser is refused, naming where it was turned on."""
    keys = {**dict(show.cutting), **dict(episode.cutting)}
    s = CuttingSettings(**keys)  # type: ignore[arg-type]
    if s.pauses is None:
        s = CuttingSettings(**{**keys, "pauses": "cut" if cleanup.max_pause_s is not None else "off"})  # type: ignore[arg-type]
    elif s.pauses != "off" and cleanup.max_pause_s is None:
        cleanup = replace(cleanup, max_pause_s=max(DEFAULT_MAX_PAUSE_S, cleanup.keep_pause_s + 0.5))
    if not recognising:
        for d in WORD_DETECTORS:
            if s.mode(d) != "off":
                where = episode.file if d in dict(episode.cutting) else show.file
                raise InputError(located(where, f"cutting.{d}", f'"{s.mode(d)}" reads the recognised words, and '
                                         f"this episode is not recognised (a hand transcript, or [transcript] "
                                         f'engine = "off"): set it to "off"'))
    return s, cleanup
