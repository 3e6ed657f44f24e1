"""The speech map's detector (io.voice): Silero VAD with its encoder as whole-batch
matrix products (io.voice_graph), held to the model faster-whisper ships, run by
onnxruntime exactly as shipped."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import onnxruntime

from tests import factory


def shipped_model() -> Path:
    spec = importlib.util.find_spec("faster_whisper")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "assets" / "silero_vad_v6.onnx"


def as_shipped(windows: np.ndarray) -> np.ndarray:
    """Each 512-sample window's probability from the unedited model, fed as faster-whisper
    feeds it: 64 samples of the window before as context, the state carried along."""
    session = onnxruntime.InferenceSession(str(shipped_model()), providers=["CPUExecutionProvider"])
    context = np.zeros(64, np.float32)
    h = c = np.zeros((1, 1, 128), np.float32)
    out = []
    for start in range(0, len(windows), 300):
        part = windows[start:start + 300]
        before = np.concatenate([context[None], part[:-1, -64:]])
        p, h, c = session.run(None, {"input": np.concatenate([before, part], axis=1), "h": h, "c": c})
        out.append(np.asarray(p).ravel())
        context = part[-1, -64:]
    return np.concatenate(out)


def test_the_edited_detector_hears_what_the_shipped_model_hears() -> None:
    from producer.core.audio import speech
    from producer.io import voice, voice_graph

    assert voice_graph.batched(shipped_model().read_bytes()) is not None  # the model the edit was written for
    rate = 16000
    conv, voices = factory.conversation(rate)  # espeak-ng: two voices 12 dB apart, pauses, a room's noise
    x = (factory.at_lufs(voices["host"], rate, -20.0) + factory.at_lufs(voices["guest"], rate, -32.0)
         + factory.noise(len(voices["host"]) / rate, rate, -60.0, 3)).astype(np.float32)
    windows = x[:len(x) // speech.WINDOW * speech.WINDOW].reshape(-1, speech.WINDOW)
    detector = voice.VoiceDetector()
    for k in range(0, len(x), 7000):  # pieces that do not line up with the windows
        detector.add(x[k:k + 7000])
    ours = detector.finish()[:len(windows)]
    theirs = as_shipped(windows)
    assert len(ours) == len(theirs) > 1000
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.array_equal(speech.speech_windows(ours), speech.speech_windows(theirs))
    assert 0.2 < speech.speech_windows(theirs).mean() < 0.95  # speech and pauses both heard


def test_a_model_the_edit_was_not_written_for_is_run_as_it_is() -> None:
    from producer.io import voice_graph

    types = voice_graph._messages()
    model = types["ModelProto"].FromString(shipped_model().read_bytes())
    conv = next(n for n in model.graph.node if n.op_type == "Conv" and n.input[1].endswith("conv_layers.1.weight"))
    next(a for a in conv.attribute if a.name == "strides").ints[:] = [1]  # another architecture
    assert voice_graph.batched(model.SerializeToString()) is None
    assert voice_graph.batched(b"garbage") is None  # not a model at all: onnxruntime's own error follows
