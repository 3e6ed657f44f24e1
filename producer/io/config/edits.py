"""Edits to files a user wrote, keeping their comments and layout (tomlkit): chapters, the recorded guid; and the guid scan."""
from __future__ import annotations

import tomllib
from pathlib import Path

import tomlkit

from ...core.chapters import chapters as chap
from ...core.chapters.chapter_formats import toml_tables
from .schema import EPISODE_FILE, read_toml
from .. import files

def write_chapters(episode_dir: Path, chapters: list[chap.Chapter]) -> Path:
    """Replace the episode's chapters, keeping every other line of episode.toml as written."""
    path = episode_dir / EPISODE_FILE
    read_toml(path)  # the same clear errors as a build for a missing or broken file
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key in ("chapters", "chapters_file"):
        if key in doc:
            del doc[key]
    doc.add("chapters", toml_tables(chapters))
    files.replace_text(path, tomlkit.dumps(doc))
    return path


def write_guid(episode_file: Path, guid: str) -> None:
    """Record the item's guid in episode.toml, after the top-level settings,
    keeping every other line as written: from now on the guid never changes."""
    text = episode_file.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    if "guid" in doc:
        return
    item = tomlkit.item(guid)
    item.comment("the feed item's id: never change it once published")
    # tomlkit's own add puts a plain key before the first table ([[chapters]]),
    # where a key appended after a table would belong to that table.
    doc.add("guid", item)
    files.replace_text(episode_file, tomlkit.dumps(doc))


def append_cuts(episode_file: Path, entries: list[dict[str, str]]) -> None:
    """Add [[cuts]] tables (start, end, reason) after the ones there, keeping every
    other line as written."""
    doc = tomlkit.parse(episode_file.read_text(encoding="utf-8"))
    existing = doc.get("cuts")
    array = existing if existing is not None else tomlkit.aot()
    for entry in entries:
        table = tomlkit.table()
        for key, value in entry.items():
            table.add(key, value)
        array.append(table)
    if existing is None:
        doc.append("cuts", array)
    files.replace_text(episode_file, tomlkit.dumps(doc))


def episodes_sharing_guid(show_root: Path, guid: str, folder: Path) -> list[Path]:
    """Other episode folders of the show whose episode.toml carries this guid: a
    folder copied as a template brings the original's along."""
    found = []
    for other in sorted(show_root.iterdir()):
        file = other / EPISODE_FILE
        if other.resolve() == folder.resolve() or not file.is_file():
            continue
        try:
            if tomllib.loads(file.read_text(encoding="utf-8")).get("guid") == guid:
                found.append(other)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # not ours to judge here; its own publish reports it
    return found
