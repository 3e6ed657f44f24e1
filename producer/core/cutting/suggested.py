"""dist/cuts.suggested.toml: one [[cuts]] a suggestion, each a position in the
recordings like a hand cut, with its reason, detector and the words around it;
and the [[cuts]] text a producer pastes into episode.toml (what `producer cuts
--accept` writes and the report page's ticked rows give). Pure."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from ..chapters.timecode import format_time, parse_time

FILE = "cuts.suggested.toml"


@dataclass(frozen=True)
class Suggestion:
    start_ms: int  # in the recordings, as a hand cut is written
    end_ms: int
    reason: str
    detector: str
    words: str

    def toml(self) -> str:
        return (f"[[cuts]]\nstart = \"{format_time(self.start_ms, True)}\"\nend = \"{format_time(self.end_ms, True)}\"\n"
                f"reason = \"{self.reason}\"\ndetector = \"{self.detector}\"\nwords = {json.dumps(self.words, ensure_ascii=False)}\n")

    def accepted(self) -> dict[str, str]:
        """As episode.toml's [[cuts]] holds it."""
        return {"start": format_time(self.start_ms, True), "end": format_time(self.end_ms, True), "reason": self.reason}


def text(suggestions: Sequence[Suggestion]) -> str:
    head = ("# Cuts producer suggests (the [cutting] detectors set to \"suggest\"); the build changed no sample.\n"
            "# Review them (`producer cuts EP`, or the report page), then `producer cuts EP --accept all` or\n"
            "# `--accept 1,3`, or paste the ones you want into episode.toml's [[cuts]].\n")
    return head + "".join("\n" + s.toml() for s in suggestions)


def parse(data: dict[str, Any], where: str) -> list[Suggestion]:
    """From the file as tomllib read it; a damaged file is a ValueError naming the entry."""
    out = []
    for i, c in enumerate(data.get("cuts", [])):
        try:
            out.append(Suggestion(parse_time(c["start"]), parse_time(c["end"]), str(c["reason"]),
                                  str(c.get("detector", "")), str(c.get("words", ""))))
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"{where}: cuts[{i}]: {e}") from None
    return out


def chosen(count: int, accept: str, where: str) -> list[int]:
    """`--accept all` or `--accept 3,5,9` (numbered from 1) as indexes; a number that
    names no suggestion is a ValueError naming it."""
    if accept.strip() == "all":
        return list(range(count))
    picked: list[int] = []
    for part in accept.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= count:
            raise ValueError(f"--accept {accept}: \"{part}\" names no suggestion of {where} "
                             f"(there {'is' if count == 1 else 'are'} {count}: 1–{count}, or all)" if count else
                             f"--accept {accept}: {where} suggests no cut")
        if int(part) - 1 not in picked:
            picked.append(int(part) - 1)
    return picked
