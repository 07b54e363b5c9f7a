"""UNIDIRECTIONAL_SEQUENCE_LSTM, fully integer (LiteRT's EvalInteger8x8_16: int8 input, output, weights and
output state, int16 cell state, int16 peepholes and layer-norm coefficients, int32 biases, the operator's five
intermediates), bit-exact with LiteRT's reference kernels over several invokes in a row (the states carry):
TensorFlow-converted files (tests/data/tf/recurrent/make_lstm_int8.py) and hand-built ones with random weights
and realistic scales for what the converter does not write (CIFG, peepholes, projection with and without bias,
layer norm, clips, time-major, batch > 1, every cell-state scale LiteRT implements, extreme inputs). Plus the
files LiteRT refuses, refused by ember with a message that names the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

TF_DIR = Path(__file__).resolve().parents[1] / "data" / "tf" / "recurrent"


def lstm_int8_model(
    batch: int = 2,
    time: int = 4,
    n_input: int = 5,
    n_cell: int = 6,
    n_output: int | None = None,
    *,
    cifg: bool = False,
    peephole: bool = False,
    projection: bool = False,
    projection_bias: bool = False,
    layer_norm: bool = False,
    time_major: bool = False,
    cell_clip: float = 0.0,
    proj_clip: float = 0.0,
    cell_log2: int = -11,
    hidden_zp: int = 3,
    weight_range: int = 127,
    intermediates: int = 5,
    hidden_quantised: bool = True,
    activation: str = "TANH",
    types: dict[int, str] | None = None,
    cell_scale: float | None = None,
    seed: int = 0,
) -> bytes:
    """One integer LSTM with random int8 weights; `types` overrides an input's dtype (files LiteRT refuses)."""
    rng = np.random.default_rng(seed)
    n_output = n_output if n_output is not None else (n_cell if not projection else n_cell - 2)
    input_scale, input_zp = float(rng.uniform(0.01, 0.05)), int(rng.integers(-20, 21))
    state_scale, state_zp = float(rng.uniform(1 / 200, 1 / 100)), int(rng.integers(-15, 16))
    hidden_scale = float(rng.uniform(1 / 160, 1 / 110))
    types = types or {}

    def weights(shape: tuple[int, ...], scale: float) -> tuple[np.ndarray, float]:
        return rng.integers(-weight_range, weight_range + 1, shape).astype(np.int8), scale

    specs: dict[int, TensorSpec] = {}
    for g in range(4):
        if g == 0 and cifg:
            continue
        w, s = weights((n_cell, n_input), float(rng.uniform(0.002, 0.01)))
        specs[1 + g] = TensorSpec(f"w_in{g}", w.shape, "int8", data=w, scales=[s], zero_points=[0])
        w, s = weights((n_cell, n_output), float(rng.uniform(0.002, 0.01)))
        specs[5 + g] = TensorSpec(f"w_rec{g}", w.shape, "int8", data=w, scales=[s], zero_points=[0])
        bias = rng.integers(-3000, 3001, (n_cell,)).astype(np.int32)
        specs[12 + g] = TensorSpec(f"bias{g}", (n_cell,), "int32", data=bias, scales=[1e-4], zero_points=[0])
        if layer_norm:
            ln = rng.integers(500, 3000, (n_cell,)).astype(np.int16)
            specs[20 + g] = TensorSpec(f"ln{g}", (n_cell,), "int16", data=ln, scales=[2.0**-10], zero_points=[0])
    if peephole:
        for i in range(3):
            if i == 0 and cifg:
                continue
            p = rng.integers(-20000, 20001, (n_cell,)).astype(np.int16)
            specs[9 + i] = TensorSpec(
                f"peep{i}", (n_cell,), "int16", data=p, scales=[float(rng.uniform(2e-5, 1e-4))], zero_points=[0]
            )
    if projection:
        w, s = weights((n_output, n_cell), float(rng.uniform(0.004, 0.012)))
        specs[16] = TensorSpec("proj", w.shape, "int8", data=w, scales=[s], zero_points=[0])
        if projection_bias:
            pb = rng.integers(-2000, 2001, (n_output,)).astype(np.int32)
            specs[17] = TensorSpec("proj_bias", (n_output,), "int32", data=pb, scales=[1e-4], zero_points=[0])
    for i, dtype in types.items():  # hostile: the same values in another type
        t = specs[i]
        data = np.asarray(t.data).astype(np.dtype(dtype))
        specs[i] = TensorSpec(t.name, t.shape, dtype, data=data, scales=t.scales, zero_points=t.zero_points)

    x_shape = (time, batch, n_input) if time_major else (batch, time, n_input)
    y_shape = (time, batch, n_output) if time_major else (batch, time, n_output)
    tensors = [TensorSpec("x", x_shape, "int8", scales=[input_scale], zero_points=[input_zp])]
    index = [0] + [-1] * ((24 if layer_norm else 20) - 1)
    for i in sorted(specs):
        index[i] = len(tensors)
        tensors.append(specs[i])
    index[18] = len(tensors)
    tensors.append(
        TensorSpec("h", (batch, n_output), "int8", is_variable=True, scales=[state_scale], zero_points=[state_zp])
    )
    index[19] = len(tensors)
    c_scale = cell_scale if cell_scale is not None else 2.0**cell_log2
    tensors.append(TensorSpec("c", (batch, n_cell), "int16", is_variable=True, scales=[c_scale], zero_points=[0]))
    mids = []
    for k in range(intermediates):
        mids.append(len(tensors))
        if k == 4 and hidden_quantised:
            tensors.append(TensorSpec("hidden", (0,), "int8", scales=[hidden_scale], zero_points=[hidden_zp]))
        elif layer_norm:
            scale = float(rng.uniform(2.0**-13, 2.0**-10))
            tensors.append(TensorSpec(f"gate{k}", (0,), "int16", scales=[scale], zero_points=[0]))
        else:
            tensors.append(TensorSpec(f"gate{k}" if k < 4 else "hidden", (0,)))
    out = len(tensors)
    tensors.append(TensorSpec("y", y_shape, "int8", scales=[state_scale], zero_points=[state_zp]))
    options = {"time_major": time_major, "cell_clip": cell_clip, "proj_clip": proj_clip, "activation": activation}
    op = OpSpec("UNIDIRECTIONAL_SEQUENCE_LSTM", index, [out], options=options, intermediates=mids or None)
    return build_model(tensors, [op], [0], [out])


