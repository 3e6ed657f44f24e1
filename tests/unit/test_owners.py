"""One owner for each concept (issue 19), on literals: the formats table and
the one render policy, an episode's files and keys, the episode → feed item
mapping, the one feed parser, dates and clocks."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import pytest

from producer.core.feed import episode_item, feed, feed_doc

from producer.core.chapters import timecode
from producer.core.episode.build_report import BuildReport
from producer.core.chapters.chapters import Chapter
from producer.core.feed.dates import parse_rfc2822, rfc2822
from producer.core.episode.episode_files import EpisodeFiles
from producer.core.episode.formats import FORMATS, by_suffix, output_args
from producer.core.feed.media_types import content_type
from producer.core.episode.models import Episode, Person, Preset, RenditionSettings, Show, Soundbite
from producer.core.episode.policy import Attempt, Tried, first_ceiling, next_attempt
from producer.core.episode.renditions import stream_args
from producer.errors import InputError

STEREO = Preset("podcast-stereo", -16.0, -1.0, 0.5, 128, 44100, 2)


# ---------------------------------------------------------------- formats and the one policy

def test_every_format_is_one_row_and_media_types_follow_it() -> None:
    for fmt in FORMATS.values():
        assert by_suffix(fmt.suffix.upper()) is fmt
        assert content_type(f"ep1{fmt.suffix}") == fmt.mime
        assert output_args(fmt, STEREO)[-2:] == ["-f", fmt.muxer]
    assert FORMATS["mp3"].encoder(STEREO)[:4] == ["-c:a", "libmp3lame", "-b:a", "128k"]
    assert "libopus" in FORMATS["opus"].encoder(STEREO) and "aac" in FORMATS["m4a"].encoder(STEREO)


def test_only_the_containers_ffmpeg_chapters_well_take_them_from_ffmetadata() -> None:
    assert stream_args("m4a")[-1] == "1"  # -map_chapters 1: the ffmetadata input
    assert stream_args("opus")[-2:] == ["-map_chapters", "-1"]  # mutagen writes them, to the millisecond


@pytest.mark.parametrize("fmt,over,ceiling", [("mp3", 0.3, -1.9), ("m4a", 0.3, -2.05), ("opus", 0.4, -2.2)])
def test_a_peak_overshoot_moves_each_formats_ceiling_by_its_step(fmt: str, over: float, ceiling: float) -> None:
    """The same policy for every format: the ceiling drops by step × overshoot + 0.1."""
    peak = STEREO.true_peak - 0.2 + over  # 0.2: the safety under the ceiling
    decision = next_attempt([Tried(Attempt(10.0, -1.5), -16.0, peak)], STEREO, FORMATS[fmt])
    assert decision.action == "retry" and decision.attempt.ceiling_db == pytest.approx(ceiling)


def test_a_rendition_that_keeps_missing_ships_within_tolerance_or_gives_up() -> None:
    rows = [Tried(Attempt(10.0, -4.5), -16.3, -3.0)] * 4
    assert next_attempt(rows, STEREO, FORMATS["opus"]).action == "ship"  # 0.3 LU: inside ±0.5 after 4 tries
    rows = [Tried(Attempt(10.0, -4.5), -16.8, -3.0)] * 4
    assert next_attempt(rows, STEREO, FORMATS["opus"]).action == "give_up"


def test_opus_starts_three_db_under_the_mp3s_ceiling() -> None:
    assert first_ceiling(STEREO, FORMATS["opus"]) == first_ceiling(STEREO) - 3.0 == -4.5
    assert first_ceiling(STEREO, FORMATS["m4a"]) == first_ceiling(STEREO)


# ---------------------------------------------------------------- an episode's files

def test_an_episodes_files_and_keys() -> None:
    files = EpisodeFiles("ep3", ("m4a", "opus"), transcript=True, chapters=True)
    assert files.media == ("ep3.mp3", "ep3.m4a", "ep3.opus")
    assert files.built() == ("ep3.mp3", "ep3.m4a", "ep3.opus", "chapters.json", "ep3.vtt", "ep3.srt",
                             "transcript.json", "report.json", "report.html")
    assert "report.json" not in files.published() and files.published()[:3] == files.media
    assert files.key("ep3.vtt") == "episodes/ep3/ep3.vtt" and files.page_key == "episodes/ep3/index.html"
    bare = EpisodeFiles("ep4", chapters=False)
    assert bare.published() == ("ep4.mp3", "report.html") and "chapters.json" in bare.built()


# ---------------------------------------------------------------- episode → feed item, pure

ROOT = Path("/shows/net")
SHOW = Show(root=ROOT, file=ROOT / "show.toml", title="Net", author="A", description="D", link="https://net.test",
            language="en", artwork=ROOT / "artwork.PNG", owner_email="o@net.test",
            persons=(Person("Glen", "host", img=ROOT / "glen.jpg"),))
EPISODE = Episode(folder=ROOT / "ep3", file=ROOT / "ep3" / "episode.toml", slug="ep3", number=3, title="Three",
                  date=dt.date(2026, 3, 24), description="Notes https://x.test", recordings=(ROOT / "ep3" / "r.wav",),
                  chapters=(Chapter(0, "Intro"), Chapter(61_500, "Main")), artwork=ROOT / "ep3" / "cover.jpg",
                  persons=(Person("Delaney", "guest"),), soundbites=(Soundbite(12_000, 30.0, "Bite"),),
                  transcript=ROOT / "ep3" / "t.vtt")
FILES = EpisodeFiles("ep3", ("opus",), transcript=True, chapters=True)
STORED = {"episodes/ep3/ep3.mp3": episode_item.Stored(1_000_000, "00" * 32),
          "episodes/ep3/ep3.opus": episode_item.Stored(400_000, "ff" * 32)}
PEOPLE = {ROOT / "glen.jpg": "people/abcd.jpg"}


def test_the_item_names_exactly_the_keys_publish_uploads() -> None:
    item = episode_item.item_info(SHOW, EPISODE, STEREO, FILES, "guid-3", "https://cdn.net.test/", 100.0, STORED,
                                  PEOPLE)
    base = "https://cdn.net.test/episodes/ep3/"
    assert item.enclosure_url == base + "ep3.mp3" and item.enclosure_length == 1_000_000
    assert item.enclosure_type == "audio/mpeg" and item.pub_date == dt.datetime(2026, 3, 24, tzinfo=dt.timezone.utc)
    assert item.chapters_url == base + "chapters.json" and item.image_url == base + "cover.jpg"
    assert item.transcripts == ((base + "ep3.vtt", "text/vtt", "captions"), (base + "ep3.srt", "application/x-subrip",
                                                                             None),
                                (base + "transcript.json", "application/json", None))
    assert [(a.url, a.default, a.bitrate) for a in item.alternates] == [(base + "ep3.mp3", True, 80_000),
                                                                        (base + "ep3.opus", False, 32_000)]
    assert item.alternates[1].sha256_b64 == "//////////////////////////////////////////8="
    assert [p.name for p in item.persons] == ["Glen", "Delaney"]
    assert item.persons[0].img == "https://cdn.net.test/people/abcd.jpg"
    assert item.soundbites == ((12.0, 30.0, "Bite"),)
    every = {u for u, _, _ in item.transcripts} | {a.url for a in item.alternates} | {
        item.enclosure_url, item.chapters_url, item.image_url}
    keys = set(FILES.key(n) for n in FILES.published()) | {"episodes/ep3/cover.jpg"}
    assert {u.removeprefix("https://cdn.net.test/") for u in every} <= keys


def test_a_main_format_the_show_does_not_build_is_refused() -> None:
    preset = Preset("p", -16.0, -1.0, 0.5, 128, 44100, 2, renditions=RenditionSettings(main="m4a"))
    with pytest.raises(InputError, match="renditions.main"):
        episode_item.item_info(SHOW, EPISODE, preset, FILES, "g", "https://c.test", 100.0, STORED, PEOPLE)


def test_a_soundbite_past_the_end_is_refused_naming_it() -> None:
    with pytest.raises(InputError, match=r"soundbites\[0\]"):
        episode_item.soundbites(EPISODE, 20.0)


def test_the_channel_from_the_show() -> None:
    c = episode_item.channel_info(SHOW, "https://cdn.net.test", PEOPLE)
    assert c.image_url == "https://cdn.net.test/artwork.png" and c.feed_url == "https://cdn.net.test/feed.xml"
    xml, _ = feed.upsert(None, c, episode_item.item_info(SHOW, EPISODE, STEREO, FILES, "g", "https://cdn.net.test",
                                                          100.0, STORED, PEOPLE), dt.datetime(2026, 4, 1))
    parsed = feedparser.parse(xml)
    assert not parsed.bozo and parsed.entries[0].enclosures[0].href.endswith("/ep3.mp3")


# ---------------------------------------------------------------- the one feed parser, dates, clocks

@pytest.mark.parametrize("xml,words", [
    (b"<rss><channel><title>x</title>", "not well-formed"),
    (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">]><rss><channel/></rss>', "refused"),
    (b"<feed/>", "not an RSS feed"),
    (b"<rss><item/></rss>", "no <rss><channel>"),
])
def test_one_parser_refuses_what_is_not_a_feed_with_our_own_error(xml: bytes, words: str) -> None:
    with pytest.raises(InputError, match=words):
        feed_doc.parse(xml, "feed.xml")


def test_items_are_kept_as_their_exact_bytes() -> None:
    xml = ('<rss xmlns:x="urn:x"><channel><title>T</title><x:extra a="1"/><item><guid> g1 </guid>'
           "<title>caf\u00e9</title></item></channel></rss>").encode()
    doc = feed_doc.parse(xml)
    assert doc.items == [("g1", "<item><guid> g1 </guid><title>caf\u00e9</title></item>")]
    assert doc.namespaces == {"x": "urn:x"} and [raw for _, raw in doc.others] == ["<title>T</title>",
                                                                                   '<x:extra a="1"/>']


def test_rfc2822_dates_round_trip_and_anything_else_is_none() -> None:
    moment = dt.datetime(2026, 3, 24, 18, 5, tzinfo=dt.timezone.utc)
    assert rfc2822(moment) == "Tue, 24 Mar 2026 18:05:00 +0000" and parse_rfc2822(rfc2822(moment)) == moment
    assert parse_rfc2822("Tue, 24 Mar 2026 18:05:00") == moment  # no zone: UTC
    assert parse_rfc2822("2026-03-24") is None and parse_rfc2822("") is None and parse_rfc2822(None) is None


def test_one_clock_for_chapters_webvtt_srt_and_pages() -> None:
    assert timecode.format_time(3_723_004) == "01:02:03.004" and timecode.format_time(61_000) == "00:01:01"
    assert timecode.format_time(61_000, millis=True) == "00:01:01.000"
    assert timecode.format_time(5, millis=True, sep=",") == "00:00:00,005"
    assert timecode.spoken_length(3725) == "1 h 02 min" and timecode.spoken_length(65.4) == "1 min 05 s"


def test_a_report_of_another_version_is_refused_as_a_value_error() -> None:
    with pytest.raises(ValueError):
        BuildReport.from_json('{"episode": "ep1"}')


def test_a_foreign_empty_tag_on_the_channel_is_kept_as_it_was() -> None:
    """Another tool's `<podcast:podping .../>` before the items: kept once, the feed still XML."""
    old = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:podcast="'
           'https://podcastindex.org/namespace/1.0"><channel><title>T</title><podcast:podping usesPodping="true"/>'
           "<item><guid>other</guid><title>Old</title><pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate></item>"
           "</channel></rss>").encode()
    c = episode_item.channel_info(SHOW, "https://cdn.net.test", PEOPLE)
    item = episode_item.item_info(SHOW, EPISODE, STEREO, FILES, "g", "https://cdn.net.test", 100.0, STORED, PEOPLE)
    new, change = feed.upsert(old, c, item, dt.datetime(2026, 4, 1))
    assert change == "added" and new.count(b'<podcast:podping usesPodping="true"/>') == 1
    assert feed.item_guids(new) == ["g", "other"]


