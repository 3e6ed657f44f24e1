"""core.audio.cleanup's hum detector on spectra built here: a voice's harmonic line is
not hum, a mains fundamental is."""
from __future__ import annotations

import numpy as np

from producer.core.audio.cleanup import SPECTRUM_HZ, hum_in


def spectrum(lines: dict[int, float]) -> np.ndarray:
    """A flat floor with lines `dB` above it at the given frequencies."""
    s = np.ones(SPECTRUM_HZ)
    for hz, db in lines.items():
        s[hz] = 10 ** (db / 10)
    return s


def test_a_voice_line_at_180_hz_is_not_hum() -> None:
    assert hum_in(spectrum({180: 12.0}), "auto") is None


def test_a_clear_fundamental_is_hum_and_its_first_three_are_notched() -> None:
    found = hum_in(spectrum({50: 17.0, 100: 5.0}), "auto")
    assert found is not None and found.base_hz == 50 and found.harmonics == (1, 2, 3)


def test_a_weaker_fundamental_needs_a_second_harmonic() -> None:
    assert hum_in(spectrum({60: 12.0}), "auto") is None
    found = hum_in(spectrum({60: 12.0, 240: 11.0}), "auto")
    assert found is not None and found.base_hz == 60 and found.harmonics == (1, 2, 3, 4)


def test_dehum_off_finds_nothing() -> None:
    assert hum_in(spectrum({50: 30.0, 100: 30.0}), "off") is None
