"""What goes into ffmpeg's stdin: a file followed as it is written, an encoder's stream relayed, chunks written."""
from __future__ import annotations

import time
from pathlib import Path
from typing import IO, Callable, Iterable

import numpy as np

from .tools import full_disk_failure
from ...core.audio.mp3_frames import mp3_frame_bytes
from ...errors import EnvironmentFailure, MediaError

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
            close_quietly(pipe)

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
    return full_disk_failure(Path(str(path)), 0, str(e)) or EnvironmentFailure(f"{path}: cannot write it ({e})")


def close_quietly(pipe: IO[bytes]) -> None:
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


def writes(chunks: Iterable[np.ndarray]) -> Callable[[IO[bytes]], None]:
    """A stdin writer that writes the chunks as f32le, then closes the pipe."""

    def write(pipe: IO[bytes]) -> None:
        try:
            for chunk in chunks:
                pipe.write(np.ascontiguousarray(chunk, dtype=np.float32).tobytes())
        finally:
            close_quietly(pipe)

    return write
