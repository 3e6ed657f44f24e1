"""What Whisper's initial prompt does (core/transcripts/prompt): word error rate on
real read speech whose words are known, filler recall on espeak-ng speech with
fillers placed at known positions, and the show's own words (QUIC, HTTP/3…) on
espeak-ng speech that says them.

    .venv/bin/python scripts/measure_prompt.py ../shared/real-speech/words
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from producer.core.transcripts.prompt import FILLER_LINE, prompt  # noqa: E402
from producer.core.cutting.detect import DEFAULT_FILLERS, is_filler  # noqa: E402
from producer.io import ffmpeg, recogniser  # noqa: E402
from tests import factory  # noqa: E402

ISSUE_LINE = "Umm, let me think, uh, like, hmm."
FILLED = ["So we, um, decided to go to the market on Sunday.",
          "And, uh, it was closed, which nobody expected.",
          "I think we should, er, try again tomorrow morning.",
          "Hmm, maybe we could ask the neighbours first.",
          "The bread was, um, still warm when we got home.",
          "Well, uh, that is what happened to us last week."]
JARGON = ["QUIC replaces TCP for HTTP/3 in most browsers today.",
          "Kubernetes schedules the pods, and Envoy routes the traffic.",
          "We measured the latency with Wireshark and eBPF probes."]
VOCABULARY = ["QUIC", "HTTP/3", "TCP", "Kubernetes", "Envoy", "Wireshark", "eBPF"]


def decoded(path: Path) -> np.ndarray:
    return np.concatenate([c[:, 0] for c in ffmpeg.decode(path, recogniser.RATE, 1)])


def heard(engine: recogniser.Engine, audio: np.ndarray) -> list[str]:
    return [w.text for w in engine.words(audio, 0)]


def norm(words: list[str]) -> list[str]:
    return [w for w in (re.sub(r"[^a-z0-9/']", "", x.lower()) for x in words) if w]


def main(words_dir: Path) -> None:
    folder = recogniser.model_folder(None)
    prompts = {"none": None, "issue's line": ISSUE_LINE, "ours": FILLER_LINE,
               "ours + vocabulary": prompt(True, VOCABULARY), "vocabulary alone": prompt(False, VOCABULARY),
               "short: Um, uh, hmm.": "Um, uh, hmm.", "a sentence: Well, um, I think, uh, it is fine.":
               "Well, um, I think, uh, it is fine."}
    only = sys.argv[2:]  # names to run (default: all)
    prompts = {k: v for k, v in prompts.items() if not only or k in only}
    real = [(decoded(p), norm(p.with_suffix(".txt").read_text().split())) for p in sorted(words_dir.glob("*.wav"))]
    filled = [factory.spoken(t, v, recogniser.RATE) for t, v in zip(FILLED, ["en-us", "en-gb"] * 3)]
    jargon = [factory.spoken(t, "en-us", recogniser.RATE) for t in JARGON]
    placed = sum(1 for t in FILLED for w in t.split() if is_filler(w, DEFAULT_FILLERS))
    print("| prompt | WER, real read speech | fillers heard (espeak, placed) | WER, jargon (espeak) |")
    print("|---|---|---|---|")
    for name, text in prompts.items():
        engine = recogniser.Engine(folder, "en", Path("show.toml"), prompt=text)
        errors = sum(factory.wer(ref, norm(heard(engine, x))) * len(ref) for x, ref in real)
        total = sum(len(ref) for _, ref in real)
        found = sum(1 for x in filled for w in heard(engine, x) if is_filler(w, DEFAULT_FILLERS))
        jerr = sum(factory.wer(norm(t.split()), norm(heard(engine, x))) * len(t.split()) for t, x in zip(JARGON, jargon))
        jtotal = sum(len(t.split()) for t in JARGON)
        print(f"| {name} | {errors / total:.1%} ({total} words) | {found} of {placed} | {jerr / jtotal:.1%} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/real-speech/words"))
