"""Command line: parses arguments, calls one function, maps ProducerError to a
message and an exit code. No logic lives here."""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

from .errors import EnvironmentFailure, InputError, ProducerError, os_error_text
from .io import memory


def _episodes(args: argparse.Namespace, built_only: bool = False) -> list[Path]:
    from .runner.batch import processes
    from .io.episode_dirs import episode_folders

    processes(args.jobs)
    return episode_folders(args.episodes, args.command, Path.cwd(), built_only)


def _run_all(args: argparse.Namespace, job: object, folders: list[Path], options: dict[str, object]) -> int:
    from .runner.batch import run_all

    return run_all(job, folders, {**options, "verbose": args.verbose}, args.jobs,  # type: ignore[arg-type]
                   args.fail_fast, args.json, getattr(args, "quiet", False))


def _cmd_build(args: argparse.Namespace) -> int:
    from .runner.jobs import build_job

    folders = _episodes(args)
    return _run_all(args, build_job, folders, {"if_stale": args.if_stale, "preset": args.preset})


def _cmd_publish(args: argparse.Namespace) -> int:
    from .runner.jobs import publish_job

    folders = _episodes(args)
    return _run_all(args, publish_job, folders, {"target": args.target, "dry_run": args.dry_run})


def _cmd_check(args: argparse.Namespace) -> int | None:
    from .io.episode_dirs import names_files

    if args.episodes and names_files(args.episodes):
        from .commands.check import check_files

        episode = Path(args.episode) if args.episode else None
        check_files(args.episodes, episode, args.preset, args.json, sys.stdout, html=args.html)
        return None
    if args.episode:
        raise InputError(f"--episode {args.episode}: goes with audio files; an episode folder is checked "
                         f"against itself (producer check {args.episode})")
    from .runner.jobs import check_job

    folders = _episodes(args, built_only=True)
    return _run_all(args, check_job, folders, {"preset": args.preset, "html": args.html})


def _cmd_status(args: argparse.Namespace) -> None:
    from .commands.status import status

    status(Path(args.show), args.target, args.json, sys.stdout)


def _cmd_measure(args: argparse.Namespace) -> None:
    from .commands.measure import measure_files

    measure_files(args.files, args.json, sys.stdout)


def _cmd_serve(args: argparse.Namespace) -> None:
    from .commands.serve import serve

    serve(Path(args.show), args.host, args.port, args.quiet)


def _cmd_init(args: argparse.Namespace) -> None:
    from .commands.scaffold import init

    show = init(Path(args.show), args.title)
    print(f"created {show}/ (show.toml, artwork.jpg, music/, Makefile, .gitignore, .github/workflows/check.yml) "
          f"and {show}/ep1/: drop the recording into {show}/ep1/raw/, then: producer publish {show}/ep1")


def _cmd_new(args: argparse.Namespace) -> None:
    from .commands.scaffold import new_episode

    folder = new_episode(Path.cwd(), args.episode)
    print(f"created {folder}/ (episode.toml, raw/): drop the recording into {folder}/raw/, "
          f"fill in episode.toml, then: producer publish {folder.name}")


def _cmd_lint(args: argparse.Namespace) -> None:
    from .commands.lint import lint_command

    lint_command(args.feed, args.json, sys.stdout)


def _cmd_chapters_import(args: argparse.Namespace) -> None:
    from .commands.chapters import import_command

    import_command(Path(args.file), args.format, Path(args.write) if args.write else None, sys.stdout)


def _cmd_chapters_export(args: argparse.Namespace) -> None:
    from .commands.chapters import export_command

    export_command(Path(args.episode), args.format, sys.stdout)


