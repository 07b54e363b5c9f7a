"""The optimised ADD, SUB, MUL, MEAN and HARD_SWISH paths (gemm/elementwise*.c: SIMD rows with exact
requantisation, channel-vectorised column sums, SIMD look-ups of the int8 HARD_SWISH table) against the reference
loops and LiteRT.

Each random one-op model runs at every instruction set level this machine has (EMBER_ISA set before the interpreter
is created; the binding's `isa` property confirms the level that ran) and with EMBER_ISA=reference (the plain
loops): every level must give the reference's bytes, float32 included (NaN, infinities and signed zeros too), and
the reference must match LiteRT's BUILTIN_REF kernels (int8 bit-exact, float32 within 1e-5 relative). Shapes cover
what the fast paths special-case: element counts around the SIMD widths (1..65: 8 and 16 lanes, the 16-element
steps and their tails), equal shapes, a scalar on either side ([] or [1]), a channel vector on either side ([C],
[1, 1, 1, C], [N, 1, 1, C]), general N-d broadcasts (collapsed to the longest rows), random quantisation with
scale ratios up to 1e-8 (shifts up to 31), zero points at -128 and 127, and every fused activation. MEAN covers
global average pooling (H, W; keep_dims or not), single and leading reduced axes, channel counts around the
16/32/64 lanes and the 256-channel blocks, and reductions that keep the reference loops (the last axis reduced)."""

from __future__ import annotations

import numpy as np
import pytest
from isa_levels import check_all_levels
from single_op import one_op_model
from tflite_builder import TensorSpec

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]


def _zero_point(rng: np.random.Generator) -> int:
    r = rng.random()
    return -128 if r < 0.15 else (127 if r < 0.3 else int(rng.integers(-128, 128)))


def _qtensor(name: str, shape: list[int], scale: float, rng: np.random.Generator,
             data: np.ndarray | None = None) -> TensorSpec:
    return TensorSpec(name, shape, "int8", data=data, scales=[float(np.float32(scale))],
                      zero_points=[_zero_point(rng)])


KINDS = ["same", "scalar_rhs", "scalar_lhs", "channel_rhs", "channel_lhs", "pooled_channels", "general"]


def _shapes(rng: np.random.Generator, kind: str) -> tuple[list[int], list[int]]:
    """Operand shapes of one broadcast kind; element counts around the SIMD widths."""
    n = int(rng.integers(1, 66)) if rng.random() < 0.8 else int(rng.integers(66, 700))
    if kind == "same":
        dims = [n] if rng.random() < 0.5 else [int(rng.integers(1, 4)), int(rng.integers(1, 5)), n]
        return dims, list(dims)
    if kind in ("scalar_rhs", "scalar_lhs"):
        big = [int(rng.integers(1, 4)), int(rng.integers(1, 5)), n] if rng.random() < 0.5 else [n]
        small = [] if rng.random() < 0.4 else [1] * int(rng.integers(1, len(big) + 1))
        return (big, small) if kind == "scalar_rhs" else (small, big)
    c = int(rng.integers(1, 66))
    big = [int(rng.integers(1, 3)), int(rng.integers(1, 6)), int(rng.integers(1, 6)), c]
    if kind in ("channel_rhs", "channel_lhs"):
        small = [c] if rng.random() < 0.5 else [1, 1, 1, c]
        return (big, small) if kind == "channel_rhs" else (small, big)
    if kind == "pooled_channels":  # squeeze-and-excite: [N, H, W, C] * [N, 1, 1, C]
        small = [big[0], 1, 1, c]
        return (big, small) if rng.random() < 0.5 else (small, big)
    rank = int(rng.integers(2, 5))
    out = [int(rng.integers(1, 6)) for _ in range(rank - 1)] + [int(rng.integers(1, 40))]
    a, b = list(out), list(out)
    for shape in (a, b):
        for d in range(rank):
            if rng.random() < 0.35:
                shape[d] = 1
    if rng.random() < 0.4:
        b = b[int(rng.integers(0, rank)):]
    return a, b


def _broadcast(a: list[int], b: list[int]) -> list[int]:
    return list(np.broadcast_shapes(tuple(a), tuple(b)))


def _scales(rng: np.random.Generator, op: str) -> tuple[float, float, float]:
    """Input and output scales; now and then ratios far from 1, which make large shifts."""
    s1 = 10 ** rng.uniform(-3, -0.5)
    s2 = s1 * 10 ** rng.uniform(-8, 8) if rng.random() < 0.3 else 10 ** rng.uniform(-3, -0.5)
    if op == "MUL":  # LiteRT refuses activation bounds beyond int32 (6 / s_out), so s_out >= 1e-7
        s_out = max(s1 * s2 * 10 ** rng.uniform(-4, 6), 1e-7)
    else:
        s_out = max(s1, s2) * 10 ** rng.uniform(-2, 2.5)
    return s1, s2, s_out


