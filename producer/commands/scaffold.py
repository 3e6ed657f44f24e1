"""`producer init SHOW` and `producer new [EP]`: a show folder ready to publish
once a recording is dropped in, and the next episode folder."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..core.episode import scaffold
from ..errors import InputError
from ..io import artwork
from ..io.config import EPISODE_FILE, SHOW_FILE, find_show_file, read_toml


def init(show_dir: Path, title: str | None, today: dt.date | None = None) -> Path:
    """The show folder, and its first episode (ep1/ with an empty raw/)."""
    if show_dir.exists() and any(show_dir.iterdir()):
        raise InputError(f"{show_dir}: exists and is not empty; init makes a new show folder")
    title = title or scaffold.slug_title(show_dir.resolve().name)
    show_dir.mkdir(parents=True, exist_ok=True)
    (show_dir / SHOW_FILE).write_text(scaffold.show_toml(title), encoding="utf-8")
    artwork.placeholder(show_dir / "artwork.jpg", title)
    (show_dir / "music").mkdir()
    (show_dir / "music" / "README.txt").write_text(scaffold.MUSIC_README, encoding="utf-8")
    (show_dir / ".gitignore").write_text(scaffold.GITIGNORE, encoding="utf-8")
    (show_dir / "Makefile").write_text(scaffold.MAKEFILE, encoding="utf-8")
    workflows = show_dir / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "check.yml").write_text(scaffold.WORKFLOW, encoding="utf-8")
    new_episode(show_dir, None, today)
    return show_dir


def new_episode(start: Path, name: str | None, today: dt.date | None = None) -> Path:
    """The next episode folder of the show `start` is in: number one past the highest."""
    root = find_show_file(start).parent
    number = next_number(root)
    folder = root / (name or f"ep{number}")
    if folder.exists():
        raise InputError(f"{folder}: exists already; name another folder (producer new ep{number}-extra)")
    (folder / "raw").mkdir(parents=True)
    (folder / EPISODE_FILE).write_text(
        scaffold.episode_toml(number, today or dt.date.today(), f"Episode {number}"), encoding="utf-8")
    return folder


def next_number(root: Path) -> int:
    numbers = [0]
    for toml in root.glob(f"*/{EPISODE_FILE}"):
        try:
            value = read_toml(toml).get("number")
        except InputError:
            continue  # a broken episode.toml is its own problem; its folder name still counts
        if isinstance(value, int):
            numbers.append(value)
        elif m := re.search(r"(\d+)$", toml.parent.name):
            numbers.append(int(m.group(1)))
    return max(numbers) + 1
