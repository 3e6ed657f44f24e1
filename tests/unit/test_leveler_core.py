"""The leveling maths on made-up block features: no audio, no ffmpeg."""
from __future__ import annotations

import numpy as np
import pytest

from producer.core.audio import leveler, speech
from producer.core.audio.leveler import LevelerSettings, TrackFeatures, plan_tracks

S = LevelerSettings()
BPS = 10  # blocks a second


def energy(lufs: float) -> float:
    return 10 ** ((lufs + 0.691) / 10)


def track(segments: list[tuple[float, float, float]], seconds: float, floor: float = -75.0) -> TrackFeatures:
    """(start s, end s, speech LUFS) segments of voiced speech over a noise floor."""
    n = int(seconds * BPS)
    e = np.full(n, energy(floor))
    v = np.zeros(n)
    for a, b, level in segments:
        e[int(a * BPS):int(b * BPS)] = energy(level)
        v[int(a * BPS):int(b * BPS)] = 1.0
    return TrackFeatures(e, v)


def at(plan: leveler.TrackPlan, a: float, b: float) -> np.ndarray:
    return plan.gains_db[int(a * BPS):int(b * BPS)]


def test_two_tracks_12_db_apart_are_brought_together() -> None:
    host = track([(0, 10, -18), (20, 30, -18)], 40)
    guest = track([(10, 20, -30), (30, 40, -30)], 40)
    h, g = plan_tracks([host, guest], "tracks", S)
    assert h.balance_db == pytest.approx(-6) and g.balance_db == pytest.approx(6)
    assert np.allclose(at(h, 2, 8), -6) and np.allclose(at(g, 12, 18), 6)


def test_a_track_is_gated_while_the_other_speaks_and_eases_back_in_pauses() -> None:
    host = track([(0, 10, -18), (20, 30, -18)], 40)
    guest = track([(10, 15, -30)], 40)
    h, g = plan_tracks([host, guest], "tracks", S)
    pause = leveler.pause_gain([host, guest], [h.active, g.active], [np.full(400, h.balance_db),
                                                                    np.full(400, g.balance_db)])
    assert np.all(at(g, 3, 8) <= min(g.balance_db, pause) - S.gate_depth_db + 1e-9)  # under the host
    assert np.allclose(at(g, 16.5, 18.5), pause) and np.allclose(at(h, 16.5, 18.5), pause)  # nobody talks
    assert g.gated[50] and not g.gated[120] and not g.gated[170]


def test_bleed_of_the_other_voice_is_not_speech() -> None:
    host = track([(0, 10, -18)], 20)
    guest = track([(10, 20, -30)], 20)
    guest.energy[:100] = energy(-40)  # the host, 22 dB down, in the guest's microphone
    guest.voiced[:100] = 1.0  # and the guest's voice detector hears it
    h, g = plan_tracks([host, guest], "tracks", S)
    assert not g.active[:100].any() and g.active[100:195].all()
    assert g.speech_lufs == pytest.approx(-30, abs=0.01)


def test_adaptive_rides_two_voices_on_one_track_within_range() -> None:
    one = track([(0, 10, -20), (11, 21, -30), (22, 32, -20)], 33)
    (p,) = plan_tracks([one], "adaptive", S)
    loud, quiet = at(p, 3, 8).mean(), at(p, 14, 18).mean()
    assert quiet - loud == pytest.approx(10, abs=0.5)
    wide = track([(0, 10, -10), (11, 21, -40)], 22)
    (q,) = plan_tracks([wide], "adaptive", S)
    assert q.gains_db.max() - q.gains_db.min() <= 2 * S.range_db + 1e-9


def test_the_gain_never_moves_faster_than_the_slew_limit() -> None:
    one = track([(0, 5, -20), (5.5, 10, -32), (12, 20, -20)], 21)
    (p,) = plan_tracks([one], "adaptive", S)
    assert np.abs(np.diff(p.gains_db)).max() <= S.slew_db_per_s / BPS + 1e-9


def test_a_steady_voice_is_left_alone() -> None:
    one = track([(0, 30, -22)], 30)
    (p,) = plan_tracks([one], "adaptive", S)
    assert np.allclose(p.gains_db, 0, atol=1e-9)


def test_off_is_flat_and_tracks_on_one_recording_is_off() -> None:
    from producer.core.episode.plan import leveler_mode

    (p,) = plan_tracks([track([(0, 5, -20)], 10)], "off", S)
    assert not p.gains_db.any()
    assert leveler_mode("tracks", 1) == "off" and leveler_mode("tracks", 2) == "tracks"
    assert leveler_mode("adaptive", 1) == "adaptive"


def test_gains_are_interpolated_per_sample_between_block_centres() -> None:
    g = leveler.gains_at(np.array([0.0, 6.0]), 0, 8, 40)  # blocks of 4 samples at 40 Hz
    assert g[2] == pytest.approx(1.0) and g[6] == pytest.approx(10 ** (6 / 20))
    assert 1.0 < g[4] < 10 ** (6 / 20)


def test_slew_limit_reaches_speech_before_it_starts() -> None:
    target = np.array([0.0] * 10 + [6.0] * 5)
    anchors = np.array([False] * 10 + [True] * 5)
    out = leveler.slew_limit(target, anchors, 2.0)
    assert out[10] == pytest.approx(6.0) and out[7] < 6.0 and out[0] == pytest.approx(0.0)


def test_spread_of_speech_loudness() -> None:
    """core.audio.speech.balance on the leveler's own-speech map: turns 12 LU apart spread 12."""
    steady = track([(0, 30, -20)], 30)
    apart = track([(0, 15, -18), (15.5, 30, -30)], 30)
    for t, low, high in ((steady, 0, 1), (apart, 10, 14)):
        own = leveler.own_speech([t], S)
        assert low <= speech.balance(t.energy, own, leveler.BLOCK_S).spread_lu < high


@pytest.mark.parametrize("seconds", [0.5, 2.0, 3.0, 3.1])
def test_an_episode_shorter_than_the_ride_window_is_planned(seconds: float) -> None:
    """A trailer of a few seconds: the adaptive ride's window is longer than the
    episode; the curves are still one value a block (was a numpy shape error)."""
    voice = track([(0, seconds, -20)], seconds)
    (plan,) = plan_tracks([voice], "adaptive", S)
    assert len(plan.gains_db) == int(seconds * BPS) and np.all(np.isfinite(plan.gains_db))
    # the yardstick: a steady voice is at the common level, so the ride leaves it where it is
    assert np.allclose(plan.gains_db[plan.active], 0.0, atol=0.5)
