"""What several commands' faces share: the episode arguments, the options for
working on several episodes, and handing the folders to the runner."""
from __future__ import annotations

import argparse
from pathlib import Path


def episode_args(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("episodes", nargs="*", metavar="EP", help=help_text + "; a glob such as ep*/ works")


def several_args(p: argparse.ArgumentParser, json_help: str = "a JSON list, one object an episode") -> None:
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="work on N episodes at once, each in its own process (default 1)")
    p.add_argument("--fail-fast", action="store_true", help="start no further episode once one fails")
    p.add_argument("--json", action="store_true", help=json_help)


def episodes(args: argparse.Namespace, built_only: bool = False) -> list[Path]:
    from ..io.episode_dirs import episode_folders
    from ..runner.batch import processes

    processes(args.jobs)
    return episode_folders(args.episodes, args.command, Path.cwd(), built_only)


def run_all(args: argparse.Namespace, job: object, folders: list[Path], options: dict[str, object]) -> int:
    from ..runner.batch import run_all as run

    return run(job, folders, {**options, "verbose": args.verbose}, args.jobs,  # type: ignore[arg-type]
               args.fail_fast, args.json, getattr(args, "quiet", False))
