"""The one place that runs ffmpeg and ffprobe.

Audio moves between ffmpeg and Python as raw 32-bit float PCM over pipes, in
chunks, so no stage ever holds a whole episode. ffmpeg's failures become
MediaError (bad input, exit 2); a missing ffmpeg is EnvironmentFailure (exit 3).
"""
from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Sequence

import numpy as np

from ..core.episode.formats import FORMATS, output_args
from ..core.episode.models import AudioInfo, Preset
from ..errors import EnvironmentFailure, MediaError

CHUNK_SECONDS = 1.0  # small chunks keep the process small (vs 4 s: 45 MB less, ~3 % more CPU)
PREFETCH_CHUNKS = 3
PIPE_BYTES = 1 << 20


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise EnvironmentFailure(
            f"{name} is not installed or not on PATH; install it (Debian: apt-get install ffmpeg)")
    return found


def probe(path: Path) -> AudioInfo:
    """Duration, rate and channels of the first audio stream, or a MediaError."""
    if not path.is_file():
        raise MediaError(f"{path}: no such file")
    cmd = [tool("ffprobe"), "-v", "error", "-select_streams", "a:0",
           "-show_entries", "stream=codec_name,sample_rate,channels,duration:format=duration",
           "-of", "json", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise MediaError(f"{path}: not readable audio ({_last_line(result.stderr)})")
    data = json.loads(result.stdout or "{}")
    streams = data.get("streams") or []
    if not streams:
        raise MediaError(f"{path}: holds no audio stream")
    s = streams[0]
    duration = s.get("duration") or data.get("format", {}).get("duration")
    try:
        return AudioInfo(path, float(duration), int(s["sample_rate"]), int(s["channels"]),
                         s.get("codec_name", "?"))
    except (TypeError, KeyError, ValueError):
        raise MediaError(f"{path}: not readable audio (no duration, rate or channel count)") from None


def probe_json(path: Path, entries: str) -> dict:
    """ffprobe's JSON for `-show_entries entries` (chapters, format tags...)."""
    cmd = [tool("ffprobe"), "-v", "error", "-show_entries", entries, "-of", "json", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise MediaError(f"{path}: not readable ({_last_line(result.stderr)})")
    return json.loads(result.stdout or "{}")


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and not ln.startswith(_STATS_PREFIX)]
    return lines[-1] if lines else "ffmpeg gave no reason"


_STATS_PREFIX = "[Parsed_volumedetect"


def volumedetect_figures(log: str) -> dict[str, float]:
    """What volumedetect logs when its graph closes ("max_volume: -0.3 dB",
    "histogram_0db: 12"); the last report wins (ffmpeg may open a graph twice)."""
    figures: dict[str, float] = {}
    for line in log.splitlines():
        if line.startswith(_STATS_PREFIX) and ":" in line:
            name, _, value = line.split("] ", 1)[1].partition(":")
            try:
                figures[name.strip()] = float(value.split()[0])
            except (ValueError, IndexError):
                pass
    return figures


class PcmSource:
    """Runs an ffmpeg command whose stdout is f32le PCM; iterate for (frames, channels) chunks.
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
        self.args = [tool("ffmpeg"), "-hide_banner", *level, *args]
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

    def __iter__(self) -> Iterator[np.ndarray]:
        with tempfile.TemporaryFile() as err:
            stdin = subprocess.PIPE if self.stdin_writer else subprocess.DEVNULL
            try:
                proc = subprocess.Popen(self.args, stdin=stdin, stdout=subprocess.PIPE, stderr=err,
                                        pass_fds=[side.fd for side in self.sides])
            finally:
                for side in self.sides:
                    side.release()
            if self.background:  # after the start: a preexec_fn can deadlock a threaded parent's child
                _lower_priority(proc.pid)
            assert proc.stdout is not None
            _widen_pipe(proc.stdout)
            if proc.stdin is not None:
                _widen_pipe(proc.stdin)
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
                raise MediaError(f"{self.what}: ffmpeg could not decode it ({_last_line(log)})")

    def _write_stdin(self, stdin: IO[bytes]) -> None:
        assert self.stdin_writer is not None
        try:
            self.stdin_writer(stdin)
        except BaseException as e:  # handed to the consumer once the stream ends
            self.stdin_error = e
            _close_quietly(stdin)

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


BACKGROUND_NICE = 10


def _lower_priority(pid: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICE)
    except OSError:  # gone already, or not ours to change
        pass


def background_thread() -> None:
    """The calling thread (and the processes it starts) yield a shared core to LAME,
    whose speed is the render's: Linux sets a niceness a thread (its tid)."""
    _lower_priority(threading.get_native_id())


def _widen_pipe(pipe: IO[bytes]) -> None:
    """A 1 MB pipe instead of 64 kB lets each side run ahead of the other."""
    try:
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:
        pass


def mp3_frame_bytes(header: bytes) -> int:
    """Length of the MPEG audio Layer III frame that starts with these 4 bytes."""
    b = int.from_bytes(header[:4], "big")
    if b >> 21 != 0x7FF or (b >> 17) & 3 != 1:
        raise MediaError("not an MPEG Layer III frame header")
    version = (b >> 19) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    kbps_table = ([0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] if version == 3
                  else [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160])
    rate = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}[version][(b >> 10) & 3]
    kbps = kbps_table[(b >> 12) & 0xF]
    return (144000 if version == 3 else 72000) * kbps // rate + ((b >> 9) & 1)


