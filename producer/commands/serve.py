"""`producer serve [SHOW]`: preview the show's published folder over HTTP."""
from __future__ import annotations

import sys
from pathlib import Path

from ..core.feed.feed import FEED_KEY
from ..core.episode.models import LOCAL_BASE_URL
from ..errors import EnvironmentFailure, InputError
from ..io.config import find_show_file, load_show
from ..io.preview_server import PreviewServer
from ..io.storage import LocalStorage, show_target


def published_folder(show_dir: Path) -> tuple[Path, str]:
    """(the local target folder, the base_url its feed's links start with)."""
    show = load_show(find_show_file(show_dir))
    storage = show_target(show)  # as publish resolves it: a folder, file://folder or s3://
    if not isinstance(storage, LocalStorage):
        raise InputError(f"{show.file}: publish.target is {show.publish.target}: serve previews a local folder; "
                         f"publish with --target public to preview")
    folder = storage.root.resolve()
    if not (folder / FEED_KEY).is_file():
        raise InputError(f"{folder}: nothing published here yet (no feed.xml); run producer publish EP first")
    return folder, show.publish.base_url or LOCAL_BASE_URL


def serve(show_dir: Path, host: str, port: int, quiet: bool = False) -> None:
    folder, base_url = published_folder(show_dir)
    try:
        server = PreviewServer(folder, host, port, base_url, quiet)
    except OSError as e:
        raise EnvironmentFailure(f"cannot listen on {host}:{port} ({e.strerror or e}); try --port") from None
    bound_host, bound_port = server.server_address[:2]
    shown = "127.0.0.1" if bound_host in ("0.0.0.0", "") else bound_host
    print(f"serving {folder} at http://{shown}:{bound_port}/ (feed: http://{shown}:{bound_port}/feed.xml); "
          f"Ctrl-C stops", flush=True)
    if host == "127.0.0.1":
        print("only this machine can reach it; --host 0.0.0.0 lets a phone on your network subscribe",
              file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
