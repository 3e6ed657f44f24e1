"""The speech map's detector: Silero VAD, the model faster-whisper ships
(`faster_whisper/assets/silero_vad_v6.onnx`, 1.2 MB), run on onnxruntime on one
thread. Nothing is fetched: the file is opened from the installed package.

Why Silero and not webrtcvad (the map's detector until issue 33): on real
meeting speech, far-off voices 12–20 dB under the near one were called silence
by webrtcvad and cut; Silero marks them as speech, and Whisper transcribes them
(docs/guide/leveling.md has the measurements).

Streaming: the model keeps its state (h, c) and 64 samples of context from one
window to the next, so feeding it a stream in pieces gives the probabilities a
single call on the whole recording gives, exactly (measured: max difference 0).
"""
from __future__ import annotations

import functools
import threading
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from ..core.audio.speech import WINDOW
from ..errors import EnvironmentFailure
from . import voice_graph

CONTEXT = 64  # samples of the previous window the model hears before each window
BATCH = 500  # windows a call (16 s): fewer calls cost less (7.1 s of CPU an hour at 500, 8.1 at 31, before voice_graph)
RATE = 16000


@functools.lru_cache(maxsize=1)
def _session() -> Any:
    try:
        import onnxruntime
    except ImportError:
        onnxruntime = None
    # found, not imported: faster_whisper's __init__ loads PyAV and CTranslate2
    # (0.15 s of every build and check that transcribes nothing)
    spec = importlib.util.find_spec("faster_whisper")
    if onnxruntime is None or spec is None or not spec.submodule_search_locations:
        raise EnvironmentFailure("speech map: faster-whisper and onnxruntime are not installed "
                                 "(pip install faster-whisper)")
    model = Path(spec.submodule_search_locations[0]) / "assets" / "silero_vad_v6.onnx"
    if not model.is_file():
        raise EnvironmentFailure(f"speech map: {model}: Silero VAD's model is missing from faster-whisper; "
                                 f"reinstall it (pip install --force-reinstall faster-whisper)")
    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1  # the analysis runs two halves on two threads of its own
    opts.intra_op_num_threads = 1
    opts.enable_cpu_mem_arena = False
    opts.log_severity_level = 4
    graph = voice_graph.batched(model.read_bytes())  # the same model, its encoder a third of the cost
    return onnxruntime.InferenceSession(graph if graph is not None else str(model),
                                        providers=["CPUExecutionProvider"], sess_options=opts)


_LOCK = threading.Lock()


def session() -> Any:
    with _LOCK:  # two analysis threads may ask at once: one model loaded
        return _session()


class VoiceDetector:
    """Speech probability for every 512-sample window of a 16 kHz mono stream fed
    in pieces of any length."""

    def __init__(self) -> None:
        self.session = session()
        self.h = np.zeros((1, 1, 128), np.float32)
        self.c = np.zeros((1, 1, 128), np.float32)
        self.context = np.zeros(CONTEXT, np.float32)
        self.pending: list[np.ndarray] = []
        self.held = 0
        self.out: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        self.pending.append(np.asarray(samples, np.float32))
        self.held += len(samples)
        if self.held >= BATCH * WINDOW:
            self._run(final=False)

    def finish(self) -> np.ndarray:
        """Every window's probability; the last part window is padded with silence."""
        self._run(final=True)
        return np.concatenate(self.out) if self.out else np.zeros(0, np.float32)

    def _run(self, final: bool) -> None:
        data = np.concatenate(self.pending) if self.pending else np.zeros(0, np.float32)
        whole = len(data) // WINDOW * WINDOW
        if final and whole < len(data):
            data = np.concatenate([data, np.zeros(WINDOW - (len(data) - whole), np.float32)])
            whole = len(data)
        rest = data[whole:]
        self.pending, self.held = ([rest] if len(rest) else []), len(rest)
        if not whole:
            return
        windows = data[:whole].reshape(-1, WINDOW)
        before = np.concatenate([self.context[None], windows[:-1, -CONTEXT:]])
        batch = np.concatenate([before, windows], axis=1)
        out, self.h, self.c = self.session.run(None, {"input": batch, "h": self.h, "c": self.c})
        self.out.append(np.asarray(out, np.float32).ravel())
        self.context = windows[-1, -CONTEXT:].copy()