def follow(path: Path, finished: Callable[[], bool], poll: float = 0.02) -> Callable[[IO[bytes]], None]:
    """A stdin writer that copies an MP3 into a pipe while the encoder is still writing it,
    and closes the pipe once the encoder has finished and all is copied. The
    first frame is left out: it is the Xing/LAME header frame, which the encoder
    rewrites when it finishes, and it holds no audio."""

    def write(pipe: IO[bytes]) -> None:
        try:
            with _open_when_written(path, 4, finished, poll) as f:
                f.seek(mp3_frame_bytes(f.read(4)))
                while True:
                    data = f.read(1 << 20)
                    if data:
                        pipe.write(data)
                    elif finished():
                        if not (rest := f.read()):
                            break
                        pipe.write(rest)
                    else:
                        time.sleep(poll)
        except (OSError, ValueError, MediaError):
            pass  # the reader went away, or no MP3 came: the reader reports it
        finally:
            _close_quietly(pipe)

    return write


def relay(stream: IO[bytes], copy_to: Path | None) -> Callable[[IO[bytes]], None]:
    """A stdin writer that passes an encoder's stdout on to a decoder, and into `copy_to`
    when that stream is the file itself. The stream is read to its end whatever
    fails, so the encoder never blocks on a full pipe; a failure to write the
    file is raised then (the decoder reports its own)."""

    def write(pipe: IO[bytes]) -> None:
        failure: BaseException | None = None
        sinks: list[IO[bytes]] = [pipe]
        file: IO[bytes] | None = None
        if copy_to is not None:
            try:
                file = copy_to.open("wb")
                sinks.append(file)
            except OSError as e:
                failure = _file_failure(copy_to, e)
        while data := stream.read(1 << 16):
            for sink in list(sinks):
                try:
                    sink.write(data)
                except (OSError, ValueError) as e:
                    sinks.remove(sink)
                    if sink is file:
                        failure = failure or _file_failure(copy_to, e)
        for sink in sinks:
            try:
                sink.close()
            except OSError as e:
                if sink is file:
                    failure = failure or _file_failure(copy_to, e)
        if failure is not None:
            raise failure

    return write


def _file_failure(path: Path | None, e: BaseException) -> BaseException:
    return _write_failure(Path(str(path)), 0, str(e)) or EnvironmentFailure(f"{path}: cannot write it ({e})")