# ---------------------------------------------------------------- one owner, read from the source

PRODUCER = Path(__file__).resolve().parent.parent.parent / "producer"


def sources_with(literal: str) -> list[str]:
    return sorted(str(p.relative_to(PRODUCER)) for p in PRODUCER.rglob("*.py") if literal in p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("literal, owner", [
    ("-0.691", "core/audio/loudness.py"),  # the energy → LUFS formula (meter, leveler, speech map)
    ("application/rss+xml", "core/feed/media_types.py"),  # the feed's type, beside the media-type table
    ("BuildReport.from_json(", "io/reports.py"),  # the one reader of dist/report.json
    ("import onnxruntime", "io/voice.py"),  # the speech map's detector
])
def test_each_concept_is_written_in_one_module(literal: str, owner: str) -> None:
    assert sources_with(literal) == [owner]


def test_exit_codes_are_one_enum() -> None:
    from producer.errors import CheckFailed, EnvironmentFailure, ExitCode, InputError, MediaError

    assert [int(c) for c in ExitCode] == [0, 1, 2, 3]
    assert (CheckFailed.exit_code, InputError.exit_code, MediaError.exit_code, EnvironmentFailure.exit_code) == \
        (ExitCode.CHECK_FAILED, ExitCode.BAD_INPUT, ExitCode.BAD_INPUT, ExitCode.ENVIRONMENT)


def test_the_speech_map_is_made_once_per_build() -> None:
    """The build makes it (core.audio.leveler.speech_map); the stages are handed it."""
    makers = [p for p in sources_with("speech_map(") if p != "core/audio/leveler.py"]
    assert makers == ["commands/build.py"], makers
    assert sources_with("activity(") == ["core/audio/leveler.py"]


def test_feed_dates_are_read_by_the_feed_reader_not_by_regex() -> None:
    feed_py = (PRODUCER / "core" / "feed" / "feed.py").read_text(encoding="utf-8")
    assert "<pubDate>" not in feed_py.replace('_text("pubDate"', "") and "<lastBuildDate>" not in feed_py


def test_chapters_json_is_read_by_parse_json_alone() -> None:
    readers = sorted(set(sources_with('["startTime"]') + sources_with('get("startTime")')))
    assert readers == ["core/chapters/chapter_formats.py", "core/transcripts/transcript.py"], readers
    assert "def json_segments" in (PRODUCER / "core/transcripts/transcript.py").read_text(encoding="utf-8")


def test_the_pages_are_named_by_episode_files() -> None:
    assert sources_with('"index.html"') == ["core/episode/episode_files.py"]
    from producer.core.site import site

    entry = site.Entry("g", "t", None, "https://cdn.test/episodes/ep7/ep7.mp3", "audio/mpeg", None, "", None, None,
                       None, None)
    assert site.page_key(entry, "https://cdn.test") == EpisodeFiles("ep7").page_key


def test_the_preset_is_recorded_by_one_function() -> None:
    import json as json_

    from producer.core.episode.models import preset_fields, preset_from_record, preset_record

    assert json_.loads(preset_record(STEREO)) == preset_fields(STEREO)
    assert preset_from_record(preset_record(STEREO)) == STEREO
    assert sources_with('"bitrate_kbps":') == ["core/episode/models.py"]


def test_the_tag_fields_are_one_table() -> None:
    """ID3, M4A and Opus are written from core.episode.tag_fields: no container names a
    field's frame, atom or key of its own."""
    assert sources_with('"\\xa9day"') == ["core/episode/tag_fields.py"]
    assert sources_with('"TRACKNUMBER"') == ["core/episode/tag_fields.py"]
    from producer.core.episode import tag_fields

    names = [f.name for f in tag_fields.TAG_FIELDS]
    assert len(names) == len(set(names)) and {"title", "date", "comment"} <= set(names)


def test_the_publish_target_is_resolved_in_one_place() -> None:
    assert sources_with("open_target(") == ["io/storage.py"]


@pytest.mark.parametrize("literal", ['False, "host")', 'False, "cast")', 'False, "public")', 'False, "mp3")',
                                     'False, "full")', 'False, "cbr")', 'False, "auto")'])
def test_config_takes_its_defaults_from_the_dataclasses(literal: str) -> None:
    assert sources_with(literal) == []


def test_the_pages_script_and_style_are_package_files() -> None:
    """Not Python strings: core/site/assets/ holds them, inlined as before."""
    from producer.core.site import report_page, site

    assets = PRODUCER / "core" / "site" / "assets"
    assert site.SEEK_SCRIPT == f"<script>\n{(assets / 'seek.js').read_text(encoding='utf-8')}</script>"
    assert site.CSS.strip() == (assets / "site.css").read_text(encoding="utf-8").strip()
    assert report_page.CSS.strip() == (assets / "report.css").read_text(encoding="utf-8").strip()
    assert sources_with("function () {") == []


def test_the_build_is_timed_by_one_timer_and_swapped_in_by_io() -> None:
    build_py = (PRODUCER / "commands" / "build.py").read_text(encoding="utf-8")
    assert 'seconds["' not in build_py and "time.monotonic" not in build_py
    assert sources_with(".dist-old-") == ["io/workspace.py"]
    from producer.io.timing import Timer

    timer = Timer()
    with timer.stage("a"):
        pass
    timer.add({"b": 1.23456})
    assert list(timer.report()) == ["a", "b", "total"] and timer.report()["b"] == 1.235


def test_ffmpeg_is_split_by_job_and_its_frame_arithmetic_is_pure() -> None:
    jobs = sorted(p.name for p in (PRODUCER / "io" / "ffmpeg").glob("*.py"))
    assert jobs == ["__init__.py", "encoders.py", "pcm.py", "pipes.py", "probe.py", "tools.py"]
    from producer.core.audio.mp3_frames import mp3_frame_bytes

    assert mp3_frame_bytes(bytes([0xFF, 0xFB, 0x90, 0x00])) == 417  # MPEG-1 Layer III, 128 kb/s, 44.1 kHz
    assert sources_with("def mp3_frame_bytes") == ["core/audio/mp3_frames.py"]


def test_config_is_split_by_what_it_loads() -> None:
    parts = sorted(p.name for p in (PRODUCER / "io" / "config").glob("*.py"))
    assert parts == ["__init__.py", "context.py", "edits.py", "episode.py", "preset.py", "schema.py", "show.py",
                     "tables.py"]
    assert "io/config/edits.py" in sources_with("import tomlkit")  # the edits keep a file's layout


def test_commands_holds_commands_only() -> None:
    """website is a stage of publish, fresh an io question, batch and jobs the runner of several."""
    assert sorted(p.stem for p in (PRODUCER / "commands").glob("*.py")) == [
        "__init__", "build", "chapters", "check", "cuts", "lint", "measure", "publish", "scaffold", "serve",
        "status"]


def test_one_gap_rule() -> None:
    assert sources_with("def close_gaps") == ["core/audio/speech.py"]


def test_each_command_declares_its_own_options() -> None:
    """cli/__init__ holds only the program's own options; each command's face is a module."""
    from producer import cli

    top = (PRODUCER / "cli" / "__init__.py").read_text(encoding="utf-8")
    assert top.count("add_argument(") == 2  # --verbose, --version
    actions = [a for a in cli.parser()._actions if a.dest == "command"][0]
    owners = {}
    for name, sub in actions.choices.items():  # type: ignore[union-attr]
        nested = [a for a in sub._actions if a.dest == "chapters_command"]
        faces = nested[0].choices.values() if nested else [sub]  # type: ignore[union-attr]
        owners |= {name: f.get_default("func").__module__ for f in faces}
    assert set(owners) == {"build", "check", "measure", "publish", "status", "init", "new", "serve", "lint",
                           "chapters", "cuts"}
    assert all(m.startswith("producer.cli.") and m != "producer.cli" for m in owners.values())
    for name in ("build", "check", "publish", "lint"):
        assert f'"{name}"' in (PRODUCER / "cli" / f"{name}.py").read_text(encoding="utf-8")


def test_one_retry_helper_with_a_policy_per_use() -> None:
    assert sources_with("def retried(") == ["io/retry.py"]
    assert sources_with("= RetryPolicy(") == ["io/storage.py", "stages/feed_write.py", "stages/website.py"]
    assert sources_with("random.uniform") == ["io/retry.py"]
    assert sources_with('"max_attempts": S3_REQUESTS.tries') == ["io/storage.py"]


def test_pcm_source_owns_its_output_arguments() -> None:
    """Callers give inputs, filters and maps; `-f f32le pipe:1` is the source's own, the
    raw input's the encoder's (pcm_in)."""
    assert sources_with('"f32le", "pipe:1"') == ["io/ffmpeg/pcm.py"]
    assert sources_with('str(channels), "-i", "pipe:0"') == ["io/ffmpeg/pcm.py"]
    from producer.io.ffmpeg import PcmSource, SideOutput

    side = SideOutput(1, 16000)
    args = PcmSource(["-i", "x.wav", "-map", "[out]"], 2, 44100, "x.wav", sides=[side]).args
    assert args[-8:-1] == ["-f", "f32le", "pipe:1", "-map", "[side]", "-f", "f32le"]
    assert args[-1] == side.target
    side.release()


def test_recognition_is_spelled_one_way() -> None:
    """stages/recognise, io/recogniser, core/transcripts/recognised: British, as the stage."""
    names = [str(p.relative_to(PRODUCER)) for p in PRODUCER.rglob("*.py")]
    assert not [n for n in names if "recogniz" in n or "recognition" in n]
    assert sources_with("recogniz") == []


def test_publish_plans_uploads_apart_from_writing_the_feed() -> None:
    assert sources_with("def uploads(") == ["stages/uploads.py"]
    assert sources_with("storage.write_if(") == ["stages/feed_write.py"]
    assert "write_if" not in (PRODUCER / "commands" / "publish.py").read_text(encoding="utf-8")


def test_one_energy_to_lufs_module() -> None:
    assert sources_with("def lufs(") == sources_with("def energy_mean_lufs(") == ["core/audio/loudness.py"]
    assert sources_with("0.691") == ["core/audio/loudness.py"]  # both ways: lufs() and energy()
    assert sources_with("leveler.lufs(") == []
