"""The ffmpeg edge: streaming, early stops, failures."""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from producer.core.episode.models import Preset
from producer.io import ffmpeg as media
from producer.errors import MediaError
from tests import factory

STEREO = Preset("t", -16, -1, 0.5, 128, 44100, 2)


def test_decode_streams_in_chunks_with_exact_length(tmp_path: Path) -> None:
    wav = factory.music_like(tmp_path / "m.wav", 9.5, 48000, 2)
    source = media.decode(wav, 44100, 1, chunk_seconds=2.0)
    sizes = [len(c) for c in source]
    assert sizes[:-1] == [88200] * (len(sizes) - 1) and sum(sizes) == round(9.5 * 44100)
    assert source.frames == sum(sizes)


def ffmpeg_children() -> list[int]:
    """Our own ffmpeg children, from /proc (not from the code under test)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1: stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name == "ffmpeg" and int(rest[1]) == os.getpid() and rest[0] != "Z":
            found.append(int(entry))
    return found


def test_stopping_early_ends_ffmpeg_without_an_error(tmp_path: Path) -> None:
    wav = factory.music_like(tmp_path / "m.wav", 60, 44100, 2)
    started = time.monotonic()
    chunks = iter(media.decode(wav, chunk_seconds=0.5))
    next(chunks)
    assert ffmpeg_children(), "the decode is running (60 s do not fit in the pipe and the prefetch)"
    chunks.close()  # what a `break` out of the loop does
    assert not ffmpeg_children(), "ffmpeg is still running after the reader stopped"
    assert time.monotonic() - started < 5


def test_undecodable_audio_is_a_media_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + bytes(range(256)) * 20)
    with pytest.raises(MediaError, match="bad.flac"):
        list(media.decode(bad, 44100, 2))


def test_encoder_writes_a_file_whose_decode_has_the_same_length(tmp_path: Path) -> None:
    out = tmp_path / "o.mp3"
    enc = media.Mp3Encoder(out, STEREO)
    for _ in range(5):
        enc.write(np.zeros((44100, 2), np.float32) + 0.01)
    enc.close()
    assert factory.decoded_frames(out) == 5 * 44100


def test_encoder_abort_leaves_no_running_process(tmp_path: Path) -> None:
    enc = media.Mp3Encoder(tmp_path / "o.mp3", STEREO)
    enc.write(np.zeros((44100, 2), np.float32))
    enc.abort()
    assert enc.proc.poll() is not None


# (name, ffmpeg output options, what the header reader does with it: "reads" or "ffprobe")
HEADERS = [
    ("s16-mono.wav", ["-ar", "44100", "-ac", "1", "-c:a", "pcm_s16le"], "reads"),
    ("s16-stereo-odd-length.wav", ["-ar", "22050", "-ac", "2", "-c:a", "pcm_s16le", "-t", "3.3333"], "reads"),
    ("u8.wav", ["-ar", "8000", "-ac", "1", "-c:a", "pcm_u8"], "reads"),
    ("s24-extensible.wav", ["-ar", "48000", "-ac", "2", "-c:a", "pcm_s24le"], "ffprobe"),  # as ffmpeg writes it
    ("tagged.wav", ["-ar", "44100", "-ac", "1", "-c:a", "pcm_s16le", "-metadata", "title=x" * 3], "reads"),
    ("float.wav", ["-ar", "44100", "-ac", "1", "-c:a", "pcm_f32le"], "ffprobe"),
    ("extensible.wav", ["-ar", "48000", "-ac", "3", "-c:a", "pcm_s16le"], "ffprobe"),
    ("mono.flac", ["-ar", "16000", "-ac", "1"], "reads"),
    ("stereo.flac", ["-ar", "44100", "-ac", "2", "-t", "2.71"], "reads"),
    ("speech.mp3", ["-ar", "44100", "-ac", "1"], "ffprobe"),
]


@pytest.mark.parametrize("name,options,expected", HEADERS, ids=[h[0] for h in HEADERS])
def test_a_header_read_says_what_ffprobe_says_or_leaves_it_to_ffprobe(tmp_path: Path, name: str, options: list,
                                                                      expected: str) -> None:
    from producer.io import audio_headers

    path = tmp_path / name
    factory.ffmpeg("-f", "lavfi", "-i", "sine=f=330:d=5:r=48000", *options, str(path))
    read = audio_headers.read(path)
    assert ("reads" if read else "ffprobe") == expected
    if read:
        said = factory.ffprobe(path, "stream=codec_name,sample_rate,channels,duration:format=format_name")
        s = said["streams"][0]
        assert (read.duration, read.sample_rate, read.channels, read.codec, read.container) == \
            (float(s["duration"]), int(s["sample_rate"]), int(s["channels"]), s["codec_name"],
             said["format"]["format_name"])


@pytest.mark.parametrize("width", [3, 4])
def test_plain_pcm_of_24_and_32_bits_is_read_from_its_header(tmp_path: Path, width: int) -> None:
    import wave

    from producer.io import audio_headers

    path = tmp_path / f"w{width}.wav"
    with wave.open(str(path), "wb") as w:  # WAVE_FORMAT_PCM, as many recorders write it
        w.setnchannels(2)
        w.setsampwidth(width)
        w.setframerate(32000)
        w.writeframes(bytes(2 * width * 33333))
    read = audio_headers.read(path)
    s = factory.ffprobe(path, "stream=codec_name,sample_rate,channels,duration")["streams"][0]
    assert read is not None and (read.duration, read.sample_rate, read.channels, read.codec) == \
        (float(s["duration"]), int(s["sample_rate"]), int(s["channels"]), s["codec_name"])


def test_a_wav_whose_length_was_never_written_is_left_to_ffprobe(tmp_path: Path) -> None:
    """A recorder stopped before it wrote the data chunk's length (0 or past the end)."""
    from producer.io import audio_headers

    path = factory.write_wav(tmp_path / "cut.wav", np.zeros(44100, np.float32), 44100)
    data = bytearray(path.read_bytes())
    at = data.index(b"data") + 4
    for length in (0, 0xFFFFFFFF, len(data)):
        data[at:at + 4] = length.to_bytes(4, "little")
        path.write_bytes(bytes(data))
        assert audio_headers.read(path) is None
        assert media.probe(path).sample_rate == 44100  # ffprobe's answer
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    assert audio_headers.read(path) is None
    with pytest.raises(MediaError):
        media.probe(path)


