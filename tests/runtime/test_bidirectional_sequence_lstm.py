"""BIDIRECTIONAL_SEQUENCE_LSTM (float32 and dynamic range), hand-built: merge_outputs on and off, time-major and
batch-major, batch > 1, CIFG, peepholes, projection with and without bias, clips, fused activations, int8
weights symmetric and asymmetric; each against LiteRT's reference kernels within 1e-5 relative over several
invokes (the four states carry over); an aux input without aux weights (the backward cell reads it) and with
them (both cells add W_aux aux, float32 and int8 weights). Plus files that must be refused: forward
and backward cells of different sizes, wrong shapes, missing inputs, constant states, the wrong output count."""

from __future__ import annotations

import numpy as np
import pytest
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

FW_H, FW_C, BW_H, BW_C, AUX = 35, 36, 37, 38, 39


def _direction_shapes(
    n_input: int, n_cell: int, n_output: int, cifg: bool, peephole: bool, projection: bool, projection_bias: bool
) -> dict[int, tuple[int, ...]]:
    """The shapes of one direction's operands 1-17 in UNIDIRECTIONAL_SEQUENCE_LSTM's order."""
    shapes: dict[int, tuple[int, ...]] = {}
    for g in range(4):
        if g == 0 and cifg:
            continue
        shapes[1 + g] = (n_cell, n_input)
        shapes[5 + g] = (n_cell, n_output)
        shapes[12 + g] = (n_cell,)
    if peephole:
        for i in (0, 1, 2):
            if i == 0 and cifg:
                continue
            shapes[9 + i] = (n_cell,)
    if projection:
        shapes[16] = (n_output, n_cell)
        if projection_bias:
            shapes[17] = (n_output,)
    return shapes


def bilstm_model(
    batch: int = 2,
    time: int = 4,
    n_input: int = 3,
    n_cell: int = 5,
    n_output: int | None = None,
    *,
    cifg: bool | tuple[bool, bool] = False,
    peephole: bool = False,
    projection: bool = False,
    projection_bias: bool = False,
    time_major: bool | None = False,
    merge_outputs: bool = False,
    options: dict | None = None,
    omit: tuple[int, ...] = (),
    shape_of: dict[int, tuple[int, ...]] | None = None,
    bw_n_cell: int | None = None,
    constant_state: bool = False,
    hybrid: bool = False,
    aux: str | None = None,
    outputs: int | None = None,
    seed: int = 0,
) -> bytes:
    """One BIDIRECTIONAL_SEQUENCE_LSTM with 48 inputs (-1: omitted); `omit` drops node inputs, `shape_of`
    overrides a node input's shape (hostile); time_major None leaves the option to the schema default (true)."""
    rng = np.random.default_rng(seed)
    n_output = n_output if n_output is not None else (n_cell if not projection else n_cell - 2)
    cifgs = cifg if isinstance(cifg, tuple) else (cifg, cifg)
    shapes: dict[int, tuple[int, ...]] = {}
    for direction, base in ((0, 0), (1, 17)):
        cells = n_cell if direction == 0 or bw_n_cell is None else bw_n_cell
        outs = n_output if direction == 0 or bw_n_cell is None else bw_n_cell
        for i, shape in _direction_shapes(
            n_input, cells, outs, cifgs[direction], peephole, projection, projection_bias
        ).items():
            shapes[base + i] = shape
    if aux:  # a graph input; "input": the backward cell's input; "weights": both cells add W_aux aux
        n_aux = n_input if aux == "input" else n_input + 1
        shapes[AUX] = (time, batch, n_aux) if time_major is not False else (batch, time, n_aux)
        for i in range(40, 48) if aux == "weights" else ():
            if i in (40, 44) and cifgs[0 if i == 40 else 1]:
                continue
            shapes[i] = (n_cell, n_aux)
    shapes.update(shape_of or {})
    major = time_major is not False
    x_shape = (time, batch, n_input) if major else (batch, time, n_input)
    tensors = [TensorSpec("x", x_shape)]
    index = [0] + [-1] * 47
    for i in sorted(shapes):
        if i in omit:
            continue
        if i == AUX:
            index[i] = len(tensors)
            tensors.append(TensorSpec("aux", shapes[i]))
            continue
        op_i = i - 17 if 17 < i < 35 else i  # the operand in UNIDIRECTIONAL_SEQUENCE_LSTM's order
        weight = op_i < 12 or op_i == 16 or i > AUX
        data = rng.normal(0, 0.6 if weight else 0.3, shapes[i]).astype(np.float32)
        if op_i == 13:
            data += 1.0  # forget bias as Keras initialises it
        index[i] = len(tensors)
        if hybrid and weight:  # dynamic range: int8 weights, symmetric per tensor
            w_scale = float(np.abs(data).max()) / 127.0
            q = np.clip(np.round(data / w_scale), -127, 127).astype(np.int8)
            tensors.append(TensorSpec(f"w{i}", shapes[i], "int8", data=q, scales=[w_scale], zero_points=[0]))
        else:
            tensors.append(TensorSpec(f"w{i}", shapes[i], data=data))
    bw_out = n_output if bw_n_cell is None else bw_n_cell
    bw_cells = n_cell if bw_n_cell is None else bw_n_cell
    for i, shape in (
        (FW_H, (batch, n_output)),
        (FW_C, (batch, n_cell)),
        (BW_H, (batch, bw_out)),
        (BW_C, (batch, bw_cells)),
    ):
        if i in omit:
            continue
        index[i] = len(tensors)
        data = np.zeros(shape, np.float32) if constant_state else None
        tensors.append(TensorSpec(f"state{i}", shape, data=data, is_variable=True))
    lead = (time, batch) if major else (batch, time)
    out_shapes = [(*lead, n_output + bw_out)] if merge_outputs else [(*lead, n_output), (*lead, bw_out)]
    outs = []
    for k, shape in enumerate(out_shapes[: outputs if outputs is not None else len(out_shapes)]):
        outs.append(len(tensors))
        tensors.append(TensorSpec(f"y{k}", shape))
    if outputs is not None and outputs > len(out_shapes):
        outs.append(len(tensors))
        tensors.append(TensorSpec("y_extra", out_shapes[0]))
    opts = {"merge_outputs": merge_outputs, **(options or {})}
    if time_major is not None:
        opts["time_major"] = time_major
    ops = [OpSpec("BIDIRECTIONAL_SEQUENCE_LSTM", index, outs, options=opts)]
    graph_inputs = [0] + ([index[AUX]] if index[AUX] >= 0 else [])
    return build_model(tensors, ops, graph_inputs, outs)


