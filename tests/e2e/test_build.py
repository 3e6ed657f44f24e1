"""`producer build` end to end, checked with ffmpeg's ebur128, ffprobe and mutagen."""
from __future__ import annotations

import json

from mutagen.id3 import ID3, PictureType

from producer.core.chapters.timecode import parse_time
from tests import factory
from tests.conftest import Built


def test_loudness_and_true_peak_meet_the_preset_by_ffmpegs_own_meter(built: Built) -> None:
    m = factory.ebur128(built.mp3)
    assert abs(m.integrated - (-16.0)) <= 0.2, m
    assert m.true_peak <= -1.0, m


def test_chapters_in_playback_order_with_exact_titles_and_starts(built: Built) -> None:
    chapters = factory.ffprobe(built.mp3, "chapters")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [t for _, t, _ in factory.CHAPTERS]
    assert [c["start"] for c in chapters] == [parse_time(s) for s, _, _ in factory.CHAPTERS]
    assert [c["time_base"] for c in chapters] == ["1/1000"] * len(chapters)
    assert any(len(c["tags"]["title"]) > 51 for c in chapters)
    ends = [c["end"] for c in chapters]
    assert ends[:-1] == [c["start"] for c in chapters[1:]]


def test_duration_is_intro_plus_recording_plus_outro_minus_crossfades(built: Built) -> None:
    expected = 6.0 + 40.0 + 5.0 - 2.0 - 3.0
    assert factory.decoded_frames(built.mp3) == round(expected * 44100)
    probed = float(factory.ffprobe(built.mp3, "format=duration")["format"]["duration"])
    # ffprobe counts whole MP3 frames, including the encoder's delay and padding
    assert abs(probed - expected) < 0.06
    report = json.loads((built.episode / "dist" / "report.json").read_text())
    assert report["duration_seconds"] == expected


def test_tag_is_id3v23_with_text_frames_front_cover_and_chapter_toc(built: Built) -> None:
    tags = ID3(built.mp3)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == 'Ünïcode & <XML> "quotes" episode'
    assert str(tags["TPE1"]) == "Plabayo BV"
    assert str(tags["TALB"]) == "Test Show & <Friends>"
    assert str(tags["TRCK"]) == "7"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TDRC"]) == "2026-03-24"
    on_disk = ID3(built.mp3, translate=False)  # mutagen upgrades v2.3 dates to TDRC on load
    assert str(on_disk["TYER"]) == "2026" and str(on_disk["TDAT"]) == "2403"
    assert tags.getall("COMM")[0].text[0].startswith("Notes with a link")
    covers = [f for f in tags.getall("APIC") if f.type == PictureType.COVER_FRONT]
    assert len(covers) == 1 and covers[0].mime == "image/jpeg"
    assert covers[0].data == (built.show / "artwork.jpg").read_bytes()
    (toc,) = tags.getall("CTOC")
    chaps = tags.getall("CHAP")
    assert list(toc.child_element_ids) == [c.element_id for c in sorted(chaps, key=lambda c: c.start_time)]
    assert str(toc.sub_frames["TIT2"]) == "Chapters"
    linked = [c for c in chaps if c.sub_frames.getall("WXXX")]
    assert [c.sub_frames.getall("WXXX")[0].url for c in linked] == ["https://example.test/a?b=1&c=2"]


def test_chapters_json_is_podcasting20_version_120(built: Built) -> None:
    doc = json.loads((built.episode / "dist" / "chapters.json").read_text(encoding="utf-8"))
    assert doc["version"] == "1.2.0"
    assert [c["startTime"] for c in doc["chapters"]] == [0, 5.25, 20, 31.125]
    assert doc["chapters"][1]["url"] == "https://example.test/a?b=1&c=2"
    assert doc["chapters"][2]["title"] == factory.LONG_TITLE


def test_report_records_input_gain_output_and_stage_times(built: Built) -> None:
    report = json.loads((built.episode / "dist" / "report.json").read_text())
    m = factory.ebur128(built.mp3)
    assert abs(report["output"]["integrated"] - m.integrated) <= 0.1
    assert report["tries"] == len(report["attempts"]) >= 1
    assert {"level_analysis", "estimate", "predict", "render_encode_1", "verify_1", "tag", "check"} <= set(report["seconds"])
    # the full-scale click in the guest track had to be limited
    assert report["attempts"][-1]["limiter"]["limited_frames"] > 0


def test_dist_holds_only_the_outputs(built: Built) -> None:
    assert sorted(p.name for p in (built.episode / "dist").iterdir()) == ["chapters.json", "ep7.mp3",
                                                                          "report.html", "report.json"]
    assert not [p for p in built.episode.iterdir() if p.name.startswith(".dist")]


