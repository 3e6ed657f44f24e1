"""`producer cuts`: its options; the work is commands.cuts."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def declare(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("cuts", help="the cuts the last build suggests; --accept puts them into episode.toml")
    c.add_argument("episode", nargs="?", default=".", metavar="EP", help="the episode folder (default: here)")
    c.add_argument("--accept", metavar="all|N,M", help="append these suggestions (numbered as listed, or all) "
                   "to episode.toml's [[cuts]]; the next build applies them")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from ..commands.cuts import cuts_command

    cuts_command(Path(args.episode), args.accept, sys.stdout)