def _binary_case(rng: np.random.Generator, op: str, kind: str, quantized: bool, specials: bool = True):
    """A one-op model and its feeds; specials: float inputs may hold NaN, infinities, signed zeros (not for
    cross-platform replays: a NaN made by inf - inf has another sign bit on ARM than on x86)."""
    a, b = _shapes(rng, kind)
    out = _broadcast(a, b)
    const = int(rng.integers(0, 3))  # 0: both fed, 1: lhs constant, 2: rhs constant
    tensors, feeds = [], []
    if quantized:
        s1, s2, s_out = _scales(rng, op)
        for i, (shape, scale) in enumerate(((a, s1), (b, s2))):
            x = rng.integers(-128, 128, size=shape, dtype=np.int8)
            tensors.append(_qtensor(f"x{i}", shape, scale, rng, data=x if const == i + 1 else None))
            if const != i + 1:
                feeds.append(x)
        outs = [_qtensor("y", out, s_out, rng)]
    else:
        special = specials and rng.random() < 0.25  # NaN, infinities, signed zeros, denormals, overflow
        for i, shape in enumerate((a, b)):
            x = np.array(rng.standard_normal(shape) * 3, dtype=np.float32)
            if special and x.size:
                pick = rng.random(x.shape) < 0.2
                x[pick] = rng.choice(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e38, -1e-40], np.float32),
                                     size=int(pick.sum()))
            tensors.append(TensorSpec(f"x{i}", shape, data=x if const == i + 1 else None))
            if const != i + 1:
                feeds.append(x)
        outs = [TensorSpec("y", out)]
    options = {"activation": str(rng.choice(ACTS))}
    model = one_op_model(op, tensors, outs, options, version=2 if quantized else 1)
    return model, feeds


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL"])
@pytest.mark.parametrize("seed", range(8))
def test_binary_fast(seed: int, op: str, kind: str, quantized: bool) -> None:
    rng = np.random.default_rng(12000 + 1000 * ["ADD", "SUB", "MUL"].index(op) + 100 * KINDS.index(kind) + seed)
    # Float specials (inf - inf, NaN) are compared bit for bit with the reference loops; LiteRT's allclose takes
    # NaN as equal to NaN, so it checks them too.
    check_all_levels(*_binary_case(rng, op, kind, quantized), quantized)


@pytest.mark.parametrize("op", ["ADD", "SUB", "MUL"])
def test_int8_binary_every_code_pair(op: str) -> None:
    """All 65536 input pairs, equal shapes, under several parameter draws incl. extreme ones."""
    codes = np.arange(-128, 128, dtype=np.int8)
    x1, x2 = (np.ascontiguousarray(v) for v in np.meshgrid(codes, codes, indexing="ij"))
    for seed in range(4):
        rng = np.random.default_rng(13000 + seed)
        s1, s2, s_out = _scales(rng, op)
        if seed == 0:  # the widest ratio TFLite's ADD accepts comfortably, and zero points at both ends
            s1, s2 = 1e-9, 1.0
        ins = [_qtensor("x1", [256, 256], s1, rng), _qtensor("x2", [256, 256], s2, rng)]
        model = one_op_model(op, ins, [_qtensor("y", [256, 256], s_out, rng)],
                             {"activation": ACTS[seed]}, version=2)
        check_all_levels(model, [x1, x2], quantized=True)


def _mean_case(rng: np.random.Generator, quantized: bool, kind: str):
    c = int(rng.choice([1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 300]))
    n, h, w = int(rng.integers(1, 3)), int(rng.integers(1, 8)), int(rng.integers(1, 8))
    if kind == "global_pool" and rng.random() < 0.15:
        n, h, w, c = 1, 7, 7, 1280  # MobileNetV2's last feature map
    shape = [n, h, w, c]
    axes = {"global_pool": [1, 2] if rng.random() < 0.7 else [-3, -2], "one_axis": [int(rng.integers(0, 3))],
            "leading": [0, 1, 2], "last_axis": [1, 3]}[kind]
    keep = bool(rng.random() < 0.5)
    reduced = {a % 4 for a in axes}
    out_shape = [1 if d in reduced else s for d, s in enumerate(shape)] if keep else \
        [s for d, s in enumerate(shape) if d not in reduced]
    axis = TensorSpec("axis", [len(axes)], "int32", data=np.array(axes, np.int32))
    if quantized:
        s_in = 10 ** rng.uniform(-3, -0.5)
        s_out = s_in * 10 ** rng.uniform(-1.5, 2) if rng.random() < 0.8 else s_in
        tensors = [_qtensor("x", shape, s_in, rng), axis, _qtensor("y", out_shape, s_out, rng)]
        x = rng.integers(-128, 128, size=shape, dtype=np.int8)
        if rng.random() < 0.2:  # saturated inputs: the largest sums
            x[...] = rng.choice(np.array([-128, 127], np.int8))
    else:
        tensors = [TensorSpec("x", shape), axis, TensorSpec("y", out_shape)]
        x = (rng.standard_normal(shape) * 3 + rng.uniform(-100, 100)).astype(np.float32)
    model = one_op_model("MEAN", tensors[:2], tensors[2:], {"keep_dims": keep}, version=2 if quantized else 1)
    return model, [x]


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("kind", ["global_pool", "one_axis", "leading", "last_axis"])
@pytest.mark.parametrize("seed", range(10))
def test_mean_fast(seed: int, kind: str, quantized: bool) -> None:
    rng = np.random.default_rng(14000 + 100 * ["global_pool", "one_axis", "leading", "last_axis"].index(kind) + seed)
    model, feeds = _mean_case(rng, quantized, kind)
    check_all_levels(model, feeds, quantized)


