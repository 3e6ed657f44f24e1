"""Chapter suggestions from a transcript: where the topic changes, by lexical
cohesion (TextTiling, Hearst 1997): the words of the minute before each sentence
against the minute after it; where the two share least, deepest below their
neighbours, a new topic starts. No model: word counts only. Pure.

Each boundary is a sentence's start, at least MIN_GAP_S from the episode's start,
its end and every other boundary; each chapter is titled with its own key words
(frequent in it, rare in the rest)."""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

MIN_GAP_S = 120.0  # chapters at least two minutes apart
WINDOW_S = 60.0  # the words on each side of a gap that are compared
MIN_DEPTH = 0.1  # a dip in cohesion shallower than this is talk, not a new topic
RELATIVE_DEPTH = 0.3  # ... and one less than a third of the deepest dip too
TITLE_WORDS = 3
REFINE_S = 40.0
REFINE_PASSES = 3  # each boundary placed again once its neighbours have moved
DISTINCT = 0.75  # two topics share less than three quarters of what each topic's halves share
STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each even ever few for from further get got
had has have having he her here hers herself him himself his how i if in into is it its itself just know
let like me more most much my myself no nor not now of off on once only or other our ours ourselves out
over own really right said same say says she should so some such than that the their theirs them
themselves then there these they thing things think this those through to too under until up us very
was way we well were what when where which while who whom why will with would yeah yes you your yours
yourself yourselves one two three going want make made lot lots kind sort maybe okay oh um uh
""".split())


@dataclass(frozen=True)
class Sentence:
    start_ms: int
    end_ms: int
    words: tuple[str, ...]  # as said


@dataclass(frozen=True)
class Suggested:
    start_ms: int  # in the finished episode
    title: str


def sentences(segments: Sequence[tuple[float, float, str]], pause_s: float = 1.5) -> list[Sentence]:
    """Transcript segments (start s, end s, text: a word or a cue) into sentences: a
    sentence ends at . ? or ! or at a pause of `pause_s`."""
    out: list[Sentence] = []
    words: list[str] = []
    start = end = 0.0
    for seg_start, seg_end, text in segments:
        if words and seg_start - end >= pause_s:
            out.append(Sentence(round(start * 1000), round(end * 1000), tuple(words)))
            words = []
        for token in text.split():
            if not words:
                start = seg_start
            words.append(token)
            end = seg_end
            if re.search(r"[.?!][\"')\]]*$", token):
                out.append(Sentence(round(start * 1000), round(end * 1000), tuple(words)))
                words = []
    if words:
        out.append(Sentence(round(start * 1000), round(end * 1000), tuple(words)))
    return out


def terms(words: Sequence[str]) -> list[str]:
    """The words that carry a topic: lower case, no stop words, plural -s folded."""
    out = []
    for w in words:
        w = re.sub(r"[^a-z0-9']", "", w.lower()).removesuffix("'s")
        if len(w) < 3 or w in STOP or w.isdigit():
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 1.0


def cohesion(sents: Sequence[Sentence], smooth: bool = True) -> list[float]:
    """For each gap before sentence i (i ≥ 1): how much the words of WINDOW_S before it
    and WINDOW_S after it share (cosine of their counts), smoothed over three gaps.
    Nothing to compare counts as no change (1)."""
    bags = [Counter(terms(s.words)) for s in sents]
    raw = []
    for i in range(1, len(sents)):
        t = sents[i].start_ms
        left: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for s, bag in zip(sents, bags):
            if t - WINDOW_S * 1000 <= s.start_ms < t:
                left.update(bag)
            elif t <= s.start_ms < t + WINDOW_S * 1000:
                right.update(bag)
        raw.append(_cosine(left, right))
    if not smooth:
        return raw
    return [sum(raw[max(0, k - 1):k + 2]) / len(raw[max(0, k - 1):k + 2]) for k in range(len(raw))]


def depths(score: Sequence[float], times_ms: Sequence[int]) -> list[float]:
    """How deep each gap's cohesion lies below the highest point within WINDOW_S on
    either side (TextTiling's depth score, over a span of time rather than up to the
    first turn: a wide valley between two topics has small bumps of its own)."""
    out = []
    for k, s in enumerate(score):
        near = [j for j in range(len(score)) if abs(times_ms[j] - times_ms[k]) <= WINDOW_S * 1000]
        left = max(score[j] for j in near if j <= k)
        right = max(score[j] for j in near if j >= k)
        out.append((left - s) + (right - s))
    return out


def boundaries(sents: Sequence[Sentence]) -> list[int]:
    """Indexes of the sentences that start a new topic."""
    if len(sents) < 3:
        return []
    raw = cohesion(sents, smooth=False)
    score = cohesion(sents)
    depth = depths(score, [s.start_ms for s in sents[1:]])
    deepest = max(depth, default=0.0)
    end_ms = sents[-1].end_ms
    at = [sents[k + 1].start_ms for k in range(len(depth))]
    candidates = [k for k in range(len(depth)) if depth[k] >= max(MIN_DEPTH, RELATIVE_DEPTH * deepest)
                  and MIN_GAP_S * 1000 <= at[k] <= end_ms - MIN_GAP_S * 1000]
    banned: set[int] = set()
    while True:  # the deepest dips two minutes apart; one whose sides turn out alike is banned, and again
        chosen: list[int] = []
        for k in sorted(candidates, key=lambda k: -depth[k]):
            if k not in banned and all(abs(at[k] - at[c]) >= MIN_GAP_S * 1000 for c in chosen):
                chosen.append(k)
        cuts = sorted(_sharpest(raw, k) + 1 for k in chosen)
        kept = _distinct(sents, cuts)
        if kept == cuts:
            return _refined(sents, kept)
        banned |= {k for k in chosen if _sharpest(raw, k) + 1 not in kept}


def _refined(sents: Sequence[Sentence], cuts: list[int]) -> list[int]:
    """Each boundary moved, within REFINE_S, to the sentence where the whole parts on
    its two sides (up to the neighbouring boundaries) share least: the windows placed
    it roughly, the parts place it exactly."""
    bags = [Counter(terms(s.words)) for s in sents]
    out = list(cuts)
    for n, k in [(n, k) for _ in range(REFINE_PASSES) for n, k in enumerate(out)]:
        k = out[n]
        a, b = (out[n - 1] if n else 0), (out[n + 1] if n + 1 < len(out) else len(sents))
        near = [j for j in range(a + 1, b) if abs(sents[j].start_ms - sents[k].start_ms) <= REFINE_S * 1000]

        def shared(j: int) -> float:
            left: Counter[str] = Counter()
            right: Counter[str] = Counter()
            for x in bags[a:j]:
                left.update(x)
            for x in bags[j:b]:
                right.update(x)
            return _cosine(left, right)

        out[n] = min(near, key=shared, default=k)
    return out


def _sharpest(raw: Sequence[float], k: int) -> int:
    """Smoothing blurs a boundary by a gap or two: the least cohesive gap near k."""
    return min(range(max(0, k - 2), min(len(raw), k + 3)), key=lambda j: raw[j])


def _distinct(sents: Sequence[Sentence], cuts: list[int]) -> list[int]:
    """Keep a boundary only where the talk on its two sides differs: the words of the
    part before and the part after share less than DISTINCT of what each part's own
    two halves share. A talk on one topic has dips too; its parts are alike."""
    bags = [Counter(terms(s.words)) for s in sents]

    def bag(a: int, b: int) -> Counter[str]:
        out: Counter[str] = Counter()
        for x in bags[a:b]:
            out.update(x)
        return out

    def halves(a: int, b: int) -> float:
        m = (a + b) // 2
        return _cosine(bag(a, m), bag(m, b))

    kept = list(cuts)
    changed = True
    while changed:  # drop the weakest failing boundary, then judge again with the parts it joins
        changed = False
        edges = [0, *kept, len(sents)]
        ratios = []
        for n, k in enumerate(kept, 1):
            a, b = edges[n - 1], edges[n + 1]
            inside = min(halves(a, k), halves(k, b))
            ratios.append(_cosine(bag(a, k), bag(k, b)) / inside if inside > 0 else 1.0)
        failing = [(r, k) for r, k in zip(ratios, kept) if r >= DISTINCT]
        if failing:
            kept.remove(max(failing)[1])
            changed = True
    return kept


def suggest(segments: Sequence[tuple[float, float, str]]) -> list[Suggested]:
    """The chapters: one at 00:00 and one at each topic boundary, each titled."""
    sents = sentences(segments)
    if not sents:
        return []
    starts = [0, *boundaries(sents)]
    parts = [sents[a:b] for a, b in zip(starts, [*starts[1:], len(sents)])]
    bags = [Counter(t for s in part for t in terms(s.words)) for part in parts]
    return [Suggested(0 if n == 0 else part[0].start_ms, title(bags, n)) for n, part in enumerate(parts)]


def title(bags: Sequence[Counter[str]], n: int) -> str:
    """The segment's key words: most frequent in it, weighed by how few other segments use them."""
    bag = bags[n]
    if not bag:
        return f"Part {n + 1}"
    weight = {w: c * math.log((1 + len(bags)) / (1 + sum(1 for b in bags if w in b))) + c * 1e-3
              for w, c in bag.items()}
    top = sorted(weight, key=lambda w: (-weight[w], w))[:TITLE_WORDS]
    words = [w.capitalize() if i == 0 else w for i, w in enumerate(top)]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
