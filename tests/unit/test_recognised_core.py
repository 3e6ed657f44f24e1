"""core.transcripts.recognised on plain data: cue rules and where words land, against
arithmetic and limits written here."""
from __future__ import annotations

from producer.core.audio.cuts import Cut
from producer.core.transcripts.recognised import Spoken, cues, fitted, placed

TEXT = ("Welcome to the show, the podcast about networking, protocols, and everything in between. "
        "Today we talk about hypermedia and why servers should send HTML again.").split()


def said(words: list[str], speaker: str | None = "Ann", step: int = 300, start: int = 0) -> list[Spoken]:
    return [Spoken(start + i * step, start + i * step + 250, w, speaker) for i, w in enumerate(words)]


def test_cues_keep_two_lines_of_42_characters_and_7_seconds() -> None:
    made = cues(said(TEXT * 3))
    assert sum(len(c.words) for c in made) == len(TEXT) * 3
    for c in made:
        lines = c.text.split("\n")
        assert len(lines) <= 2 and all(len(x) <= 42 for x in lines) and c.end_ms - c.start_ms <= 7000, c.text


def test_a_full_cue_breaks_after_its_last_comma_not_before_the_last_word() -> None:
    first = cues(said(TEXT))[0]
    assert first.text.replace("\n", " ").endswith(",")


def test_a_new_speaker_or_a_pause_starts_a_cue() -> None:
    words = said(["Hello", "there."], "Ann") + said(["Hi."], "Ben", start=700) + said(["Again"], "Ben", start=2000)
    assert [(c.speaker, c.text) for c in cues(words)] == [("Ann", "Hello there."), ("Ben", "Hi."), ("Ben", "Again")]


def test_words_move_by_the_intro_and_the_cuts_and_those_inside_a_cut_go() -> None:
    words = [Spoken(1000, 1200, "a", None), Spoken(5000, 5200, "b", None), Spoken(9000, 9300, "c", None)]
    out = placed(words, 2000, [Cut(6000, 8000, "manual")])  # "b" at 7000-7200 in the episode: inside
    assert [(w.text, w.start_ms, w.end_ms) for w in out] == [("a", 3000, 3200), ("c", 9000, 9300)]


def test_words_are_held_inside_their_speech_and_a_stray_word_is_dropped() -> None:
    words = [Spoken(900, 2600, "late", None), Spoken(5000, 5100, "bleed", None)]
    assert [(w.text, w.start_ms, w.end_ms) for w in fitted(words, [(1000, 2000)], 300)] == [("late", 1000, 2000)]