def _litert(model: bytes):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    return LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)


def _check_against_litert(model: bytes, invokes: int = 3) -> None:
    ours = Interpreter(model_content=model)
    theirs = _litert(model)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    rng = np.random.default_rng(1)
    for _ in range(invokes):
        xs = [rng.normal(0, 1.5, tuple(d["shape"])).astype(np.float32) for d in ours.get_input_details()]
        for it in (ours, theirs):
            for d, x in zip(it.get_input_details(), xs, strict=True):
                it.set_tensor(d["index"], x)
            it.invoke()
        assert len(ours.get_output_details()) == len(theirs.get_output_details())
        for mine, ref in zip(ours.get_output_details(), theirs.get_output_details(), strict=True):
            got = ours.get_tensor(mine["index"])
            expected = theirs.get_tensor(ref["index"])
            assert got.shape == expected.shape
            assert np.abs(expected).max() > 0.0  # a test that can fail: outputs are not all zero
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


CASES = {
    "plain": {},
    "merge": {"merge_outputs": True, "batch": 1},
    "batch1": {"batch": 1},
    "batch3_odd": {"batch": 3, "n_input": 7, "n_cell": 9, "time": 6},
    "time_major": {"time_major": True, "batch": 3},
    "time_major_default": {"time_major": None, "batch": 3, "merge_outputs": True},
    "time_major_merge": {"time_major": True, "batch": 2, "merge_outputs": True, "time": 5},
    "cifg": {"cifg": True},
    "cifg_forward_only": {"cifg": (True, False), "merge_outputs": True, "batch": 1},
    "peephole": {"peephole": True},
    "cifg_peephole": {"cifg": True, "peephole": True, "time_major": True},
    "projection": {"projection": True},
    "projection_bias_clip": {"projection": True, "projection_bias": True, "options": {"proj_clip": 0.3}},
    "projection_wider_merge": {"projection": True, "n_output": 8, "merge_outputs": True, "time_major": True},
    "cell_clip": {"options": {"cell_clip": 0.2}},
    "relu": {"options": {"activation": "RELU"}},
    "relu6_merge": {"options": {"activation": "RELU6"}, "merge_outputs": True, "batch": 1, "time": 6},
    "relu_n1_to_1": {"options": {"activation": "RELU_N1_TO_1"}},
    "none": {"options": {"activation": "NONE"}},
    "aux_input": {"aux": "input"},
    "aux_weights": {"aux": "weights"},
    "aux_weights_hybrid": {"aux": "weights", "hybrid": True, "batch": 3},
    "aux_weights_hybrid_asymmetric_time_major": {
        "aux": "weights",
        "hybrid": True,
        "time_major": True,
        "cifg": (False, True),
        "projection": True,
        "options": {"asymmetric": True},
    },
    "aux_weights_cifg_time_major_merge": {
        "aux": "weights",
        "cifg": True,
        "peephole": True,
        "projection": True,
        "time_major": True,
        "merge_outputs": True,
        "batch": 3,
    },
    "aux_input_time_major_merge_hybrid": {"aux": "input", "time_major": True, "merge_outputs": True, "hybrid": True},
    "none_hybrid_projection": {"options": {"activation": "NONE"}, "hybrid": True, "projection": True},
    "time1": {"time": 1, "batch": 3},
    "hybrid_symmetric": {"hybrid": True},
    "hybrid_asymmetric_merge": {"hybrid": True, "merge_outputs": True, "batch": 1, "options": {"asymmetric": True}},
    "hybrid_peephole_projection": {
        "hybrid": True,
        "peephole": True,
        "projection": True,
        "projection_bias": True,
        "options": {"asymmetric": True},
    },
    "hybrid_cifg_time_major": {"hybrid": True, "cifg": True, "peephole": True, "time_major": True, "batch": 3},
    "hybrid_odd_sizes_clip": {
        "hybrid": True,
        "batch": 3,
        "n_input": 7,
        "n_cell": 9,
        "time": 5,
        "merge_outputs": True,
        "time_major": True,
        "options": {"cell_clip": 0.3},
    },
    "everything_time_major": {
        "peephole": True,
        "projection": True,
        "projection_bias": True,
        "time_major": True,
        "merge_outputs": True,
        "options": {"cell_clip": 0.5, "proj_clip": 0.4},
        "batch": 2,
        "time": 3,
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bilstm_matches_litert(case: str) -> None:
    _check_against_litert(bilstm_model(**CASES[case]))


@pytest.mark.parametrize("seed", range(12))
def test_bilstm_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n_cell = int(rng.integers(1, 10))
    projection = bool(rng.integers(2))
    kwargs = {
        "batch": int(rng.integers(1, 4)),
        "time": int(rng.integers(1, 7)),
        "n_input": int(rng.integers(1, 9)),
        "n_cell": n_cell,
        "n_output": int(rng.integers(1, 9)) if projection else None,
        "cifg": bool(rng.integers(2)),
        "peephole": bool(rng.integers(2)),
        "projection": projection,
        "projection_bias": bool(rng.integers(2)),
        "time_major": bool(rng.integers(2)),
        "merge_outputs": bool(rng.integers(2)),
        "hybrid": bool(rng.integers(2)),
        "aux": [None, "input", "weights"][int(rng.integers(3))],
        "options": {"asymmetric": bool(rng.integers(2)), "cell_clip": float(rng.choice([0.0, 0.4]))},
        "seed": seed,
    }
    if kwargs["merge_outputs"] and kwargs["batch"] > 1:
        kwargs["time_major"] = True  # batch-major merged is refused (test_merged_batch_major_is_refused)
    _check_against_litert(bilstm_model(**kwargs), invokes=2)


def test_bilstm_state_resets() -> None:
    """reset_all_variables zeroes all four states: the first invoke's outputs come back."""
    model = bilstm_model(merge_outputs=True, time_major=True)
    it = Interpreter(model_content=model)
    it.allocate_tensors()
    x = np.random.default_rng(3).normal(0, 1, (4, 2, 3)).astype(np.float32)
    out = it.get_output_details()[0]["index"]
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    first = it.get_tensor(out).copy()
    it.invoke()
    assert not np.array_equal(first, it.get_tensor(out))  # the state carried
    it.reset_all_variables()
    it.invoke()
    np.testing.assert_array_equal(first, it.get_tensor(out))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"aux": "weights", "omit": (AUX,)}, "the aux input (input 39) is omitted"),
        ({"aux": "weights", "omit": (46,)}, "backward aux input weights are missing"),
        ({"aux": "weights", "omit": (44, 45, 46, 47)}, "must be given for both cells or neither"),
        ({"aux": "weights", "shape_of": {46: (5, 2)}}, "expected [5, 4]"),
        ({"aux": "input", "shape_of": {AUX: (2, 4, 2)}}, "the input's shape"),
        ({"bw_n_cell": 4}, "same sizes"),
        ({"shape_of": {2: (5, 4)}}, "forward input 2"),
        ({"shape_of": {20: (5, 4)}}, "backward input 20"),
        ({"shape_of": {31: (6,)}}, "expected [5]"),
        ({"omit": (3,)}, "input 3 is omitted"),
        ({"omit": (21,)}, "input 21 is omitted"),
        ({"omit": (BW_C,)}, "input 38 is omitted"),
        ({"omit": (22,)}, "input gate"),
        ({"peephole": True, "omit": (27,)}, "peephole"),
        ({"projection": True, "omit": (33,)}, "without a projection"),
        ({"constant_state": True}, "variable tensor"),
        ({"merge_outputs": True, "outputs": 2}, "one output"),
        ({"outputs": 1}, "two outputs"),
        ({"options": {"cell_clip": -1.0}}, "must not be negative"),
        ({"merge_outputs": True, "batch": 2}, "past the end of the state tensor"),
    ],
)
def test_malformed_bilstm_is_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(Exception) as info:  # noqa: PT011 - the runtime's error type is what the binding raises
        it = Interpreter(model_content=bilstm_model(**kwargs))
        it.allocate_tensors()
    assert message in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "kwargs", [{"bw_n_cell": 4}, {"shape_of": {20: (5, 4)}}, {"merge_outputs": True, "outputs": 2}, {"outputs": 1}]
)
def test_litert_refuses_them_too(kwargs: dict) -> None:
    """What we refuse beyond the unimplemented aux input, LiteRT refuses as well."""
    with pytest.raises(Exception):  # noqa: B017, PT011 - LiteRT raises RuntimeError or ValueError
        it = _litert(bilstm_model(**kwargs))
        it.allocate_tensors()
