"""`producer init` and `producer new`: a show folder that publishes once a
recording is dropped into ep1/raw/, with no other edit; the next episode folder."""
from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import feedparser
import pytest

from tests import factory
from tests.conftest import run_producer


def test_init_then_a_recording_then_publish_works(tmp_path: Path) -> None:
    show = tmp_path / "night-owls"
    r = run_producer("init", str(show))
    assert r.code == 0, r.err
    for name in ("show.toml", "artwork.jpg", "music", ".gitignore", "Makefile", ".github/workflows/check.yml",
                 "ep1/episode.toml", "ep1/raw"):
        assert (show / name).exists(), name
    assert 'title = "Night owls"' in (show / "show.toml").read_text(encoding="utf-8")
    factory.speech_like(show / "ep1" / "raw" / "take 1.wav", 12.0, 44100, 1, level_db=0, seed=5)
    r = run_producer("publish", "ep1", cwd=show)
    assert r.code == 0, r.err
    parsed = feedparser.parse((show / "public" / "feed.xml").read_bytes())
    assert not parsed.bozo and [e.title for e in parsed.entries] == ["Episode 1"]
    assert parsed.entries[0].enclosures[0].href == "http://localhost:8000/episodes/ep1/ep1.mp3"
    assert (show / "public" / "index.html").is_file() and (show / "public" / "episodes/ep1/index.html").is_file()
    check = run_producer("check", "ep1/dist/ep1.mp3", "--episode", "ep1", cwd=show)
    assert check.code == 0, check.out  # the placeholder artwork passes our own cover rules
    # the show's Makefile names the same commands
    dry = subprocess.run(["make", "-n", "check-ep1"], cwd=show, capture_output=True, text=True, check=True).stdout
    assert "producer build --if-stale ep1" in dry and "producer check ep1\n" in dry
    dry = subprocess.run(["make", "-n", "check-all"], cwd=show, capture_output=True, text=True, check=True).stdout
    assert "producer build --if-stale -j 1 ep*/" in dry and "producer check ep*/" in dry


def test_new_makes_the_next_episode_with_todays_date(tmp_path: Path) -> None:
    show = tmp_path / "s"
    assert run_producer("init", str(show), "--title", "Late Show").code == 0
    inner = show / "ep1" / "raw"
    r = run_producer("new", cwd=inner)  # anywhere inside the show
    assert r.code == 0, r.err
    text = (show / "ep2" / "episode.toml").read_text(encoding="utf-8")
    assert "number = 2" in text and f"date = {dt.date.today().isoformat()}" in text
    assert (show / "ep2" / "raw").is_dir()
    assert run_producer("new", "special", cwd=show).code == 0
    assert "number = 3" in (show / "special" / "episode.toml").read_text(encoding="utf-8")
    again = run_producer("new", "special", cwd=show)
    assert again.code == 2 and "exists" in again.err


def test_init_refuses_a_folder_with_files_and_new_outside_a_show(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine", encoding="utf-8")
    r = run_producer("init", str(tmp_path / "busy"))
    assert r.code == 2 and "not empty" in r.err and not (tmp_path / "busy" / "show.toml").exists()
    r = run_producer("new", cwd=tmp_path)
    assert r.code == 2 and "show.toml" in r.err


def test_an_episode_without_recordings_says_where_to_put_them(tmp_path: Path) -> None:
    show = tmp_path / "s"
    assert run_producer("init", str(show)).code == 0
    r = run_producer("build", "ep1", cwd=show)
    assert r.code == 2 and "raw" in r.err and "recordings" in r.err


def test_the_workflow_is_valid_yaml_that_runs_the_checks(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    assert run_producer("init", str(tmp_path / "s")).code == 0
    flow = yaml.safe_load((tmp_path / "s" / ".github" / "workflows" / "check.yml").read_text(encoding="utf-8"))
    steps = flow["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "producer build --if-stale ep*/" in runs and "producer check ep*/" in runs
    assert any("ffmpeg" in s.get("run", "") for s in steps)
