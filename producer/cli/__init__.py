"""Command line: parses arguments, calls one function, maps ProducerError to a
message and an exit code. No logic lives here.

Each command's face (its options and the call it makes) is a module of this
package; they import their command only when it runs, so `producer --help`
starts in a tenth of a second rather than loading every stage."""
from __future__ import annotations

import argparse
import sys
import traceback
from typing import Callable, Sequence

from ..errors import EnvironmentFailure, ProducerError, os_error_text
from ..io import memory
from . import build, chapters, check, cuts, init, lint, measure, publish, serve, status

# the order `producer --help` lists them in
COMMANDS = (build, check, measure, publish, status, init, serve, lint, chapters, cuts)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("producer")
    except PackageNotFoundError:  # run from a source tree that was never installed
        from .. import __version__

        return __version__


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="producer", description="Raw recordings to a published episode.")
    p.add_argument("-v", "--verbose", action="store_true", help="show a traceback on errors")
    p.add_argument("--version", action="version", version=f"producer {_version()}")
    sub = p.add_subparsers(dest="command", required=True, help="what to do")
    for face in COMMANDS:
        face.declare(sub)
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
