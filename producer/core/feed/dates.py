"""RFC 2822 dates, as RSS writes them (pubDate, lastBuildDate): the one writer and
the one reader for the feed, lint, the website and publish. Pure."""
from __future__ import annotations

import datetime as dt
import html
from email.utils import format_datetime, parsedate_to_datetime


def aware(value: dt.date | dt.datetime) -> dt.datetime:
    """A TOML date or datetime as a moment: a date is midnight UTC, a naive time is UTC."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)


def rfc2822(moment: dt.datetime) -> str:
    return format_datetime(aware(moment))


def parse_rfc2822(text: str | None) -> dt.datetime | None:
    """The moment a feed's date names (entities decoded, UTC when it gives no zone),
    None for anything that is not an RFC 2822 date."""
    if not text or not text.strip():
        return None
    try:
        value = parsedate_to_datetime(html.unescape(text.strip()))
    except (TypeError, ValueError, IndexError):
        return None
    return aware(value)
