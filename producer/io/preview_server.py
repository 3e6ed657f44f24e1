"""The preview server behind `producer serve`: a published folder over HTTP with
byte ranges (podcast apps and browsers seek with Range; Apple requires it), HEAD,
the right Content-Type, and the feed's links pointed at this server."""
from __future__ import annotations

import email.utils
import os
import sys
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

from ..core.site import byte_range
from ..core.episode.episode_files import PAGE
from ..core.feed.feed import FEED_KEY
from ..core.feed.media_types import content_type

COPY_BLOCK = 1 << 16


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, host: str, port: int, base_url: str | None, quiet: bool = False) -> None:
        self.root = root.resolve()
        self.base_url = base_url.rstrip("/") if base_url else None
        self.quiet = quiet
        super().__init__((host, port), Handler)


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _serve(self, body: bool) -> None:
        try:
            path = self._file()
        except ValueError:  # a NUL byte, or percent-encoding that is not UTF-8: no file can have that name
            self._error(HTTPStatus.BAD_REQUEST)
            return
        if path is None:
            self._error(HTTPStatus.NOT_FOUND)
            return
        if path.name == FEED_KEY and self.server.base_url:
            data = self._feed(path)
            self._send(data, len(data), content_type(path.name), path.stat().st_mtime, body)
            return
        with path.open("rb") as f:
            self._send(f, os.fstat(f.fileno()).st_size, content_type(path.name), path.stat().st_mtime, body)

    def _file(self) -> Path | None:
        """The file a URL path names under the root, never outside it; a folder's index.html."""
        rel = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path, errors="strict").lstrip("/")
        if "\0" in rel:
            raise ValueError("a NUL byte in the path")
        candidate = (self.server.root / rel).resolve()
        if candidate != self.server.root and self.server.root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / PAGE
        return candidate if candidate.is_file() else None

    def _feed(self, path: Path) -> bytes:
        """The feed with the show's base_url replaced by the address this request came
        to, so a phone on the network subscribes to this server, not to the CDN."""
        assert self.server.base_url
        here = f"http://{self.headers.get('Host') or '%s:%d' % self.server.server_address[:2]}"
        return path.read_bytes().replace(self.server.base_url.encode() + b"/", here.encode() + b"/")

    def _send(self, source: bytes | BinaryIO, size: int, ctype: str, mtime: float, body: bool) -> None:
        span = byte_range.parse(self.headers.get("Range"), size)
        if span == byte_range.UNSATISFIABLE:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            return
        assert not isinstance(span, str)
        start, length = (span.start, span.length) if span else (0, size)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache")  # a preview: always the latest build
        if span:
            self.send_header("Content-Range", span.content_range(size))
        self.end_headers()
        if not body:
            return
        if isinstance(source, bytes):
            self.wfile.write(source[start:start + length])
            return
        source.seek(start)
        _copy(source, self.wfile, length)

    def _error(self, status: HTTPStatus) -> None:
        text = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)


def _copy(src: BinaryIO, dst: BinaryIO, length: int) -> None:
    try:
        while length > 0:
            block = src.read(min(COPY_BLOCK, length))
            if not block:
                break
            dst.write(block)
            length -= len(block)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the player seeked elsewhere and dropped this response: normal
