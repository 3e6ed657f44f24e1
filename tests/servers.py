"""Servers the publish tests talk to over HTTP on loopback: moto's S3 server,
and a proxy in front of it that fails the first requests on purpose."""
from __future__ import annotations

import hashlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> bool:
    """Whether something listens on 127.0.0.1:port within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class MotoServer:
    """moto in server mode on loopback; `env` such as INITIAL_NO_AUTH_ACTION_COUNT
    makes it enforce credentials after that many calls."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env={**os.environ, **(env or {})})
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError("moto server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _plain_service(headers: dict[str, str]) -> dict[str, str]:
    """What an S3-compatible service without additional checksums sends or keeps:
    no x-amz-checksum-* headers, and ETags that are not MD5s (as under SSE-KMS)."""
    kept = {k: v for k, v in headers.items() if not k.lower().startswith(("x-amz-checksum", "x-amz-sdk-checksum"))}
    for k in list(kept):
        if k.lower() == "etag":
            kept[k] = '"' + hashlib.sha1(kept[k].encode()).hexdigest() + '"'  # noqa: S324 - a stand-in, not security
    return kept


class FlakyProxy:
    """Forwards to `upstream`, but answers the first `failures` requests with 503
    and drops the connection of the next one: what a struggling endpoint does.
    With plain=True it is also a service that knows no additional checksums and
    whose ETags are not MD5s; with cut_puts=N it loses the last N bytes of every
    object PUT (a broken gateway)."""

    def __init__(self, upstream: str, failures: int = 3, plain: bool = False, cut_puts: int = 0) -> None:
        self.upstream = urlparse(upstream)
        self.plain, self.cut_puts = plain, cut_puts
        self.remaining = failures
        self.dropped = False
        self.lock = threading.Lock()
        self.seen = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy.lock:
                    proxy.seen += 1
                    fail = proxy.remaining > 0
                    proxy.remaining -= 1 if fail else 0
                    drop = not fail and not proxy.dropped
                    proxy.dropped = proxy.dropped or drop
                if fail:
                    msg = b"<Error><Code>ServiceUnavailable</Code><Message>try later</Message></Error>"
                    self.send_response(503)
                    self.send_header("Content-Length", str(len(msg)))
                    self.end_headers()
                    self.wfile.write(msg)
                    return
                if drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                if proxy.plain:
                    headers = _plain_service(headers)
                if proxy.cut_puts and self.command == "PUT" and len(body) > proxy.cut_puts:
                    body = body[:-proxy.cut_puts]
                    headers = {k: v for k, v in headers.items() if k.lower() not in ("content-length", "content-md5")}
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                answer = dict(resp.getheaders())
                for k, v in (_plain_service(answer) if proxy.plain else answer).items():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                length = resp.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
