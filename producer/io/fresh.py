"""Is an episode's dist/ up to date? The one answer Make, publish and a person
get (the input digest of io.inputs), kept light: no audio module is imported,
so `producer build --if-stale` on a built episode takes a fraction of a second."""
from __future__ import annotations

from pathlib import Path

from .config import Context, load_context
from .inputs import is_stale


def stale_context(episode_dir: Path, preset_name: str | None = None) -> Context | None:
    """The episode's context when it needs a build, None when dist/ is current."""
    ctx = load_context(episode_dir, preset_name)
    return ctx if is_stale(ctx) else None
