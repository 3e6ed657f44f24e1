"""Everything a command needs about one episode: the show, the episode and the preset."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


from ...core.episode.models import Episode, Preset, Show
from .schema import EPISODE_FILE
from .show import find_show_file, load_show
from .preset import is_preset_path, load_preset
from .episode import load_episode
from ...errors import InputError

@dataclass
class Context:
    """Everything a command needs to know about one episode."""

    show: Show
    episode: Episode
    preset: Preset


def load_context(episode_dir: Path, preset_name: str | None = None) -> Context:
    if not (episode_dir / EPISODE_FILE).is_file():
        raise InputError(f"{episode_dir}: no {EPISODE_FILE} here; is this an episode folder?")
    show = load_show(find_show_file(episode_dir.resolve().parent))
    episode = load_episode(episode_dir, show)
    if preset_name is not None and is_preset_path(preset_name):  # the user's words: relative to here
        preset_name = str(Path(preset_name).resolve())
    preset = load_preset(preset_name or show.audio.preset, show.root)
    return Context(show, episode, preset)