class Gave(Exception):
    pass


def _sine_with_side() -> media.PcmSource:
    """Ten minutes of a tone on stdout and again on a side output: far more than the pipes hold."""
    side = media.SideOutput(1, 16000, "side")
    return media.PcmSource(["-f", "lavfi", "-i", "sine=f=440:d=600:r=16000", "-filter_complex",
                            "[0:a:0]asplit=2[out][side]", "-map", "[out]"], 1, 16000, "a tone", sides=[side])


def _gives_up(stream) -> int:  # type: ignore[no-untyped-def]
    chunks = iter(stream)  # held by the frame the error's traceback keeps: the stream stays open
    next(chunks)
    raise Gave("stopped reading")


def _reads_all(stream) -> int:  # type: ignore[no-untyped-def]
    return sum(len(chunk) for chunk in stream)


@pytest.mark.parametrize("main,side", [(_reads_all, _gives_up), (_gives_up, _reads_all)], ids=["side", "main"])
def test_a_reader_that_gives_up_stops_the_decode_and_its_error_is_raised(main, side) -> None:  # type: ignore[no-untyped-def]
    """ffmpeg writes its outputs in turn: a reader that stops would leave the other
    waiting on a pipe nobody reads. read_with_sides stops ffmpeg and raises the reader's error."""
    import threading

    source = _sine_with_side()
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            media.read_with_sides(source, main, [side])
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 - what the call raised is the finding
            outcome.append(e)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the other reader waited on a pipe nobody read"
    assert isinstance(outcome[0], Gave), outcome
    assert ffmpeg_children() == []


@pytest.mark.parametrize("codec,channels", [("pcm_s24le", 2), ("pcm_u8", 1), ("pcm_s32le", 3), ("pcm_s16le", 2)])
def test_a_wav_read_in_big_packets_decodes_to_the_samples_ffmpeg_gives_by_default(tmp_path: Path, codec: str,
                                                                                  channels: int) -> None:
    """core.episode.plan.read_args: 64-kB packets, whatever the frame size (6, 1, 12, 4 bytes)."""
    import subprocess

    from producer.core.episode.plan import read_args

    path = tmp_path / "in.wav"
    factory.ffmpeg("-f", "lavfi", "-i", "anoisesrc=d=7.3:r=48000:a=0.3:s=4", "-ac", str(channels), "-c:a", codec,
                   str(path))
    info = media.probe(path)
    options = read_args(info)
    assert "-max_size" in options  # the packets are the big ones
    for span in ([], ["-ss", "2.345", "-t", "3.1"]):
        ours = subprocess.run(["ffmpeg", "-v", "error", *span, *options, "-f", "f32le", "-"],
                              capture_output=True, check=True).stdout
        plain = subprocess.run(["ffmpeg", "-v", "error", *span, "-i", str(path), "-f", "f32le", "-"],
                               capture_output=True, check=True).stdout
        assert len(plain) > 100_000 and ours == plain
