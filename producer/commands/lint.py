"""`producer lint [FEED]`: findings on any feed (a file or a URL), or with no
FEED on the show's own published feed (show.toml from here upward), its URLs
resolved through the publish target."""
from __future__ import annotations

import json
import urllib.error
from pathlib import Path
from typing import TextIO

from ..core.feed import lint
from ..core.feed.feed import FEED_KEY
from ..core.episode.models import LOCAL_BASE_URL
from ..errors import CheckFailed, InputError, StorageError
from ..io.config import find_show_file, load_show
from ..core.episode.models import Show
from ..io.resolve import HttpResolver, StorageResolver, fetch
from ..io.storage import Storage, show_target



def lint_command(feed: str | None, as_json: bool, out: TextIO) -> None:
    xml, resolver = _source(feed)
    findings = lint.lint(xml, resolver)
    if as_json:
        json.dump({"pass": not lint.errors(findings), "findings": [f.as_dict() for f in findings]}, out, indent=2,
                  ensure_ascii=False)
        out.write("\n")
    else:
        for f in findings:
            out.write(f.line() + "\n")
        bad = len(lint.errors(findings))
        out.write(f"{bad} errors, {len(findings) - bad} warnings\n")
    if lint.errors(findings):
        raise CheckFailed(f"the feed has {len(lint.errors(findings))} errors")


def _source(feed: str | None) -> tuple[bytes, lint.Resolver]:
    if feed is None:
        show = load_show(find_show_file(Path.cwd()))
        storage, resolver = _own(show)
        found = storage.read(FEED_KEY)
        if found is None:
            raise InputError(f"{storage.describe()}: no {FEED_KEY} published yet")
        return found[0], resolver
    if feed.startswith(("http://", "https://")):
        try:
            return fetch(feed), HttpResolver()
        except (urllib.error.URLError, OSError) as e:
            raise StorageError(f"{feed}: cannot be fetched ({getattr(e, 'reason', e)})") from None
    try:
        xml = Path(feed).read_bytes()
    except OSError as e:
        raise InputError(f"{feed}: cannot be read ({e.strerror})") from None
    return xml, _show_of(Path(feed))


def _own(show: Show) -> tuple[Storage, lint.Resolver]:
    """The show's target, and a resolver that asks it for the show's own URLs (and
    no other: a show's feed is judged by what it published, not by other hosts)."""
    storage = show_target(show)
    return storage, StorageResolver(storage, show.publish.base_url or LOCAL_BASE_URL)


def _show_of(feed: Path) -> lint.Resolver:
    """A feed file inside a show folder (its own public/feed.xml) is linted as `lint`
    with no argument lints the published one: its URLs through the show's target."""
    try:
        return _own(load_show(find_show_file(feed.parent)))[1]
    except InputError:  # a feed file that belongs to no show
        return HttpResolver()
