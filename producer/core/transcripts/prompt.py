"""Whisper's initial prompt: what it takes as the text before each window. Whisper
leaves out most "um"s and "uh"s unless the text before shows them, and spells a
show's names and jargon as it has seen them; so the prompt is a line said with
fillers, then the episode's own words (title, chapter titles, persons' names,
`[transcript] vocabulary`). Pure.

Measured (scripts/measure_prompt.py, docs/guide/transcripts.md): the filler line
costs no word error rate on real read speech and brings the fillers back."""
from __future__ import annotations

from typing import Iterable

# said with the fillers producer's detector looks for, in Whisper's own spellings
FILLER_LINE = "So, um, I think, uh, we, er, hmm, went there."
MAX_CHARS = 600  # Whisper keeps the last 224 tokens of a prompt; a long list only costs time


def prompt(fillers: bool, words: Iterable[str]) -> str | None:
    """The filler line (when fillers are kept) and the show's words, each once, in order."""
    seen: list[str] = []
    for w in words:
        w = " ".join(w.split())
        if w and w not in seen:
            seen.append(w)
    vocabulary = ", ".join(seen)
    if len(vocabulary) > MAX_CHARS:
        vocabulary = vocabulary[:MAX_CHARS].rsplit(",", 1)[0]
    text = " ".join(x for x in ((FILLER_LINE if fillers else ""), (vocabulary + "." if vocabulary else "")) if x)
    return text or None
