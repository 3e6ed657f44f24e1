"""`producer serve`: its options; the work is commands.serve."""
from __future__ import annotations

import argparse
from pathlib import Path


def declare(sub: argparse._SubParsersAction) -> None:
    sv = sub.add_parser("serve", help="preview the published show over HTTP (Range, HEAD, MIME types)")
    sv.add_argument("show", nargs="?", default=".", metavar="SHOW",
                    help="the show folder, or any folder inside it (default: here)")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0: any free port)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only; "
                    "0.0.0.0 for the phones on your network)")
    sv.add_argument("-q", "--quiet", action="store_true", help="no line per request")
    sv.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from ..commands.serve import serve

    serve(Path(args.show), args.host, args.port, args.quiet)
