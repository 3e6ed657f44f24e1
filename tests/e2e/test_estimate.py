"""The episode's loudness added up from the analysis (core.audio.programme) instead of a
measuring pass: held to ffmpeg's ebur128 on the same episode assembled by an
ffmpeg command written here, and in the pure core to the meter on built signals."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from producer.core.audio import loudness, programme
from tests import factory
from tests.conftest import run_producer

RATE = 44100


def test_layers_that_follow_each_other_add_up_to_the_meter_on_the_whole() -> None:
    rng = np.random.default_rng(4)
    a = (rng.standard_normal((RATE * 7, 2)) * 0.05).astype(np.float32)
    b = (rng.standard_normal((RATE * 5, 2)) * 0.2).astype(np.float32)
    whole = loudness.measure_chunks([np.concatenate([a, b])], RATE, 2, true_peak=False).integrated

    def layer(x: np.ndarray, start: int) -> programme.Layer:
        m = loudness.Meter(RATE, 2, true_peak=False)
        m.add(x)
        return programme.Layer(start, m.mean_squares())

    added = loudness.gated(programme.mean_squares([layer(a, 0), layer(b, 70)]))
    assert added == pytest.approx(whole, abs=0.02)
    # a cut takes its blocks out: the loud part alone
    alone = loudness.measure_chunks([b], RATE, 2, true_peak=False).integrated
    assert loudness.gated(programme.mean_squares([layer(a, 0), layer(b, 70)], [(0, 70)])) == pytest.approx(alone, abs=0.02)


def test_a_recording_counts_in_every_ear_it_reaches() -> None:
    from producer.core.audio.leveler import TrackFeatures
    energy = np.full(10, 0.01)
    assert programme.recording(TrackFeatures(energy, np.ones(10)), 2, None, 3).energy.tolist() == [0.02] * 10
    gained = programme.recording(TrackFeatures(energy, np.ones(10)), 1, np.full(10, 10.0), 0).energy
    assert gained == pytest.approx(np.full(10, 0.1))
    assert programme.ears(0.0, 0.0, 2) == 2.0 and programme.ears(4.0, 1.0, 2) == 4.0


@pytest.fixture(scope="module")
def two_ears(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One stereo recording whose left ear carries the host and right ear the guest
    (a two-microphone recorder), leveler off, between the show's intro and outro."""
    ep = factory.make_show(tmp_path_factory.mktemp("ears"), seconds=5, chapters=[("00:00", "Talk", None)],
                           recordings=1)
    _, voices = factory.conversation(RATE)
    pair = np.stack([factory.at_lufs(voices["host"], RATE, -20), factory.at_lufs(voices["guest"], RATE, -26)], 1)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "2",
                    "-i", "pipe:0", "-c:a", "pcm_s16le", str(ep / "raw" / "pair.wav")],
                   input=np.ascontiguousarray(pair, np.float32).tobytes(), check=True)
    toml = ep / "episode.toml"
    toml.write_text('leveler = "off"\n' + toml.read_text(encoding="utf-8").replace("raw/host.wav", "raw/pair.wav"),
                    encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    return ep


def assembled_by_ffmpeg(ep: Path, out: Path, outro: str = "outro.wav") -> Path:
    """The episode as the show describes it (intro crossfaded 2 s into the recording,
    the outro 3 s over its end), assembled here without producer's filter graph."""
    music = ep.parent / "music"
    graph = ("[0:a]aresample=44100,aformat=sample_fmts=flt:channel_layouts=stereo[i];"
             "[1:a]aresample=44100,aformat=sample_fmts=flt:channel_layouts=stereo[r];"
             "[2:a]aresample=44100,aformat=sample_fmts=flt:channel_layouts=stereo[o];"
             "[i][r]acrossfade=d=2:c1=qsin:c2=nofade[a];[a][o]acrossfade=d=3:c1=nofade:c2=qsin[out]")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(music / "intro.wav"), "-i",
                    str(ep / "raw" / "pair.wav"), "-i", str(music / outro), "-filter_complex", graph,
                    "-map", "[out]", "-c:a", "pcm_f32le", str(out)], check=True)
    return out


