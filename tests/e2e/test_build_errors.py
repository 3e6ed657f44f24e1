"""Bad input: exit 2 (3 for a missing ffmpeg), one readable message, no traceback, nothing in dist/."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests import factory
from tests.conftest import Run, run_producer

SHORT = [("00:00", "Intro", None), ("00:04", "Middle", None)]


@pytest.fixture
def episode(tmp_path: Path) -> Path:
    return factory.make_show(tmp_path / "show", seconds=12.0, chapters=SHORT, recordings=1)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def assert_clean_failure(r: Run, episode: Path, code: int, *fragments: str) -> None:
    assert r.code == code, (r.code, r.err)
    assert "Traceback" not in r.err
    lines = [ln for ln in r.err.splitlines() if ln.startswith("producer:")]
    assert len(lines) == 1, r.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    assert not (episode / "dist").exists()
    assert not [p for p in episode.iterdir() if p.name.startswith(".dist")]


def build(episode: Path, *extra: str, env: dict | None = None) -> Run:
    return run_producer("build", str(episode), "--quiet", *extra, env=env)


def test_corrupt_audio(episode: Path) -> None:
    (episode / "raw" / "host.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 50)
    assert_clean_failure(build(episode), episode, 2, "host.wav", "not readable audio")


def test_truncated_recording_is_caught_by_its_decoded_length(episode: Path) -> None:
    wav = episode / "raw" / "host.wav"
    factory.ffmpeg("-i", str(wav), str(episode / "raw" / "host.flac"))
    flac = (episode / "raw" / "host.flac").read_bytes()
    (episode / "raw" / "host.flac").write_bytes(flac[: len(flac) // 2])  # the header still says 12 s
    edit(episode / "episode.toml", '"raw/host.wav"', '"raw/host.flac"')
    assert_clean_failure(build(episode), episode, 2, "truncated")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def _outside(ep: Path) -> None:
    shutil.copy(ep / "raw" / "host.wav", ep.parent.parent / "elsewhere.wav")
    edit(ep / "episode.toml", '"raw/host.wav"', '"../../elsewhere.wav"')


# (id, what is done to a good show, fragments of the one line it must give): each fails before any audio work
CONFIG_ERRORS = [
    ("missing recording", lambda ep: (ep / "raw" / "host.wav").unlink(),
     ("episode.toml: recordings[0]:", "does not exist")),
    ("person track names no recording", lambda ep: _append(ep / "episode.toml", '\n[[persons]]\nname = "Delaney"\n'
                                                           'role = "guest"\ntrack = "raw/delaney.flac"\n'),
     ("episode.toml: persons[0].track:", "raw/delaney.flac", "names no recording")),
    ("malformed toml", lambda ep: edit(ep / "episode.toml", "number = 7", "number = = 7"),
     ("episode.toml: not valid TOML",)),
    ("unknown key", lambda ep: edit(ep / "episode.toml", "number = 7", "number = 7\ntitel = \"typo\""),
     ("episode.toml: titel: is not a known setting",)),
    ("unknown preset", lambda ep: edit(ep.parent / "show.toml", 'preset = "podcast-stereo"',
                                       'preset = "loud-as-possible"'),
     ('preset "loud-as-possible" is not known', "podcast-stereo")),
    ("artwork not square", lambda ep: factory.cover(ep.parent / "artwork.jpg", (1400, 1000), "RGB", "JPEG"),
     ("artwork.jpg", "must be square")),
    ("artwork too small", lambda ep: factory.cover(ep.parent / "artwork.jpg", (600, 600), "RGB", "JPEG"),
     ("artwork.jpg", "1400–3000 px")),
    ("artwork too large", lambda ep: factory.cover(ep.parent / "artwork.jpg", (3200, 3200), "RGB", "PNG"),
     ("artwork.jpg", "1400–3000 px")),
    ("artwork CMYK", lambda ep: factory.cover(ep.parent / "artwork.jpg", (1400, 1400), "CMYK", "JPEG"),
     ("artwork.jpg", "must be RGB")),
    ("artwork GIF", lambda ep: factory.cover(ep.parent / "artwork.jpg", (1400, 1400), "RGB", "GIF"),
     ("artwork.jpg", "must be JPEG or PNG")),
    ("artwork not an image", lambda ep: (ep.parent / "artwork.jpg").write_text("not a picture"),
     ("artwork.jpg", "not a readable image")),
    ("chapters out of order", lambda ep: edit(ep / "episode.toml", 'start = "00:04"', 'start = "00:00.000"'),
     ("chapters[1].start: 00:00:00 is not after chapters[0].start",)),
    ("first chapter not at zero", lambda ep: edit(ep / "episode.toml", 'start = "00:00"', 'start = "00:01"'),
     ("chapters[0].start", "must start at 00:00")),
    ("chapter past the end", lambda ep: edit(ep / "episode.toml", 'start = "00:04"', 'start = "00:35"'),
     ("chapters[1].start: 00:00:35 is past the end",)),
    ("chapter time not a time", lambda ep: edit(ep / "episode.toml", 'start = "00:04"', 'start = "2:7x"'),
     ('episode.toml: chapters[1].start: "2:7x" is not a time',)),
    ("empty chapter title", lambda ep: edit(ep / "episode.toml", 'title = "Middle"', 'title = "  "'),
     ("chapters[1].title: is empty",)),
    ("path outside the show folder", _outside, ("recordings[0]", "outside the show folder")),
    ("crossfade longer than the intro", lambda ep: edit(ep.parent / "show.toml", "intro_crossfade = 2.0",
                                                        "intro_crossfade = 9.0"),
     ("audio.intro_crossfade", "not shorter than the intro")),
]


@pytest.fixture(scope="module")
def good_show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One show for every configuration error: each case edits a copy of it."""
    return factory.make_show(tmp_path_factory.mktemp("template") / "show", seconds=12.0, chapters=SHORT,
                             recordings=1)


