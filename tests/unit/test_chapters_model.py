"""Pure chapter rules and the plan's filter graph."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from producer.core.chapters import chapters as chap
from producer.core.chapters import timecode
from producer.errors import InputError
from producer.core.episode.models import AudioInfo
from producer.core.episode.plan import Assembly, filter_graph
from producer.errors import TimeError


@pytest.mark.parametrize("text,ms", [("0", 0), ("59", 59000), ("75", 75000), ("01:12", 72000),
                                     ("1:02:03", 3723000), ("00:00:05.25", 5250), ("03:09.007", 189007),
                                     (12.5, 12500), (3, 3000)])
def test_parse_time(text: str | float, ms: int) -> None:
    assert timecode.parse_time(text) == ms


@pytest.mark.parametrize("text", ["2:7x", "", "1:60", "-3", "01:02:03:04", "1.2.3", "ab", True])
def test_parse_time_rejects(text: object) -> None:
    with pytest.raises(TimeError):
        timecode.parse_time(text)


@given(st.integers(min_value=0, max_value=100 * 3600 * 1000))
def test_format_then_parse_is_lossless(ms: int) -> None:
    assert timecode.parse_time(timecode.format_time(ms)) == ms


def test_validate_names_the_field() -> None:
    with pytest.raises(InputError, match=r"ep.toml: chapters\[2\]\.start: 00:00:05 is not after"):
        chap.validate([chap.Chapter(0, "a"), chap.Chapter(5000, "b"), chap.Chapter(5000, "c")], "ep.toml")


def test_filter_graph_mixes_conforms_and_crossfades() -> None:
    info = lambda name, ch, rate, d: AudioInfo(Path(name), d, rate, ch, "pcm")  # noqa: E731
    a = Assembly(info("intro.flac", 2, 48000, 6), (info("host.wav", 1, 44100, 60), info("guest.wav", 2, 16000, 59)),
                 info("outro.wav", 1, 22050, 5), 2.0, 0.0, 44100, 2)
    args, graph = filter_graph(a)
    assert args == ["-i", "intro.flac", "-i", "host.wav", "-i", "guest.wav", "-i", "outro.wav"]
    # a mono voice is resampled once, then the same samples go to both ears
    assert "[1:a:0]aresample=44100:resampler=soxr,aformat=sample_fmts=flt:channel_layouts=mono," \
           "pan=stereo|c0=c0|c1=c0,aformat=sample_fmts=flt:channel_layouts=stereo[in1]" in graph
    assert "[in1][in2]amix=inputs=2:normalize=0:duration=longest" in graph
    assert "[in0][prog]acrossfade=d=2.000000:c1=qsin:c2=nofade[withintro]" in graph
    assert "[withintro][in3]concat=n=2:v=0:a=1[withoutro]" in graph
    assert a.expected_seconds == 6 - 2 + 60 + 5
    # leveled, the mono voice is multiplied by its curve in mono and spread after; the stereo guest in stereo
    _, leveled = filter_graph(a, [Path("g0.f32"), Path("g1.f32")])
    assert "[1:a:0]aresample=44100:resampler=soxr,aformat=sample_fmts=flt:channel_layouts=mono[in1]" in leveled
    assert "[sin1][gin1]amultiply,pan=stereo|c0=c0|c1=c0,aformat=sample_fmts=flt:channel_layouts=stereo[lvin1]" \
        in leveled
    assert "pan=stereo|c0=c0|c1=c0,aformat=sample_fmts=flt:channel_layouts=stereo[gin2]" in leveled
    assert "[sin2][gin2]amultiply[lvin2]" in leveled