def _litert(model: bytes, path: Path | None = None):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    kwargs = {"model_path": str(path)} if path else {"model_content": model}
    return LiteRTInterpreter(experimental_op_resolver_type=OpResolverType.BUILTIN_REF, **kwargs)


def _check_against_litert(model: bytes | None, *, path: Path | None = None, invokes: int = 4, seed: int = 1) -> None:
    ours = Interpreter(model_path=str(path)) if path else Interpreter(model_content=model)
    theirs = _litert(model, path)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    shape = tuple(ours.get_input_details()[0]["shape"])
    rng = np.random.default_rng(seed)
    inputs = [rng.integers(-128, 128, shape).astype(np.int8) for _ in range(invokes)]
    inputs += [
        np.full(shape, 127, np.int8),
        np.full(shape, -128, np.int8),
        rng.integers(-128, 128, shape).astype(np.int8),
    ]
    for k, x in enumerate(inputs):
        for it in (ours, theirs):
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
        got = ours.get_tensor(ours.get_output_details()[0]["index"])
        expected = theirs.get_tensor(theirs.get_output_details()[0]["index"])
        assert got.dtype == np.int8
        np.testing.assert_array_equal(got, expected, err_msg=f"invoke {k}")
    # reset: both back to the zero-point state, then the same again
    ours.reset_all_variables()
    theirs.reset_all_variables()
    for it in (ours, theirs):
        it.set_tensor(it.get_input_details()[0]["index"], inputs[0])
        it.invoke()
    np.testing.assert_array_equal(
        ours.get_tensor(ours.get_output_details()[0]["index"]),
        theirs.get_tensor(theirs.get_output_details()[0]["index"]),
        err_msg="after reset_all_variables",
    )


@pytest.mark.parametrize("name", ["lstm_int8_small", "lstm_int8_wide", "lstm_int8_time_major", "bilstm_int8"])
def test_tf_converted_int8_lstm_matches_litert(name: str) -> None:
    _check_against_litert(None, path=TF_DIR / f"{name}.tflite", invokes=5)


