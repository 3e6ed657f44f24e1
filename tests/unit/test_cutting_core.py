"""The cutting detectors and the suggestions' file, on literals (core.cutting)."""
from __future__ import annotations

import numpy as np
import pytest

from producer.core.cutting import detect, suggested
from producer.core.transcripts.recognised import Spoken


def room(sounds: list[tuple[int, int]], ms: int = 10_000) -> detect.Room:
    quiet = np.ones(ms // 10, bool)
    for a, b in sounds:
        quiet[a // 10:b // 10] = False
    return detect.Room(quiet)


def said(*words: tuple[int, int, str], speaker: str | None = None) -> list[Spoken]:
    return [Spoken(a, b, t, speaker) for a, b, t in words]


@pytest.mark.parametrize("word, filler", [("Umm,", True), ("um", True), ("Hm.", True), ("hmm", True),
                                          ("Erm", True), ("uh-huh", False), ("umbrella", False), ("a", False)])
def test_fillers_are_known_in_whisper_spellings(word: str, filler: bool) -> None:
    assert detect.is_filler(word, detect.DEFAULT_FILLERS) is filler


def test_a_filler_cut_reaches_halfway_into_the_pauses_and_never_a_word() -> None:
    # "so" 1000-1400, "um" 1700-2000 (Whisper says 1900-2200: late), "what" 2400-2900
    r = room([(1000, 1400), (1700, 2000), (2400, 2900)])
    words = said((1000, 1350, "So,"), (1900, 2200, "um,"), (2450, 2900, "what"))
    [f] = detect.fillers(words, detect.DEFAULT_FILLERS, r)
    assert (f.start_ms, f.end_ms, f.reason) == (1550, 2200, "filler")
    assert f.words == "So, … what"


def test_a_filler_without_a_pause_around_it_is_left_alone() -> None:
    r = room([(1000, 2900)])  # said in one breath with its neighbours
    words = said((1000, 1350, "So,"), (1700, 2000, "um,"), (2450, 2900, "what"))
    assert detect.fillers(words, detect.DEFAULT_FILLERS, r) == []


def test_a_stumble_takes_the_first_saying_up_to_the_quietest_moment_before_the_second() -> None:
    r = room([(1000, 3000)])
    level = np.ones(300)
    level[150] = 0.001  # 1500 ms: between the two sayings
    words = said((1000, 1200, "I"), (1200, 1450, "think"), (1550, 1700, "I"), (1700, 2000, "think"),
                 (2000, 2300, "so"), speaker="host")
    [f] = detect.stumbles(words, detect.DEFAULT_FILLERS, r, level)
    assert f.reason == "stumble" and f.end_ms == 1500 and f.start_ms < 1000
    two = said((1000, 1200, "I"), (1300, 1450, "think"), (1550, 1700, "you"), (1700, 2000, "think"))
    assert detect.stumbles(two, detect.DEFAULT_FILLERS, r, level) == []


def test_a_noise_is_a_loud_run_that_touches_no_speech_and_no_word() -> None:
    loud = np.zeros(40, bool)
    speech = np.zeros(40, bool)
    loud[10:13] = True  # a cough, 1.0-1.3 s
    loud[20:30] = speech[22:30] = True  # speech the map catches late
    found = detect.noises(loud, speech, 100, said((3100, 3500, "yes")))
    assert [(f.start_ms, f.end_ms) for f in found] == [(1000, 1300)]
    assert detect.noises(loud, speech, 100, said((1350, 1600, "yes"))) == []  # a word within 150 ms


@pytest.mark.parametrize("accept, count, picked", [("all", 3, [0, 1, 2]), ("3,1", 3, [2, 0]), (" 2 ", 3, [1])])
def test_accept_names_suggestions_by_number(accept: str, count: int, picked: list[int]) -> None:
    assert suggested.chosen(count, accept, "f") == picked


@pytest.mark.parametrize("accept, count", [("4", 3), ("0", 3), ("x", 3), ("1", 0), ("1,,2", 3)])
def test_accept_of_a_suggestion_that_does_not_exist_is_refused(accept: str, count: int) -> None:
    with pytest.raises(ValueError, match="--accept"):
        suggested.chosen(count, accept, "f")


def test_the_suggestions_file_reads_back_as_written() -> None:
    import tomllib

    s = [suggested.Suggestion(723412, 723871, "filler", "fillers", 'so "we" … decided')]
    assert suggested.parse(tomllib.loads(suggested.text(s)), "f") == s
    assert s[0].accepted() == {"start": "00:12:03.412", "end": "00:12:03.871", "reason": "filler"}
