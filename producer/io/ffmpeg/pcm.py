"""PCM out of ffmpeg: a source read in chunks over a pipe (and a second output on a pipe of its own), the decode and the arguments that make the stream."""
from __future__ import annotations

import os
import queue
import subprocess
import tempfile
import threading
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterator, Sequence, TypeVar

import numpy as np

from .pipes import close_quietly
from .probe import probe
from .tools import last_line, lower_priority, widen_pipe, tool
from ...errors import MediaError

CHUNK_SECONDS = 1.0  # small chunks keep the process small (vs 4 s: 45 MB less, ~3 % more CPU)
PREFETCH_CHUNKS = 3


# what makes a stdout a stream of samples: the one place it is written (PcmSource's)
F32LE_STDOUT = ("-f", "f32le", "pipe:1")


class PcmSource:
    """Runs ffmpeg with `args` (inputs, filters, maps: everything but the output) and
    reads its output, f32le PCM on stdout, in (frames, channels) chunks. The output's
    arguments are the source's own, with each side output's after them.
    With keep_log, ffmpeg logs at info level and `log` holds it once the stream ends
    (filters such as volumedetect report there)."""

    def __init__(self, args: Sequence[str], channels: int, sample_rate: int, what: Path | str,
                 chunk_seconds: float = CHUNK_SECONDS,
                 stdin_writer: Callable[[IO[bytes]], None] | None = None, keep_log: bool = False,
                 background: bool = False, sides: Sequence[SideOutput] = ()) -> None:
        """`sides`: second outputs that `args` write to (pcm_out's `side`)."""
        level = ["-v", "info", "-nostats"] if keep_log else ["-v", "error"]
        self.sides = list(sides)
        self.background = background
        self.args = [tool("ffmpeg"), "-hide_banner", *level, *args, *F32LE_STDOUT,
                     *(a for side in self.sides for a in side.output_args())]
        self.keep_log = keep_log
        self.log = ""
        if stdin_writer is None:
            self.args.insert(1, "-nostdin")
        self.stdin_writer = stdin_writer
        self.channels = channels
        self.sample_rate = sample_rate
        self.what = what
        self.chunk_frames = int(chunk_seconds * sample_rate)
        self.frames = 0
        self.stdin_error: BaseException | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def __iter__(self) -> Iterator[np.ndarray]:
        with tempfile.TemporaryFile() as err:
            stdin = subprocess.PIPE if self.stdin_writer else subprocess.DEVNULL
            try:
                proc = self._proc = subprocess.Popen(self.args, stdin=stdin, stdout=subprocess.PIPE, stderr=err,
                                                     pass_fds=[side.fd for side in self.sides])
            finally:
                for side in self.sides:
                    side.release()
            if self.background:  # after the start: a preexec_fn can deadlock a threaded parent's child
                lower_priority(proc.pid)
            assert proc.stdout is not None
            widen_pipe(proc.stdout)
            if proc.stdin is not None:
                widen_pipe(proc.stdin)
            writer_thread = None
            if self.stdin_writer:
                writer_thread = threading.Thread(target=self._write_stdin, args=(proc.stdin,), daemon=True)
                writer_thread.start()
            blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=PREFETCH_CHUNKS)
            # A reader thread keeps ffmpeg decoding while we compute on the previous chunk.
            reader = threading.Thread(target=self._pump, args=(proc.stdout, blocks), daemon=True)
            reader.start()
            try:
                while (block := blocks.get()) is not None:
                    yield self._chunk(block)
            finally:
                if proc.poll() is None:  # we stopped early: closing the pipe ends ffmpeg
                    proc.stdout.close()
                while reader.is_alive():  # unblock a reader waiting to put
                    try:
                        blocks.get(timeout=0.05)
                    except queue.Empty:
                        pass
                rc = proc.wait()
                proc.stdout.close()
                if writer_thread is not None:
                    writer_thread.join()
                err.seek(0)
                log = err.read().decode(errors="replace")
                self.log = log if self.keep_log else ""
            if self.stdin_error is not None:  # what went into ffmpeg failed: its output is not whole
                raise self.stdin_error
            if rc != 0:
                raise MediaError(f"{self.what}: ffmpeg could not decode it ({last_line(log)})")

    def stop(self) -> None:
        """End a decode whose reader gave up (its side outputs' readers then see the end
        of their streams), and let no side output wait for an ffmpeg that never started."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()  # gone when this returns, not dying (a loaded machine takes a moment)
        for side in self.sides:
            side.release()

    def _write_stdin(self, stdin: IO[bytes]) -> None:
        assert self.stdin_writer is not None
        try:
            self.stdin_writer(stdin)
        except BaseException as e:  # handed to the consumer once the stream ends
            self.stdin_error = e
            close_quietly(stdin)

    def _pump(self, pipe: IO[bytes], blocks: "queue.Queue[bytes | None]") -> None:
        try:
            for data in _whole_frames(pipe, self.channels, self.chunk_frames):
                blocks.put(data)
        except (OSError, ValueError):
            pass  # the consumer closed the pipe: it stopped early
        finally:
            blocks.put(None)

    def _chunk(self, data: bytes) -> np.ndarray:
        chunk = np.frombuffer(data, dtype=np.float32).reshape(-1, self.channels)
        self.frames += chunk.shape[0]
        return chunk


def _whole_frames(pipe: IO[bytes], channels: int, chunk_frames: int) -> Iterator[bytes]:
    """f32le from a pipe, `chunk_frames` at a time, in whole frames only (a part
    frame can come only at the very end)."""
    frame_bytes = 4 * channels
    while data := pipe.read(chunk_frames * frame_bytes):
        if usable := len(data) - len(data) % frame_bytes:
            yield data[:usable]


LAYOUTS = {1: "mono", 2: "stereo"}
_JOINED = {1: ("FL", "FR"), 2: ("FL", "FR", "BL", "BR")}  # the samples' channels, then the weighted copy's


def pcm_out(rate: int, channels: int, weighting: str, chain: str | None = None,
            side: tuple[str, SideOutput] | None = None) -> list[str]:
    """Output options: input 0's first audio stream (through `chain`, if given) as
    f32le at `rate` and `channels`, in one-second frames, each frame's copy through
    `weighting` (a filter chain: the meter's K-weighting) following as `channels`
    more channels, so that the meter reads both from one pipe. `side`: the same
    decoded stream through a chain of its own, into a second pipe."""
    start = "[0:a:0]" if side is None else f"[0:a:0]asplit=2[main][branch];[branch]{side[0]}[side];[main]"
    graph = f"{start}{metered_chain(rate, channels, weighting, chain)}[out]"
    # one filter thread: see metered_chain
    return ["-filter_complex_threads", "1", "-filter_complex", graph, "-map", "[out]"]


def pcm_out_each(rate: int, channels: int, weighting: str, chains: Sequence[str | None],
                 sides: Sequence[SideOutput]) -> list[str]:
    """pcm_out for several inputs of one ffmpeg: input k through chains[k] (None: none), into the
    PcmSource's own output for the first and into sides[k - 1] (channels and their
    K-weighted copy, `2 * channels` wide; labels "side1", "side2", ...) for the rest."""
    assert len(sides) == len(chains) - 1 and all(s.label == f"side{k}" for k, s in enumerate(sides, 1))
    graph = ";".join(f"[{k}:a:0]{metered_chain(rate, channels, weighting, chain, str(k) if k else '')}"
                     f"[{f'side{k}' if k else 'out'}]" for k, chain in enumerate(chains))
    return ["-filter_complex_threads", "1", "-filter_complex", graph, "-map", "[out]"]


def metered_chain(rate: int, channels: int, weighting: str, chain: str | None = None, tag: str = "") -> str:
    """The filter text after an input pad, up to its output pad: through `chain`,
    conformed, in one-second frames, joined with its copy through `weighting` (`tag`
    keeps its inner pads apart from another branch's). Whole seconds before the
    biquads, and one filter thread: on a decoder's 1152-sample frames their
    per-channel jobs cost four times the filtering (1.7 s of system time in 10
    minutes, against 0.2 s)."""
    conform = f"aformat=sample_fmts=flt:sample_rates={rate}:channel_layouts={LAYOUTS[channels]}"
    head = f"{chain},{conform}" if chain else conform
    names = _JOINED[channels]
    routes = "|".join(f"{i // channels}.{i % channels}-{name}" for i, name in enumerate(names))
    return (f"{head},{whole_seconds(rate)},asplit=2[raw{tag}][w{tag}];[w{tag}]{weighting}[k{tag}];"
            f"[raw{tag}][k{tag}]join=inputs=2:channel_layout={'quad' if channels == 2 else 'stereo'}:map={routes}")


class SideOutput:
    """A second f32le output of a PcmSource's ffmpeg on a pipe of its own, so that
    one decode feeds two consumers (a file's meter and its speech figures in
    check and measure, several recordings' analysis by one ffmpeg). Iterate it in a thread of
    its own while the source is iterated: ffmpeg writes the two in turn, so each
    consumer goes at the slower one's pace, and either one stopping ends both."""

    def __init__(self, channels: int, sample_rate: int, label: str = "side") -> None:
        """`label`: the filter graph's pad this output maps (pcm_out names it "side")."""
        self.channels, self.sample_rate, self.label = channels, sample_rate, label
        self.frames = 0
        self._read, self.fd = os.pipe()  # fd: the write end, ffmpeg's `pipe:fd`
        self.target = f"pipe:{self.fd}"

    def output_args(self) -> list[str]:
        return ["-map", f"[{self.label}]", "-f", "f32le", self.target]

    def release(self) -> None:
        """Our copy of the write end, closed once ffmpeg holds its own (or never
        will): the reader sees the end of the stream when ffmpeg's closes."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        """A build that failed before ffmpeg started or before the pipe was read
        leaves no descriptor open behind it."""
        self.release()
        if self._read >= 0:
            os.close(self._read)
            self._read = -1

    def __iter__(self) -> Iterator[np.ndarray]:
        read, self._read = self._read, -1  # the file object below owns it from here
        with os.fdopen(read, "rb") as pipe:
            widen_pipe(pipe)
            for data in _whole_frames(pipe, self.channels, int(CHUNK_SECONDS * self.sample_rate)):
                chunk = np.frombuffer(data, np.float32).reshape(-1, self.channels)
                self.frames += len(chunk)
                yield chunk


@dataclass(frozen=True)
class Branch:
    """One more input for an ffmpeg that decodes something else, through a chain of its
    own into a side output of its own, and the reader of that output: the intro and the
    outro measured by the analysis's ffmpeg (an ffmpeg's start costs 0.1 s of CPU)."""

    path: Path
    chain: str  # the filter text from the input's pad up to the side's (inner pads tagged apart)
    side: SideOutput
    read: Callable[[SideOutput], Any]


T = TypeVar("T")
U = TypeVar("U")


def read_with_sides(source: PcmSource, read: Callable[[PcmSource], T],
                    read_side: Sequence[Callable[[SideOutput], U]]) -> tuple[T, list[U]]:
    """The source read by `read` in this thread and each of its side outputs by its
    reader in a thread of its own, all at once (ffmpeg writes its outputs in turn: one
    read alone stalls it). Where a reader fails, ffmpeg is stopped, so that no other
    waits on a pipe nobody reads; a side reader's failure is the one raised."""
    def guarded(reader: Callable[[SideOutput], U], side: SideOutput) -> U:
        try:
            return reader(side)
        except BaseException:
            source.stop()
            raise

    with ThreadPoolExecutor(max(1, len(source.sides))) as pool:
        sides = [pool.submit(guarded, reader, side) for reader, side in zip(read_side, source.sides, strict=True)]
        try:
            main = read(source)
        except BaseException as e:
            source.stop()
            raise next((f for f in (s.exception() for s in sides) if f is not None), e) from None
        return main, [f.result() for f in sides]


def pcm_in(rate: int, channels: int) -> list[str]:
    """Input options for f32le PCM on stdin."""
    return ["-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0"]


def decode_args(path: Path, sample_rate: int, channels: int) -> list[str]:
    """Decode any file ffmpeg reads at the given rate and channel count (PcmSource's arguments)."""
    return ["-i", str(path), "-vn", "-map", "0:a:0", "-ac", str(channels), "-ar", str(sample_rate),
            "-af", whole_seconds(sample_rate)]


def whole_seconds(sample_rate: int) -> str:
    """One-second frames into a pipe: ffmpeg writes a frame at a time, and 1024- or
    1152-sample frames cost about a second of system time an hour; the last frame
    is not padded."""
    return f"asetnsamples=n={sample_rate}:p=0"


def decode(path: Path, sample_rate: int | None = None, channels: int | None = None,
           chunk_seconds: float = CHUNK_SECONDS) -> PcmSource:
    """Decode to the given rate and channels; ffprobe is asked only for what is not given."""
    if sample_rate is None or channels is None:
        info = probe(path)
        sample_rate, channels = sample_rate or info.sample_rate, channels or info.channels
    return PcmSource(decode_args(path, sample_rate, channels), channels, sample_rate, path, chunk_seconds)
