"""`producer lint`: its options; the work is commands.lint."""
from __future__ import annotations

import argparse
import sys


def declare(sub: argparse._SubParsersAction) -> None:
    li = sub.add_parser("lint", help="check a feed against Apple Podcasts' rules and the podcast namespace")
    li.add_argument("feed", nargs="?", metavar="FEED", help="a feed file or URL (default: the show's published "
                    "feed, found from show.toml here or above, its URLs checked on the target)")
    li.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    li.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from ..commands.lint import lint_command

    lint_command(args.feed, args.json, sys.stdout)