def test_report_says_the_overlapped_decode_verified_every_render(built: Built) -> None:
    """Which path measured the shipped file is recorded; on a normal build it is the
    decode that ran beside the encoder (tests/e2e/test_verify.py holds that decode to
    an independent one, sample for sample)."""
    report = json.loads((built.episode / "dist" / "report.json").read_text())
    assert report["verified_by"] == "overlapped decode"
    assert {a["verified_by"] for a in report["attempts"]} == {"overlapped decode"}


def test_prediction_lands_the_first_render_on_target(built: Built) -> None:
    report = json.loads((built.episode / "dist" / "report.json").read_text())
    first = report["attempts"][0]
    assert first["predicted_loss_lu"] is not None
    assert abs(first["output"]["integrated"] - (-16.0)) <= 0.2, report["attempts"]


def test_an_mp3_recording_whose_header_only_estimates_its_length(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """VBR MP3 without a Xing frame: ffprobe's duration is a guess, the decode is the truth."""
    from tests.conftest import run_producer

    ep = factory.make_show(tmp_path / "show", seconds=12, chapters=[("00:00", "A", None), ("00:10", "B", None)],
                           recordings=1)
    factory.ffmpeg("-i", str(ep / "raw" / "host.wav"), "-c:a", "libmp3lame", "-q:a", "4", "-write_xing", "0",
                   str(ep / "raw" / "host.mp3"))
    toml = ep / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("raw/host.wav", "raw/host.mp3"), encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    m = factory.ebur128(ep / "dist" / "ep7.mp3")
    assert abs(m.integrated + 16) <= 0.2 and m.true_peak <= -1.0


def test_a_guest_who_left_early_is_silence_in_the_excerpts_that_come_after(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The guest's track ends at 10 s of the host's 40: the prediction's excerpts past
    its end are silence for it (an internal error before: ffmpeg gave those spans no
    samples, and the excerpts split wrongly)."""
    from tests.conftest import run_producer

    ep = factory.make_show(tmp_path / "show", seconds=40, chapters=[("00:00", "All", None)])
    guest = ep / "raw" / "guest.flac"
    factory.ffmpeg("-i", str(guest), "-t", "10", str(ep / "raw" / "short.flac"))
    (ep / "raw" / "short.flac").replace(guest)
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    m = factory.ebur128(ep / "dist" / "ep7.mp3")
    assert abs(m.integrated + 16) <= 0.2 and m.true_peak <= -1.0


def test_a_second_render_is_verified_on_its_own_file(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A first render 3 dB too loud forces a second; the figures that ship must be the
    second file's, not a mix with what the first left behind."""
    import io

    from producer.commands import build as build_module
    from producer.io.progress import Progress
    from producer.stages import predict
    from producer.stages.measure import measure_file

    ep = factory.make_show(tmp_path / "show", seconds=20, chapters=[("00:00", "A", None)], recordings=1)
    real_solve = predict.solve

    def too_loud(*args, **kwargs):  # type: ignore[no-untyped-def]
        guess = real_solve(*args, **kwargs)
        return predict.Prediction(guess.gain_db + 3.0, guess.loss_lu, guess.trials)

    monkeypatch.setattr(predict, "solve", too_loud)
    result = build_module.build(ep, Progress(quiet=True, stream=io.StringIO()))
    attempts = result.report.attempts
    assert len(attempts) >= 2 and attempts[0]["output"]["integrated"] > -14
    again = measure_file(result.mp3, 44100, 2).as_dict()
    assert result.report.as_dict()["output"]["integrated"] == again["integrated"]
    assert abs(again["integrated"] + 16) <= 0.2


def test_chapter_image_and_episode_artwork(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mutagen.id3 import ID3

    from tests.conftest import run_producer

    ep = factory.make_show(tmp_path / "show", seconds=10, chapters=[("00:00", "A", None)], recordings=1)
    factory.cover(ep / "cover.png", (1500, 1500), "RGB", "PNG")
    factory.cover(ep / "chapter.jpg", (300, 200), "RGB", "JPEG")
    toml = ep / "episode.toml"
    text = toml.read_text(encoding="utf-8").replace('recordings = ["raw/host.wav"]',
                                                    'recordings = ["raw/host.wav"]\nartwork = "cover.png"')
    toml.write_text(text + 'image = "chapter.jpg"\n', encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    tags = ID3(ep / "dist" / "ep7.mp3")
    front = [f for f in tags.getall("APIC") if f.type == 3]
    assert front[0].mime == "image/png" and front[0].data == (ep / "cover.png").read_bytes()
    (chap,) = tags.getall("CHAP")
    assert chap.sub_frames.getall("APIC")[0].data == (ep / "chapter.jpg").read_bytes()
