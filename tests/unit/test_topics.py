"""Chapter suggestions on literals (core.transcripts.topics): templated sentences on
three topics, timed as a steady talker says them."""
from __future__ import annotations

import pytest

from producer.core.transcripts import topics
from tests import factory


def talk(parts: list[tuple[str, int]], seed: int) -> tuple[list[tuple[float, float, str]], list[float]]:
    segments, starts, t = [], [], 0.0
    for k, (topic, count) in enumerate(parts):
        starts.append(t)
        for sentence in factory.topic_sentences(topic, count, seed * 10 + k):
            for word in sentence.split():
                segments.append((t, t + 0.35, word))
                t += 0.4
            t += 0.6
    return segments, starts


@pytest.mark.parametrize("seed", range(4))
def test_three_topics_give_two_boundaries_where_they_change(seed: int) -> None:
    segments, starts = talk([("cooking", 36), ("sailing", 36), ("chess", 36)], seed)
    found = topics.suggest(segments)
    assert found[0].start_ms == 0 and len(found) == 3
    for got, want in zip(found[1:], starts[1:]):
        assert abs(got.start_ms / 1000 - want) <= 15.0


def test_one_topic_gives_one_chapter_and_boundaries_keep_two_minutes_apart() -> None:
    segments, _ = talk([("chess", 110)], 7)
    assert len(topics.suggest(segments)) == 1
    segments, starts = talk([("cooking", 36), ("sailing", 12), ("chess", 36)], 3)  # sailing: under a minute
    found = [s.start_ms / 1000 for s in topics.suggest(segments)]
    assert all(b - a >= topics.MIN_GAP_S for a, b in zip(found, found[1:]))


def test_sentences_end_at_a_full_stop_or_a_long_pause() -> None:
    s = topics.sentences([(0, 0.3, "Hello"), (0.3, 0.6, "there."), (0.7, 1.0, "And"), (3.0, 3.3, "then")])
    assert [x.words for x in s] == [("Hello", "there."), ("And",), ("then",)]


def test_a_title_is_the_segments_own_key_words() -> None:
    from collections import Counter

    bags = [Counter({"pasta": 5, "sauce": 4, "boat": 1}), Counter({"boat": 6, "sail": 3})]
    assert topics.title(bags, 0) == "Pasta, sauce and boat"
    assert topics.title(bags, 1).startswith("Sail") or topics.title(bags, 1).startswith("Boat")
