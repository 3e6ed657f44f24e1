"""core.audio.cuts on plain data: how times move, and the splice's length and joins,
against arithmetic written here."""
from __future__ import annotations

import numpy as np
import pytest

from producer.core.chapters.chapters import Chapter
from producer.core.audio.cuts import Cut, move_ms, moved_chapters, pause_cuts, splice
from producer.errors import InputError

CUTS = [Cut(10_000, 15_000, "manual"), Cut(30_000, 31_000, "pause")]


def test_times_move_by_what_was_cut_before_them() -> None:
    assert [move_ms(t, CUTS) for t in (0, 9_999, 10_000, 12_000, 15_000, 20_000, 30_500, 40_000)] == \
        [0, 9_999, 10_000, 10_000, 10_000, 15_000, 25_000, 34_000]


def test_two_chapters_landing_on_one_instant_name_both() -> None:
    chapters = [Chapter(0, "A"), Chapter(11_000, "Inside"), Chapter(15_000, "After")]
    with pytest.raises(InputError, match=r'chapters\[1\] "Inside" and chapters\[2\] "After"'):
        moved_chapters(chapters, CUTS, "episode.toml")


def sine(frames: int, hz: float, rate: int = 1000) -> np.ndarray:
    return np.sin(2 * np.pi * hz * np.arange(frames) / rate).astype(np.float32)[:, None]


@pytest.mark.parametrize("chunk", [7, 100, 1000, 5000])
def test_the_splice_removes_exactly_the_cut_in_any_chunking(chunk: int) -> None:
    x = np.arange(5000, dtype=np.float32)[:, None]
    out = np.concatenate(list(splice((x[i: i + chunk] for i in range(0, len(x), chunk)), [(1000, 1500), (3000, 3100)],
                                     20)))
    assert len(out) == 5000 - 500 - 100
    assert np.array_equal(out[:990], x[:990]) and np.array_equal(out[-1890:], x[-1890:])  # untouched away from joins


def test_a_join_does_not_jump() -> None:
    """A cut at a phase where a plain splice jumps by nearly the full swing: the
    crossfade's largest step stays near the sine's own."""
    x = sine(4000, 5.0)
    out = np.concatenate(list(splice(iter([x]), [(1000, 1550)], 20)))
    natural = np.abs(np.diff(x[:, 0])).max()
    assert np.abs(np.diff(out[980:1020, 0])).max() <= 2.0 * natural


def test_a_pause_is_cut_to_what_is_kept_with_its_edges_from_the_fine_level() -> None:
    speech = np.array([1] * 10 + [0] * 50 + [1] * 10, bool)  # 100 ms blocks: a 5 s pause
    fine = np.full(700, 1e-8)
    fine[:103] = 1.0  # the speech really ends 30 ms into the first silent block
    fine[595:] = 1.0  # and starts 50 ms before the block edge
    cuts = pause_cuts(speech, 100, 0, 2.0, 0.8, 0, 7000, fine)
    assert cuts == [Cut(1030 + 400, 5950 - 400, "pause")]
