"""PRELU, RESIZE_BILINEAR, DEPTH_TO_SPACE, SPACE_TO_DEPTH, TRANSPOSE_CONV, MIRROR_PAD, PADV2, L2_NORMALIZATION and
LOCAL_RESPONSE_NORMALIZATION as hand-built one-op models against LiteRT (single_op.compare): quantised outputs
bit-exact with the reference kernels, float32 within 1e-5 relative of the reference and default kernels. Each
test sweeps shapes (odd channels, batches), options and types in the op versions TensorFlow's converter writes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from single_op import assert_outputs_match, compare, one_op_model, run_ember, run_litert
from tflite_builder import TensorSpec

from ember.runtime import Interpreter

QTYPES = ("int8", "uint8")


def tensor(name: str, shape, dtype: str, rng: np.random.Generator, data: np.ndarray | None = None,
           scale: float | None = None, zero_point: int | None = None) -> TensorSpec:
    """A tensor of `dtype`; int8/uint8 ones get random (or the given) per-tensor quantisation parameters."""
    if dtype not in QTYPES:
        return TensorSpec(name, list(shape), dtype, data=data)
    info = np.iinfo(dtype)
    s = float(np.float32(scale if scale is not None else 10 ** rng.uniform(-2.5, -0.5)))
    z = int(zero_point if zero_point is not None else rng.integers(info.min + 20, info.max - 20))
    return TensorSpec(name, list(shape), dtype, data=data, scales=[s], zero_points=[z])


def random_data(shape, dtype: str, rng: np.random.Generator) -> np.ndarray:
    if dtype in QTYPES or dtype in ("int32", "int64"):
        info = np.iinfo(dtype) if dtype in QTYPES else np.iinfo(np.int16)
        return rng.integers(info.min, info.max + 1, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(np.float32)


def same_params(t: TensorSpec, name: str, shape) -> TensorSpec:
    return TensorSpec(name, list(shape), t.dtype, scales=t.scales, zero_points=t.zero_points)


# ---------------------------------------------------------------------------------------------------- PRELU
PRELU_SHAPES = [([1, 5, 6, 7], [7]), ([1, 5, 6, 7], [1, 1, 7]), ([2, 4, 3, 5], [4, 3, 5]), ([3, 9], [9]),
                ([1, 4, 4, 3], [1, 1, 1]), ([2, 3, 1, 4], [3, 1, 1]), ([6], [6])]


@pytest.mark.parametrize("dtype", ["float32", *QTYPES])
@pytest.mark.parametrize("shapes", PRELU_SHAPES, ids=str)
def test_prelu(dtype: str, shapes) -> None:
    rng = np.random.default_rng(len(str(shapes)) + len(dtype))
    x_shape, a_shape = shapes
    for _ in range(3):
        if dtype == "float32":
            alpha = rng.uniform(-1, 1, a_shape).astype(np.float32)
        else:
            alpha = random_data(a_shape, dtype, rng)
        x = tensor("x", x_shape, dtype, rng)
        a = tensor("alpha", a_shape, dtype, rng, data=alpha, scale=float(rng.uniform(0.002, 0.02)))
        y = tensor("y", x_shape, dtype, rng)
        compare(one_op_model("PRELU", [x, a], [y], version=1), rng)


def test_prelu_alpha_as_a_graph_input() -> None:
    rng = np.random.default_rng(3)
    model = one_op_model("PRELU", [TensorSpec("x", [2, 3, 5]), TensorSpec("alpha", [3, 5])],
                         [TensorSpec("y", [2, 3, 5])])
    compare(model, rng)


# ------------------------------------------------------------------------------------------- RESIZE_BILINEAR
RESIZES = [([1, 5, 7, 3], (10, 14)), ([1, 5, 7, 3], (3, 4)), ([2, 4, 4, 5], (7, 9)), ([1, 1, 1, 2], (3, 2)),
           ([1, 6, 3, 1], (1, 1)), ([1, 3, 8, 4], (3, 8)), ([1, 2, 9, 3], (5, 2))]
FLAGS = [(False, False), (True, False), (False, True)]


@pytest.mark.parametrize("dtype", ["float32", *QTYPES])
@pytest.mark.parametrize("flags", FLAGS, ids=["plain", "align_corners", "half_pixel_centers"])
@pytest.mark.parametrize("case", RESIZES, ids=str)
def test_resize_bilinear(dtype: str, flags, case) -> None:
    rng = np.random.default_rng(7)
    shape, size = case
    x = tensor("x", shape, dtype, rng)
    y = same_params(x, "y", [shape[0], *size, shape[3]])
    options = {"align_corners": flags[0], "half_pixel_centers": flags[1]}
    model = one_op_model("RESIZE_BILINEAR", [x, TensorSpec("size", [2], "int32", data=np.array(size, np.int32))],
                         [y], options, version=3)
    compare(model, rng, runs=3)


def test_resize_bilinear_int8_keeps_its_taps_inside_a_tall_upscale() -> None:
    # 3 rows to 2000: the reference's rounded 10-bit scale puts the last rows' lower tap past the image (LiteRT
    # reads beyond its input there); ours stays on the last row, whose value the output then holds.
    x = TensorSpec("x", [1, 3, 1, 1], "int8", scales=[0.1], zero_points=[0])
    size = TensorSpec("size", [2], "int32", data=np.array([2000, 1], np.int32))
    model = one_op_model("RESIZE_BILINEAR", [x, size], [same_params(x, "y", [1, 2000, 1, 1])], version=3)
    y = run_ember(model, [np.array([10, 20, 30], np.int8).reshape(1, 3, 1, 1)])[0].ravel()
    assert y[0] == 10 and (y[-200:] == 30).all()


def test_resize_bilinear_refuses_both_flags() -> None:
    model = one_op_model("RESIZE_BILINEAR", [TensorSpec("x", [1, 2, 2, 1]),
                                             TensorSpec("size", [2], "int32", data=np.array([4, 4], np.int32))],
                         [TensorSpec("y", [1, 4, 4, 1])], {"align_corners": True, "half_pixel_centers": True}, 3)
    with pytest.raises(Exception, match="align_corners and half_pixel_centers"):
        Interpreter(model_content=model).allocate_tensors()


# ------------------------------------------------------------------------------ DEPTH_TO_SPACE, SPACE_TO_DEPTH
@pytest.mark.parametrize("dtype", ["float32", "int32", *QTYPES])
@pytest.mark.parametrize("block", [1, 2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3, 5])
def test_depth_to_space_and_back(dtype: str, block: int, channels: int) -> None:
    rng = np.random.default_rng(block * 10 + channels)
    space = [2, 3 * block, 2 * block, channels]
    depth = [2, 3, 2, channels * block * block]
    for op, (a, b) in (("DEPTH_TO_SPACE", (depth, space)), ("SPACE_TO_DEPTH", (space, depth))):
        x = tensor("x", a, dtype, rng)
        # LiteRT 2.3 registers version 1 of DEPTH_TO_SPACE only; its kernel takes every type there.
        model = one_op_model(op, [x], [same_params(x, "y", b)], {"block_size": block},
                             version=1 if op == "DEPTH_TO_SPACE" or dtype != "int8" else 2)
        compare(model, rng)


def test_depth_to_space_refuses_a_shape_that_does_not_match_the_block() -> None:
    model = one_op_model("DEPTH_TO_SPACE", [TensorSpec("x", [1, 2, 2, 8])], [TensorSpec("y", [1, 4, 4, 3])],
                         {"block_size": 2})
    with pytest.raises(Exception, match="block_size 2"):
        Interpreter(model_content=model).allocate_tensors()


# ------------------------------------------------------------------------------------------- TRANSPOSE_CONV
def _conv_out(padding: str, size: int, k: int, stride: int) -> int:
    return (size + stride - 1) // stride if padding == "SAME" else (size - k + stride) // stride


TCONV_CASES = [  # (input HxW, kernel HxW, stride HxW)
    ((5, 6), (3, 3), (2, 2)), ((4, 4), (1, 1), (1, 1)), ((3, 5), (2, 4), (3, 2)), ((6, 3), (5, 3), (1, 3)),
    ((1, 1), (3, 3), (2, 2)), ((4, 7), (4, 4), (2, 2)), ((2, 3), (3, 2), (4, 1)),
]


def _tconv_model(rng: np.random.Generator, dtype: str, in_hw, k_hw, stride, padding: str, in_c: int, out_c: int,
                 batches: int, bias: bool, activation: str, per_channel: bool, grow: int = 0) -> bytes:
    # The output size whose conv gives the input: the largest for VALID (plus `grow` within the same stride),
    # in * stride for SAME.
    out_hw = []
    for size, k, s in zip(in_hw, k_hw, stride, strict=True):
        out = size * s if padding == "SAME" else (size - 1) * s + k
        out += min(grow, s - 1) if padding == "VALID" else -min(grow, s - 1)
        assert _conv_out(padding, out, k, s) == size
        out_hw.append(out)
    out_shape = [batches, *out_hw, out_c]
    w_shape = [out_c, *k_hw, in_c]
    inputs = [TensorSpec("output_shape", [4], "int32", data=np.array(out_shape, np.int32))]
    if dtype == "float32":
        inputs += [TensorSpec("w", w_shape, data=rng.standard_normal(w_shape).astype(np.float32)),
                   TensorSpec("x", [batches, *in_hw, in_c])]
        if bias:
            inputs.append(TensorSpec("b", [out_c], data=rng.standard_normal(out_c).astype(np.float32)))
        output = TensorSpec("y", out_shape)
    else:  # int8: symmetric weights, per tensor or per channel; uint8: per tensor with a zero point
        u8 = dtype == "uint8"
        s_in, z_in = float(rng.uniform(0.01, 0.05)), int(rng.integers(-40, 40)) + (128 if u8 else 0)
        w_scales = rng.uniform(0.002, 0.02, out_c if per_channel else 1).astype(np.float32)
        w_data = rng.integers(0, 256, w_shape).astype(np.uint8) if u8 else \
            rng.integers(-127, 128, w_shape).astype(np.int8)
        w_zps = [int(rng.integers(100, 156))] if u8 else [0] * len(w_scales)
        inputs += [TensorSpec("w", w_shape, dtype, data=w_data, scales=[float(v) for v in w_scales],
                              zero_points=w_zps),
                   TensorSpec("x", [batches, *in_hw, in_c], dtype, scales=[s_in], zero_points=[z_in])]
        if bias:
            b_scales = [float(np.float32(s_in * float(v))) for v in w_scales]  # as many as the weights have
            inputs.append(TensorSpec("b", [out_c], "int32", data=rng.integers(-3000, 3000, out_c).astype(np.int32),
                                     scales=b_scales, zero_points=[0] * len(b_scales)))
        output = TensorSpec("y", out_shape, dtype, scales=[float(rng.uniform(0.02, 0.1))],
                            zero_points=[int(rng.integers(-20, 20)) + (128 if u8 else 0)])
    version = 4 if activation != "NONE" else 3 if bias else 2 if dtype == "int8" else 1
    options = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1], "activation": activation}
    return one_op_model("TRANSPOSE_CONV", inputs, [output], options, version=version)


@pytest.mark.parametrize("dtype", ["float32", *QTYPES])
@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("case", TCONV_CASES, ids=str)
def test_transpose_conv(dtype: str, padding: str, case) -> None:
    rng = np.random.default_rng(sum(map(sum, case)) + len(padding))
    in_hw, k_hw, stride = case
    for bias, activation, per_channel, grow in itertools.product((False, True), ("NONE", "RELU", "RELU6"),
                                                               (False, True), (0, 1)):
        if dtype != "int8" and per_channel:
            continue
        in_c, out_c = int(rng.integers(1, 6)), int(rng.integers(1, 8))
        model = _tconv_model(rng, dtype, in_hw, k_hw, stride, padding, in_c, out_c, int(rng.integers(1, 3)),
                             bias, activation, per_channel, grow)
        compare(model, rng, runs=1)


def test_transpose_conv_with_weights_computed_at_run_time() -> None:
    # Weights fed as a graph input are packed at every eval instead of once at prepare.
    rng = np.random.default_rng(21)
    model = one_op_model("TRANSPOSE_CONV", [TensorSpec("s", [4], "int32", data=np.array([2, 7, 9, 5], np.int32)),
                                            TensorSpec("w", [5, 3, 3, 4]), TensorSpec("x", [2, 3, 4, 4])],
                         [TensorSpec("y", [2, 7, 9, 5])], {"padding": "VALID", "stride_h": 2, "stride_w": 2})
    compare(model, rng, runs=3)


def test_transpose_conv_refuses_weights_that_do_not_fit_the_output() -> None:
    model = one_op_model("TRANSPOSE_CONV", [TensorSpec("s", [4], "int32", data=np.array([1, 4, 4, 3], np.int32)),
                                            TensorSpec("w", [2, 3, 3, 5], data=np.zeros((2, 3, 3, 5), np.float32)),
                                            TensorSpec("x", [1, 2, 2, 5])],
                         [TensorSpec("y", [1, 4, 4, 3])], {"padding": "SAME", "stride_h": 2, "stride_w": 2})
    with pytest.raises(Exception, match="output channels 3"):
        Interpreter(model_content=model).allocate_tensors()


# ------------------------------------------------------------------------------------- MIRROR_PAD and PADV2
MIRROR_CASES = [([7], [[3, 6]]), ([4, 5], [[3, 0], [2, 4]]), ([2, 3, 4], [[0, 1], [2, 2], [3, 1]]),
                ([1, 5, 6, 3], [[0, 0], [4, 1], [0, 5], [0, 0]]), ([2, 2, 3, 2], [[1, 1], [1, 0], [2, 2], [1, 1]])]


@pytest.mark.parametrize("dtype", ["float32", "int32", *QTYPES])
@pytest.mark.parametrize("mode", [0, 1], ids=["REFLECT", "SYMMETRIC"])
@pytest.mark.parametrize("case", MIRROR_CASES, ids=str)
def test_mirror_pad(dtype: str, mode: int, case) -> None:
    rng = np.random.default_rng(mode)
    shape, pads = case
    pads = np.array(pads)
    if mode == 0:  # REFLECT pads at most size - 1
        pads = np.minimum(pads, np.array(shape)[:, None] - 1)
    x = tensor("x", shape, dtype, rng)
    out = [s + int(p.sum()) for s, p in zip(shape, pads, strict=True)]
    for index_type in ("int32", "int64"):
        paddings = TensorSpec("paddings", [len(shape), 2], index_type, data=pads.astype(index_type))
        model = one_op_model("MIRROR_PAD", [x, paddings], [same_params(x, "y", out)], {"mode": mode},
                             version=2 if dtype == "int8" else 1)
        compare(model, rng)


def test_mirror_pad_refuses_a_reflection_longer_than_the_axis() -> None:
    model = one_op_model("MIRROR_PAD", [TensorSpec("x", [3]),
                                        TensorSpec("p", [1, 2], "int32", data=np.array([[3, 0]], np.int32))],
                         [TensorSpec("y", [6])], {"mode": 0})
    with pytest.raises(Exception, match="at most the axis size - 1 with REFLECT"):
        Interpreter(model_content=model).allocate_tensors()


PAD_CASES = [([5], [[2, 3]]), ([3, 4], [[1, 0], [0, 2]]), ([1, 4, 5, 3], [[0, 0], [1, 2], [3, 1], [0, 2]]),
             ([2, 1, 3], [[1, 1], [0, 0], [2, 0]])]


@pytest.mark.parametrize("dtype", ["float32", "int32", "int64", *QTYPES])
@pytest.mark.parametrize("case", PAD_CASES, ids=str)
def test_padv2(dtype: str, case) -> None:
    rng = np.random.default_rng(11)
    shape, pads = case
    x = tensor("x", shape, dtype, rng)
    out = [s + sum(p) for s, p in zip(shape, pads, strict=True)]
    value = random_data([], dtype, rng) if dtype != "float32" else np.float32(-1.75)
    constant = TensorSpec("value", [], dtype, data=np.asarray(value, dtype), scales=x.scales,
                          zero_points=x.zero_points)
    paddings = TensorSpec("paddings", [len(shape), 2], "int32", data=np.array(pads, np.int32))
    model = one_op_model("PADV2", [x, paddings, constant], [same_params(x, "y", out)],
                         version=2 if dtype == "int8" else 1)
    compare(model, rng)


# ----------------------------------------------------------------------------- L2_NORMALIZATION, LRN
@pytest.mark.parametrize("dtype", ["float32", *QTYPES])
@pytest.mark.parametrize("shape", [[3, 7], [1, 4, 5, 9], [10], [2, 3, 1], [1, 2, 2, 64]], ids=str)
def test_l2_normalization(dtype: str, shape) -> None:
    rng = np.random.default_rng(len(shape))
    for _ in range(3):
        x = tensor("x", shape, dtype, rng)
        if dtype == "float32":
            y = TensorSpec("y", shape)
        else:
            y = TensorSpec("y", shape, dtype, scales=[1 / 128], zero_points=[0 if dtype == "int8" else 128])
        model = one_op_model("L2_NORMALIZATION", [x], [y], version=2 if dtype == "int8" else 1)
        compare(model, rng)
        # Rows at the zero point (a zero norm) and rows of one code.
        zp = 0 if dtype == "float32" else x.zero_points[0]
        feed = np.full(shape, zp, dtype)
        feed.reshape(-1, shape[-1])[::2] = random_data(shape, dtype, rng).reshape(-1, shape[-1])[::2]
        compare(model, rng, feeds=[feed])


def test_l2_normalization_refuses_an_output_scale_other_than_1_128() -> None:
    rng = np.random.default_rng(0)
    model = one_op_model("L2_NORMALIZATION", [tensor("x", [2, 3], "int8", rng)],
                         [TensorSpec("y", [2, 3], "int8", scales=[0.01], zero_points=[0])], version=2)
    with pytest.raises(Exception, match="must be 1/128"):
        Interpreter(model_content=model).allocate_tensors()


@pytest.mark.parametrize("radius", [0, 1, 2, 5, 9])
@pytest.mark.parametrize("depth", [1, 4, 7, 12])
def test_local_response_normalization(radius: int, depth: int) -> None:
    rng = np.random.default_rng(radius * 100 + depth)
    for bias, alpha, beta in ((1.0, 1.0, 0.5), (2.0, 1e-4, 0.75), (0.5, 0.3, 1.25)):
        model = one_op_model("LOCAL_RESPONSE_NORMALIZATION", [TensorSpec("x", [2, 3, 4, depth])],
                             [TensorSpec("y", [2, 3, 4, depth])],
                             {"radius": radius, "bias": bias, "alpha": alpha, "beta": beta})
        # The reference kernel's window is [c - radius, c + radius); LiteRT's default kernel (and TensorFlow)
        # include c + radius, so only the reference is the oracle here.
        feed = rng.standard_normal((2, 3, 4, depth)).astype(np.float32) * 2
        assert_outputs_match(run_ember(model, [feed]), run_litert(model, [feed], reference=True))


# ------------------------------------------------------------------------------- replay and fuzz seeds
def seed_models() -> list[tuple[str, bytes]]:
    """One small model of each op here for each type it takes (float32, int8, uint8): test_cross_replay replays
    them on every target, test_fuzz starts its corpus from them."""
    rng = np.random.default_rng(12)
    models = []
    for dtype in ("float32", *QTYPES):
        x = tensor("x", [1, 4, 5, 3], dtype, rng)
        alpha = rng.uniform(-1, 1, [3]).astype(np.float32) if dtype == "float32" else random_data([3], dtype, rng)
        models.append((f"PRELU/{dtype}", one_op_model(
            "PRELU", [x, tensor("alpha", [3], dtype, rng, data=alpha, scale=0.01)], [tensor("y", [1, 4, 5, 3],
                                                                                           dtype, rng)])))
        size = TensorSpec("size", [2], "int32", data=np.array([7, 9], np.int32))
        models.append((f"RESIZE_BILINEAR/{dtype}", one_op_model(
            "RESIZE_BILINEAR", [x, size], [same_params(x, "y", [1, 7, 9, 3])], {"half_pixel_centers": True}, 3)))
        d = tensor("d", [1, 2, 3, 12], dtype, rng)
        models.append((f"DEPTH_TO_SPACE/{dtype}", one_op_model(
            "DEPTH_TO_SPACE", [d], [same_params(d, "y", [1, 4, 6, 3])], {"block_size": 2})))
        s = tensor("s", [1, 4, 6, 3], dtype, rng)
        models.append((f"SPACE_TO_DEPTH/{dtype}", one_op_model(
            "SPACE_TO_DEPTH", [s], [same_params(s, "y", [1, 2, 3, 12])], {"block_size": 2},
            version=2 if dtype == "int8" else 1)))
        pads = TensorSpec("paddings", [4, 2], "int32", data=np.array([[0, 0], [2, 1], [1, 3], [0, 0]], np.int32))
        for mode in (0, 1):
            models.append((f"MIRROR_PAD_{mode}/{dtype}", one_op_model(
                "MIRROR_PAD", [x, pads], [same_params(x, "y", [1, 7, 9, 3])], {"mode": mode},
                version=2 if dtype == "int8" else 1)))
        value = np.asarray(random_data([], dtype, rng) if dtype != "float32" else 0.5, dtype)
        models.append((f"PADV2/{dtype}", one_op_model(
            "PADV2", [x, pads, TensorSpec("v", [], dtype, data=value, scales=x.scales, zero_points=x.zero_points)],
            [same_params(x, "y", [1, 7, 9, 3])], version=2 if dtype == "int8" else 1)))
        out = TensorSpec("y", [1, 4, 5, 3]) if dtype == "float32" else TensorSpec(
            "y", [1, 4, 5, 3], dtype, scales=[1 / 128], zero_points=[0 if dtype == "int8" else 128])
        models.append((f"L2_NORMALIZATION/{dtype}", one_op_model("L2_NORMALIZATION", [x], [out],
                                                                 version=2 if dtype == "int8" else 1)))
    for dtype in ("float32", *QTYPES):
        for per_channel in (False, True) if dtype == "int8" else (False,):
            models.append((f"TRANSPOSE_CONV_{per_channel}/{dtype}", _tconv_model(
                rng, dtype, (3, 4), (3, 3), (2, 2), "SAME", 3, 5, 1, True, "RELU", per_channel)))
    models.append(("LOCAL_RESPONSE_NORMALIZATION/float32", one_op_model(
        "LOCAL_RESPONSE_NORMALIZATION", [TensorSpec("x", [1, 2, 3, 7])], [TensorSpec("y", [1, 2, 3, 7])],
        {"radius": 2, "bias": 1.0, "alpha": 0.5, "beta": 0.75})))
    return models


def test_seed_models_match_litert() -> None:
    rng = np.random.default_rng(5)
    for name, model in seed_models():
        if name.startswith("LOCAL_RESPONSE"):  # its default kernel differs from the reference (see above)
            feed = rng.standard_normal((1, 2, 3, 7)).astype(np.float32)
            assert_outputs_match(run_ember(model, [feed]), run_litert(model, [feed], reference=True))
        else:
            compare(model, rng, runs=1)
