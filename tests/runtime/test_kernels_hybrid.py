"""Dynamic-range ("hybrid") kernels: float32 activations, constant int8 weights (zero point 0, per tensor or per
output channel), as TensorFlow's converter writes them with Optimize.DEFAULT and no representative dataset.
Each random single-op model runs through ember and LiteRT's reference kernels (BUILTIN_REF) and the float
outputs must be equal bit for bit: the int8 dot products are exact, and the float scaling follows LiteRT's
order op by op. Sweeps: shapes, batches, weight scales, symmetric and asymmetric input quantisation, inputs of
zeros and rows of zeros (the scale-factor-1 special case), fused activations; plus what LiteRT refuses."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from single_op import one_op_model
from tflite_builder import TensorSpec

from ember.runtime import Interpreter


def quantize_weights(w: np.ndarray, axis: int | None, rng: np.random.Generator) -> TensorSpec:
    """int8 weights of float `w`: symmetric, per tensor (axis None) or per channel along `axis`."""
    if axis is None:
        scales = np.array([np.abs(w).max() / 127.0], np.float32)
        q = np.round(w / scales[0])
    else:
        other = tuple(i for i in range(w.ndim) if i != axis)
        scales = (np.abs(w).max(axis=other) / 127.0).astype(np.float32)
        scales[scales == 0] = 1.0
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.round(w / scales.reshape(shape))
    q = np.clip(q, -127, 127).astype(np.int8)
    return TensorSpec("w", list(w.shape), "int8", data=q, scales=[float(s) for s in scales],
                      zero_points=[0] * len(scales), quantized_dimension=axis or 0)


def run_both(model: bytes, feeds: list[np.ndarray], invokes: int = 1) -> None:
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    theirs.allocate_tensors()
    for _ in range(invokes):
        for it in (ours, theirs):
            for detail, value in zip(it.get_input_details(), feeds, strict=True):
                it.set_tensor(detail["index"], value)
            it.invoke()
        a = [ours.get_tensor(d["index"]) for d in ours.get_output_details()]
        b = [theirs.get_tensor(d["index"]) for d in theirs.get_output_details()]
        for x, y in zip(a, b, strict=True):
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x, y)


def refused(model: bytes, words: str) -> None:
    with pytest.raises(Exception) as info:
        Interpreter(model_content=model).allocate_tensors()
    assert words in str(info.value), str(info.value)


def litert_refuses(model: bytes) -> None:
    with pytest.raises(Exception):  # noqa: B017 - LiteRT raises RuntimeError or ValueError by version
        LiteRTInterpreter(model_content=model,
                          experimental_op_resolver_type=OpResolverType.BUILTIN_REF).allocate_tensors()


def feed(shape: tuple[int, ...], rng: np.random.Generator, kind: str) -> np.ndarray:
    x = (rng.standard_normal(shape) * 10 ** rng.uniform(-2, 2)).astype(np.float32)
    if kind == "zeros":
        x[...] = 0.0
    elif kind == "zero_row":  # rows (batch entries) of zeros: scale factor 1
        x[0] = 0.0
    elif kind == "positive":  # asymmetric: the range [0, max], zero point at -128
        x = np.abs(x)
    elif kind == "negative":
        x = -np.abs(x)
    elif kind == "extreme":
        x[..., 0] = 3e38
        x[..., -1] = -1e-30
    return x


# ---------------------------------------------------------------------------------------------- FULLY_CONNECTED


def fc_model(batches: tuple[int, ...], n_in: int, n_out: int, rng: np.random.Generator, *, axis: int | None,
             asymmetric: bool | None, bias: bool = True, activation: str = "NONE", keep_num_dims: bool = False,
             w_scale: float = 1.0) -> bytes:
    w = (rng.standard_normal((n_out, n_in)) * w_scale).astype(np.float32)
    if axis is not None and n_out > 1:
        w *= (10 ** rng.uniform(-2, 1, (n_out, 1))).astype(np.float32)
    inputs = [TensorSpec("x", [*batches, n_in]), quantize_weights(w, axis, rng)]
    if bias:
        inputs.append(TensorSpec("b", [n_out], data=rng.standard_normal(n_out).astype(np.float32)))
    out_shape = [*batches, n_out] if keep_num_dims else [int(np.prod(batches)), n_out]
    options = {"activation": activation, "keep_num_dims": keep_num_dims}
    if asymmetric is not None:
        options["asymmetric"] = asymmetric
    return one_op_model("FULLY_CONNECTED", inputs, [TensorSpec("y", out_shape)], options)


FC_CASES = [((1,), 8, 4), ((3,), 16, 5), ((2, 3), 7, 9), ((5,), 33, 1), ((1,), 1, 3), ((4,), 128, 64),
            ((2,), 300, 17)]


@pytest.mark.parametrize("axis", [None, 0])
@pytest.mark.parametrize("asymmetric", [False, True])
@pytest.mark.parametrize("case", range(len(FC_CASES)))
def test_fully_connected_hybrid_matches_litert(case: int, asymmetric: bool, axis: int | None) -> None:
    batches, n_in, n_out = FC_CASES[case]
    rng = np.random.default_rng(100 + case * 4 + 2 * asymmetric + (axis is not None))
    model = fc_model(batches, n_in, n_out, rng, axis=axis, asymmetric=asymmetric, keep_num_dims=len(batches) > 1,
                     bias=case % 3 != 1, w_scale=10 ** rng.uniform(-3, 1))
    for kind in ("normal", "zero_row", "positive", "negative", "zeros", "extreme"):
        run_both(model, [feed((*batches, n_in), rng, kind)])


@pytest.mark.parametrize("activation", ["RELU", "RELU_N1_TO_1", "RELU6", "TANH"])
@pytest.mark.parametrize("asymmetric", [False, True])
def test_fully_connected_hybrid_activations(activation: str, asymmetric: bool) -> None:
    rng = np.random.default_rng(7)
    model = fc_model((3,), 20, 11, rng, axis=0, asymmetric=asymmetric, activation=activation)
    for kind in ("normal", "zeros", "zero_row"):
        run_both(model, [feed((3, 20), rng, kind)], invokes=2)


def test_fully_connected_hybrid_equal_channel_scales_and_no_option() -> None:
    """Several scales that happen to be equal are still per channel in LiteRT; no asymmetric option: symmetric."""
    rng = np.random.default_rng(8)
    q = rng.integers(-127, 128, (6, 10)).astype(np.int8)
    w = TensorSpec("w", [6, 10], "int8", data=q, scales=[0.01] * 6, zero_points=[0] * 6)
    model = one_op_model("FULLY_CONNECTED", [TensorSpec("x", [2, 10]), w], [TensorSpec("y", [2, 6])])
    for kind in ("normal", "zero_row"):
        run_both(model, [feed((2, 10), rng, kind)])


def test_fully_connected_hybrid_refusals() -> None:
    rng = np.random.default_rng(9)
    q = rng.integers(-127, 128, (4, 5)).astype(np.int8)
    bad_zp = TensorSpec("w", [4, 5], "int8", data=q, scales=[0.1], zero_points=[3])
    model = one_op_model("FULLY_CONNECTED", [TensorSpec("x", [1, 5]), bad_zp], [TensorSpec("y", [1, 4])])
    refused(model, "zero point 0")
    wrong_count = TensorSpec("w", [4, 5], "int8", data=q, scales=[0.1, 0.2], zero_points=[0, 0])
    model = one_op_model("FULLY_CONNECTED", [TensorSpec("x", [1, 5]), wrong_count], [TensorSpec("y", [1, 4])])
    refused(model, "per-channel scales")
    good = TensorSpec("w", [4, 5], "int8", data=q, scales=[0.1], zero_points=[0])
    int8_out = TensorSpec("y", [1, 4], "int8", scales=[0.1], zero_points=[0])
    model = one_op_model("FULLY_CONNECTED", [TensorSpec("x", [1, 5]), good], [int8_out])
    litert_refuses(model)
    refused(model, "float32 output")
    int_bias = TensorSpec("b", [4], "int32", data=np.zeros(4, np.int32))
    model = one_op_model("FULLY_CONNECTED", [TensorSpec("x", [1, 5]), good, int_bias], [TensorSpec("y", [1, 4])])
    litert_refuses(model)
    refused(model, "float32 output and bias")
    u8 = TensorSpec("w", [4, 5], "uint8", data=q.view(np.uint8), scales=[0.1], zero_points=[0])
    model = one_op_model("FULLY_CONNECTED", [TensorSpec("x", [1, 5]), u8], [TensorSpec("y", [1, 4])])
    refused(model, "uint8 weights")


# ------------------------------------------------------------------------------------------------------ CONV_2D


def conv_model(x_shape: tuple[int, int, int, int], out_c: int, kh: int, kw: int, rng: np.random.Generator, *,
               axis: int | None, padding: str = "SAME", stride: tuple[int, int] = (1, 1),
               dilation: tuple[int, int] = (1, 1), activation: str = "NONE", groups: int = 1,
               bias: bool = True, equal_scales: bool = False) -> bytes:
    n, h, w_, c = x_shape
    w = (rng.standard_normal((out_c, kh, kw, c // groups)) * 10 ** rng.uniform(-2, 1)).astype(np.float32)
    if axis is not None and not equal_scales:
        w *= (10 ** rng.uniform(-1.5, 1, (out_c, 1, 1, 1))).astype(np.float32)
    ws = quantize_weights(w, axis, rng)
    if equal_scales:
        ws.scales = [ws.scales[0]] * out_c
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "SAME":
        oh, ow = -(-h // stride[0]), -(-w_ // stride[1])
    else:
        oh, ow = (h - eh) // stride[0] + 1, (w_ - ew) // stride[1] + 1
    inputs = [TensorSpec("x", list(x_shape)), ws]
    if bias:
        inputs.append(TensorSpec("b", [out_c], data=rng.standard_normal(out_c).astype(np.float32)))
    options = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1], "dilation_h": dilation[0],
               "dilation_w": dilation[1], "activation": activation}
    return one_op_model("CONV_2D", inputs, [TensorSpec("y", [n, oh, ow, out_c])], options)


CONV_CASES = [
    dict(x_shape=(1, 5, 5, 3), out_c=4, kh=3, kw=3),
    dict(x_shape=(2, 6, 7, 4), out_c=5, kh=3, kw=2, padding="VALID", stride=(2, 1)),
    dict(x_shape=(3, 8, 8, 2), out_c=3, kh=3, kw=3, dilation=(2, 2)),
    dict(x_shape=(1, 7, 6, 8), out_c=16, kh=1, kw=1),
    dict(x_shape=(2, 9, 9, 3), out_c=6, kh=5, kw=5, stride=(3, 2), activation="RELU6"),
    dict(x_shape=(1, 6, 6, 16), out_c=32, kh=3, kw=3, activation="RELU"),
    dict(x_shape=(2, 4, 5, 6), out_c=6, kh=2, kw=3, activation="RELU_N1_TO_1", padding="VALID",
         dilation=(1, 2)),
]


@pytest.mark.parametrize("axis", [None, 0])
@pytest.mark.parametrize("case", range(len(CONV_CASES)))
def test_conv_2d_hybrid_matches_litert(case: int, axis: int | None) -> None:
    rng = np.random.default_rng(300 + 2 * case + (axis is not None))
    kwargs = CONV_CASES[case]
    model = conv_model(rng=rng, axis=axis, **kwargs)
    for kind in ("normal", "zero_row", "positive", "negative", "zeros", "extreme"):
        run_both(model, [feed(kwargs["x_shape"], rng, kind)])


def test_conv_2d_hybrid_equal_scales_and_groups() -> None:
    """Per-channel scales that are all equal take LiteRT's per-tensor path; a grouped convolution its
    per-channel (asymmetric) path."""
    rng = np.random.default_rng(350)
    model = conv_model((2, 6, 6, 4), 6, 3, 3, rng, axis=0, equal_scales=True)
    for kind in ("normal", "zero_row", "positive"):
        run_both(model, [feed((2, 6, 6, 4), rng, kind)])
    model = conv_model((2, 6, 6, 4), 6, 3, 3, rng, axis=0, groups=2, padding="VALID")
    for kind in ("normal", "zero_row", "negative"):
        run_both(model, [feed((2, 6, 6, 4), rng, kind)])


def test_conv_2d_hybrid_refusals() -> None:
    rng = np.random.default_rng(351)
    model = conv_model((1, 4, 4, 2), 3, 3, 3, rng, axis=None, activation="TANH")
    refused(model, "fused activation")
    q = rng.integers(-127, 128, (3, 3, 3, 2)).astype(np.int8)
    bad = TensorSpec("w", [3, 3, 3, 2], "int8", data=q, scales=[0.1], zero_points=[5])
    model = one_op_model("CONV_2D", [TensorSpec("x", [1, 4, 4, 2]), bad,
                                     TensorSpec("b", [3], data=np.zeros(3, np.float32))],
                         [TensorSpec("y", [1, 4, 4, 3])])
    refused(model, "zero point 0")
    good = TensorSpec("w", [3, 3, 3, 2], "int8", data=q, scales=[0.1], zero_points=[0])
    int_bias = TensorSpec("b", [3], "int32", data=np.zeros(3, np.int32))
    model = one_op_model("CONV_2D", [TensorSpec("x", [1, 4, 4, 2]), good, int_bias], [TensorSpec("y", [1, 4, 4, 3])])
    litert_refuses(model)
    refused(model, "float32 bias")
    model = one_op_model("CONV_2D", [TensorSpec("x", [1, 4, 4, 2]), good], [TensorSpec("y", [1, 4, 4, 3])])
    litert_refuses(model)
    refused(model, "needs a bias")


# -------------------------------------------------------------------------------------------- DEPTHWISE_CONV_2D


def depthwise_model(x_shape: tuple[int, int, int, int], multiplier: int, kh: int, kw: int,
                    rng: np.random.Generator, *, padding: str = "SAME", stride: tuple[int, int] = (1, 1),
                    dilation: tuple[int, int] = (1, 1), activation: str = "NONE", bias: bool = True) -> bytes:
    n, h, w_, c = x_shape
    out_c = c * multiplier
    w = (rng.standard_normal((1, kh, kw, out_c)) * 10 ** rng.uniform(-2, 1)).astype(np.float32)
    w *= (10 ** rng.uniform(-1.5, 1, (1, 1, 1, out_c))).astype(np.float32)
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "SAME":
        oh, ow = -(-h // stride[0]), -(-w_ // stride[1])
    else:
        oh, ow = (h - eh) // stride[0] + 1, (w_ - ew) // stride[1] + 1
    inputs = [TensorSpec("x", list(x_shape)), quantize_weights(w, 3, rng)]
    if bias:
        inputs.append(TensorSpec("b", [out_c], data=rng.standard_normal(out_c).astype(np.float32)))
    options = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1], "dilation_h": dilation[0],
               "dilation_w": dilation[1], "activation": activation, "depth_multiplier": multiplier}
    return one_op_model("DEPTHWISE_CONV_2D", inputs, [TensorSpec("y", [n, oh, ow, out_c])], options)


DEPTHWISE_CASES = [
    dict(x_shape=(1, 5, 5, 3), multiplier=1, kh=3, kw=3),
    dict(x_shape=(2, 7, 6, 4), multiplier=2, kh=3, kw=2, padding="VALID", stride=(2, 1)),
    dict(x_shape=(3, 8, 8, 2), multiplier=3, kh=3, kw=3, dilation=(2, 2), activation="RELU"),
    dict(x_shape=(1, 6, 6, 128), multiplier=1, kh=3, kw=3, activation="RELU6"),
    dict(x_shape=(2, 9, 9, 5), multiplier=1, kh=5, kw=5, stride=(3, 2), bias=False),
    dict(x_shape=(2, 4, 5, 6), multiplier=1, kh=2, kw=3, activation="RELU_N1_TO_1", padding="VALID",
         dilation=(1, 2)),
]


@pytest.mark.parametrize("case", range(len(DEPTHWISE_CASES)))
def test_depthwise_conv_2d_hybrid_matches_litert(case: int) -> None:
    rng = np.random.default_rng(400 + case)
    kwargs = DEPTHWISE_CASES[case]
    model = depthwise_model(rng=rng, **kwargs)
    for kind in ("normal", "zero_row", "positive", "negative", "zeros", "extreme"):
        run_both(model, [feed(kwargs["x_shape"], rng, kind)])


def test_depthwise_conv_2d_hybrid_refusals() -> None:
    rng = np.random.default_rng(451)
    q = rng.integers(-127, 128, (1, 3, 3, 4)).astype(np.int8)
    bias = TensorSpec("b", [4], data=np.zeros(4, np.float32))
    per_tensor = TensorSpec("w", [1, 3, 3, 4], "int8", data=q, scales=[0.1], zero_points=[0])
    model = one_op_model("DEPTHWISE_CONV_2D", [TensorSpec("x", [1, 4, 4, 4]), per_tensor, bias],
                         [TensorSpec("y", [1, 4, 4, 4])], {"depth_multiplier": 1})
    # LiteRT accepts one scale on axis 0 (the filter's dims[0] is 1) and then reads a scale per output channel
    # past the one there is: undefined, so ember refuses it
    refused(model, "one per output channel")
    good = TensorSpec("w", [1, 3, 3, 4], "int8", data=q, scales=[0.1] * 4, zero_points=[0] * 4,
                      quantized_dimension=3)
    model = one_op_model("DEPTHWISE_CONV_2D", [TensorSpec("x", [1, 4, 4, 4]), good, bias],
                         [TensorSpec("y", [1, 4, 4, 4])], {"depth_multiplier": 0})
    refused(model, "depth_multiplier")
    int8_out = TensorSpec("y", [1, 4, 4, 4], "int8", scales=[0.1], zero_points=[0])
    model = one_op_model("DEPTHWISE_CONV_2D", [TensorSpec("x", [1, 4, 4, 4]), good, bias], [int8_out],
                         {"depth_multiplier": 1})
    litert_refuses(model)
    refused(model, "float32 output")


# ------------------------------------------------------------------------------------------------- BATCH_MATMUL


def bmm_model(lhs_shape: tuple[int, ...], rhs_shape: tuple[int, ...], rng: np.random.Generator, *,
              adj_x: bool = False, adj_y: bool = False, per_channel: bool = False,
              asymmetric: bool | None = None) -> bytes:
    w = (rng.standard_normal(rhs_shape) * 10 ** rng.uniform(-2, 1)).astype(np.float32)
    axis = len(rhs_shape) - (2 if adj_y else 1)
    if per_channel:
        shape = [1] * len(rhs_shape)
        shape[axis] = rhs_shape[axis]
        w *= (10 ** rng.uniform(-1.5, 1, shape)).astype(np.float32)
    ws = quantize_weights(w, axis if per_channel else None, rng)
    rows = lhs_shape[-1] if adj_x else lhs_shape[-2]
    cols = rhs_shape[-2] if adj_y else rhs_shape[-1]
    rank = max(len(lhs_shape), len(rhs_shape))
    lb = (1,) * (rank - len(lhs_shape)) + tuple(lhs_shape[:-2])
    rb = (1,) * (rank - len(rhs_shape)) + tuple(rhs_shape[:-2])
    batch = [max(a, b) for a, b in zip(lb, rb, strict=True)]
    options: dict = {"adj_x": adj_x, "adj_y": adj_y}
    if asymmetric is not None:
        options["asymmetric"] = asymmetric
    return one_op_model("BATCH_MATMUL", [TensorSpec("x", list(lhs_shape)), ws],
                        [TensorSpec("y", [*batch, rows, cols])], options)


BMM_CASES = [
    dict(lhs_shape=(3, 8), rhs_shape=(8, 5)),
    dict(lhs_shape=(2, 4, 6), rhs_shape=(6, 7)),
    dict(lhs_shape=(2, 4, 6), rhs_shape=(2, 6, 3)),
    dict(lhs_shape=(6, 4), rhs_shape=(6, 9), adj_x=True),
    dict(lhs_shape=(2, 5, 7), rhs_shape=(4, 7), adj_y=True),
    dict(lhs_shape=(1, 3, 2, 10), rhs_shape=(3, 10, 4)),
    dict(lhs_shape=(2, 3, 2, 10), rhs_shape=(10, 4), adj_x=False),  # two batch axes: LiteRT's scale indexing
    dict(lhs_shape=(2, 1, 3, 5), rhs_shape=(2, 4, 5, 6)),  # both broadcast, two batch axes
    dict(lhs_shape=(4, 64), rhs_shape=(64, 300)),
]


@pytest.mark.parametrize("asymmetric", [None, True])
@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("case", range(len(BMM_CASES)))
def test_batch_matmul_hybrid_matches_litert(case: int, per_channel: bool, asymmetric: bool | None) -> None:
    rng = np.random.default_rng(500 + 4 * case + 2 * per_channel + (asymmetric is not None))
    kwargs = BMM_CASES[case]
    model = bmm_model(rng=rng, per_channel=per_channel, asymmetric=asymmetric, **kwargs)
    for kind in ("normal", "zero_row", "positive", "negative", "zeros", "extreme"):
        run_both(model, [feed(kwargs["lhs_shape"], rng, kind)], invokes=2)


def test_batch_matmul_hybrid_refusals() -> None:
    rng = np.random.default_rng(551)
    q = rng.integers(-127, 128, (4, 3)).astype(np.int8)
    bad = TensorSpec("w", [4, 3], "int8", data=q, scales=[0.1], zero_points=[2])
    model = one_op_model("BATCH_MATMUL", [TensorSpec("x", [2, 4]), bad], [TensorSpec("y", [2, 3])])
    refused(model, "zero point 0")
    on_depth = TensorSpec("w", [4, 3], "int8", data=q, scales=[0.1] * 4, zero_points=[0] * 4, quantized_dimension=0)
    model = one_op_model("BATCH_MATMUL", [TensorSpec("x", [2, 4]), on_depth], [TensorSpec("y", [2, 3])])
    refused(model, "one per output channel")
    good = TensorSpec("w", [4, 3], "int8", data=q, scales=[0.1], zero_points=[0])
    model = one_op_model("BATCH_MATMUL", [TensorSpec("x", [2, 4]), good],
                         [TensorSpec("y", [2, 3], "int8", scales=[0.1], zero_points=[0])])
    refused(model, "dynamic range")


# ---------------------------------------------------------------------------------- UNIDIRECTIONAL_SEQUENCE_RNN


def hybrid_rnn_model(batch: int, time: int, n_input: int, units: int, rng: np.random.Generator, *,
                     time_major: bool = False, activation: str = "RELU", asymmetric: bool | None = None) -> bytes:
    from tflite_builder import OpSpec, build_model

    x_shape = (time, batch, n_input) if time_major else (batch, time, n_input)
    y_shape = (time, batch, units) if time_major else (batch, time, units)
    w = quantize_weights(rng.normal(0, 0.6, (units, n_input)).astype(np.float32), None, rng)
    r = quantize_weights(rng.normal(0, 0.3, (units, units)).astype(np.float32), None, rng)
    r.name = "r"
    tensors = [TensorSpec("x", x_shape), w, r,
               TensorSpec("b", (units,), data=rng.normal(0, 0.3, units).astype(np.float32)),
               TensorSpec("h", (batch, units), is_variable=True), TensorSpec("y", y_shape)]
    options: dict = {"time_major": time_major, "activation": activation}
    if asymmetric is not None:
        options["asymmetric"] = asymmetric
    return build_model(tensors, [OpSpec("UNIDIRECTIONAL_SEQUENCE_RNN", [0, 1, 2, 3, 4], [5], options)], [0], [5])


RNN_CASES = [
    dict(batch=1, time=4, n_input=3, units=5),
    dict(batch=2, time=4, n_input=9, units=6, activation="TANH", time_major=True),
    dict(batch=3, time=5, n_input=7, units=9, time_major=True),
    dict(batch=2, time=6, n_input=16, units=8, activation="RELU6"),
    dict(batch=2, time=3, n_input=5, units=4, activation="NONE", time_major=True),
    dict(batch=3, time=4, n_input=6, units=6, activation="RELU_N1_TO_1"),
]


@pytest.mark.parametrize("asymmetric", [None, True])
@pytest.mark.parametrize("case", range(len(RNN_CASES)))
def test_sequence_rnn_hybrid_matches_litert(case: int, asymmetric: bool | None) -> None:
    """Bit-exact over three invokes (the hidden state carries over); zero inputs skip the input product."""
    rng = np.random.default_rng(600 + 2 * case + (asymmetric is not None))
    kwargs = RNN_CASES[case]
    model = hybrid_rnn_model(rng=rng, asymmetric=asymmetric, **kwargs)
    shape = ((kwargs["time"], kwargs["batch"]) if kwargs.get("time_major") else (kwargs["batch"], kwargs["time"]))
    x_shape = (*shape, kwargs["n_input"])
    ours = Interpreter(model_content=model)
    theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    for kind in ("zeros", "normal", "zero_row", "positive", "zeros"):
        x = feed(x_shape, rng, kind) if kind != "normal" else rng.normal(0, 1.5, x_shape).astype(np.float32)
        for it in (ours, theirs):
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
        np.testing.assert_array_equal(ours.get_tensor(ours.get_output_details()[0]["index"]),
                                      theirs.get_tensor(theirs.get_output_details()[0]["index"]))


@pytest.mark.parametrize("asymmetric", [False, True])
def test_sequence_rnn_hybrid_tanh(asymmetric: bool) -> None:
    """TANH (the RNN's default) is Eigen's rational approximation in LiteRT; ember computes the same, so the
    recurrence stays bit-exact over invokes, inputs well past the clamp included."""
    rng = np.random.default_rng(650)
    model = hybrid_rnn_model(2, 5, 6, 7, rng, activation="TANH", asymmetric=asymmetric)
    ours = Interpreter(model_content=model)
    theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    for scale in (1.5, 0.01, 30.0):
        x = rng.normal(0, scale, (2, 5, 6)).astype(np.float32)
        for it in (ours, theirs):
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
        np.testing.assert_array_equal(ours.get_tensor(ours.get_output_details()[0]["index"]),
                                      theirs.get_tensor(theirs.get_output_details()[0]["index"]))


def test_sequence_rnn_hybrid_refusals() -> None:
    from tflite_builder import OpSpec, build_model

    rng = np.random.default_rng(651)
    w = quantize_weights(rng.normal(0, 0.6, (4, 3)).astype(np.float32), None, rng)
    r_float = TensorSpec("r", (4, 4), data=rng.normal(0, 0.3, (4, 4)).astype(np.float32))
    tensors = [TensorSpec("x", (1, 2, 3)), w, r_float, TensorSpec("b", (4,), data=np.zeros(4, np.float32)),
               TensorSpec("h", (1, 4), is_variable=True), TensorSpec("y", (1, 2, 4))]
    model = build_model(tensors, [OpSpec("UNIDIRECTIONAL_SEQUENCE_RNN", [0, 1, 2, 3, 4], [5])], [0], [5])
    refused(model, "both weights are int8")


# ------------------------------------------------------------------------------------ resize, threads, invokes


@pytest.mark.parametrize("op", ["fc", "conv", "depthwise", "bmm", "rnn"])
def test_hybrid_after_resize_and_with_threads(op: str) -> None:
    """The scratch (quantised rows, scale factors) follows a resize to a larger batch (larger images, more rows);
    results do not depend on the thread count."""
    rng = np.random.default_rng(700)
    if op == "fc":
        model, small, big = fc_model((1,), 12, 7, rng, axis=0, asymmetric=True), [1, 12], [6, 12]
    elif op == "conv":
        model, small, big = conv_model((1, 5, 5, 3), 4, 3, 3, rng, axis=0), [1, 5, 5, 3], [3, 7, 6, 3]
    elif op == "depthwise":
        model, small, big = depthwise_model((1, 5, 5, 4), 2, 3, 3, rng), [1, 5, 5, 4], [4, 6, 5, 4]
    elif op == "bmm":
        model, small, big = bmm_model((1, 2, 8), (8, 5), rng, asymmetric=True), [1, 2, 8], [3, 9, 8]
    else:
        model = hybrid_rnn_model(2, 3, 4, 5, rng, asymmetric=True)
        small = big = [2, 3, 4]  # the RNN's output shape does not follow a resize yet (shape propagation)
    for shape in (big, small, big):
        x = rng.normal(0, 2.0, shape).astype(np.float32)
        outs = []
        for threads in (1, 3):
            ours = Interpreter(model_content=model, num_threads=threads)
            ours.allocate_tensors()
            ours.resize_tensor_input(ours.get_input_details()[0]["index"], shape)
            ours.allocate_tensors()
            ours.set_tensor(ours.get_input_details()[0]["index"], x)
            ours.invoke()
            outs.append(ours.get_tensor(ours.get_output_details()[0]["index"]))
        theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
        theirs.resize_tensor_input(theirs.get_input_details()[0]["index"], shape)
        theirs.allocate_tensors()
        theirs.set_tensor(theirs.get_input_details()[0]["index"], x)
        theirs.invoke()
        expected = theirs.get_tensor(theirs.get_output_details()[0]["index"])
        for got in outs:
            np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("op", ["fc", "conv", "depthwise"])
def test_hybrid_large_enough_to_split_over_threads(op: str) -> None:
    """Big enough that the work is split into several tasks (EMBER_MIN_TASK_MACS each): same bits as LiteRT."""
    rng = np.random.default_rng(710)
    if op == "fc":
        model, shape = fc_model((3,), 256, 384, rng, axis=0, asymmetric=True, activation="RELU"), (3, 256)
    elif op == "conv":
        model, shape = conv_model((2, 12, 12, 16), 32, 3, 3, rng, axis=0), (2, 12, 12, 16)
    else:
        model, shape = depthwise_model((2, 16, 16, 64), 2, 3, 3, rng), (2, 16, 16, 64)
    ours = Interpreter(model_content=model, num_threads=4)
    assert ours.get_num_threads() > 1
    ours.allocate_tensors()
    theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    theirs.allocate_tensors()
    for kind in ("normal", "zero_row"):
        x = feed(shape, rng, kind)
        for it in (ours, theirs):
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
        np.testing.assert_array_equal(ours.get_tensor(ours.get_output_details()[0]["index"]),
                                      theirs.get_tensor(theirs.get_output_details()[0]["index"]))


def test_fully_connected_hybrid_non_finite_inputs() -> None:
    """NaN and infinite inputs (the fuzzer's finding: a NaN row's float -> int conversion was undefined behaviour).
    Symmetric rows give what LiteRT's x86-64 build gives (its conversion's INT32_MIN, clamped to the lowest code);
    asymmetric rows holding NaN or inf are unspecified (LiteRT's own min/max of a NaN row is order-dependent), but
    run, and leave the other rows of the batch exact."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 6)).astype(np.float32)
    x[0, 2], x[1, 0] = np.nan, np.inf
    run_both(fc_model((3,), 6, 4, rng, axis=0, asymmetric=False), [x])
    model = fc_model((3,), 6, 4, rng, axis=0, asymmetric=True)
    outs = []
    for it in (Interpreter(model_content=model),
               LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)):
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        outs.append(it.get_tensor(it.get_output_details()[0]["index"]))
    np.testing.assert_array_equal(outs[0][2], outs[1][2])
