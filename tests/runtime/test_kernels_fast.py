"""The optimised CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED paths (packed GEMM, im2col, channel-vectorised
depthwise) against the reference loops and LiteRT.

Each random single-op model runs at every instruction set level this machine has (EMBER_ISA set before the
interpreter is created; the binding's `isa` property confirms the level that ran) and with EMBER_ISA=reference
(the `ember_*_ref_*` loops): every level must give the reference's bits, float32 included, and the reference must
match LiteRT's BUILTIN_REF kernels (int8 bit-exact, float32 within 1e-5 relative). Shapes cover what the fast
paths special-case: odd channel counts around the SIMD widths (16 int8 / 8-16 float lanes, 16-32 GEMM columns),
1x1 stride-1 convolutions (the direct GEMM), strides 1-3, dilations, SAME/VALID padding, 1x1 images, depth
multipliers 1-3, per-tensor and per-channel scales, batches, fused activations, and im2col row blocks that split
the output."""

from __future__ import annotations

import platform

import numpy as np
import pytest
from isa_levels import LEVELS, check_all_levels, isa, run
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _out_size(padding: str, size: int, k: int, stride: int, dilation: int) -> int:
    eff = (k - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == "SAME" else (size - eff + stride) // stride


def _quant_tensors(rng, in_shape, fshape, axis, cout, out_shape):
    s_in, zp_in = float(rng.uniform(0.005, 0.1)), int(rng.integers(-128, 128))
    s_out, zp_out = float(rng.uniform(0.02, 0.4)), int(rng.integers(-40, 40))
    w = rng.integers(-127, 128, size=fshape, dtype=np.int8)
    per_channel = rng.random() < 0.6
    w_scales = [float(s) for s in rng.uniform(0.002, 0.05, size=cout if per_channel else 1)]
    b_scales = [s_in * s for s in w_scales]
    bias = rng.integers(-5000, 5000, size=cout, dtype=np.int32)
    return [TensorSpec("input", in_shape, "int8", scales=[s_in], zero_points=[zp_in]),
            TensorSpec("filter", fshape, "int8", data=w, scales=w_scales, zero_points=[0] * len(w_scales),
                       quantized_dimension=axis),
            TensorSpec("bias", [cout], "int32", data=bias, scales=b_scales, zero_points=[0] * len(b_scales)),
            TensorSpec("output", out_shape, "int8", scales=[s_out], zero_points=[zp_out])]


def _float_tensors(rng, in_shape, fshape, cout, out_shape):
    return [TensorSpec("input", in_shape),
            TensorSpec("filter", fshape, data=rng.standard_normal(fshape).astype(np.float32)),
            TensorSpec("bias", [cout], data=rng.standard_normal(cout).astype(np.float32)),
            TensorSpec("output", out_shape)]


def _input(rng, shape, quantized: bool) -> np.ndarray:
    if quantized:
        return rng.integers(-128, 128, size=shape, dtype=np.int8)
    return rng.standard_normal(shape).astype(np.float32)


def _conv_case(rng: np.random.Generator, depthwise: bool, quantized: bool, kind: str):
    n = int(rng.integers(1, 4))
    h, w = (1, 1) if kind == "1x1_image" else (int(rng.integers(1, 14)), int(rng.integers(1, 14)))
    cin = int(rng.choice([1, 2, 3, 7, 8, 15, 16, 17, 31, 33]))
    mult = int(rng.integers(1, 4)) if depthwise and rng.random() < 0.4 else 1
    cout = cin * mult if depthwise else int(rng.choice([1, 3, 5, 16, 17, 31, 32, 33, 47, 65]))
    if kind == "pointwise":  # the direct GEMM (stride 1) or strided 1x1 through im2col
        kh = kw = 1
        sh = sw = 1 if rng.random() < 0.7 else int(rng.integers(2, 4))
    else:
        kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = (int(rng.integers(1, 4)), int(rng.integers(1, 4))) if rng.random() < 0.3 else (1, 1)
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "VALID":
        h, w = max(h, (kh - 1) * dh + 1), max(w, (kw - 1) * dw + 1)
    if kind == "large":  # more im2col rows than one scratch block holds
        n, h, w, cin, kh, kw, sh, sw, dh, dw = 1, 48, 40, 3, 3, 3, 1, 1, 1, 1
        cout = cin * mult if depthwise else 17
    oh, ow = _out_size(padding, h, kh, sh, dh), _out_size(padding, w, kw, sw, dw)
    fshape = [1, kh, kw, cout] if depthwise else [cout, kh, kw, cin]
    in_shape, out_shape = [n, h, w, cin], [n, oh, ow, cout]
    tensors = (_quant_tensors(rng, in_shape, fshape, 3 if depthwise else 0, cout, out_shape) if quantized
               else _float_tensors(rng, in_shape, fshape, cout, out_shape))
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
               "activation": str(rng.choice(ACTS))}
    if depthwise:
        options["depth_multiplier"] = mult
    op = OpSpec("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [0, 1, 2], [3], options,
                version=3 if quantized else 2)
    return build_model(tensors, [op], [0], [3]), [_input(rng, in_shape, quantized)]


