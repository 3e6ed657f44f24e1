"""`producer check`: its options; folders go through the runner, files to commands.check."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from .common import episodes, run_all, several_args


def declare(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("check", help="measure built episodes (or files) against their preset and chapters")
    c.add_argument("episodes", nargs="*", metavar="EP|FILE",
                   help="episode folders (default: the one you are in): every file each built, against it; "
                        "a show folder means its built episodes. Or MP3, M4A or Opus files (a glob such as "
                        "EP/dist/* skips the rest)")
    c.add_argument("--episode", metavar="EP",
                   help="also check tags and chapters against this episode folder (and use its preset)")
    c.add_argument("--preset", metavar="P", help="a preset name or .toml file (default: the one the "
                   "file was built with, recorded in its tags; else podcast-stereo)")
    c.add_argument("--html", metavar="PATH", help="also write the report page (loudness over time, chapters, "
                   "checks): to PATH for one file; into the folder PATH as NAME.html for several")
    several_args(c, json_help="one JSON document instead of lines (for folders: a list, one object an episode)")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int | None:
    from ..io.episode_dirs import names_files

    if args.episodes and names_files(args.episodes):
        from ..commands.check import check_files

        episode = Path(args.episode) if args.episode else None
        check_files(args.episodes, episode, args.preset, args.json, sys.stdout, html=args.html)
        return None
    if args.episode:
        raise InputError(f"--episode {args.episode}: goes with audio files; an episode folder is checked "
                         f"against itself (producer check {args.episode})")
    from ..runner.jobs import check_job

    folders = episodes(args, built_only=True)
    return run_all(args, check_job, folders, {"preset": args.preset, "html": args.html})
