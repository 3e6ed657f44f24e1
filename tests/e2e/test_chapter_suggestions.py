"""Chapter suggestions from the built transcript (issue 36): an episode on three
clearly different topics, its transcript given with it (the build writes it into
dist/ as it writes a recognised one); `producer chapters suggest` must put a
chapter within 15 s of each of the two true changes and nowhere else. The truth is
where the test itself placed the topics; tomllib reads what the command prints.
(Recognised speech goes through the same reader: tests/e2e/test_recognise.py holds
the recogniser to espeak-ng speech; the algorithm's own table is
tests/unit/test_topics.py.)"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests import factory
from tests.conftest import run_producer

pytestmark = pytest.mark.slow
OFFSET_S = 6.0 - 2.0  # the recording starts where the intro's crossfade begins (factory's show)


@pytest.fixture(scope="module")
def topics_episode(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    root = tmp_path_factory.mktemp("topics") / "show"
    ep = factory.make_show(root, seconds=5.0, chapters=[("00:00", "Start", None)], recordings=1)
    starts = factory.three_topics(ep / "raw" / "host.wav", ep / "talk.vtt")
    toml = ep / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('recordings = ["raw/host.wav"]',
                                                             'recordings = ["raw/host.wav"]\ntranscript = "talk.vtt"'),
                    encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    return ep, starts


def seconds(text: str) -> float:
    parts = [float(p) for p in text.split(":")]
    return sum(p * 60 ** k for k, p in enumerate(reversed(parts)))


def test_the_two_topic_changes_and_no_other(topics_episode) -> None:  # type: ignore[no-untyped-def]
    ep, starts = topics_episode
    before = (ep / "episode.toml").read_bytes()
    r = run_producer("chapters", "suggest", str(ep))
    assert r.code == 0, r.err
    chapters = tomllib.loads(r.out)["chapters"]
    found = [seconds(c["start"]) for c in chapters]
    assert found[0] == 0.0
    truth = [OFFSET_S + s for s in starts[1:]]
    assert len(found) == 3, chapters
    for got, want in zip(found[1:], truth):
        assert abs(got - want) <= 15.0, (found, truth)
    assert all(c["title"] for c in chapters)
    assert any(w in chapters[1]["title"].lower() for w in factory.TOPICS["sailing"][0]), chapters[1]
    assert (ep / "episode.toml").read_bytes() == before  # nothing written without --write


def test_write_keeps_the_chapters_unless_replace(topics_episode) -> None:  # type: ignore[no-untyped-def]
    ep, _ = topics_episode
    r = run_producer("chapters", "suggest", str(ep), "--write")
    assert r.code == 0, r.err
    kept = tomllib.loads((ep / "episode.toml").read_text(encoding="utf-8"))["chapters"]
    assert kept[0]["title"] == "Start" and len(kept) == 3
    r = run_producer("chapters", "suggest", str(ep), "--write", "--replace")
    assert r.code == 0, r.err
    replaced = tomllib.loads((ep / "episode.toml").read_text(encoding="utf-8"))["chapters"]
    assert replaced[0]["title"] != "Start" and len(replaced) == 3


def test_an_episode_not_built_is_refused(tmp_path: Path) -> None:
    ep = factory.make_show(tmp_path / "show", seconds=5.0, recordings=1)
    r = run_producer("chapters", "suggest", str(ep))
    assert r.code == 2 and "transcript.json" in r.err and len(r.err.strip().splitlines()) == 1, r.err