def _fc_case(rng: np.random.Generator, quantized: bool, constant_weights: bool = True):
    batch, n_in, n_out = int(rng.integers(1, 9)), int(rng.integers(1, 300)), int(rng.integers(1, 80))
    if quantized:
        tensors = _quant_tensors(rng, [batch, n_in], [n_out, n_in], 0, n_out, [batch, n_out])
    else:
        tensors = _float_tensors(rng, [batch, n_in], [n_out, n_in], n_out, [batch, n_out])
    inputs = [0, 1, 2] if rng.random() < 0.7 else [0, 1, -1]
    feeds = [_input(rng, [batch, n_in], quantized)]
    graph_inputs = [0]
    if not constant_weights:  # weights fed at run time: the reference loops
        weights = tensors[1]
        feeds.append(np.asarray(weights.data))
        tensors[1] = TensorSpec(weights.name, weights.shape, weights.dtype, scales=weights.scales,
                                zero_points=weights.zero_points)
        graph_inputs = [0, 1]
    op = OpSpec("FULLY_CONNECTED", inputs, [3], {"activation": str(rng.choice(ACTS))}, version=5 if quantized else 1)
    return build_model(tensors, [op], graph_inputs, [3]), feeds


KINDS = ["general", "pointwise", "1x1_image", "large"]


def test_levels_are_the_cpus() -> None:
    """Forcing a level reports it; a level above the CPU's is capped to the CPU's."""
    assert LEVELS[0] == "portable"
    if platform.machine() in ("x86_64", "AMD64"):
        model, _ = _fc_case(np.random.default_rng(0), quantized=True)
        with isa("avx512vnni"):
            assert Interpreter(model_content=model).isa == LEVELS[-1]


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(12))
def test_conv_2d_fast(seed: int, kind: str, quantized: bool) -> None:
    rng = np.random.default_rng(7000 + 100 * KINDS.index(kind) + seed)
    check_all_levels(*_conv_case(rng, depthwise=False, quantized=quantized, kind=kind), quantized)


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("kind", ["general", "1x1_image", "large"])
@pytest.mark.parametrize("seed", range(12))
def test_depthwise_conv_2d_fast(seed: int, kind: str, quantized: bool) -> None:
    rng = np.random.default_rng(8000 + 100 * KINDS.index(kind) + seed)
    check_all_levels(*_conv_case(rng, depthwise=True, quantized=quantized, kind=kind), quantized)


@pytest.mark.parametrize("constant_weights", [True, False], ids=["packed", "runtime_weights"])
@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("seed", range(12))
def test_fully_connected_fast(seed: int, quantized: bool, constant_weights: bool) -> None:
    rng = np.random.default_rng(9000 + seed)
    check_all_levels(*_fc_case(rng, quantized, constant_weights), quantized)