@pytest.mark.parametrize("seed", range(8))
def test_int8_hard_swish_table(seed: int) -> None:
    """The table prepare builds, looked up by 16-entry shuffles (x86), 64-entry tbl/tbx (NEON) or one load at a
    time, gives the fixed-point arithmetic's bytes: all 256 codes, then random codes with sizes around the
    16/32/64-byte steps."""
    rng = np.random.default_rng(15000 + seed)
    s_in = 10 ** rng.uniform(-2.5, -0.3)
    s_out = max(10 ** rng.uniform(-2.5, -0.3), s_in / 64)  # TFLite requires s_in / 128 <= s_out
    n = [256, 1, 15, 31, 33, 63, 65, 1000][seed]
    x = np.arange(-128, 128, dtype=np.int8) if n == 256 else rng.integers(-128, 128, size=n, dtype=np.int8)
    model = one_op_model("HARD_SWISH", [_qtensor("x", [n], s_in, rng)], [_qtensor("y", [n], s_out, rng)])
    check_all_levels(model, [x], quantized=True)


@pytest.mark.parametrize("seed", range(6))
def test_float_hard_swish(seed: int) -> None:
    """float32 HARD_SWISH rows around the 4/8/16-float steps, with the clamp's edges (-3, 3), NaN, infinities
    and signed zeros among the inputs."""
    rng = np.random.default_rng(15500 + seed)
    n = [1, 7, 17, 33, 65, 1000][seed]
    x = (rng.standard_normal(n) * 4).astype(np.float32)
    pick = rng.random(n) < 0.2
    x[pick] = rng.choice(np.array([-3.0, 3.0, 0.0, -0.0, np.inf, -np.inf, np.nan, -1e-40], np.float32),
                         size=int(pick.sum()))
    model = one_op_model("HARD_SWISH", [TensorSpec("x", [n])], [TensorSpec("y", [n])])
    check_all_levels(model, [x], quantized=False)


@pytest.mark.parametrize("kind", ["same", "channel_rhs", "scalar_rhs", "pooled_channels", "general"])
@pytest.mark.parametrize("seed", range(8))
def test_float32_prelu_fast(seed: int, kind: str) -> None:
    """float32 PRELU's SIMD rows (x >= 0 ? x : x * alpha) against the reference loop and LiteRT, specials
    (NaN, infinities, signed zeros, denormals) included."""
    rng = np.random.default_rng(15000 + 100 * seed + len(kind))
    a, b = _shapes(rng, kind)
    a = _broadcast(a, b)  # LiteRT's PRELU keeps the input's shape: alpha broadcasts into it
    x = np.array(rng.standard_normal(a) * 3, dtype=np.float32)
    alpha = np.array(rng.standard_normal(b), dtype=np.float32)
    if seed % 2 and x.size:
        pick = rng.random(x.shape) < 0.2
        x[pick] = rng.choice(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e38, -1e-40], np.float32),
                             size=int(pick.sum()))
    constant = seed % 3 != 0  # alpha is a constant in converted models; fed here one case in three
    tensors = [TensorSpec("x", a), TensorSpec("alpha", b, data=alpha if constant else None)]
    model = one_op_model("PRELU", tensors, [TensorSpec("y", a)])
    check_all_levels(model, [x] if constant else [x, alpha], False)


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("op", ["RELU", "RELU6"])
@pytest.mark.parametrize("seed", range(6))
def test_relu_fast(seed: int, op: str, quantized: bool) -> None:
    """RELU / RELU6 (float32 SIMD rows, int8 table) against the reference loops and LiteRT; float specials."""
    rng = np.random.default_rng(16000 + 10 * seed + len(op))
    shape, _ = _shapes(rng, "same")
    if quantized:
        x = rng.integers(-128, 128, size=shape, dtype=np.int8)
        out = _qtensor("y", shape, 10 ** rng.uniform(-2, -1), rng)
        model = one_op_model(op, [_qtensor("x", shape, 0.05, rng)], [out])
    else:
        x = np.array(rng.standard_normal(shape) * 4, dtype=np.float32)
        if seed % 2 and x.size:
            pick = rng.random(x.shape) < 0.2
            x[pick] = rng.choice(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 6.0, -1e-40], np.float32),
                                 size=int(pick.sum()))
        model = one_op_model(op, [TensorSpec("x", shape)], [TensorSpec("y", shape)])
    check_all_levels(model, [x], quantized)
