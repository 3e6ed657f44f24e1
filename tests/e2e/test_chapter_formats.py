"""Chapter import and export: show notes that lost their line breaks, text,
Audacity labels and Podcasting 2.0 JSON; round trips shown with hypothesis."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from producer.core.chapters import chapter_formats as cf
from producer.core.chapters.chapters import Chapter
from producer.core.chapters.timecode import parse_time
from producer.errors import InputError
from tests import factory
from tests.conftest import run_producer

# Written for these tests in the shape real podcast directories publish: the
# list follows a "Chapters" heading glued to the text before it, each title
# runs into the next timestamp, the notes carry on after the last title.
NOTES_A = (
    "Episode 12 – Caching at the edge.In this episode we talk to Ana about CDNs.Learn more:"
    "https://example.test/cdn — CDN docsChapters00:00 Welcome Ana, our 1st guest01:05 Why caches "
    "fail (and how): part 109:59 HTTP/3: QUIC, 0-RTT and you?10:00 Top 10 headers for 2025"
    "12:30 Purging at scale: 5, 50 or 500 nodes?59:58 Wrap-up01:00:02 Bonus: 24:7 on-call stories"
    "01:15:40 OutroThanks for listening. Music by Someone at https://example.test/music"
)
EXPECTED_A = [
    ("00:00", "Welcome Ana, our 1st guest"),
    ("01:05", "Why caches fail (and how): part 1"),
    ("09:59", "HTTP/3: QUIC, 0-RTT and you?"),
    ("10:00", "Top 10 headers for 2025"),
    ("12:30", "Purging at scale: 5, 50 or 500 nodes?"),
    ("59:58", "Wrap-up"),
    ("01:00:02", "Bonus: 24:7 on-call stories"),
    ("01:15:40", "Outro"),
]

NOTES_B = (
    "A conversation about Rust in 2026.\nChapters:\n00:00 Intro00:47 Meet Terts (NLNetLabs)02:00 Roto"
    "04:06 What's next for Roto (v0.3)?13:45 FOSDEM 202621:13 Reflections, 2026 edition"
    "23:26 Outro\nMore information: https://example.test/ep25"
)
EXPECTED_B = [("00:00", "Intro"), ("00:47", "Meet Terts (NLNetLabs)"), ("02:00", "Roto"),
              ("04:06", "What's next for Roto (v0.3)?"), ("13:45", "FOSDEM 2026"),
              ("21:13", "Reflections, 2026 edition"), ("23:26", "Outro")]


def pairs(chapters: list[Chapter]) -> list[tuple[int, str]]:
    return [(c.start_ms, c.title) for c in chapters]


def expected(rows: list[tuple[str, str]]) -> list[tuple[int, str]]:
    return [(parse_time(t), title) for t, title in rows]


def test_run_together_show_notes_import_exactly() -> None:
    got = cf.parse(NOTES_A, "auto")
    assert pairs(got)[:-1] == expected(EXPECTED_A)[:-1]
    # the last title keeps the notes that follow it: nothing tells them apart
    assert got[-1].start_ms == parse_time("01:15:40") and got[-1].title.startswith("Outro")


def test_notes_with_a_heading_line_and_trailing_paragraph() -> None:
    assert pairs(cf.parse(NOTES_B, "shownotes")) == expected(EXPECTED_B)


def test_digits_split_the_way_that_keeps_fields_two_wide_and_times_increasing() -> None:
    # "202621:13" is FOSDEM 2026 + 21:13, not 20262 + 1:13; "Support01:03:26" is an hour mark
    notes = "Chapters00:00 Intro13:45 FOSDEM 202621:13 Next59:58 Support01:03:26 Growth"
    assert pairs(cf.parse_shownotes(notes)) == expected(
        [("00:00", "Intro"), ("13:45", "FOSDEM 2026"), ("21:13", "Next"), ("59:58", "Support"),
         ("01:03:26", "Growth")])


def test_a_list_with_its_line_breaks_stops_where_the_notes_carry_on() -> None:
    notes = "About the show.\nChapters:\n00:00 Intro\n01:12 Next part\n\nRecorded live at 14:00 CET.\n"
    assert pairs(cf.parse(notes)) == expected([("00:00", "Intro"), ("01:12", "Next part")])


def test_no_timestamp_is_an_error_naming_the_file() -> None:
    with pytest.raises(InputError, match="notes.txt: no timestamps|no timestamps"):
        cf.parse("Just some notes, no chapters at all.", "shownotes", "notes.txt")


def test_text_format_with_urls_and_milliseconds() -> None:
    text = "# chapters\n00:00:00 Intro\n01:12.500 Delaney <https://data-star.dev/>\n1:03:26 Growth & more\n"
    assert cf.detect(text) == "text"
    got = cf.parse(text)
    assert got == [Chapter(0, "Intro"), Chapter(72500, "Delaney", "https://data-star.dev/"),
                   Chapter(3806000, "Growth & more")]


def test_text_format_errors_name_the_line() -> None:
    with pytest.raises(InputError, match=r"ch.txt: line 2: .* is not"):
        cf.parse_text("00:00 Intro\nnot a chapter line\n", "ch.txt")
    with pytest.raises(InputError, match=r"ch.txt: chapters\[1\]\.start: 00:00:05 is not after chapters\[0\]\.start 00:00:10"):
        cf.parse_text("00:10 Intro\n00:05 Back in time\n", "ch.txt")


def test_audacity_labels() -> None:
    labels = "0.000000\t0.000000\tIntro\n72.250000\t80.000000\tDelaney\n\\\t100.0\t5000.0\n"
    assert cf.detect(labels) == "audacity"
    assert cf.parse(labels) == [Chapter(0, "Intro"), Chapter(72250, "Delaney")]


def test_json_chapters() -> None:
    doc = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"},
                                            {"startTime": 72.5, "title": "Next", "url": "https://x.test"}]}
    assert cf.parse(json.dumps(doc)) == [Chapter(0, "Intro"), Chapter(72500, "Next", "https://x.test")]
    with pytest.raises(InputError, match=r"chapters\[1\]\.title"):
        cf.parse_json(json.dumps({"chapters": [{"startTime": 0, "title": "a"}, {"startTime": 3}]}))


titles = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="<>\t"),
                 min_size=1, max_size=80).map(str.strip).filter(bool)
urls = st.none() | st.from_regex(r"https://[a-z]{1,12}\.test/[a-z0-9/?=&#-]{0,20}", fullmatch=True)


@st.composite
def chapter_lists(draw: st.DrawFn, with_urls: bool = True) -> list[Chapter]:
    gaps = draw(st.lists(st.integers(1, 4_000_000), min_size=0, max_size=25))
    starts = [0]
    for g in gaps:
        starts.append(starts[-1] + g)
    return [Chapter(s, draw(titles), draw(urls) if with_urls else None) for s in starts]


@settings(max_examples=200)
@given(chapter_lists())
def test_text_round_trip(chapters: list[Chapter]) -> None:
    assert cf.parse(cf.format_text(chapters), "auto") == chapters


@settings(max_examples=200)
@given(chapter_lists())
def test_json_round_trip(chapters: list[Chapter]) -> None:
    assert cf.parse(cf.format_json(chapters), "auto") == chapters


@settings(max_examples=200)
@given(chapter_lists(with_urls=False))
def test_audacity_round_trip(chapters: list[Chapter]) -> None:
    assert cf.parse(cf.format_audacity(chapters), "auto") == chapters


@settings(max_examples=200)
@given(chapter_lists(with_urls=False))
def test_toml_output_reads_back(chapters: list[Chapter]) -> None:
    import tomllib

    doc = tomllib.loads(cf.to_toml(chapters))
    assert [(parse_time(c["start"]), c["title"]) for c in doc["chapters"]] == pairs(chapters)


def test_import_write_and_export_commands(tmp_path: Path) -> None:
    ep = factory.make_show(tmp_path / "show", seconds=5, chapters=[("00:00", "Old", None)], recordings=1)
    toml = ep / "episode.toml"
    toml.write_text("# written by hand, keep me\n" + toml.read_text(encoding="utf-8"), encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES_B, encoding="utf-8")
    r = run_producer("chapters", "import", str(notes), "--write", str(ep))
    assert r.code == 0, r.err
    text = toml.read_text(encoding="utf-8")
    assert text.startswith("# written by hand, keep me\n") and '"Old"' not in text
    r = run_producer("chapters", "export", str(ep), "--format", "text")
    assert r.code == 0, r.err
    assert pairs(cf.parse_text(r.out)) == expected(EXPECTED_B)
    r = run_producer("chapters", "import", str(notes))
    assert r.code == 0 and r.out.startswith("[[chapters]]\nstart = \"00:00:00\"\ntitle = \"Intro\"")


def test_episode_may_name_a_chapters_file(tmp_path: Path) -> None:
    ep = factory.make_show(tmp_path / "show", seconds=8, chapters=[], recordings=1)
    (ep / "chapters.txt").write_text("00:00 Intro\n00:03.5 Later <https://example.test/>\n", encoding="utf-8")
    with (ep / "episode.toml").open("a", encoding="utf-8") as f:
        f.write('\nchapters_file = "chapters.txt"\n')
    # (a top-level key after the table headers would belong to a table; the factory writes none here)
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    chapters = factory.ffprobe(ep / "dist" / "ep7.mp3", "chapters")["chapters"]
    assert [(c["start"], c["tags"]["title"]) for c in chapters] == [(0, "Intro"), (3500, "Later")]


def test_import_errors_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("00:10 A\n00:05 B\n", encoding="utf-8")
    r = run_producer("chapters", "import", str(bad), "--format", "text")
    assert r.code == 2 and "bad.txt" in r.err and "Traceback" not in r.err
