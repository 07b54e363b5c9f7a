"""UNIDIRECTIONAL_SEQUENCE_LSTM (float32), hand-built for the options TensorFlow's converter does not write:
CIFG (no input gate), peephole, projection with and without bias, cell and projection clip, time-major, layer
norm, other fused activations, batch > 1; each against LiteRT's reference kernels within 1e-5 relative over
several invokes (the states carry over). Plus files that must be refused: wrong gate shapes, missing required
inputs, constant state."""

from __future__ import annotations

import numpy as np
import pytest
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter


def lstm_model(
    batch: int = 2,
    time: int = 4,
    n_input: int = 3,
    n_cell: int = 5,
    n_output: int | None = None,
    *,
    cifg: bool = False,
    peephole: bool = False,
    projection: bool = False,
    projection_bias: bool = False,
    layer_norm: bool = False,
    time_major: bool = False,
    options: dict | None = None,
    omit: tuple[int, ...] = (),
    shape_of: dict[int, tuple[int, ...]] | None = None,
    constant_state: bool = False,
    hybrid: bool = False,
    seed: int = 0,
) -> bytes:
    """One UNIDIRECTIONAL_SEQUENCE_LSTM; `omit` drops inputs, `shape_of` overrides an input's shape (hostile)."""
    rng = np.random.default_rng(seed)
    n_output = n_output if n_output is not None else (n_cell if not projection else n_cell - 2)
    shapes: dict[int, tuple[int, ...]] = {}
    for g in range(4):
        if g == 0 and cifg:
            continue
        shapes[1 + g] = (n_cell, n_input)
        shapes[5 + g] = (n_cell, n_output)
        shapes[12 + g] = (n_cell,)
        if layer_norm:
            shapes[20 + g] = (n_cell,)
    if peephole:
        for i in (0, 1, 2):
            if i == 0 and cifg:
                continue
            shapes[9 + i] = (n_cell,)
    if projection:
        shapes[16] = (n_output, n_cell)
        if projection_bias:
            shapes[17] = (n_output,)
    shapes.update(shape_of or {})
    x_shape = (time, batch, n_input) if time_major else (batch, time, n_input)
    y_shape = (time, batch, n_output) if time_major else (batch, time, n_output)
    tensors = [TensorSpec("x", x_shape)]
    index = [0] + [-1] * ((24 if layer_norm else 20) - 1)
    for i in sorted(shapes):
        if i in omit:
            continue
        scale = 0.6 if i < 12 or i == 16 else 0.3
        data = rng.normal(0, scale, shapes[i]).astype(np.float32)
        if i == 13:
            data += 1.0  # forget bias as Keras initialises it
        index[i] = len(tensors)
        if hybrid and (i < 12 or i == 16):  # dynamic range: int8 weights, symmetric per tensor
            w_scale = float(np.abs(data).max()) / 127.0
            q = np.clip(np.round(data / w_scale), -127, 127).astype(np.int8)
            tensors.append(TensorSpec(f"w{i}", shapes[i], "int8", data=q, scales=[w_scale], zero_points=[0]))
        else:
            tensors.append(TensorSpec(f"w{i}", shapes[i], data=data))
    for i, shape in ((18, (batch, n_output)), (19, (batch, n_cell))):
        if i in omit:
            continue
        index[i] = len(tensors)
        data = np.zeros(shape, np.float32) if constant_state else None
        tensors.append(TensorSpec(f"state{i}", shape, data=data, is_variable=True))
    out = len(tensors)
    tensors.append(TensorSpec("y", y_shape))
    opts = {"time_major": time_major, **(options or {})}
    ops = [OpSpec("UNIDIRECTIONAL_SEQUENCE_LSTM", index, [out], options=opts)]
    return build_model(tensors, ops, [0], [out])


