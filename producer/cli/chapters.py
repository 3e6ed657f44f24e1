"""`producer chapters import|export`: their options; the work is commands.chapters."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def declare(sub: argparse._SubParsersAction) -> None:
    ch = sub.add_parser("chapters", help="import, export and suggest chapter lists")
    chs = ch.add_subparsers(dest="chapters_command", required=True, help="import, export or suggest")
    ci = chs.add_parser("import", help="any supported chapter format → TOML [[chapters]]")
    ci.add_argument("file", metavar="FILE", help="a chapter list: text, show notes, Audacity labels or JSON")
    ci.add_argument("--format", default="auto", choices=["auto", "text", "shownotes", "audacity", "json"],
                    help="the list's format (default: told from the file)")
    ci.add_argument("--write", metavar="EP", help="put the chapters into EP/episode.toml")
    ci.set_defaults(func=run_import)
    ce = chs.add_parser("export", help="an episode's chapters in another format")
    ce.add_argument("episode", metavar="EP", help="the episode folder")
    ce.add_argument("--format", default="json", choices=["json", "text", "audacity"],
                    help="Podcasting 2.0 JSON (default), text lines or Audacity labels")
    ce.set_defaults(func=run_export)
    cs = chs.add_parser("suggest", help="chapters where the built transcript's topic changes, as TOML to review")
    cs.add_argument("episode", nargs="?", default=".", metavar="EP", help="the episode folder (default: here)")
    cs.add_argument("--write", action="store_true", help="put them into episode.toml (its chapters kept, "
                    "suggestions at least 2 minutes from them added)")
    cs.add_argument("--replace", action="store_true", help="with --write: the suggestions instead of its chapters")
    cs.set_defaults(func=run_suggest)


def run_import(args: argparse.Namespace) -> None:
    from ..commands.chapters import import_command

    import_command(Path(args.file), args.format, Path(args.write) if args.write else None, sys.stdout)


def run_export(args: argparse.Namespace) -> None:
    from ..commands.chapters import export_command

    export_command(Path(args.episode), args.format, sys.stdout)


def run_suggest(args: argparse.Namespace) -> None:
    from ..commands.chapters import suggest_command

    suggest_command(Path(args.episode), args.write, args.replace, sys.stdout)
