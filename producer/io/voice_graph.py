"""Silero VAD's encoder as whole-batch matrix products.

The model faster-whisper ships takes a batch of 576-sample windows and runs its
encoder (an STFT by a 258 × 256 convolution, then four small convolutions over
each window's four frames) as ONNX `Conv` nodes. onnxruntime's CPU `Conv` runs
one window at a time, each a matrix product of four columns: 88 % of the
model's time went there. The same arithmetic as one product over every frame
of the batch (`MatMul`, the frames unfolded in the graph) costs a third:
0.5 against 1.2–1.5 CPU-s per 20,000 windows, the probabilities the same to
4e-6 (docs/dev/performance.md). The LSTM and the decoder are the model's own nodes.

The graph is edited at load time from the installed file, so the weights are
the package's (nothing of the model is kept in this repository). Its protobuf
is read with only the fields the edit touches (_FIELDS); every other field rides
through as protobuf's unknown fields, byte for byte. The `onnx` package would
read it too, but importing it costs 1.2–1.5 s (its ml_dtypes): more than the
edit saves on a short episode.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

# ONNX's own field numbers (onnx/onnx.proto, proto2): only what the edit reads or writes
_FIELDS: dict[str, tuple[tuple[str, int, str, bool], ...]] = {  # message: (field, number, type, repeated)
    "ModelProto": (("graph", 7, "GraphProto", False),),
    "GraphProto": (("node", 1, "NodeProto", True), ("initializer", 5, "TensorProto", True)),
    "NodeProto": (("input", 1, "string", True), ("output", 2, "string", True), ("name", 3, "string", False),
                  ("op_type", 4, "string", False), ("attribute", 5, "AttributeProto", True)),
    "AttributeProto": (("name", 1, "string", False), ("i", 3, "int64", False), ("ints", 8, "int64", True),
                       ("type", 20, "int32", False)),
    "TensorProto": (("dims", 1, "int64", True), ("data_type", 2, "int32", False), ("name", 8, "string", False),
                    ("raw_data", 9, "bytes", False)),
}
_FLOAT, _INT64 = 1, 7  # TensorProto.DataType
_ATTR_INT = 2  # AttributeProto.AttributeType.INT

# the encoder's weights in the model, and the tensor the LSTM reads (the encoder's output)
_BASIS = "encoder.feature_extractor.forward_basis_buffer"
_CONVS = tuple(f"encoder.conv_layers.{k}" for k in range(4))
_ENCODED = "/Transpose_output_0"
_PADDED = "/encoder/feature_extractor/padding/Pad_output_0"  # each window reflected 128 samples both sides
# the shapes the edit was written for: a 576-sample window padded to 832 gives the STFT
# five frames, of which the model keeps four; the convolutions' strides take them to one
_SHAPES = {_BASIS: (258, 1, 256),
           **{f"{name}.weight": shape for name, shape in zip(_CONVS, ((128, 129, 3), (64, 128, 3), (64, 64, 3),
                                                                    (128, 64, 3)))},
           **{f"{name}.bias": (n,) for name, n in zip(_CONVS, (128, 64, 64, 128))}}
_CONV_ATTRIBUTES = {_BASIS: {"strides": [128], "pads": [0, 0]},
                    **{f"{name}.weight": {"strides": [n], "pads": [1, 1]} for name, n in zip(_CONVS, (1, 2, 2, 1))}}


@functools.lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    # imported here, where a model is loaded: 20 ms of every command's start otherwise
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    f = descriptor_pb2.FileDescriptorProto(name="producer_onnx_subset.proto", package="producer_onnx",
                                           syntax="proto2")
    field = descriptor_pb2.FieldDescriptorProto
    scalars = {"string": field.TYPE_STRING, "int64": field.TYPE_INT64, "int32": field.TYPE_INT32,
               "bytes": field.TYPE_BYTES}
    for message, fields in _FIELDS.items():
        m = f.message_type.add(name=message)
        for name, number, kind, repeated in fields:
            d = m.field.add(name=name, number=number,
                            label=field.LABEL_REPEATED if repeated else field.LABEL_OPTIONAL)
            if kind in scalars:
                d.type = scalars[kind]
            else:
                d.type, d.type_name = field.TYPE_MESSAGE, f".producer_onnx.{kind}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"producer_onnx.{name}"))
            for name in _FIELDS}


def batched(model: bytes) -> bytes | None:
    """The model with its encoder's convolutions as matrix products over the batch, or
    None where it is not the model this edit was written for (another Silero: the
    caller runs that one as it is, slower but right)."""
    from google.protobuf.message import DecodeError

    types = _messages()
    try:
        m = types["ModelProto"].FromString(model)
    except DecodeError:  # not a model: onnxruntime, given the file, says what is wrong with it
        return None
    g = m.graph
    weights = {t.name: np.frombuffer(t.raw_data, "<f4").reshape(tuple(t.dims))
               for t in g.initializer if t.data_type == _FLOAT and t.raw_data}
    pad = next((i for i, n in enumerate(g.node) if _PADDED in n.output), None)
    lstm = next((i for i, n in enumerate(g.node) if _ENCODED in n.input), None)
    convs = {n.input[1]: {a.name: list(a.ints) for a in n.attribute if a.name in ("strides", "pads")}
             for n in g.node if n.op_type == "Conv" and len(n.input) > 1}
    if pad is None or lstm is None or any(weights.get(k, np.zeros(0)).shape != v for k, v in _SHAPES.items()) \
            or any(convs.get(k) != v for k, v in _CONV_ATTRIBUTES.items()):
        return None
    new_nodes, tensors = _encoder(weights)
    node = types["NodeProto"]
    head, tail = ([node.FromString(n.SerializeToString()) for n in part]  # copies: the originals go
                  for part in (g.node[:pad + 1], g.node[lstm:]))
    del g.node[:]
    g.node.extend(head)
    for op, inputs, output, attrs in new_nodes:
        n = g.node.add(op_type=op, name=f"/producer/{output}", input=inputs, output=[output])
        for key, value in attrs.items():
            n.attribute.add(name=key, i=value, type=_ATTR_INT)
    g.node.extend(tail)
    tensor = types["TensorProto"]
    kept = [tensor.FromString(t.SerializeToString()) for t in g.initializer
            if t.name not in _SHAPES]  # the convolutions' weights, unused now
    del g.initializer[:]
    g.initializer.extend(kept)
    for name, array in tensors.items():
        kind = _FLOAT if array.dtype == np.float32 else _INT64
        g.initializer.add(name=name, dims=array.shape, data_type=kind,
                          raw_data=np.ascontiguousarray(array, array.dtype.newbyteorder("<")).tobytes())
    return m.SerializeToString()


def _encoder(w: dict[str, np.ndarray]) -> tuple[list[tuple[str, list[str], str, dict[str, int]]],
                                                   dict[str, np.ndarray]]:
    """The nodes from the padded windows (N, 832) to the LSTM's input (N, 1, 128), and
    their constants. A convolution of kernel 3 is one product of each frame with its
    neighbours side by side (im2col); the model's padding of one frame a side is zeros."""
    def col(weight: np.ndarray) -> np.ndarray:  # (out, in, taps) -> (taps * in, out)
        return np.ascontiguousarray(np.transpose(weight, (2, 1, 0)).reshape(-1, weight.shape[0]))

    conv = {k: (w[f"{name}.weight"], w[f"{name}.bias"]) for k, name in enumerate(_CONVS)}
    i64 = lambda *v: np.array(v, np.int64)  # noqa: E731
    c = {"p/stft": np.ascontiguousarray(w[_BASIS][:, 0, :].T),  # (256, 258): real rows 0–128, imaginary 129–257
         "p/w0": col(conv[0][0]), "p/b0": conv[0][1], "p/w1": col(conv[1][0]), "p/b1": conv[1][1],
         # the last two run on two frames and on one: only the taps that meet a frame
         "p/w2": col(conv[2][0][:, :, 1:]), "p/b2": conv[2][1],
         "p/w3": np.ascontiguousarray(conv[3][0][:, :, 1].T), "p/b3": conv[3][1],
         "p/0": i64(0), "p/1": i64(1), "p/2": i64(2), "p/4": i64(4), "p/5": i64(5), "p/129": i64(129),
         "p/end": i64(2**62), "p/128": i64(128), "p/768": i64(768), "p/blocks": i64(0, 5, 128),
         "p/frames": i64(0, 1, 0, 0, 1, 0), "p/flat": i64(0, 128)}
    nodes = [
        # frames 1–4 of the STFT: 256 samples from 128 k of the padded window, k = 1..4
        ("Slice", [_PADDED, "p/128", "p/768", "p/1"], "inner", {}),
        ("Reshape", ["inner", "p/blocks"], "blocks", {}),
        ("Slice", ["blocks", "p/0", "p/4", "p/1"], "firsts", {}),
        ("Slice", ["blocks", "p/1", "p/5", "p/1"], "seconds", {}),
        ("Concat", ["firsts", "seconds"], "frames", {"axis": 2}),
        ("MatMul", ["frames", "p/stft"], "spectrum", {}),
        ("Slice", ["spectrum", "p/0", "p/129", "p/2"], "real", {}),
        ("Slice", ["spectrum", "p/129", "p/end", "p/2"], "imag", {}),
        ("Mul", ["real", "real"], "real2", {}),
        ("Mul", ["imag", "imag"], "imag2", {}),
        ("Add", ["real2", "imag2"], "power", {}),
        ("Sqrt", ["power"], "magnitude", {}),
        # conv 0: 129 -> 128, kernel 3, stride 1, four frames
        ("Pad", ["magnitude", "p/frames"], "m_padded", {}),
        ("Slice", ["m_padded", "p/0", "p/4", "p/1"], "m_left", {}),
        ("Slice", ["m_padded", "p/1", "p/5", "p/1"], "m_mid", {}),
        ("Slice", ["m_padded", "p/2", "p/end", "p/1"], "m_right", {}),
        ("Concat", ["m_left", "m_mid", "m_right"], "cols0", {"axis": 2}),
        ("MatMul", ["cols0", "p/w0"], "prod0", {}),
        ("Add", ["prod0", "p/b0"], "sum0", {}),
        ("Relu", ["sum0"], "out0", {}),
        # conv 1: 128 -> 64, kernel 3, stride 2: frames 0 and 2 of the padded four
        ("Pad", ["out0", "p/frames"], "o_padded", {}),
        ("Slice", ["o_padded", "p/0", "p/4", "p/1", "p/2"], "o_left", {}),
        ("Slice", ["o_padded", "p/1", "p/4", "p/1", "p/2"], "o_mid", {}),
        ("Slice", ["o_padded", "p/2", "p/5", "p/1", "p/2"], "o_right", {}),
        ("Concat", ["o_left", "o_mid", "o_right"], "cols1", {"axis": 2}),
        ("MatMul", ["cols1", "p/w1"], "prod1", {}),
        ("Add", ["prod1", "p/b1"], "sum1", {}),
        ("Relu", ["sum1"], "out1", {}),
        # conv 2: 64 -> 64, stride 2 over two frames: one output, taps 1 and 2
        ("Reshape", ["out1", "p/flat"], "cols2", {}),
        ("MatMul", ["cols2", "p/w2"], "prod2", {}),
        ("Add", ["prod2", "p/b2"], "sum2", {}),
        ("Relu", ["sum2"], "out2", {}),
        # conv 3: 64 -> 128 over one frame: the middle tap
        ("MatMul", ["out2", "p/w3"], "prod3", {}),
        ("Add", ["prod3", "p/b3"], "sum3", {}),
        ("Relu", ["sum3"], "out3", {}),
        ("Unsqueeze", ["out3", "p/1"], _ENCODED, {}),
    ]
    return nodes, c
