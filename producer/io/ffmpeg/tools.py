"""Finding ffmpeg, running a command to a file, and the processes' and pipes' manners (niceness, pipe size)."""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import IO, Sequence


from ...errors import EnvironmentFailure, MediaError

PIPE_BYTES = 1 << 20


def tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise EnvironmentFailure(
            f"{name} is not installed or not on PATH; install it (Debian: apt-get install ffmpeg)")
    return found


BACKGROUND_NICE = 10


def lower_priority(pid: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICE)
    except OSError:  # gone already, or not ours to change
        pass


def background_thread() -> None:
    """The calling thread (and the processes it starts) yield a shared core to LAME,
    whose speed is the render's: Linux sets a niceness a thread (its tid)."""
    lower_priority(threading.get_native_id())


def widen_pipe(pipe: IO[bytes]) -> None:
    """A 1 MB pipe instead of 64 kB lets each side run ahead of the other."""
    try:
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except OSError:
        pass


_DISK_FULL = ("No space left on device", "File too large", "Disk quota exceeded")


def full_disk_failure(out: Path, rc: int, reason: str) -> EnvironmentFailure | None:
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
        reason = last_line(result.stderr)
        raise full_disk_failure(out, result.returncode, reason) or MediaError(f"{out}: {what} failed ({reason})")


STATS_FILTERS = ("volumedetect", "astats")  # filters whose statistics a failure's reason is not


def stats_prefix(name: str, instance: str | None = None) -> str:
    """How a statistics filter's log lines start: by the graph's own name for it
    (None: "[Parsed_volumedetect_0 @ ..."), by the instance name the graph gave it
    ("t0": "[volumedetect@t0 @ ..."), or by any instance name ("")."""
    if instance is None:
        return f"[Parsed_{name}"
    return f"[{name}@{instance} " if instance else f"[{name}@"


STATS_PREFIX = tuple(stats_prefix(name, instance) for name in STATS_FILTERS for instance in (None, ""))


def last_line(text: str) -> str:
    """ffmpeg's last line of stderr that says something: the reason it gives."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and not ln.startswith(STATS_PREFIX)]
    return lines[-1] if lines else "ffmpeg gave no reason"
