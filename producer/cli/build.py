"""`producer build`: its options; the work is commands.build, through the runner."""
from __future__ import annotations

import argparse

from .common import episode_args, episodes, run_all, several_args


def declare(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("build", help="assemble, normalize, encode and tag episodes into EP/dist/")
    episode_args(b, "the episode folders (default: the one you are in); a show folder means all its episodes")
    b.add_argument("--preset", metavar="P", help="a preset name or .toml file (relative to here) "
                   "instead of the show's")
    b.add_argument("--if-stale", action="store_true", help="build only if an input changed since dist/ was "
                   "built (the check publish makes; what `make build-EP` runs)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress; warnings and the result only")
    several_args(b)
    b.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..runner.jobs import build_job

    folders = episodes(args)
    return run_all(args, build_job, folders, {"if_stale": args.if_stale, "preset": args.preset})