def _episode_args(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("episodes", nargs="*", metavar="EP", help=help_text + "; a glob such as ep*/ works")


def _several_args(p: argparse.ArgumentParser, json_help: str = "a JSON list, one object an episode") -> None:
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="work on N episodes at once, each in its own process (default 1)")
    p.add_argument("--fail-fast", action="store_true", help="start no further episode once one fails")
    p.add_argument("--json", action="store_true", help=json_help)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("producer")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from . import __version__

        return __version__


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="producer", description="Raw recordings to a published episode.")
    p.add_argument("-v", "--verbose", action="store_true", help="show a traceback on errors")
    p.add_argument("--version", action="version", version=f"producer {_version()}")
    sub = p.add_subparsers(dest="command", required=True, help="what to do")

    b = sub.add_parser("build", help="assemble, normalize, encode and tag episodes into EP/dist/")
    _episode_args(b, "the episode folders (default: the one you are in); a show folder means all its episodes")
    b.add_argument("--preset", metavar="P", help="a preset name or .toml file (relative to here) "
                   "instead of the show's")
    b.add_argument("--if-stale", action="store_true", help="build only if an input changed since dist/ was "
                   "built (the check publish makes; what `make build-EP` runs)")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress; warnings and the result only")
    _several_args(b)
    b.set_defaults(func=_cmd_build)

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
    _several_args(c, json_help="one JSON document instead of lines (for folders: a list, one object an episode)")
    c.set_defaults(func=_cmd_check)

    m = sub.add_parser("measure", help="loudness figures of any audio file")
    m.add_argument("files", nargs="+", metavar="FILE", help="any audio files ffmpeg reads")
    m.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    m.set_defaults(func=_cmd_measure)

    pub = sub.add_parser("publish", help="build if stale, upload, update the feed")
    _episode_args(pub, "the episode folders (default: the one you are in); a show folder means all its episodes")
    pub.add_argument("--target", metavar="URL", help="a folder (relative to here) or s3://bucket/prefix "
                     "instead of show.toml's target; needs publish.base_url")
    pub.add_argument("--dry-run", action="store_true", help="say what would be uploaded and how the feed "
                     "would change; change nothing")
    pub.add_argument("-q", "--quiet", action="store_true", help="no progress or per-file lines; "
                     "warnings and the result only")
    _several_args(pub)
    pub.set_defaults(func=_cmd_publish)

    st = sub.add_parser("status", help="which episodes are built, stale, published, and passed their check")
    st.add_argument("show", nargs="?", default=".", metavar="SHOW",
                    help="the show folder, or any folder inside it (default: here)")
    st.add_argument("--target", metavar="URL", help="compare with this folder or s3://bucket/prefix instead of "
                    "show.toml's target")
    st.add_argument("--json", action="store_true", help="a JSON list, one object an episode")
    st.set_defaults(func=_cmd_status)

    ini = sub.add_parser("init", help="create a show folder, ready to publish once a recording is in ep1/raw/")
    ini.add_argument("show", metavar="SHOW", help="the new show folder (must not exist, or be empty)")
    ini.add_argument("--title", help="the show's title (default: from the folder name)")
    ini.set_defaults(func=_cmd_init)

    nw = sub.add_parser("new", help="create the next episode folder of the show you are in")
    nw.add_argument("episode", nargs="?", metavar="EP", help="the folder name (default: ep<next number>)")
    nw.set_defaults(func=_cmd_new)

    sv = sub.add_parser("serve", help="preview the published show over HTTP (Range, HEAD, MIME types)")
    sv.add_argument("show", nargs="?", default=".", metavar="SHOW",
                    help="the show folder, or any folder inside it (default: here)")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0: any free port)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only; "
                    "0.0.0.0 for the phones on your network)")
    sv.add_argument("-q", "--quiet", action="store_true", help="no line per request")
    sv.set_defaults(func=_cmd_serve)

    li = sub.add_parser("lint", help="check a feed against Apple Podcasts' rules and the podcast namespace")
    li.add_argument("feed", nargs="?", metavar="FEED", help="a feed file or URL (default: the show's published "
                    "feed, found from show.toml here or above, its URLs checked on the target)")
    li.add_argument("--json", action="store_true", help="one JSON document instead of lines")
    li.set_defaults(func=_cmd_lint)

    ch = sub.add_parser("chapters", help="import and export chapter lists")
    chs = ch.add_subparsers(dest="chapters_command", required=True, help="import or export")
    ci = chs.add_parser("import", help="any supported chapter format → TOML [[chapters]]")
    ci.add_argument("file", metavar="FILE", help="a chapter list: text, show notes, Audacity labels or JSON")
    ci.add_argument("--format", default="auto", choices=["auto", "text", "shownotes", "audacity", "json"],
                    help="the list's format (default: told from the file)")
    ci.add_argument("--write", metavar="EP", help="put the chapters into EP/episode.toml")
    ci.set_defaults(func=_cmd_chapters_import)
    ce = chs.add_parser("export", help="an episode's chapters in another format")
    ce.add_argument("episode", metavar="EP", help="the episode folder")
    ce.add_argument("--format", default="json", choices=["json", "text", "audacity"],
                    help="Podcasting 2.0 JSON (default), text lines or Audacity labels")
    ce.set_defaults(func=_cmd_chapters_export)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    memory.return_large_blocks()
    args = parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int | None] = args.func
    try:
        code = func(args)
        sys.stdout.flush()  # the report before any message on stderr
        return code or 0
    except ProducerError as e:
        sys.stdout.flush()
        if args.verbose:
            traceback.print_exc()
        print(f"producer: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:  # the disk or the OS said no where no stage expected it: still one line
        sys.stdout.flush()
        if args.verbose:
            traceback.print_exc()
        print(f"producer: {os_error_text(e)}", file=sys.stderr)
        return EnvironmentFailure.exit_code
    except KeyboardInterrupt:
        print("producer: interrupted", file=sys.stderr)
        return 130
