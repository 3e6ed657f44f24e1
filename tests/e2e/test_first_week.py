"""The edges a producer hits in the first week (issue 11): the guid that never
changes, the localhost fallback, paths relative to where the user stands, the
preset a file carries, silent and clipped inputs, chapter times past an hour,
--quiet, help texts and the COMM language. Checked with feedparser, mutagen and
the real command line."""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import feedparser
import numpy as np
import pytest
from mutagen.id3 import ID3

from producer.cli import parser
from producer.core.chapters import chapter_formats
from producer.core.chapters.timecode import parse_time
from producer.errors import InputError, TimeError
from producer.io.config import load_context, load_episode, load_show
from producer.io.inputs import is_stale
from tests import factory
from tests.conftest import run_producer

ONE_CHAPTER = [("00:00", "Start", None)]


def one_voice_show(root: Path) -> Path:
    return factory.make_show(root, seconds=8, chapters=ONE_CHAPTER, recordings=1)


def entries(root: Path, folder: str = "public") -> list:
    parsed = feedparser.parse((root / folder / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed.entries


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---------------------------------------------------------------- the guid


def test_first_publish_records_the_guid_and_a_renamed_folder_or_new_link_keeps_it(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    before = (ep / "episode.toml").read_text(encoding="utf-8")
    r = run_producer("publish", str(ep))
    assert r.code == 0, r.err
    (entry,) = entries(root)
    after = (ep / "episode.toml").read_text(encoding="utf-8")
    assert f'guid = "{entry.id}"' in after and "recorded guid" in r.err
    # only the one line is new: the user's layout, comments and order are kept
    assert "".join(ln for ln in after.splitlines(True) if not ln.startswith("guid =")) == before
    assert not is_stale(load_context(ep)), "recording the guid must not make the build stale"

    ep.rename(root / "ep07")
    edit(root / "show.toml", 'link = "https://example.test"', 'link = "https://example.test/podcast"')
    r = run_producer("publish", str(root / "ep07"))
    assert r.code == 0, r.err
    (moved,) = entries(root)
    assert moved.id == entry.id
    assert moved.enclosures[0].href == "https://cdn.example.test/episodes/ep07/ep07.mp3"


def test_a_guid_set_by_hand_is_kept_verbatim(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    edit(ep / "episode.toml", "number = 7\n", 'number = 7\nguid = "https://old-host.test/?p=7"\n')
    before = (ep / "episode.toml").read_bytes()
    r = run_producer("publish", str(ep))
    assert r.code == 0, r.err
    (entry,) = entries(root)
    assert entry.id == "https://old-host.test/?p=7"
    assert (ep / "episode.toml").read_bytes() == before


def test_a_copied_folder_with_the_originals_guid_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    assert run_producer("publish", str(ep)).code == 0
    copy = root / "ep8"
    shutil.copytree(ep, copy, ignore=shutil.ignore_patterns("dist"))
    edit(copy / "episode.toml", "number = 7", "number = 8")
    r = run_producer("publish", str(copy))
    assert r.code == 2 and "guid" in r.err and str(ep) in r.err and "Traceback" not in r.err
    assert len(entries(root)) == 1


def test_an_empty_guid_is_refused(tmp_path: Path) -> None:
    ep = one_voice_show(tmp_path / "show")
    edit(ep / "episode.toml", "number = 7\n", 'number = 7\nguid = " "\n')
    with pytest.raises(InputError, match="guid"):
        load_episode(ep, load_show(tmp_path / "show" / "show.toml"))


# ---------------------------------------------------------------- base_url


def test_the_localhost_fallback_warns_on_every_publish_and_other_targets_need_base_url(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    edit(root / "show.toml", 'base_url = "https://cdn.example.test"\n', "")
    for _ in range(2):
        r = run_producer("publish", str(ep))
        assert r.code == 0, r.err
        assert "warning" in r.err and "base_url" in r.err and "http://localhost:8000" in r.err
    assert entries(root)[0].enclosures[0].href.startswith("http://localhost:8000/")

    r = run_producer("publish", str(ep), "--target", str(tmp_path / "site"))
    assert r.code == 2 and "base_url" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- paths from where the user stands


def test_target_and_preset_paths_are_relative_to_the_current_directory(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    here = tmp_path / "here"
    here.mkdir()
    mine = (Path(__file__).parent.parent.parent / "presets" / "podcast-mono.toml").read_text(encoding="utf-8")
    (here / "mine.toml").write_text(mine.replace("integrated = -19.0", "integrated = -20.0"), encoding="utf-8")
    r = run_producer("build", str(ep), "--preset", "./mine.toml", "--quiet", cwd=here)
    assert r.code == 0, r.err
    assert factory.ebur128(ep / "dist" / "ep7.mp3").integrated == pytest.approx(-20.0, abs=0.3)

    r = run_producer("publish", str(ep), "--target", "./site", cwd=here)
    assert r.code == 0, r.err
    assert (here / "site" / "feed.xml").is_file() and (here / "site" / "episodes" / "ep7" / "ep7.mp3").is_file()
    assert not (root / "site").exists()


# ---------------------------------------------------------------- the preset a file carries


def test_check_uses_the_preset_recorded_in_the_file(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    edit(root / "show.toml", 'language = "en"', 'language = "fi"')
    assert run_producer("build", str(ep), "--preset", "podcast-mono", "--quiet").code == 0
    mp3 = ep / "dist" / "ep7.mp3"
    assert factory.ebur128(mp3).integrated == pytest.approx(-19.0, abs=0.3)
    tags = ID3(mp3)
    recorded = json.loads(str(tags.getall("TXXX:producer preset")[0].text[0]))
    assert recorded["name"] == "podcast-mono" and recorded["integrated"] == -19.0
    assert {c.lang for c in tags.getall("COMM")} == {"fin"}

    r = run_producer("check", str(mp3), "--json")
    assert r.code == 0, r.out + r.err
    assert json.loads(r.out)["files"][0]["preset"] == "podcast-mono"
    r = run_producer("check", str(mp3), "--preset", "podcast-stereo")
    assert r.code == 1, "--preset still overrides what the file carries"


# ---------------------------------------------------------------- inputs refused or warned about


def _rewrite_guest(ep: Path, x: np.ndarray) -> None:
    (ep / "raw" / "guest.flac").unlink()
    factory.write_wav(ep / "raw" / "guest.wav", x, 16000)
    edit(ep / "episode.toml", "raw/guest.flac", "raw/guest.wav")


@pytest.mark.parametrize("kind", ["muted", "noise only", "whisper"])
def test_a_recording_without_speech_is_refused_naming_file_and_level(tmp_path: Path, kind: str) -> None:
    ep = factory.make_show(tmp_path / "show", seconds=12, chapters=ONE_CHAPTER, recordings=2)
    if kind == "muted":
        x = np.zeros(16000 * 9, np.float32)
    elif kind == "noise only":
        x = factory.noise(9, 16000, -45, seed=4)
    else:  # real words, but 60 dB down: a muted mic's leak
        x = factory.at_lufs(factory.spoken(factory.GUEST_LINES[0], "en-us", 16000), 16000, -62.0)
    _rewrite_guest(ep, x)
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 2, r.out + r.err
    line = r.err.strip()
    assert "guest.wav" in line and ("LUFS" in line or "digital silence" in line) and "Traceback" not in line
    assert len(line.splitlines()) == 1
    assert not (ep / "dist").exists() and not list(ep.glob(".dist-*"))


def test_heavy_clipping_is_warned_about_and_the_build_goes_on(tmp_path: Path) -> None:
    ep = factory.make_show(tmp_path / "show", seconds=12, chapters=ONE_CHAPTER, recordings=2)
    voice = factory.spoken(" ".join(factory.GUEST_LINES[:2]), "en-us", 16000)
    _rewrite_guest(ep, np.clip(voice * 10, -1, 1))  # 20 dB of overdrive into a 16-bit file: 15 % of samples clip
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    assert "warning" in r.err and "guest.wav" in r.err and "clips" in r.err


def test_a_clean_recording_is_not_called_clipped(tmp_path: Path) -> None:
    ep = factory.make_show(tmp_path / "show", seconds=12, chapters=ONE_CHAPTER, recordings=2)
    voice = factory.spoken(" ".join(factory.GUEST_LINES[:2]), "en-us", 16000)
    _rewrite_guest(ep, voice / np.abs(voice).max() * 0.999)  # peaks at full scale, nothing flattened
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    assert "clips" not in r.err


# ---------------------------------------------------------------- chapter times past an hour


def test_minutes_past_59_are_one_reading_everywhere(tmp_path: Path) -> None:
    assert parse_time("75:00") == parse_time("1:15:00") == 4_500_000
    for bad in ("1:75:00", "75:60", "1:05:61"):
        with pytest.raises(TimeError):
            parse_time(bad)
    text = chapter_formats.parse_text("00:00 Intro\n75:00 Late questions\n")
    notes = chapter_formats.parse_shownotes("Chapters:\n00:00 Intro\n75:00 Late questions\n")
    ep = one_voice_show(tmp_path / "show")
    with (ep / "episode.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[chapters]]\nstart = "75:00"\ntitle = "Late"\n')
    toml = load_episode(ep, load_show(tmp_path / "show" / "show.toml")).chapters
    assert [c.start_ms for c in text] == [c.start_ms for c in notes] == [c.start_ms for c in toml] == [0, 4_500_000]


# ---------------------------------------------------------------- quiet, help


def test_quiet_publish_prints_the_result_only(tmp_path: Path) -> None:
    ep = one_voice_show(tmp_path / "show")
    r = run_producer("publish", str(ep), "--quiet")
    assert r.code == 0, r.err
    (line,) = r.out.splitlines()
    assert line.startswith("published ep7 to ") and "(item added, 1 items)" in line
    assert "uploaded" not in r.out + r.err


def test_every_option_has_help_text() -> None:
    def missing(p: argparse.ArgumentParser, path: str) -> list[str]:
        found = []
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                for name, child in a.choices.items():
                    found += missing(child, f"{path} {name}")
            if not isinstance(a, argparse._HelpAction) and not a.help:
                found.append(f"{path} {a.dest}")
        return found

    assert missing(parser(), "producer") == []


# ---------------------------------------------------------------- the disk says no


def limited(*args: str, max_file_bytes: int) -> subprocess.CompletedProcess:
    """The real command line with a file size limit: every write past it fails
    with EFBIG, as on a full disk (Python and ffmpeg ignore SIGXFSZ)."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return subprocess.run([sys.executable, "-m", "producer", *args], capture_output=True, text=True,
                          preexec_fn=limit)


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """chmod for a user; root ignores modes, so for root the immutable attribute."""
    root = os.geteuid() == 0
    if root:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
            pytest.skip("cannot make a folder read-only for root here (no chattr +i)")
    else:
        folder.chmod(0o555)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)]) if root else folder.chmod(0o755)


def one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("producer: ") and "warning" not in ln]
    return line


def test_a_full_disk_fails_build_and_publish_in_one_line_leaving_nothing_half_done(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    r = limited("build", str(ep), "--quiet", max_file_bytes=60_000)
    assert r.returncode == 3, r.stderr
    assert "disk" in one_error_line(r.stderr)
    assert not (ep / "dist").exists() and not list(ep.glob(".dist-*"))

    assert run_producer("build", str(ep), "--quiet").code == 0
    r = limited("publish", str(ep), "--quiet", max_file_bytes=60_000)
    assert r.returncode == 3, r.stderr
    line = one_error_line(r.stderr)
    assert "public" in line and "disk" in line
    assert not (root / "public" / "feed.xml").exists() and not list((root / "public").rglob(".tmp-*"))


def test_a_read_only_output_folder_is_one_line_and_exit_3(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    assert run_producer("publish", str(ep)).code == 0
    (root / "public" / "feed.xml").unlink()
    with read_only(root / "public"):
        r = run_producer("publish", str(ep))
    assert r.code == 3, r.out + r.err
    assert "public" in one_error_line(r.err)
    shutil.rmtree(ep / "dist")
    with read_only(ep):
        r = run_producer("build", str(ep), "--quiet")
    assert r.code == 3 and str(ep) in one_error_line(r.err)


def test_the_served_folder_holds_no_lock_file(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    assert run_producer("publish", str(ep)).code == 0
    assert [p.name for p in (root / "public").rglob(".*")] == []


# ---------------------------------------------------------------- Make asks producer


def test_make_builds_when_any_input_changed_as_publish_sees_it(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = one_voice_show(root)
    factory.cover(ep / "start.jpg", (640, 360), "RGB", "JPEG")
    edit(ep / "episode.toml", 'title = "Start"', 'title = "Start"\nimage = "start.jpg"')
    repo = Path(__file__).resolve().parent.parent.parent
    make = ["make", "-s", "-C", str(repo), "-o", "install", f"SHOW={root}",
            f"PRODUCER={sys.executable} -m producer", "build-ep7"]

    def built() -> bool:
        r = subprocess.run(make, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return "up to date" not in r.stdout

    assert built() and (ep / "dist" / "ep7.mp3").is_file()
    assert not built()
    factory.cover(ep / "start.jpg", (640, 360), "L", "JPEG")  # a chapter image, changed in place
    assert built()
    assert not built()
    edit(root / "show.toml", '[publish]\n', '[publish]\ntarget = "s3://another-bucket/pod"\n')
    assert not built(), "where the show is uploaded changes nothing that a build makes"
    edit(root / "show.toml", 'preset = "podcast-stereo"', 'preset = "podcast-mono"')
    assert built()
    assert not is_stale(load_context(ep)), "publish agrees: nothing to rebuild"


def test_comm_language_comes_from_the_iso_639_table() -> None:
    from producer.io.id3 import id3_language

    cases = {"en": "eng", "en-GB": "eng", "fi": "fin", "sw": "swa", "eu": "eus", "cy": "cym", "pt-BR": "por",
             "haw": "haw", "xx": "und"}
    assert {code: id3_language(code) for code in cases} == cases
