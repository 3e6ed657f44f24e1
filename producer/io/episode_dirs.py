"""What a producer types for "these episodes": nothing (the folder they stand in),
an episode folder, its dist/, a show folder, or a shell glob such as `ep*/`.
Resolved here once for build, publish, check and status; every bad argument is
one InputError naming it (exit 2)."""
from __future__ import annotations

import glob
import re
from pathlib import Path

from ..errors import InputError
from .config import EPISODE_FILE, SHOW_FILE

GLOB_CHARS = "*?["


def natural_key(path: Path) -> list[object]:
    """ep2 before ep10, as a producer counts."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.name)]


def is_episode(folder: Path) -> bool:
    return (folder / EPISODE_FILE).is_file()


def show_episodes(show: Path, built_only: bool = False) -> list[Path]:
    """The episode folders of a show, in natural order; with built_only, those with a dist/."""
    found = [p for p in show.iterdir() if p.is_dir() and is_episode(p)]
    return sorted((p for p in found if not built_only or (p / "dist").is_dir()), key=natural_key)


def episode_folders(args: list[str], command: str, cwd: Path, built_only: bool = False) -> list[Path]:
    """Every episode the arguments name, once each, in the order given; a show folder
    means its episodes (with built_only, those built)."""
    if not args:
        if is_episode(cwd):
            return [cwd]
        where = "a show folder: give its episodes, " if (cwd / SHOW_FILE).is_file() else ""
        raise InputError(f"{cwd}: no {EPISODE_FILE} here ({where}e.g. producer {command} ep1, or "
                         f"producer {command} ep*/ for several, or run it inside an episode folder)")
    found: list[Path] = []
    for arg in args:
        for folder in _one(arg, built_only):
            if folder.resolve() not in {f.resolve() for f in found}:
                found.append(folder)
    return found


def _one(arg: str, built_only: bool) -> list[Path]:
    if any(ch in arg for ch in GLOB_CHARS):
        matches = [Path(m) for m in sorted(glob.glob(arg))]
        folders = [f for m in matches if m.is_dir() for f in _folder(m, built_only, strict=False)]
        if not folders:
            raise InputError(f"{arg}: matches no episode folder" if matches else f"{arg}: matches nothing")
        return folders
    return _folder(Path(arg), built_only, strict=True)


def _folder(path: Path, built_only: bool, strict: bool) -> list[Path]:
    if is_episode(path):
        return [path]
    if path.name == "dist" and is_episode(path.parent):  # `producer check ep7/dist/`
        return [path.parent]
    if (path / SHOW_FILE).is_file():
        episodes = show_episodes(path, built_only)
        if not episodes and strict:
            raise InputError(f"{path}: a show folder with no episode folder{' built yet (no dist/)' if built_only else ''}")
        return episodes
    if not strict:
        return []
    if not path.exists():
        raise InputError(f"{path}: no such folder")
    raise InputError(f"{path}: no {EPISODE_FILE} here: neither an episode folder nor a show folder "
                     f"(no {SHOW_FILE})")


def names_files(args: list[str]) -> bool:
    """Whether `producer check`'s arguments are audio files (the FILE form) rather than
    folders; both at once is refused, as it is never what was meant."""
    kinds = {_kind(arg) for arg in args}
    if kinds == {"file", "folder"}:
        raise InputError(f"{' '.join(args)}: give either audio files or episode (or show) folders, not both")
    return kinds == {"file"}


def _kind(arg: str) -> str:
    if any(ch in arg for ch in GLOB_CHARS):
        matches = [Path(m) for m in glob.glob(arg)]
        return "folder" if any(m.is_dir() for m in matches) else "file"
    path = Path(arg)
    missing_folder = not path.exists() and not path.suffix  # `check ep9` for a folder not there
    return "folder" if path.is_dir() or missing_folder else "file"