def _check_against_litert(model: bytes, invokes: int = 3) -> None:
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    ours = Interpreter(model_content=model)
    theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    d = ours.get_input_details()[0]
    rng = np.random.default_rng(1)
    for _ in range(invokes):
        x = rng.normal(0, 1.5, tuple(d["shape"])).astype(np.float32)
        for it in (ours, theirs):
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
        got = ours.get_tensor(ours.get_output_details()[0]["index"])
        expected = theirs.get_tensor(theirs.get_output_details()[0]["index"])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


CASES = {
    "plain": {},
    "batch1": {"batch": 1},
    "batch3_odd": {"batch": 3, "n_input": 7, "n_cell": 9, "time": 6},
    "time_major": {"time_major": True, "batch": 3},
    "cifg": {"cifg": True},
    "peephole": {"peephole": True},
    "cifg_peephole": {"cifg": True, "peephole": True},
    "projection": {"projection": True},
    "projection_bias_clip": {"projection": True, "projection_bias": True, "options": {"proj_clip": 0.3}},
    "projection_wider": {"projection": True, "n_output": 8},
    "cell_clip": {"options": {"cell_clip": 0.2}},
    "layer_norm": {"layer_norm": True},
    "layer_norm_cifg_peephole": {"layer_norm": True, "cifg": True, "peephole": True},
    "relu": {"options": {"activation": "RELU"}},
    "relu6": {"options": {"activation": "RELU6"}},
    "relu_n1_to_1": {"options": {"activation": "RELU_N1_TO_1"}},
    # NONE: LiteRT's h = o * act(c) leaves act(c) unwritten, the buffer holding the cell gate
    "none": {"options": {"activation": "NONE"}},
    "none_hybrid_projection_time_major": {
        "options": {"activation": "NONE"},
        "hybrid": True,
        "projection": True,
        "time_major": True,
    },
    "none_layer_norm_peephole": {"options": {"activation": "NONE"}, "layer_norm": True, "peephole": True},
    "hybrid_symmetric": {"hybrid": True},
    "hybrid_asymmetric": {"hybrid": True, "options": {"asymmetric": True}},
    "hybrid_peephole_projection": {
        "hybrid": True,
        "peephole": True,
        "projection": True,
        "projection_bias": True,
        "options": {"asymmetric": True},
    },
    "hybrid_cifg_layer_norm_time_major": {
        "hybrid": True,
        "cifg": True,
        "layer_norm": True,
        "peephole": True,
        "time_major": True,
        "batch": 3,
    },
    "hybrid_odd_sizes_clip": {
        "hybrid": True,
        "batch": 3,
        "n_input": 7,
        "n_cell": 9,
        "time": 5,
        "options": {"cell_clip": 0.3},
    },
    "everything_time_major": {
        "peephole": True,
        "projection": True,
        "projection_bias": True,
        "layer_norm": True,
        "time_major": True,
        "options": {"cell_clip": 0.5, "proj_clip": 0.4},
        "batch": 2,
        "time": 3,
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_lstm_options_match_litert(case: str) -> None:
    _check_against_litert(lstm_model(**CASES[case]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape_of": {2: (5, 4)}}, "expected [5, 3]"),
        ({"shape_of": {6: (4, 5)}}, "expected [5, 5]"),
        ({"shape_of": {14: (6,)}}, "expected [5]"),
        ({"omit": (3,)}, "input 3 is omitted"),
        ({"omit": (18,)}, "input 18 is omitted"),
        ({"omit": (5,)}, "input gate"),
        ({"peephole": True, "omit": (10,)}, "peephole"),
        ({"projection": True, "omit": (16,)}, "without a projection"),
        ({"constant_state": True}, "variable tensor"),
        ({"options": {"activation": "TANH", "cell_clip": -1.0}}, "must not be negative"),
    ],
)
def test_malformed_lstm_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(Exception) as info:  # noqa: PT011 - the runtime's error type is what the binding raises
        it = Interpreter(model_content=lstm_model(**kwargs))
        it.allocate_tensors()
    assert message in str(info.value), str(info.value)