def _close_quietly(pipe: IO[bytes]) -> None:
    """A pipe whose reader may be gone already: that is the reader's to report."""
    try:
        pipe.close()
    except OSError:
        pass


def _open_when_written(path: Path, size: int, finished: Callable[[], bool], poll: float) -> IO[bytes]:
    while not (path.exists() and path.stat().st_size >= size):
        if finished():
            break
        time.sleep(poll)
    return path.open("rb")


LAYOUTS = {1: "mono", 2: "stereo"}
_JOINED = {1: ("FL", "FR"), 2: ("FL", "FR", "BL", "BR")}  # the samples' channels, then the weighted copy's


def pcm_out(rate: int, channels: int, weighting: str, chain: str | None = None,
            side: tuple[str, SideOutput] | None = None) -> list[str]:
    """Output options: input 0's first audio stream (through `chain`, if given) as
    f32le at `rate` and `channels`, in one-second frames, each frame's copy through
    `weighting` (a filter chain: the meter's K-weighting) following as `channels`
    more channels, so that the meter reads both from one pipe. `side`: the same
    decoded stream through a chain of its own, into a second pipe."""
    conform = f"aformat=sample_fmts=flt:sample_rates={rate}:channel_layouts={LAYOUTS[channels]}"
    head = f"{chain},{conform}" if chain else conform
    names = _JOINED[channels]
    routes = "|".join(f"{i // channels}.{i % channels}-{name}" for i, name in enumerate(names))
    # whole seconds before the biquads, and one filter thread: on a decoder's 1152-sample
    # frames their per-channel jobs cost four times the filtering (1.7 s of system time
    # in 10 minutes, against 0.2 s)
    start = "[0:a:0]" if side is None else f"[0:a:0]asplit=2[main][branch];[branch]{side[0]}[side];[main]"
    graph = (f"{start}{head},{whole_seconds(rate)},asplit=2[raw][w];[w]{weighting}[k];[raw][k]join=inputs=2:"
             f"channel_layout={'quad' if channels == 2 else 'stereo'}:map={routes}[out]")
    also = [] if side is None else ["-map", "[side]", "-f", "f32le", side[1].target]
    return ["-filter_complex_threads", "1", "-filter_complex", graph, "-map", "[out]", "-f", "f32le", "pipe:1", *also]


class SideOutput:
    """A second f32le output of a PcmSource's ffmpeg on a pipe of its own, so that
    one decode feeds two consumers (the MP3's meter and its speech figures: a
    second decode of the MP3 cost 4 s of CPU an hour). Iterate it in a thread of
    its own while the source is iterated: ffmpeg writes the two in turn, so each
    consumer goes at the slower one's pace, and either one stopping ends both."""

    def __init__(self, channels: int, sample_rate: int) -> None:
        self.channels, self.sample_rate = channels, sample_rate
        self.frames = 0
        self._read, self.fd = os.pipe()  # fd: the write end, ffmpeg's `pipe:fd`
        self.target = f"pipe:{self.fd}"

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
            _widen_pipe(pipe)
            for data in _whole_frames(pipe, self.channels, int(CHUNK_SECONDS * self.sample_rate)):
                chunk = np.frombuffer(data, np.float32).reshape(-1, self.channels)
                self.frames += len(chunk)
                yield chunk


def pcm_in(rate: int, channels: int) -> list[str]:
    """Input options for f32le PCM on stdin."""
    return ["-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0"]


def writes(chunks: Iterable[np.ndarray]) -> Callable[[IO[bytes]], None]:
    """A stdin writer that writes the chunks as f32le, then closes the pipe."""

    def write(pipe: IO[bytes]) -> None:
        try:
            for chunk in chunks:
                pipe.write(np.ascontiguousarray(chunk, dtype=np.float32).tobytes())
        finally:
            _close_quietly(pipe)

    return write


def decode_args(path: Path, sample_rate: int, channels: int) -> list[str]:
    """Decode any file ffmpeg reads to f32le at the given rate and channel count."""
    return ["-i", str(path), "-vn", "-map", "0:a:0", "-ac", str(channels), "-ar", str(sample_rate),
            "-af", whole_seconds(sample_rate), "-f", "f32le", "pipe:1"]


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


