"""`producer check` and `producer measure`, against copies of a built episode
that were broken on purpose with ffmpeg and mutagen."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from producer.io.id3 import PlaybackOrderID3
from tests import factory
from tests.conftest import Built, run_producer


def copy_with(built: Built, tmp_path: Path, name: str, audio_filter: str | None = None) -> Path:
    out = tmp_path / name
    if audio_filter is None:
        shutil.copy(built.mp3, out)
        return out
    factory.ffmpeg("-i", str(built.mp3), "-map", "0:a", "-af", audio_filter, "-c:a", "libmp3lame",
                   "-b:a", "128k", "-id3v2_version", "0", str(out))
    # the same tag, chapters in playback order as producer writes them: only the audio differs
    PlaybackOrderID3(built.mp3, translate=False).save(out, v2_version=3)
    return out


def test_the_built_episode_passes(built: Built) -> None:
    r = run_producer("check", str(built.mp3), "--episode", str(built.episode))
    assert r.code == 0, r.out + r.err
    assert "PASS" in r.out and "✗" not in r.out


def test_a_copy_turned_down_9_db_fails_on_loudness(built: Built, tmp_path: Path) -> None:
    quiet = copy_with(built, tmp_path, "quiet.mp3", "volume=-9dB")
    r = run_producer("check", str(quiet), "--episode", str(built.episode))
    assert r.code == 1
    failed = [ln for ln in r.out.splitlines() if ln.startswith("✗")]
    assert len(failed) == 1 and failed[0].startswith("✗ loudness") and "-9." in failed[0], r.out


def test_a_clipped_copy_fails_on_true_peak(built: Built, tmp_path: Path) -> None:
    loud = copy_with(built, tmp_path, "clipped.mp3", "volume=6dB,alimiter=limit=1:level=0,volume=0.999")
    r = run_producer("check", str(loud), "--json")
    assert r.code == 1
    doc = json.loads(r.out)
    verdicts = {c["name"]: c for c in doc["files"][0]["checks"]}
    assert verdicts["true peak"]["pass"] is False and "over the ceiling" in verdicts["true peak"]["reason"]


def test_a_copy_without_chapter_frames_fails_on_chapters(built: Built, tmp_path: Path) -> None:
    bare = copy_with(built, tmp_path, "bare.mp3")
    tags = ID3(bare)
    tags.delall("CHAP")
    tags.delall("CTOC")
    tags.save(v2_version=3)
    r = run_producer("check", str(bare))
    assert r.code == 1
    failed = [ln for ln in r.out.splitlines() if ln.startswith("✗")]
    assert len(failed) == 1 and failed[0].startswith("✗ chapters") and "no CHAP" in failed[0]


def test_an_id3v24_tag_fails_the_version_check(built: Built, tmp_path: Path) -> None:
    v24 = copy_with(built, tmp_path, "v24.mp3")
    PlaybackOrderID3(v24).save(v2_version=4)  # same frames, in playback order, as v2.4
    assert ID3(v24).version[:2] == (2, 4)
    r = run_producer("check", str(v24))
    assert r.code == 1
    failed = [ln for ln in r.out.splitlines() if ln.startswith("✗")]
    assert len(failed) == 1 and failed[0].startswith("✗ id3 version: ID3v2.4"), r.out


def test_chapter_frames_out_of_file_order_fail(built: Built, tmp_path: Path) -> None:
    shuffled = copy_with(built, tmp_path, "shuffled.mp3")
    ID3(shuffled).save(v2_version=3)  # plain mutagen orders frames by size, not by time
    r = run_producer("check", str(shuffled))
    assert r.code == 1 and "not in playback order" in r.out


def test_a_chapter_a_second_off_the_episode_fails(built: Built, tmp_path: Path) -> None:
    moved = copy_with(built, tmp_path, "moved.mp3")
    (moved.parent / "ep").mkdir()
    episode = tmp_path / "show"
    shutil.copytree(built.show, episode, ignore=shutil.ignore_patterns("dist"))
    toml = episode / "ep7" / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('start = "00:20"', 'start = "00:21"'),
                    encoding="utf-8")
    r = run_producer("check", str(moved), "--episode", str(episode / "ep7"))
    assert r.code == 1
    assert "chapter 2 starts at 00:00:20, declared 00:00:21" in r.out


def test_json_has_every_figure_and_verdict(built: Built) -> None:
    r = run_producer("check", str(built.mp3), "--json", "--episode", str(built.episode))
    doc = json.loads(r.out)
    assert doc["pass"] is True and doc["preset"] == "podcast-stereo"
    (f,) = doc["files"]
    assert set(f["figures"]) == {"integrated", "true_peak", "sample_peak", "lra", "duration", "speech_spread_lu",
                                 "speaker_gap_lu", "turns", "speakers_lufs"}
    assert {c["name"] for c in f["checks"]} == {"loudness", "speech balance", "true peak", "id3 version", "title", "cover", "chapters",
                                                "episode title", "episode chapters"}


def test_figures_agree_with_ffmpegs_ebur128(built: Built, tmp_path: Path) -> None:
    files = [built.mp3, copy_with(built, tmp_path, "quiet.mp3", "volume=-9dB"),
             factory.speech_like(tmp_path / "s.wav", 20, 48000, 2, level_db=4, click_at=3.0),
             factory.music_like(tmp_path / "m.flac", 12, 22050, 1, level_db=-3)]
    r = run_producer("measure", *map(str, files), "--json")
    assert r.code == 0, r.err
    for path, ours in zip(files, json.loads(r.out)):
        theirs = factory.ebur128(path)
        assert abs(ours["integrated"] - theirs.integrated) <= 0.1, (path, ours, theirs)
        assert abs(ours["true_peak"] - theirs.true_peak) <= 0.3, (path, ours, theirs)


def test_one_decode_hears_what_the_analysis_hears(built: Built, tmp_path: Path) -> None:
    """check and measure take a file's speech figures from a second output of the meter's
    decode: the same blocks, map and balance as the analysis's own decode of the file."""
    from producer.core.audio.leveler import LevelerSettings
    from producer.stages.level import file_speech
    from producer.stages.measure import measure_and_hear, measure_file

    files = [built.mp3, factory.speech_like(tmp_path / "s.wav", 20, 48000, 2, level_db=4, seed=5),
             factory.speech_like(tmp_path / "m.flac", 15, 22050, 1, level_db=-6, seed=2)]
    for path in files:
        measured, heard = measure_and_hear(path, LevelerSettings())
        assert measured == measure_file(path), path
        assert heard == file_speech(path, LevelerSettings()), path


def test_several_files_and_a_glob_one_failure_fails_the_run(built: Built, tmp_path: Path) -> None:
    shutil.copy(built.mp3, tmp_path / "a.mp3")
    copy_with(built, tmp_path, "b.mp3", "volume=-9dB")
    r = run_producer("check", str(built.mp3), str(tmp_path / "*.mp3"))
    assert r.code == 1
    assert r.out.count("PASS") == 2 and r.out.count("FAIL") == 1


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\x00" * 1000)
    r = run_producer("check", str(bad))
    assert r.code == 2 and "bad.mp3" in r.out + r.err and "Traceback" not in r.err
    r = run_producer("measure", str(tmp_path / "missing.wav"))
    assert r.code == 2


def test_glob_matching_nothing_is_bad_input(tmp_path: Path) -> None:
    r = run_producer("check", str(tmp_path / "*.mp3"))
    assert r.code == 2 and "no file matches" in r.err


@pytest.mark.parametrize("preset,ok", [("podcast-stereo", True), ("spotify", False)])
def test_preset_flag_changes_the_target(built: Built, preset: str, ok: bool) -> None:
    r = run_producer("check", str(built.mp3), "--preset", preset)
    assert (r.code == 0) is ok, r.out
