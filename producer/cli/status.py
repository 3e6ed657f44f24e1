"""`producer status`: its options; the work is commands.status."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def declare(sub: argparse._SubParsersAction) -> None:
    st = sub.add_parser("status", help="which episodes are built, stale, published, and passed their check")
    st.add_argument("show", nargs="?", default=".", metavar="SHOW",
                    help="the show folder, or any folder inside it (default: here)")
    st.add_argument("--target", metavar="URL", help="compare with this folder or s3://bucket/prefix instead of "
                    "show.toml's target")
    st.add_argument("--json", action="store_true", help="a JSON list, one object an episode")
    st.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from ..commands.status import status

    status(Path(args.show), args.target, args.json, sys.stdout)
