"""PCM into ffmpeg: the encoders, fed by a writer thread."""
from __future__ import annotations

import queue
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Sequence

import numpy as np

from ...core.episode.formats import FORMATS, output_args
from ...core.episode.models import Preset
from .pcm import PREFETCH_CHUNKS, pcm_in
from .tools import last_line, widen_pipe, full_disk_failure, tool
from ...errors import MediaError

class PcmEncoder:
    """ffmpeg reading f32le from stdin and encoding with `output_args` into `out`.
    A writer thread feeds it so that the encoder never waits for our next chunk."""

    def __init__(self, out: Path, sample_rate: int, channels: int, output_args: Sequence[str],
                 extra_inputs: Sequence[str] = (), what: str = "encoding", tapped: bool = False) -> None:
        """`tapped`: `output_args` name the outputs themselves, one of them ffmpeg's
        stdout, which `tap` then reads (see core.episode.formats.Tap)."""
        self.out, self.what = out, what
        self.args = [tool("ffmpeg"), "-nostdin", "-hide_banner", "-v", "error", "-y",
                     *pcm_in(sample_rate, channels),
                     *extra_inputs, *output_args, *([] if tapped else [str(out)])]
        self._err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stderr=self._err,
                                     stdout=subprocess.PIPE if tapped else None)
        assert self.proc.stdin is not None
        widen_pipe(self.proc.stdin)
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
        reason = last_line(self._err.read().decode(errors="replace"))
        self._err.close()
        if rc != 0 or self._broken:
            raise full_disk_failure(self.out, rc, reason) or MediaError(f"{self.out}: {self.what} failed ({reason})")

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
