"""`producer publish`: its options; the work is commands.publish, through the runner."""
from __future__ import annotations

import argparse

from .common import episode_args, episodes, run_all, several_args


def declare(sub: argparse._SubParsersAction) -> None:
    pub = sub.add_parser("publish", help="build if stale, upload, update the feed")
    episode_args(pub, "the episode folders (default: the one you are in); a show folder means all its episodes")
    pub.add_argument("--target", metavar="URL", help="a folder (relative to here) or s3://bucket/prefix "
                     "instead of show.toml's target; needs publish.base_url")
    pub.add_argument("--dry-run", action="store_true", help="say what would be uploaded and how the feed "
                     "would change; change nothing")
    pub.add_argument("-q", "--quiet", action="store_true", help="no progress or per-file lines; "
                     "warnings and the result only")
    several_args(pub)
    pub.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..runner.jobs import publish_job

    folders = episodes(args)
    return run_all(args, publish_job, folders, {"target": args.target, "dry_run": args.dry_run})
