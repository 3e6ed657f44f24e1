"""The speech map's pure half (core.audio.speech): Silero's hysteresis, the blocks' voiced
share, the balance of turns, and the map carried past the cuts; tables."""
from __future__ import annotations

import numpy as np
import pytest

from producer.core.audio import speech
from producer.core.audio.cuts import Cut, moved


@pytest.mark.parametrize("probs, want", [
    ([0.1, 0.6, 0.4, 0.3, 0.6], [0, 1, 1, 0, 1]),  # 0.4 holds speech (over 0.35), 0.3 ends it
    ([0.4, 0.4, 0.5, 0.36, 0.34], [0, 0, 1, 1, 0]),  # 0.4 does not start it
    ([], []),
])
def test_silero_hysteresis(probs: list[float], want: list[int]) -> None:
    assert speech.speech_windows(np.array(probs)).astype(int).tolist() == want


def test_block_shares_count_the_samples_inside_speech_windows() -> None:
    flags = np.array([1, 0, 1, 1], bool)  # windows of 4 samples: 16 samples in all
    shares = speech.block_shares(flags, 6, 3, window=4)  # blocks of 6 samples: [0,6) [6,12) [12,18)
    assert shares.tolist() == pytest.approx([4 / 6, 4 / 6, 4 / 6])


def test_balance_is_the_weighted_spread_of_the_turns_and_the_gap_of_the_speakers() -> None:
    block = 0.1
    loud, quiet = 10 ** ((-20 + 0.691) / 10), 10 ** ((-29 + 0.691) / 10)
    energy, a, b = [], [], []
    for k in range(10):  # turns of 3 s, 1 s apart, alternating speakers 9 dB apart
        e = loud if k % 2 == 0 else quiet
        energy += [e] * 30 + [1e-9] * 10
        a += [k % 2 == 0] * 30 + [False] * 10
        b += [k % 2 == 1] * 30 + [False] * 10
    bal = speech.balance(np.array(energy), [np.array(a), np.array(b)], block)
    assert bal.turns == 10
    assert bal.spread_lu == pytest.approx(9.0, abs=0.01)
    assert bal.gap_lu == pytest.approx(9.0, abs=0.01)
    # a pause under 0.3 s does not split a turn; a turn under 1.5 s is left out
    short = np.array([True] * 10 + [False] * 2 + [True] * 5 + [False] * 5 + [True] * 14)
    found = speech.turns(np.ones(len(short)), [short], block)
    assert [(t.start, t.end) for t in found] == [(0, 17)]


@pytest.mark.parametrize("cuts", [[], [(1000, 1500)], [(1000, 1500), (4000, 9000), (12000, 12040)]])
def test_the_episode_map_undoes_the_cuts(cuts: list[tuple[int, int]]) -> None:
    cut_list = [Cut(a, b, "pause") for a, b in cuts]
    t = np.arange(0, 20000, 37.0)
    back = speech._unmoved(moved(t, cut_list), cuts)
    outside = np.array([all(not (a <= x < b) for a, b in cuts) for x in t])
    assert np.allclose(back[outside], t[outside])
