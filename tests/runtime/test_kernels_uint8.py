"""uint8 (asymmetric, TF1-style) quantisation in the existing kernels against LiteRT's reference kernels.

Random one-op models: uint8 activations with random scales and zero points in [0, 255], per-tensor uint8 weights
with their own zero point and int32 bias for the convolutions and FULLY_CONNECTED, strides, paddings and fused
activations; every output must equal LiteRT BUILTIN_REF's bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import one_op_model, run_ember, run_litert
from tflite_builder import OpSpec, TensorSpec, build_model

SEEDS = range(12)
ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _u8(name: str, shape, rng: np.random.Generator, scale: float | None = None, zp: int | None = None,
        data: np.ndarray | None = None) -> TensorSpec:
    s = float(np.float32(scale if scale is not None else 10 ** rng.uniform(-2.5, -0.5)))
    z = int(zp if zp is not None else rng.integers(0, 256))
    return TensorSpec(name, list(shape), "uint8", data=data, scales=[s], zero_points=[z])


def _feed(shape, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, size=tuple(shape), dtype=np.uint8)


def _check(model: bytes, feeds: list[np.ndarray]) -> None:
    ours, ref = run_ember(model, feeds), run_litert(model, feeds, reference=True)
    for a, b in zip(ours, ref, strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, a.shape, b.dtype, b.shape)
        bad = np.flatnonzero(a.ravel() != b.ravel())
        assert bad.size == 0, f"{bad.size} of {a.size} differ, first {bad[:5]}: ours {a.ravel()[bad[:5]]}, " \
                              f"LiteRT {b.ravel()[bad[:5]]}"


def _out_size(padding: str, n: int, k: int, s: int, d: int = 1) -> int:
    eff = (k - 1) * d + 1
    return (n + s - 1) // s if padding == "SAME" else (n - eff + s) // s


@pytest.mark.parametrize("depthwise", [False, True], ids=["conv", "depthwise"])
@pytest.mark.parametrize("seed", SEEDS)
def test_conv_uint8(seed: int, depthwise: bool) -> None:
    rng = np.random.default_rng(seed)
    n, h, w, cin = int(rng.integers(1, 3)), int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 5))
    mult = int(rng.integers(1, 3)) if depthwise else 1
    cout = cin * mult if depthwise else int(rng.integers(1, 6))
    kh, kw, sh, sw = (int(v) for v in rng.integers(1, 4, size=4))
    dh, dw = (int(v) for v in rng.integers(1, 3, size=2)) if rng.random() < 0.3 else (1, 1)
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "VALID":
        h, w = max(h, (kh - 1) * dh + 1), max(w, (kw - 1) * dw + 1)
    oh, ow = _out_size(padding, h, kh, sh, dh), _out_size(padding, w, kw, sw, dw)
    fshape = [1, kh, kw, cout] if depthwise else [cout, kh, kw, cin]
    x = _u8("input", [n, h, w, cin], rng, scale=float(rng.uniform(0.005, 0.05)))
    # Weight zero point 128 takes the optimised int8 paths (GEMM, depthwise pixel kernels); others the reference.
    f = _u8("filter", fshape, rng, scale=float(rng.uniform(0.002, 0.02)), zp=128 if seed % 2 else None,
            data=_feed(fshape, rng))
    s_b = float(np.float32(x.scales[0]) * np.float32(f.scales[0]))
    bias = TensorSpec("bias", [cout], "int32", data=rng.integers(-3000, 3000, size=cout, dtype=np.int32),
                      scales=[s_b], zero_points=[0])
    y = _u8("output", [n, oh, ow, cout], rng, scale=float(rng.uniform(0.05, 0.5)))
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
               "activation": str(rng.choice(ACTS))}
    if depthwise:
        options["depth_multiplier"] = mult
    model = one_op_model("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [x, f, bias], [y], options)
    _check(model, [_feed(x.shape, rng)])


@pytest.mark.parametrize("seed", SEEDS)
def test_fully_connected_uint8(seed: int) -> None:
    rng = np.random.default_rng(seed)
    batches, k, out = int(rng.integers(1, 4)), int(rng.integers(1, 40)), int(rng.integers(1, 12))
    x = _u8("input", [batches, k], rng, scale=float(rng.uniform(0.005, 0.05)))
    f = _u8("weights", [out, k], rng, scale=float(rng.uniform(0.002, 0.02)), zp=128 if seed % 2 else None,
            data=_feed([out, k], rng))
    s_b = float(np.float32(x.scales[0]) * np.float32(f.scales[0]))
    bias = TensorSpec("bias", [out], "int32", data=rng.integers(-3000, 3000, size=out, dtype=np.int32),
                      scales=[s_b], zero_points=[0])
    y = _u8("output", [batches, out], rng, scale=float(rng.uniform(0.05, 0.5)))
    model = one_op_model("FULLY_CONNECTED", [x, f, bias], [y], {"activation": str(rng.choice(ACTS))})
    _check(model, [_feed(x.shape, rng)])


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL"])
@pytest.mark.parametrize("seed", SEEDS)
def test_binary_uint8(seed: int, op: str) -> None:
    rng = np.random.default_rng(seed)
    shape = [int(v) for v in rng.integers(1, 5, size=int(rng.integers(1, 5)))]
    other = [d if rng.random() < 0.6 else 1 for d in shape]  # broadcasting
    constant = seed % 3 == 2  # a constant uint8 operand is flipped like an activation
    a, b = _u8("a", shape, rng), _u8("b", other, rng, data=_feed(other, rng) if constant else None)
    y = _u8("y", shape, rng)
    model = one_op_model(op, [a, b], [y], {"activation": str(rng.choice(ACTS))})
    _check(model, [_feed(shape, rng)] + ([] if constant else [_feed(other, rng)]))


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("seed", SEEDS)
def test_pool_uint8(seed: int, op: str) -> None:
    rng = np.random.default_rng(seed)
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 5))
    kh, kw, sh, sw = (int(v) for v in rng.integers(1, 4, size=4))
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "VALID":
        h, w = max(h, kh), max(w, kw)
    x = _u8("x", [n, h, w, c], rng)
    y = TensorSpec("y", [n, _out_size(padding, h, kh, sh), _out_size(padding, w, kw, sw), c], "uint8",
                   scales=x.scales, zero_points=x.zero_points)
    model = one_op_model(op, [x], [y], {"padding": padding, "stride_h": sh, "stride_w": sw, "filter_h": kh,
                                        "filter_w": kw, "activation": str(rng.choice(ACTS))})
    _check(model, [_feed(x.shape, rng)])


@pytest.mark.parametrize("seed", SEEDS)
def test_mean_uint8(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = [int(rng.integers(1, 3)), int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 5))]
    axes = np.array([1, 2] if rng.random() < 0.6 else [int(rng.integers(0, 4))], dtype=np.int32)
    out = [d for i, d in enumerate(shape) if i not in axes]
    x = _u8("x", shape, rng)
    same = rng.random() < 0.5
    y = _u8("y", out, rng, scale=x.scales[0] if same else None, zp=x.zero_points[0] if same else None)
    model = one_op_model("MEAN", [x, TensorSpec("axes", [len(axes)], "int32", data=axes)], [y])
    _check(model, [_feed(shape, rng)])


@pytest.mark.parametrize("op", ["SOFTMAX", "LOGISTIC", "TANH", "RELU", "RELU6"])
@pytest.mark.parametrize("seed", SEEDS)
def test_unary_uint8(seed: int, op: str) -> None:
    rng = np.random.default_rng(seed)
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 20))]
    x = _u8("x", shape, rng, scale=float(10 ** rng.uniform(-2, -0.5)))
    # LiteRT's uint8 output parameters: softmax and logistic (1/256, 0), tanh (1/128, 128).
    fixed = {"SOFTMAX": (1 / 256, 0), "LOGISTIC": (1 / 256, 0), "TANH": (1 / 128, 128)}
    y = _u8("y", shape, rng, *fixed.get(op, (None, None)))
    options = {"beta": float(rng.uniform(0.5, 2.0))} if op == "SOFTMAX" else {}
    _check(one_op_model(op, [x], [y], options), [_feed(shape, rng)])


@pytest.mark.parametrize("seed", SEEDS)
def test_concatenation_uint8(seed: int) -> None:
    rng = np.random.default_rng(seed)
    axis = int(rng.integers(0, 3))
    base = [int(v) for v in rng.integers(1, 4, size=3)]
    shapes = []
    for _ in range(int(rng.integers(1, 4))):
        s = list(base)
        s[axis] = int(rng.integers(1, 4))
        shapes.append(s)
    out = list(base)
    out[axis] = sum(s[axis] for s in shapes)
    same = rng.random() < 0.3
    y = _u8("y", out, rng)
    xs = [_u8(f"x{i}", s, rng, scale=y.scales[0] if same else None, zp=y.zero_points[0] if same else None)
          for i, s in enumerate(shapes)]
    model = one_op_model("CONCATENATION", xs, [y], {"axis": axis})
    _check(model, [_feed(s, rng) for s in shapes])


def _same_quant(x: TensorSpec, name: str, shape) -> TensorSpec:
    return TensorSpec(name, list(shape), "uint8", scales=x.scales, zero_points=x.zero_points)


@pytest.mark.parametrize("seed", range(4))
def test_layout_uint8(seed: int) -> None:
    """RESHAPE, SQUEEZE, PAD (with the zero point), TRANSPOSE, RESIZE_NEAREST_NEIGHBOR, STRIDED_SLICE, GATHER,
    PACK, SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND move uint8 bytes; PAD fills with the zero point."""
    rng = np.random.default_rng(seed)
    x = _u8("x", [1, 4, 6, 3], rng)
    feed = [_feed(x.shape, rng)]
    i32 = np.int32
    cases = [
        ("RESHAPE", [TensorSpec("s", [2], "int32", data=np.array([4, 18], i32))], [4, 18], {}),
        ("SQUEEZE", [], [4, 6, 3], {"squeeze_dims": [0]}),
        ("PAD", [TensorSpec("p", [4, 2], "int32", data=np.array([[0, 0], [1, 2], [0, 1], [1, 0]], i32))],
         [1, 7, 7, 4], {}),
        ("TRANSPOSE", [TensorSpec("p", [4], "int32", data=np.array([0, 3, 1, 2], i32))], [1, 3, 4, 6], {}),
        ("RESIZE_NEAREST_NEIGHBOR", [TensorSpec("s", [2], "int32", data=np.array([7, 5], i32))], [1, 7, 5, 3], {}),
        ("STRIDED_SLICE", [TensorSpec("b", [4], "int32", data=np.array([0, 1, 0, 0], i32)),
                           TensorSpec("e", [4], "int32", data=np.array([1, 4, 6, 3], i32)),
                           TensorSpec("st", [4], "int32", data=np.array([1, 2, 3, 1], i32))], [1, 2, 2, 3], {}),
        ("GATHER", [TensorSpec("i", [3], "int32", data=np.array([5, 0, 2], i32))], [1, 4, 3, 3], {"axis": 2}),
        ("SPACE_TO_BATCH_ND", [TensorSpec("b", [2], "int32", data=np.array([2, 2], i32)),
                               TensorSpec("p", [2, 2], "int32", data=np.array([[0, 0], [1, 1]], i32))],
         [4, 2, 4, 3], {}),
        ("BATCH_TO_SPACE_ND", [TensorSpec("b", [2], "int32", data=np.array([1, 1], i32)),
                               TensorSpec("c", [2, 2], "int32", data=np.array([[1, 0], [0, 2]], i32))],
         [1, 3, 4, 3], {}),
    ]
    for op, extra, out, options in cases:
        _check(one_op_model(op, [x, *extra], [_same_quant(x, "y", out)], options), feed)
    x2 = _same_quant(x, "x2", x.shape)
    _check(one_op_model("PACK", [x, x2], [_same_quant(x, "y", [2, 1, 4, 6, 3])], {"values_count": 2, "axis": 0}),
           [feed[0], _feed(x.shape, rng)])


@pytest.mark.parametrize("seed", SEEDS)
def test_quantize_dequantize_uint8(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = [int(rng.integers(1, 5)), int(rng.integers(1, 30))]
    f = TensorSpec("f", shape)
    q = _u8("q", shape, rng)
    floats = (rng.standard_normal(shape) * 3).astype(np.float32)
    _check(one_op_model("QUANTIZE", [f], [q]), [floats])
    _check(one_op_model("DEQUANTIZE", [q], [TensorSpec("f", shape)]), [_feed(shape, rng)])
    # uint8 <-> int8 requantisation, same scale (the zero point moves by 128) or a different one.
    same = rng.random() < 0.5
    s8 = q.scales[0] if same else float(10 ** rng.uniform(-2.5, -0.5))
    z8 = q.zero_points[0] - 128 if same else int(rng.integers(-128, 128))
    i8 = TensorSpec("i8", shape, "int8", scales=[s8], zero_points=[z8])
    _check(one_op_model("QUANTIZE", [q], [i8]), [_feed(shape, rng)])
    _check(one_op_model("QUANTIZE", [i8], [_u8("u", shape, rng, scale=q.scales[0] if same else None,
                                                   zp=q.zero_points[0] if same else None)]),
           [rng.integers(-128, 128, size=tuple(shape), dtype=np.int8)])


def test_mixed_uint8_int8_is_refused() -> None:
    """Only QUANTIZE converts between uint8 and int8; an ADD of the two is refused with a message."""
    from ember.runtime import Interpreter

    rng = np.random.default_rng(0)
    a, y = _u8("a", [4], rng), _u8("y", [4], rng)
    b = TensorSpec("b", [4], "int8", scales=[0.1], zero_points=[0])
    with pytest.raises(Exception, match="mixes uint8 and int8"):
        Interpreter(model_content=one_op_model("ADD", [a, b], [y])).allocate_tensors()



@pytest.mark.parametrize("op", ["MEAN", "ADD", "CONV_2D"])
def test_uint8_node_without_inputs_is_refused(op: str) -> None:
    """A uint8 node with no inputs at all (the fuzzer made a MEAN like this; its uint8 wrapper reserved no
    scratch and still pointed into it): a clear error naming the input count, never undefined behaviour."""
    from ember.runtime import Interpreter

    model = one_op_model(op, [], [_u8("y", [1, 2, 2, 1], np.random.default_rng(0))])
    with pytest.raises(Exception, match=rf"{op} 0: needs"):
        Interpreter(model_content=model).allocate_tensors()

@pytest.mark.parametrize("op", ["ADD", "MUL", "CONCATENATION"])
def test_one_uint8_tensor_as_both_inputs(op: str) -> None:
    """x op x: the shared input is flipped once, not twice."""
    rng = np.random.default_rng(1)
    x, y = _u8("x", [2, 5], rng), _u8("y", [2, 10] if op == "CONCATENATION" else [2, 5], rng)
    options = {"axis": 1} if op == "CONCATENATION" else {}
    model = build_model([x, y], [OpSpec(op, [0, 0], [1], options)], [0], [1])
    _check(model, [_feed(x.shape, rng)])


@pytest.mark.parametrize("seed", SEEDS)
def test_requantize_uint8_to_uint8(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = [int(rng.integers(1, 4)), int(rng.integers(1, 30))]
    _check(one_op_model("QUANTIZE", [_u8("a", shape, rng)], [_u8("b", shape, rng)]), [_feed(shape, rng)])
