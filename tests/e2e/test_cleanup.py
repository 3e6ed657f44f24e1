"""Cleanup (issue 21): noise and hum reduction, silence cutting and a cut list
that moves chapters and transcripts. Real `producer` processes on espeak-ng
conversations; every figure is read back by something producer does not use
for it: numpy on ffmpeg's decode of the shipped MP3 (noise, hum, clicks),
ffmpeg's ebur128 (loudness, true peak), silencedetect (the pause kept), ffprobe
(chapter starts, duration), a regex (the WebVTT) and feedparser (the feed)."""
from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import feedparser
import numpy as np
import pytest

from tests import factory
from tests.conftest import run_producer

pytestmark = pytest.mark.slow  # long builds: tens of seconds each

RATE = 44100
SHOW = """\
[show]
title = "Cleanup Show"
author = "Tests"
description = "Noisy rooms."
link = "https://example.test"
language = "en"
owner_name = "Tests"
owner_email = "tests@example.test"
categories = ["Technology"]
artwork = "artwork.jpg"

[audio]
preset = "podcast-stereo"

[publish]
base_url = "https://cdn.example.test"
"""
NOISE_DBFS = -50.0  # broadband, RMS
HUM = [(50, -40.0), (100, -46.0), (150, -50.0)]  # mains hum and harmonics, RMS dBFS


def decoded(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE),
                          "-f", "f32le", "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12))


def line_db(x: np.ndarray, hz: int) -> float:
    """The level of one spectral line (Hann window, 0.5 Hz bins)."""
    n = 2 * RATE
    frames = [x[i: i + n] * np.hanning(n) for i in range(0, len(x) - n, n)]
    power = np.mean([np.abs(np.fft.rfft(f)) ** 2 for f in frames], axis=0)
    return float(10 * np.log10(power[2 * hz - 2: 2 * hz + 3].max() + 1e-20))


def highpassed(x: np.ndarray) -> np.ndarray:
    """The broadband noise without the hum: everything under 300 Hz taken out (FFT)."""
    spectrum = np.fft.rfft(x)
    spectrum[: int(300 * len(x) / RATE)] = 0
    return np.fft.irfft(spectrum, len(x))


def make_episode(root: Path, name: str, recording: np.ndarray, cleanup: str = "", extra: str = "",
                 chapters: list | None = None) -> Path:
    ep = root / name
    (ep / "raw").mkdir(parents=True)
    factory.write_wav(ep / "raw" / "talk.wav", recording, RATE)
    body = factory.episode_toml(["raw/talk.wav"], chapters or [("00:00", "Start", None)], extra=extra, title=name)
    (ep / "episode.toml").write_text(body + (f"\n[cleanup]\n{cleanup}\n" if cleanup else ""), encoding="utf-8")
    return ep


