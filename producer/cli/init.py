"""`producer init` and `producer new`: their options; the work is commands.scaffold."""
from __future__ import annotations

import argparse
from pathlib import Path


def declare(sub: argparse._SubParsersAction) -> None:
    ini = sub.add_parser("init", help="create a show folder, ready to publish once a recording is in ep1/raw/")
    ini.add_argument("show", metavar="SHOW", help="the new show folder (must not exist, or be empty)")
    ini.add_argument("--title", help="the show's title (default: from the folder name)")
    ini.set_defaults(func=run_init)

    nw = sub.add_parser("new", help="create the next episode folder of the show you are in")
    nw.add_argument("episode", nargs="?", metavar="EP", help="the folder name (default: ep<next number>)")
    nw.set_defaults(func=run_new)


def run_init(args: argparse.Namespace) -> None:
    from ..commands.scaffold import init

    show = init(Path(args.show), args.title)
    print(f"created {show}/ (show.toml, artwork.jpg, music/, Makefile, .gitignore, .github/workflows/check.yml) "
          f"and {show}/ep1/: drop the recording into {show}/ep1/raw/, then: producer publish {show}/ep1")


def run_new(args: argparse.Namespace) -> None:
    from ..commands.scaffold import new_episode

    folder = new_episode(Path.cwd(), args.episode)
    print(f"created {folder}/ (episode.toml, raw/): drop the recording into {folder}/raw/, "
          f"fill in episode.toml, then: producer publish {folder.name}")