def test_the_estimate_hears_a_stereo_recording_in_both_ears(two_ears: Path, tmp_path: Path) -> None:
    """Folded to mono, a voice in one ear reads 6 dB under what the episode carries;
    the estimate's ears factor, taken from the excerpts, puts it back."""
    report = json.loads((two_ears / "dist" / "report.json").read_text(encoding="utf-8"))
    truth = factory.ebur128(assembled_by_ffmpeg(two_ears, tmp_path / "programme.wav")).integrated
    assert report["input"]["integrated"] == pytest.approx(truth, abs=0.1)
    assert report["passes"] == 1 and report["tries"] == 1
    shipped = factory.ebur128(two_ears / "dist" / "ep7.mp3")
    assert shipped.integrated == pytest.approx(-16.0, abs=0.3)


def test_a_show_that_opens_and_closes_with_the_same_music_is_estimated_with_both(two_ears: Path,
                                                                                 tmp_path: Path) -> None:
    """The intro and the outro are measured by one ffmpeg, one output each: the same
    file twice is two layers, faded each its own way."""
    show = tmp_path / "show"
    shutil.copytree(two_ears.parent, show, ignore=shutil.ignore_patterns("dist"))
    toml = show / "show.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("music/outro.wav", "music/intro.wav"), encoding="utf-8")
    r = run_producer("build", str(show / "ep7"), "--quiet")
    assert r.code == 0, r.err
    report = json.loads((show / "ep7" / "dist" / "report.json").read_text(encoding="utf-8"))
    programme = assembled_by_ffmpeg(show / "ep7", tmp_path / "programme.wav", "intro.wav")
    assert report["input"]["integrated"] == pytest.approx(factory.ebur128(programme).integrated, abs=0.1)
    assert report["input"]["duration"] == pytest.approx(factory.decoded_frames(programme) / RATE, abs=0.01)


@pytest.mark.parametrize("gain_db", [6.0, 9.0, 12.0])
def test_the_predictions_limiter_reckoning_agrees_with_the_meter_on_the_limited_samples(
        tmp_path: Path, gain_db: float) -> None:
    """stages.predict searches a busy limiter's gain without encoding: each 100 ms
    block's K-weighted energy scaled by the limiter's unweighted energy ratio. Held
    here to pyloudnorm on the gained and on the limited samples themselves, on
    speech with a full-scale click and a burst, at gains that limit by 1 to 7 LU:
    what the search uses, the change from one trial's gain to the next (1 dB on),
    within 0.02 LU; the loss itself within 1 %."""
    from producer.core.audio.limiter import Limiter
    from producer.io.config import load_preset
    from producer.stages import predict

    wav = factory.speech_like(tmp_path / "v.wav", 20.0, RATE, 2, level_db=8, seed=5, click_at=6.0)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-f", "f32le", "-"], capture_output=True,
                         check=True).stdout
    x = np.frombuffer(raw, np.float32).reshape(-1, 2)
    excerpts = [x[i * RATE * 5: i * RATE * 5 + 4 * RATE].copy() for i in range(4)]
    excerpts[2][RATE:RATE + 40] = 0.99  # a burst the limiter must take down
    plain = predict.measure_plain(excerpts, load_preset("podcast-stereo"))
    ceiling = -1.5

    def metered_loss(g: float) -> float:  # pyloudnorm on the gained and on the limited samples
        import pyloudnorm

        meter = pyloudnorm.Meter(RATE)
        gained = np.concatenate(excerpts).astype(np.float64) * 10 ** (g / 20)
        limited = np.concatenate([np.concatenate(list(Limiter(g, ceiling, RATE).process([e]))) for e in excerpts])
        return meter.integrated_loudness(gained) - meter.integrated_loudness(limited.astype(np.float64))

    metered = [metered_loss(g) for g in (gain_db, gain_db + 1)]
    reckoned = [predict.limiter_loss(excerpts, plain, g, ceiling, RATE) for g in (gain_db, gain_db + 1)]
    assert metered[0] > 0.3, "the limiter was to be busy"
    assert reckoned[1] - reckoned[0] == pytest.approx(metered[1] - metered[0], abs=0.02), (reckoned, metered)
    assert reckoned[0] == pytest.approx(metered[0], rel=0.01), (reckoned, metered)


