"""`producer measure`: its options; the work is commands.measure."""
from __future__ import annotations

import argparse
import sys


def declare(sub: argparse._SubParsersAction) -> None:
    m = sub.add_parser("measure", help="loudness figures of any audio file")
    m.add_argument("files", nargs="+", metavar="FILE", help="any audio files ffmpeg reads")
    m.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    m.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from ..commands.measure import measure_files

    measure_files(args.files, args.json, sys.stdout)