def test_packed_weights_are_in_the_arena_size() -> None:
    """The packed GEMM weights live in the arena that arena_bytes_required reports (the reference needs none)."""
    model, feeds = _conv_case(np.random.default_rng(1), depthwise=False, quantized=True, kind="large")
    sizes = {}
    for level in ("reference", LEVELS[-1]):
        with isa(level):
            it = Interpreter(model_content=model)
        required = it.memory_plan()["arena_bytes"]
        run(it, feeds)
        assert it.arena_bytes() == required
        sizes[level] = required
    assert sizes[LEVELS[-1]] > sizes["reference"] + 17 * 27


def _bmm_case(rng: np.random.Generator, quantized: bool, constant_rhs: bool,
              least: int = 1) -> tuple[bytes, list[np.ndarray]]:
    """BATCH_MATMUL with broadcast batch axes, adj_x / adj_y, sizes (at least `least`) across the GEMM tiles and
    their tails; int8 with a zero rhs zero point (the GEMM path) or, one case in four, a nonzero one (the
    reference loops)."""
    rows, cols, depth = (int(v) for v in rng.integers(least, 40, size=3))
    batch = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 3)))]
    lhs_batch = [b if rng.random() < 0.7 else 1 for b in batch]
    rhs_batch = [b if rng.random() < 0.7 else 1 for b in batch][int(rng.integers(0, len(batch) + 1)):]
    adj_x, adj_y = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    lhs_shape = lhs_batch + ([depth, rows] if adj_x else [rows, depth])
    rhs_shape = rhs_batch + ([cols, depth] if adj_y else [depth, cols])
    out_shape = list(np.broadcast_shapes(tuple(lhs_batch), tuple(rhs_batch))) + [rows, cols]
    x, y = _input(rng, lhs_shape, quantized), _input(rng, rhs_shape, quantized)
    if quantized:
        rhs_zp = 0 if rng.random() < 0.75 or least > 1 else int(rng.integers(-20, 20))
        tensors = [TensorSpec("lhs", lhs_shape, "int8", scales=[0.05], zero_points=[int(rng.integers(-30, 30))]),
                   TensorSpec("rhs", rhs_shape, "int8", data=y if constant_rhs else None, scales=[0.02],
                              zero_points=[rhs_zp]),
                   TensorSpec("out", out_shape, "int8", scales=[float(0.01 * depth ** 0.5)],
                              zero_points=[int(rng.integers(-10, 10))])]
    else:
        tensors = [TensorSpec("lhs", lhs_shape), TensorSpec("rhs", rhs_shape, data=y if constant_rhs else None),
                   TensorSpec("out", out_shape)]
    op = OpSpec("BATCH_MATMUL", [0, 1], [2], {"adj_x": adj_x, "adj_y": adj_y}, version=2 if quantized else 1)
    model = build_model(tensors, [op], [0] if constant_rhs else [0, 1], [2])
    return model, [x] if constant_rhs else [x, y]


@pytest.mark.parametrize("constant_rhs", [True, False], ids=["packed", "graph_rhs"])
@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("seed", range(12))
def test_batch_matmul_fast(seed: int, quantized: bool, constant_rhs: bool) -> None:
    rng = np.random.default_rng(9500 + seed)
    model, feeds = _bmm_case(rng, quantized, constant_rhs)
    check_all_levels(model, feeds, quantized)
    with isa(LEVELS[-1]):
        two = Interpreter(model_content=model, num_threads=2)
    np.testing.assert_array_equal(run(two, feeds).view(np.uint8), run_at_reference(model, feeds).view(np.uint8))


def run_at_reference(model: bytes, feeds: list[np.ndarray]) -> np.ndarray:
    with isa("reference"):
        return run(Interpreter(model_content=model), feeds)


def test_batch_matmul_packs_a_constant_rhs_into_the_arena() -> None:
    """A constant rhs is packed once at prepare, into the arena that arena_bytes_required reports."""
    model, feeds = _bmm_case(np.random.default_rng(3), quantized=True, constant_rhs=True, least=8)
    sizes = {}
    for level in ("reference", LEVELS[-1]):
        with isa(level):
            it = Interpreter(model_content=model)
        required = it.memory_plan()["arena_bytes"]
        run(it, feeds)
        assert it.arena_bytes() == required
        sizes[level] = required
    assert sizes[LEVELS[-1]] > sizes["reference"] + 64