@pytest.mark.parametrize("seconds", [3, 8])
def test_the_first_trials_and_the_plain_excerpts_measured_at_once_are_each_measured_apart(tmp_path: Path,
                                                                                           seconds: int) -> None:
    """predict.first_losses runs every format's first trial and the plain excerpts'
    meter at once, the plain excerpts inside the MP3's trial decode where they are
    short (9 s) and by an ffmpeg of their own where they are not (24 s): the same
    figures as each measured on its own (loss_at, measure_plain), MP3 at the
    programme's rate and Opus at 48 kHz, and the plain loudness pyloudnorm's."""
    from producer.core.episode.formats import FORMATS
    from producer.io.config import load_preset
    from producer.stages import predict

    preset = load_preset("podcast-stereo")
    wav = factory.speech_like(tmp_path / "v.wav", 4.0 + 3 * seconds, RATE, 2, level_db=8, seed=6, click_at=3.0)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(wav), "-f", "f32le", "-"], capture_output=True,
                         check=True).stdout
    x = np.frombuffer(raw, np.float32).reshape(-1, 2)
    excerpts = [x[i * RATE * 4: i * RATE * 4 + seconds * RATE].copy() for i in range(3)]
    assert (3 * seconds <= predict.MERGED_UP_TO_S) == (seconds == 3)
    ceilings = {"mp3": -1.5, "opus": -4.5}
    firsts, plain = predict.first_losses(excerpts, 6.0, ceilings, preset)
    apart = predict.measure_plain(excerpts, preset)
    assert np.array_equal(plain.weighted, apart.weighted) and np.array_equal(plain.energy, apart.energy)
    for fmt, ceiling in ceilings.items():
        assert firsts[fmt] == predict.loss_at(excerpts, apart, 6.0, ceiling, preset, FORMATS[fmt])
        assert firsts[fmt].limited and firsts[fmt].lu > 0
    assert firsts["mp3"] != firsts["opus"]
    assert loudness.gated(plain.weighted) == pytest.approx(factory.lufs_of(np.concatenate(excerpts), RATE), abs=0.05)


@pytest.mark.parametrize("recordings", [1, 2])
def test_the_music_read_by_the_analysis_is_the_music_read_on_its_own(tmp_path: Path, recordings: int) -> None:
    """A short episode's intro and outro are inputs of the analysis's ffmpeg (an output
    each: measure.music_branches): the same energies, in the same order, and the same
    decoded lengths as their own ffmpeg gives, and the recordings' features unchanged."""
    import io

    from producer.commands.build import prepare
    from producer.core.audio.leveler import LevelerSettings
    from producer.io.config import load_context
    from producer.io.progress import Progress
    from producer.stages import level, measure

    ep = factory.make_show(tmp_path / "show", seconds=12, chapters=[("00:00", "All", None)], recordings=recordings)
    a = prepare(load_context(ep))[0].assembly
    quiet = Progress(quiet=True, stream=io.StringIO())
    features, _, found = level.analyse_with(a, LevelerSettings(), quiet, measure.music_branches(a))
    assert found is not None
    together, alone = measure.music_from(a, found), measure.music(a)
    assert together.intro is not None and together.outro is not None
    assert np.array_equal(together.intro, alone.intro) and np.array_equal(together.outro, alone.outro)
    assert together.seconds == alone.seconds == {a.intro.path: 6.0, a.outro.path: 5.0}
    on_its_own, _ = level.analyse(a, LevelerSettings(), quiet)
    assert all(np.array_equal(x.energy, y.energy) and np.array_equal(x.voiced, y.voiced)
               for x, y in zip(features, on_its_own))