@pytest.mark.parametrize("change, fragments", [c[1:] for c in CONFIG_ERRORS], ids=[c[0] for c in CONFIG_ERRORS])
def test_a_configuration_error_is_one_line_and_exit_2(good_show: Path, tmp_path: Path, capsys, change,
                                                      fragments) -> None:  # type: ignore[no-untyped-def]
    """In-process (cli.main, as the console script calls it): nothing here needs a child."""
    from producer import cli

    shutil.copytree(good_show.parent, tmp_path / "show")
    ep = tmp_path / "show" / good_show.name
    change(ep)
    code = cli.main(["build", str(ep), "--quiet"])
    captured = capsys.readouterr()
    assert_clean_failure(Run(code, captured.out, captured.err), ep, 2, *fragments)


def test_missing_ffmpeg_is_an_environment_failure(episode: Path, tmp_path: Path) -> None:
    assert_clean_failure(build(episode, env={"PATH": str(tmp_path / "empty")}), episode, 3,
                         "ffprobe is not installed")


def test_verbose_shows_the_traceback(episode: Path) -> None:
    (episode / "raw" / "host.wav").write_bytes(b"nonsense")
    r = build(episode, env=None)
    assert "Traceback" not in r.err
    r = run_producer("-v", "build", str(episode), "--quiet")
    assert r.code == 2 and "Traceback" in r.err


def test_not_an_episode_folder(tmp_path: Path) -> None:
    r = run_producer("build", str(tmp_path))
    assert r.code == 2 and re.search(r"no episode\.toml here", r.err) and "Traceback" not in r.err


def test_failed_build_keeps_the_previous_dist(episode: Path) -> None:
    assert build(episode).code == 0
    before = {p.name: p.read_bytes() for p in (episode / "dist").iterdir()}
    (episode / "raw" / "host.wav").write_bytes(b"nonsense")
    r = build(episode)
    assert r.code == 2
    assert {p.name: p.read_bytes() for p in (episode / "dist").iterdir()} == before
    assert not [p for p in episode.iterdir() if p.name.startswith(".dist")]


def dist_bytes(episode: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (episode / "dist").iterdir()}


def assert_previous_dist_survives(r: Run, episode: Path, before: dict[str, bytes], code: int,
                                  *fragments: str) -> None:
    assert r.code == code, (r.code, r.err)
    assert "Traceback" not in r.err
    lines = [ln for ln in r.err.splitlines() if ln.startswith("producer:")]
    assert len(lines) == 1 and all(f in lines[0] for f in fragments), r.err
    assert dist_bytes(episode) == before
    assert not [p for p in episode.iterdir() if p.name.startswith(".dist")]


def test_an_encoder_killed_mid_file_keeps_the_previous_dist(episode: Path, tmp_path: Path) -> None:
    """The new dist/ is half written (the MP3 started) when the encoder dies."""
    assert build(episode).code == 0
    before = dist_bytes(episode)
    edit(episode / "episode.toml", 'title = "Middle"', 'title = "Middle, renamed"')
    fake = tmp_path / "bin"
    fake.mkdir()
    real = shutil.which("ffmpeg")
    (fake / "ffmpeg").write_text(f"""#!/bin/bash
# an encoder writing into a new dist that dies after its first bytes
out="${{@: -1}}"
if [[ "$*" == *libmp3lame* && "$out" == */.dist-* ]]; then
  head -c 100000 /dev/urandom > "$out"; kill -9 $$
fi
exec {real} "$@"
""")
    (fake / "ffmpeg").chmod(0o755)
    (fake / "ffprobe").symlink_to(shutil.which("ffprobe"))
    r = build(episode, env={"PATH": f"{fake}:/usr/bin:/bin"})
    assert_previous_dist_survives(r, episode, before, 2, "MP3 encoding failed")


def test_a_full_disk_while_tagging_keeps_the_previous_dist(episode: Path) -> None:
    """A file size limit (as a full disk would) lets the encoder finish and refuses the
    bytes the ID3 tag adds: the new dist/ holds a finished MP3 when the build fails."""
    import resource
    import subprocess
    import sys

    assert build(episode).code == 0
    before = dist_bytes(episode)
    mp3 = before["ep7.mp3"]
    tag_bytes = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(mp3[6:10]))  # syncsafe size
    audio_bytes = len(mp3) - tag_bytes
    edit(episode / "episode.toml", 'title = "Middle"', 'title = "Middle, renamed"')

    def limit() -> None:
        room = audio_bytes + 2_000  # the tag (cover art) is over 20 kB
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    p = subprocess.run([sys.executable, "-m", "producer", "build", str(episode), "--quiet"],
                       capture_output=True, text=True, preexec_fn=limit)
    # a full disk is the environment's fault (exit 3), as it is while encoding
    assert_previous_dist_survives(Run(p.returncode, p.stdout, p.stderr), episode, before, 3,
                                  "cannot write ID3 tags", "file size limit")