_DISK_FULL = ("No space left on device", "File too large", "Disk quota exceeded")


def _write_failure(out: Path, rc: int, reason: str) -> EnvironmentFailure | None:
    """ffmpeg stopped by the disk (full, or past a file size limit, which kills it
    with SIGXFSZ) rather than by the audio: an environment failure."""
    if rc == -signal.SIGXFSZ or any(s in reason for s in _DISK_FULL):
        return EnvironmentFailure(f"{out}: cannot write it (the disk is full or a file size limit is set)")
    return None


def run(args: Sequence[str], out: Path, what: str) -> None:
    """One ffmpeg command that writes `out` from files (a remux)."""
    result = subprocess.run([tool("ffmpeg"), "-nostdin", "-hide_banner", "-v", "error", "-y", *args],
                            capture_output=True, text=True)
    if result.returncode != 0:
        reason = _last_line(result.stderr)
        raise _write_failure(out, result.returncode, reason) or MediaError(f"{out}: {what} failed ({reason})")


class PcmEncoder:
    """ffmpeg reading f32le from stdin and encoding with `output_args` into `out`.
    A writer thread feeds it so that the encoder never waits for our next chunk."""

    def __init__(self, out: Path, sample_rate: int, channels: int, output_args: Sequence[str],
                 extra_inputs: Sequence[str] = (), what: str = "encoding", tapped: bool = False) -> None:
        """`tapped`: `output_args` name the outputs themselves, one of them ffmpeg's
        stdout, which `tap` then reads (see core.episode.formats.Tap)."""
        self.out, self.what = out, what
        self.args = [tool("ffmpeg"), "-nostdin", "-hide_banner", "-v", "error", "-y",
                     "-f", "f32le", "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0",
                     *extra_inputs, *output_args, *([] if tapped else [str(out)])]
        self._err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stderr=self._err,
                                     stdout=subprocess.PIPE if tapped else None)
        assert self.proc.stdin is not None
        _widen_pipe(self.proc.stdin)
        self.tap: IO[bytes] | None = self.proc.stdout
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=PREFETCH_CHUNKS)
        self._broken = False
        self._writer = threading.Thread(target=self._pump, daemon=True)
        self._writer.start()

    def _pump(self) -> None:
        assert self.proc.stdin is not None
        while (data := self._queue.get()) is not None:
            if self._broken:
                continue
            try:
                self.proc.stdin.write(data)
            except (BrokenPipeError, ValueError):
                self._broken = True
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def write(self, chunk: np.ndarray) -> None:
        if self._broken:
            self.close()
            raise MediaError(f"{self.out}: the encoder stopped early ({self.what})")
        self._queue.put(np.ascontiguousarray(chunk, dtype=np.float32).tobytes())

    def close(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()
        rc = self.proc.wait()
        self._err.seek(0)
        reason = _last_line(self._err.read().decode(errors="replace"))
        self._err.close()
        if rc != 0 or self._broken:
            raise _write_failure(self.out, rc, reason) or MediaError(f"{self.out}: {self.what} failed ({reason})")

    def abort(self) -> None:
        self.proc.kill()
        if self._writer.is_alive():
            self._broken = True
            while self._writer.is_alive():
                try:
                    self._queue.put(None, timeout=0.05)
                except queue.Full:
                    try:
                        self._queue.get_nowait()
                    except queue.Empty:
                        pass
        self.proc.wait()
        self._err.close()


class Mp3Encoder(PcmEncoder):
    """libmp3lame (core.episode.formats' MP3 row); a Xing/LAME header makes the duration exact; the tags are ours."""

    def __init__(self, out: Path, preset: Preset) -> None:
        super().__init__(out, preset.sample_rate, preset.channels, output_args(FORMATS["mp3"], preset),
                         what="MP3 encoding")
