"""Every shipped preset, and LAME's VBR mode, built once and measured by ffmpeg's
own ebur128 and ffprobe: target, ceiling, rate, channels, bitrate and mode."""
from __future__ import annotations

from pathlib import Path

import pytest

from producer.io.config import load_preset, packaged_presets
from tests import factory
from tests.conftest import run_producer

VBR_PRESET = """\
[loudness]
integrated = -18.0
true_peak = -1.5
tolerance = 0.5

[encoding]
format = "mp3"
bitrate = 96
mode = "vbr"
sample_rate = 48000
channels = 2
"""


def xing_tag(mp3: Path) -> bytes:
    """LAME marks a VBR file "Xing" and a CBR file "Info" in its first frame."""
    data = mp3.read_bytes()
    start = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10])) if data[:3] == b"ID3" else 0
    frame = data[start: start + 200]
    return next((tag for tag in (b"Xing", b"Info") if tag in frame), b"")


def build_with(tmp_path: Path, preset: str) -> tuple[Path, Path]:
    ep = factory.make_show(tmp_path / "show", seconds=10, chapters=[("00:00", "A", None), ("00:08", "B", None)],
                           recordings=1)
    (ep.parent / "presets").mkdir()
    (ep.parent / "presets" / "vbr-test.toml").write_text(VBR_PRESET, encoding="utf-8")
    r = run_producer("build", str(ep), "--quiet", "--preset", preset)
    assert r.code == 0, r.err
    return ep, ep / "dist" / "ep7.mp3"


@pytest.mark.parametrize("name", ["podcast-mono", "ebu-r128", "spotify", "podcast-stereo", "vbr-test"])
def test_each_preset_builds_to_its_target_by_ffmpegs_meter(tmp_path: Path, name: str) -> None:
    ep, mp3 = build_with(tmp_path, name)
    preset = load_preset(name, ep.parent)
    m = factory.ebur128(mp3)
    assert abs(m.integrated - preset.integrated) <= 0.3, (name, m)  # we aim at 0.2 by our meter
    assert m.true_peak <= preset.true_peak, (name, m)
    streams = factory.ffprobe(mp3, "stream=codec_type,codec_name,sample_rate,channels,bit_rate")["streams"]
    (stream,) = [s for s in streams if s["codec_type"] == "audio"]
    assert stream["codec_name"] == "mp3"
    assert int(stream["sample_rate"]) == preset.sample_rate and stream["channels"] == preset.channels
    if preset.mode == "cbr":
        assert int(stream["bit_rate"]) == preset.bitrate_kbps * 1000
        assert xing_tag(mp3) == b"Info"
    else:
        assert xing_tag(mp3) == b"Xing"
    check = run_producer("check", str(mp3), "--episode", str(ep), "--preset", name)
    assert check.code == 0, check.out


def test_the_shipped_presets_are_the_four_documented() -> None:
    assert packaged_presets() == ["ebu-r128", "podcast-mono", "podcast-stereo", "spotify"]