def build(ep: Path) -> dict:
    r = run_producer("build", str(ep))
    assert r.code == 0, r.out + r.err
    return json.loads((ep / "dist" / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def talk() -> tuple[factory.Conversation, np.ndarray]:
    """Host and guest (guest 6 dB quieter) in one recording, 1.5 s pauses."""
    conv, voices = factory.conversation(RATE, gap=0.8, long_pause=1.5)
    return conv, voices["host"] * 0.5 + voices["guest"] * 0.25


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cleanup") / "show"
    root.mkdir()
    factory.cover(root / "artwork.jpg")
    (root / "show.toml").write_text(SHOW, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def noisy(show: Path, talk: tuple[factory.Conversation, np.ndarray]) -> dict[str, Path]:
    """The same noisy, humming recording built with cleanup on (the default) and off."""
    conv, clean = talk
    rng = np.random.default_rng(5)
    t = np.arange(len(clean)) / RATE
    dirty = clean + rng.normal(0, 10 ** (NOISE_DBFS / 20), len(clean)).astype(np.float32)
    for hz, db in HUM:
        dirty = dirty + (np.sqrt(2) * 10 ** (db / 20) * np.sin(2 * np.pi * hz * t)).astype(np.float32)
    built = {"on": make_episode(show, "noisy-on", dirty),
             "off": make_episode(show, "noisy-off", dirty, 'denoise = "off"\ndehum = "off"')}
    for ep in built.values():
        build(ep)
    return built


def test_noise_and_hum_come_down_and_the_voices_stay(noisy: dict[str, Path], talk) -> None:
    conv, _ = talk
    on, off = (decoded(noisy[k] / "dist" / f"{noisy[k].name}.mp3") for k in ("on", "off"))
    pauses = [(a + 0.3, b - 0.3) for a, b, _ in conv.pauses]  # clear of the speech's tails
    quiet_on = np.concatenate([on[int(a * RATE): int(b * RATE)] for a, b in pauses])
    quiet_off = np.concatenate([off[int(a * RATE): int(b * RATE)] for a, b in pauses])
    assert rms_db(highpassed(quiet_off)) - rms_db(highpassed(quiet_on)) >= 10.0
    for hz, _ in HUM:
        assert line_db(off, hz) - line_db(on, hz) >= 20.0, hz
    for who in ("host", "guest"):
        spans = [(a, b) for a, b, w in conv.turns if w == who]
        on_levels = factory.segments_loudness(noisy["on"] / "dist" / "noisy-on.mp3", spans)
        off_levels = factory.segments_loudness(noisy["off"] / "dist" / "noisy-off.mp3", spans)
        for (a, _), loud_on, loud_off in zip(spans, on_levels, off_levels):
            assert abs(loud_on - loud_off) <= 1.0, (who, a, loud_on, loud_off)
    m = factory.ebur128(noisy["on"] / "dist" / "noisy-on.mp3")
    assert m.integrated == pytest.approx(-16.0, abs=0.5) and m.true_peak <= -1.0
    report = json.loads((noisy["on"] / "dist" / "report.json").read_text(encoding="utf-8"))
    track = report["cleanup"]["tracks"][0]
    shipped = report["cleanup"]["shipped"]["speech_over_floor_db"]
    assert shipped - track["speech_over_floor_db"] >= 10.0  # the floor sits further under the speech
    assert not list(noisy["on"].glob("dist/.*"))  # no working file (gain curves, chapter metadata) is shipped
    assert track["denoise_db"] > 0 and track["hum"]["base_hz"] == 50 and {1, 2, 3} <= set(track["hum"]["harmonics"])


def test_a_clean_recording_is_left_alone(show: Path, talk) -> None:
    """Tolerance: none. Cleanup finds nothing to do, so the shipped samples are
    the very samples of a build with cleanup off."""
    _, clean = talk
    on = make_episode(show, "clean-on", clean)
    off = make_episode(show, "clean-off", clean, 'denoise = "off"\ndehum = "off"')
    report = build(on)
    build(off)
    assert report["cleanup"]["tracks"][0]["denoise_db"] == 0 and report["cleanup"]["tracks"][0]["hum"] is None
    assert np.array_equal(decoded(on / "dist" / "clean-on.mp3"), decoded(off / "dist" / "clean-off.mp3"))


LONG = 12.0
KEEP = 0.8


@pytest.fixture(scope="module")
def cut(show: Path) -> tuple[Path, factory.Conversation]:
    """Two 12-s silences, max_pause_s = 2: a chapter and a transcript cue after the
    first, a chapter after the second."""
    conv, voices = factory.conversation(RATE, gap=0.8, long_pause=LONG)
    recording = voices["host"] * 0.5 + voices["guest"] * 0.5
    first, second = conv.pauses
    after1 = next(a for a, _, _ in conv.turns if a >= first[1])
    after2 = next(a for a, _, _ in conv.turns if a >= second[1])
    chapters = [("00:00", "Start", None), (f"{after1:.3f}", "After the first", None),
                (f"{after2:.3f}", "After the second", None)]
    last = conv.turns[-1][0]  # and a manual cut inside the last turn's speech, where a plain splice clicks
    ep = make_episode(show, "cut", recording, "max_pause_s = 2.0", 'transcript = "talk.vtt"', chapters)
    with (ep / "episode.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[[cuts]]\nstart = "{last + 1.0:.3f}"\nend = "{last + 1.6:.3f}"\n')
    (ep / "talk.vtt").write_text(f"WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello\n\n"
                                 f"00:00:{after1:06.3f} --> 00:00:{after1 + 1:06.3f}\nAfter\n", encoding="utf-8")
    build(ep)
    return ep, conv


def ffprobe_chapters(path: Path) -> list[float]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return [float(c["start_time"]) for c in json.loads(out)["chapters"]]


def test_a_long_silence_is_cut_to_the_pause_kept_and_times_follow(cut) -> None:
    ep, conv = cut
    mp3 = ep / "dist" / "cut.mp3"
    err = subprocess.run(["ffmpeg", "-nostdin", "-i", str(mp3), "-af", "silencedetect=noise=-60dB:d=0.3",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    starts = [float(x) for x in re.findall(r"silence_start: ([\d.]+)", err)]
    ends = [float(x) for x in re.findall(r"silence_end: ([\d.]+)", err)]
    report = json.loads((ep / "dist" / "report.json").read_text(encoding="utf-8"))
    assert [c["reason"] for c in report["cuts"]] == ["pause", "pause", "manual"]
    for c in report["cuts"][:2]:  # the silence each cut left, as silencedetect hears it
        kept = [e - s for s, e in zip(starts, ends) if s <= c["episode_position"] <= e]
        assert len(kept) == 1 and kept[0] == pytest.approx(KEEP, abs=0.05), (c, list(zip(starts, ends)))
    lengths = [c["length"] for c in report["cuts"]]
    assert lengths[2] == pytest.approx(0.6, abs=0.001)
    for length in lengths[:2]:  # the silence as espeak-ng wrote it is a little longer than LONG
        assert LONG - KEEP - 0.1 <= length <= LONG - KEEP + 1.5
    removed = lengths[0]
    starts = ffprobe_chapters(mp3)
    (first, _, _), (second, _, _) = conv.pauses
    after1 = next(a for a, _, _ in conv.turns if a >= first + LONG)
    after2 = next(a for a, _, _ in conv.turns if a >= second + LONG)
    assert starts[1] == pytest.approx(after1 - removed, abs=0.03)
    assert starts[2] == pytest.approx(after2 - sum(lengths[:2]), abs=0.03)
    vtt = (ep / "dist" / "cut.vtt").read_text(encoding="utf-8")
    cue = re.findall(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) -->", vtt)[1]
    h, m, s, ms = (int(x) for x in cue)
    assert h * 3600 + m * 60 + s + ms / 1000 == pytest.approx(after1 - removed, abs=0.03)
    assert report["cleanup"]["time_saved_s"] == pytest.approx(sum(lengths), abs=0.002)
    duration = float(factory.ffprobe(mp3, "format=duration")["format"]["duration"])
    assert duration == pytest.approx(conv.seconds - sum(lengths), abs=0.1)
    page = (ep / "dist" / "report.html").read_text(encoding="utf-8")
    assert page.count("<g class=\"cut\">") == 3 and f"Cuts: {sum(lengths):.1f} s saved" in page


def test_no_click_at_a_cut(cut) -> None:
    ep, _ = cut
    x = decoded(ep / "dist" / "cut.mp3")
    report = json.loads((ep / "dist" / "report.json").read_text(encoding="utf-8"))
    step = np.abs(np.diff(x))
    for c in report["cuts"]:
        at = int(c["episode_position"] * RATE)
        near = step[at - int(0.01 * RATE): at + int(0.01 * RATE)].max()
        # the speech on either side, the join's own 50 ms left out (else `near` is part of it)
        around = max(step[at - 5 * RATE: at - int(0.05 * RATE)].max(), step[at + int(0.05 * RATE): at + 5 * RATE].max())
        assert near <= around, (c, near, around)


def test_the_feed_duration_is_the_cut_files(cut, show: Path) -> None:
    ep, _ = cut
    r = run_producer("publish", str(ep))
    assert r.code == 0, r.out + r.err
    item = feedparser.parse((show / "public" / "feed.xml").read_bytes()).entries[0]
    h, m, s = (int(x) for x in item.itunes_duration.split(":"))
    duration = float(factory.ffprobe(ep / "dist" / "cut.mp3", "format=duration")["format"]["duration"])
    assert abs(h * 3600 + m * 60 + s - duration) <= 1.0
    r = run_producer("check", str(ep))
    assert r.code == 0, r.out + r.err  # the moved chapters are what check expects of the cut episode
    r = run_producer("chapters", "export", str(ep), "--format", "json")
    assert r.code == 0, r.out + r.err
    exported = [c["startTime"] for c in json.loads(r.out)["chapters"]]
    assert exported == pytest.approx(ffprobe_chapters(ep / "dist" / "cut.mp3"), abs=0.001)


@pytest.mark.parametrize("where, text, field", [
    ("episode", '[[cuts]]\nstart = "0:10"\nend = "9:00"\n', "cuts[0]"),
    ("episode", '[[cuts]]\nstart = "0:10"\nend = "0:05"\n', "cuts[0].end"),
    ("episode", '[[cuts]]\nstart = "0:02"\nend = "0:06"\n[[cuts]]\nstart = "0:05"\nend = "0:08"\n', "cuts[0] and cuts[1]"),
    ("episode", '[[cuts]]\nstart = "0:00"\nend = "0:29.9"\n', "cuts"),
    ("episode", "[cleanup]\nmax_pause_s = 2\nkeep_pause_s = 0\n", "cleanup.keep_pause_s"),
    ("episode", "[cleanup]\nmax_pause_s = 2\nkeep_pause_s = -1\n", "cleanup.keep_pause_s"),
    ("show", "[cleanup]\ndehum = 55\n", "cleanup.dehum"),
])
def test_bad_cleanup_input_is_one_line_and_nothing_written(tmp_path: Path, where: str, text: str, field: str) -> None:
    root = tmp_path / "show"
    root.mkdir()
    factory.cover(root / "artwork.jpg")
    (root / "show.toml").write_text(SHOW + (text if where == "show" else ""), encoding="utf-8")
    ep = root / "ep1"
    (ep / "raw").mkdir(parents=True)
    factory.speech_like(ep / "raw" / "talk.wav", 30.0, RATE, 1, level_db=8, seed=2)
    body = factory.episode_toml(["raw/talk.wav"], [("00:00", "Start", None)], title="x")
    if where == "episode":
        body += "\n" + text
    (ep / "episode.toml").write_text(body, encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 2, r.out + r.err
    lines = [x for x in r.err.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and field in lines[0] and ("show.toml" if where == "show" else "episode.toml") in lines[0]
    assert not (ep / "dist").exists()


def _stereo(path: Path, left: np.ndarray, right: np.ndarray, rate: int = 44100) -> Path:
    both = np.ascontiguousarray(np.stack([left, right], axis=1), np.float32)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", "2",
                    "-i", "pipe:0", "-c:a", "pcm_s16le", str(path)], input=both.tobytes(), check=True)
    return path


def test_one_microphone_written_twice_is_cleaned_once_into_the_same_samples(tmp_path: Path) -> None:
    """A stereo recording whose channels are the same samples is found by the analysis,
    and assembled as one channel (afftdn once, then both ears): the same samples as
    cleaning both channels, by an independent decode; a channel one step apart is not one."""
    from producer.core.episode.plan import Assembly
    from producer.io import ffmpeg
    from producer.stages import assemble, level

    rate = 44100
    voice = factory.noise(8.0, rate, -24.0, seed=3) * np.repeat(np.arange(8) % 2, rate)  # talk, pause, talk...
    x = voice + factory.noise(8.0, rate, -60.0, seed=4)
    twice = ffmpeg.probe(_stereo(tmp_path / "twice.wav", x, x))
    apart = ffmpeg.probe(_stereo(tmp_path / "apart.wav", x, x + np.float32(1 / 32768) * (np.arange(len(x)) == rate)))
    assert level.analyse_span(twice, with_peaks=True)[1].same_channels
    assert not level.analyse_span(apart, with_peaks=True)[1].same_channels
    denoise = "afftdn@t0=nr=24:nf=-50"
    cleaned = {}
    for one in (False, True):
        a = Assembly(None, (replace(twice, same_channels=one),), None, 0.0, 0.0, rate, 2, cleanup=(denoise,))
        cleaned[one] = np.concatenate(list(assemble.source(a)))
    assert np.array_equal(cleaned[True], cleaned[False])
    assert np.array_equal(cleaned[True][:, 0], cleaned[True][:, 1])
    # leveled, one channel is multiplied by its curve before it goes to both ears: the
    # same samples as the stereo multiply, and the curve's gain on the cleaned voice
    curve = level.write_curve(tmp_path / "gain-0.f32", np.full(len(x) // rate * 10 + 10, -6.0206), len(x) / rate)
    leveled = {}
    for one in (False, True):
        a = Assembly(None, (replace(twice, same_channels=one),), None, 0.0, 0.0, rate, 2, cleanup=(denoise,))
        leveled[one] = np.concatenate(list(assemble.source(a, level.Leveling("adaptive", [], [curve]))))
    assert np.array_equal(leveled[True], leveled[False])
    assert np.array_equal(leveled[True][:, 0], leveled[True][:, 1])
    assert np.allclose(leveled[True], cleaned[True] * 0.5, rtol=1e-4, atol=1e-7)
    raw = np.frombuffer(subprocess.run(["ffmpeg", "-v", "error", "-i", str(twice.path), "-f", "f32le", "-"],
                                       capture_output=True, check=True).stdout, np.float32).reshape(-1, 2)
    assert len(raw) == len(cleaned[True]) and not np.array_equal(raw, cleaned[True])  # denoised, not passed through
