"""Show, episode and preset files: TOML loading and validation into core.episode.models.

Every error names the file and the field. Unknown keys are errors: a typo in a
manifest must not silently fall back to a default.

By what it loads: schema, tables, show, episode, preset, edits, context."""
from __future__ import annotations

from .schema import SHOW_FILE, EPISODE_FILE, read_toml
from .show import find_show_file, load_show
from .episode import load_episode, as_built, load_chapters_file
from .preset import load_preset, packaged_presets
from .edits import append_cuts, write_chapters, write_guid, episodes_sharing_guid
from .context import Context, load_context

__all__ = ["SHOW_FILE", "EPISODE_FILE", "read_toml", "find_show_file", "load_show", "load_episode", "as_built", "load_chapters_file", "load_preset", "packaged_presets", "write_chapters", "write_guid", "append_cuts", "episodes_sharing_guid", "Context", "load_context"]
