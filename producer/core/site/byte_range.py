"""HTTP Range (RFC 9110, section 14) for one representation of a known size."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int  # inclusive, as Content-Range writes it

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


UNSATISFIABLE = "unsatisfiable"


def parse(header: str | None, size: int) -> Span | None | str:
    """The one span to send; None for the whole file (no Range, a unit other than
    bytes, a malformed or multi-part request: a server may ignore those and answer
    200); UNSATISFIABLE for a well-formed range that lies past the end (416)."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()) \
            or (last and not last.isdigit()):
        return None
    if not first:  # the last N bytes
        n = int(last)
        return Span(max(0, size - n), size - 1) if n and size else UNSATISFIABLE
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: ignored, as the RFC asks
    if start >= size:
        return UNSATISFIABLE
    return Span(start, min(int(last), size - 1) if last else size - 1)