CASES = {
    "plain": {},
    "batch1": {"batch": 1},
    "batch3_odd": {"batch": 3, "n_input": 7, "n_cell": 9, "time": 6},
    "time_major": {"time_major": True, "batch": 3},
    "cifg": {"cifg": True},
    "peephole": {"peephole": True},
    "cifg_peephole": {"cifg": True, "peephole": True},
    "projection": {"projection": True},
    "projection_bias_clip": {"projection": True, "projection_bias": True, "proj_clip": 0.3},
    "projection_narrow_peephole": {"projection": True, "peephole": True, "n_output": 3, "batch": 2},
    "cell_clip": {"cell_clip": 0.2},
    "layer_norm": {"layer_norm": True},
    "layer_norm_cifg_peephole": {"layer_norm": True, "cifg": True, "peephole": True},
    "layer_norm_projection_time_major": {
        "layer_norm": True,
        "projection": True,
        "projection_bias": True,
        "time_major": True,
        "batch": 3,
    },
    "everything": {
        "peephole": True,
        "projection": True,
        "projection_bias": True,
        "layer_norm": True,
        "cell_clip": 0.5,
        "proj_clip": 0.4,
        "batch": 2,
        "time": 3,
    },
    "zero_hidden_zp": {"hidden_zp": 0, "projection": True},
    "negative_hidden_zp": {"hidden_zp": -9, "projection": True, "projection_bias": True},
    "small_weights": {"weight_range": 20, "time": 8},
    "relu_activation_ignored": {"activation": "RELU"},  # the integer kernel always uses tanh
    "no_activation_ignored": {"activation": "NONE", "projection": True},
    **{f"cell_scale_2^{k}": {"cell_log2": k, "seed": -k} for k in range(-15, -8)},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_int8_lstm_options_match_litert(case: str) -> None:
    _check_against_litert(lstm_int8_model(**CASES[case]))


@pytest.mark.parametrize("seed", range(24))
def test_int8_lstm_random_sweep(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    projection = bool(rng.integers(2))
    n_cell = int(rng.integers(1, 12))
    kwargs = {
        "batch": int(rng.integers(1, 4)),
        "time": int(rng.integers(1, 6)),
        "n_input": int(rng.integers(1, 10)),
        "n_cell": n_cell,
        "n_output": int(rng.integers(1, n_cell + 1)) if projection else None,
        "cifg": bool(rng.integers(2)),
        "peephole": bool(rng.integers(2)),
        "projection": projection,
        "projection_bias": bool(rng.integers(2)),
        "layer_norm": bool(rng.integers(2)),
        "time_major": bool(rng.integers(2)),
        "cell_clip": float(rng.choice([0.0, 0.3, 2.0])),
        "proj_clip": float(rng.choice([0.0, 0.25])),
        "cell_log2": int(rng.integers(-15, -8)),
        "hidden_zp": int(rng.integers(-20, 21)),
        "weight_range": int(rng.choice([10, 60, 127])),
        "seed": seed,
    }
    _check_against_litert(lstm_int8_model(**kwargs), invokes=3, seed=seed)


def _both_refuse(model: bytes, message: str) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - LiteRT raises RuntimeError or ValueError
        _litert(model).allocate_tensors()
    with pytest.raises(Exception) as info:  # noqa: PT011 - the runtime's error type is what the binding raises
        Interpreter(model_content=model).allocate_tensors()
    assert message in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"intermediates": 0}, "5 intermediate tensors"),
        ({"intermediates": 4}, "5 intermediate tensors"),
        ({"hidden_quantised": False}, "intermediate 4 ('hidden') has no quantisation"),
        ({"peephole": True, "types": {10: "int8"}}, "must be int16"),
        ({"types": {13: "int16"}}, "must be int32"),
        ({"layer_norm": True, "types": {21: "int8"}}, "must be int16"),
        ({"projection": True, "projection_bias": True, "types": {17: "int16"}}, "must be int32"),
    ],
)
def test_malformed_int8_lstm_is_refused_like_litert(kwargs: dict, message: str) -> None:
    _both_refuse(lstm_int8_model(**kwargs), message)


@pytest.mark.parametrize("scale", [3e-4, 1.1e-3, 2.5e-5])
def test_non_power_of_two_cell_scale_is_refused(scale: float) -> None:
    """LiteRT's prepare fails its CheckedLog2 check but ignores the status, then runs with zero multipliers:
    all-zero output. ember refuses the file instead."""
    model = lstm_int8_model(cell_scale=scale)
    theirs = _litert(model)
    theirs.allocate_tensors()
    x = np.random.default_rng(0).integers(-128, 128, tuple(theirs.get_input_details()[0]["shape"])).astype(np.int8)
    theirs.set_tensor(theirs.get_input_details()[0]["index"], x)
    theirs.invoke()
    assert not theirs.get_tensor(theirs.get_output_details()[0]["index"]).any()
    with pytest.raises(Exception) as info:  # noqa: PT011 - the runtime's error type is what the binding raises
        Interpreter(model_content=model).allocate_tensors()
    assert "needs a power of two" in str(info.value), str(info.value)


def test_peephole_with_a_projection_wider_than_the_cell_is_refused() -> None:
    """LiteRT's integer peephole product runs over n_output values a row: past the weights when n_output >
    n_cell (it reads memory it does not own), so ember refuses the file."""
    model = lstm_int8_model(peephole=True, projection=True, n_cell=4, n_output=6)
    with pytest.raises(Exception) as info:  # noqa: PT011 - the runtime's error type is what the binding raises
        Interpreter(model_content=model).allocate_tensors()
    assert "projection wider than the cell (6 > 4)" in str(info.value), str(info.value)
