"""16x8 quantisation (int16 activations, zero point 0; int8 weights; int64 or int32 biases) of CONV_2D,
DEPTHWISE_CONV_2D, FULLY_CONNECTED, QUANTIZE, DEQUANTIZE, RESHAPE and CONCATENATION against LiteRT's reference
kernels (OpResolverType.BUILTIN_REF), bit-exact.

Random single-op models sweep shapes with odd channel counts, SAME/VALID padding, strides, dilations, depth
multipliers, grouped convolutions, fused activations, per-tensor and per-channel weights, int64 biases and int32
ones marked by quantized_bias_type; feeds cover the whole int16 range and its extremes (-32768, 32767). Hostile
scales (rescaling close to the largest the int16 requantisation takes, tiny ones that flush to zero, huge FC
accumulators that wrap a 32-bit sum) are compared too, and what LiteRT refuses (int16 zero points other than 0, an
unmarked int32 bias, mixed types) is refused with a message."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
SEEDS = range(40)


def _run(interpreter, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    interpreter.allocate_tensors()
    for detail, x in zip(interpreter.get_input_details(), inputs, strict=True):
        interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]


def _litert(model: bytes) -> LiteRTInterpreter:
    return LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)


def _check(model: bytes, inputs: Sequence[np.ndarray]) -> np.ndarray:
    """ember's output, after checking it against LiteRT's reference kernels (bit-exact for integers)."""
    ours, = _run(Interpreter(model_content=model), inputs)
    ref, = _run(_litert(model), inputs)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype, (ours.shape, ours.dtype, ref.shape, ref.dtype)
    if ours.dtype == np.float32:
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-7)
    else:
        bad = np.flatnonzero(ours.ravel() != ref.ravel())
        assert bad.size == 0, f"{bad.size} of {ours.size} outputs differ, first at {bad[:5]}: " \
                              f"ours {ours.ravel()[bad[:5]]}, LiteRT {ref.ravel()[bad[:5]]}"
    return ours


def _int16(rng: np.random.Generator, shape: Sequence[int]) -> np.ndarray:
    """Random int16 values over the whole range, with a few of its extremes."""
    x = rng.integers(-32768, 32768, size=shape, dtype=np.int16)
    flat = x.reshape(-1)
    picks = rng.integers(0, flat.size, size=max(1, flat.size // 8)) if flat.size else []
    flat[picks] = rng.choice(np.array([-32768, 32767, 0], np.int16), size=len(picks))
    return x


def _extreme_feeds(rng: np.random.Generator, shape: Sequence[int]) -> list[np.ndarray]:
    return [_int16(rng, shape), np.full(shape, -32768, np.int16), np.full(shape, 32767, np.int16)]


def _out_size(padding: str, size: int, k: int, stride: int, dilation: int) -> int:
    eff = (k - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == "SAME" else (size - eff + stride) // stride


def _act16(name: str, shape: Sequence[int], scale: float, zero_point: int = 0) -> TensorSpec:
    return TensorSpec(name, list(shape), "int16", scales=[float(np.float32(scale))], zero_points=[zero_point])


def _weights(rng: np.random.Generator, shape: Sequence[int], axis: int, per_channel: bool,
             scale_range: tuple[float, float] = (0.002, 0.05)) -> tuple[np.ndarray, list[float]]:
    w = rng.integers(-127, 128, size=shape, dtype=np.int8)
    channels = shape[axis] if per_channel else 1
    return w, [float(np.float32(s)) for s in rng.uniform(*scale_range, size=channels)]


def _bias(rng: np.random.Generator, s_in: float, w_scales: list[float], channels: int, dtype: str,
          magnitude: int = 1 << 20) -> TensorSpec:
    """Biases with scale s_in * s_w (one scale for per-tensor weights: LiteRT checks it against s_in * s_w)."""
    scales = [float(np.float32(s_in)) * s for s in w_scales]
    data = rng.integers(-magnitude, magnitude, size=channels).astype(dtype)
    return TensorSpec("bias", [channels], dtype, data=data, scales=scales, zero_points=[0] * len(scales))


def _conv_case(rng: np.random.Generator, depthwise: bool, bias_type: str = "int64", s_in: float | None = None,
               s_out: float | None = None, s_w: tuple[float, float] = (0.002, 0.05)):
    """A random int16 CONV_2D (grouped at times) or DEPTHWISE_CONV_2D; returns (model, input shape)."""
    n, h, w = int(rng.integers(1, 3)), int(rng.integers(1, 10)), int(rng.integers(1, 10))
    cin = int(rng.choice([1, 2, 3, 5, 7]))
    mult = int(rng.integers(1, 4)) if depthwise else 1
    groups = 1 if depthwise or rng.random() < 0.7 else int(rng.choice([g for g in (1, 2, 3, 5, 7) if cin % g == 0]))
    cout = cin * mult if depthwise else groups * int(rng.integers(1, 4))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if rng.random() < 0.4 else (1, 1)
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "VALID":
        h, w = max(h, (kh - 1) * dh + 1), max(w, (kw - 1) * dw + 1)
    oh, ow = _out_size(padding, h, kh, sh, dh), _out_size(padding, w, kw, sw, dw)
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
               "activation": str(rng.choice(ACTS))}
    if depthwise:
        options["depth_multiplier"] = mult
    elif bias_type == "int32" or rng.random() < 0.5:
        options["quantized_bias_type"] = bias_type  # the converter writes INT64 explicitly; unset means int64 too
    s_in = s_in if s_in is not None else float(10 ** rng.uniform(-4.5, -2.5))
    s_out = s_out if s_out is not None else float(10 ** rng.uniform(-4.5, -1.5))
    fshape = [1, kh, kw, cout] if depthwise else [cout, kh, kw, cin // groups]
    wq, w_scales = _weights(rng, fshape, 3 if depthwise else 0, per_channel=rng.random() < 0.7, scale_range=s_w)
    tensors = [_act16("input", [n, h, w, cin], s_in),
               TensorSpec("filter", fshape, "int8", data=wq, scales=w_scales, zero_points=[0] * len(w_scales),
                          quantized_dimension=3 if depthwise else 0),
               _bias(rng, s_in, w_scales, cout, bias_type),
               _act16("output", [n, oh, ow, cout], s_out)]
    op = OpSpec("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", [0, 1, 2], [3], options,
                version=5 if depthwise else 4)
    return build_model(tensors, [op], [0], [3]), (n, h, w, cin)


def _fc_case(rng: np.random.Generator, bias: str | None = "int64", in_dim: int | None = None,
             extreme_weights: bool = False):
    batch, n_out = int(rng.integers(1, 5)), int(rng.choice([1, 3, 7, 12, 17]))
    n_in = in_dim if in_dim is not None else int(rng.choice([1, 2, 5, 13, 33, 64]))
    keep = bool(rng.random() < 0.3)
    s_in, s_out = float(10 ** rng.uniform(-4.5, -2.5)), float(10 ** rng.uniform(-4, -1))
    wq, w_scales = _weights(rng, [n_out, n_in], 0, per_channel=rng.random() < 0.6)
    if extreme_weights:
        wq[:] = 127
    tensors = [_act16("input", [batch, 2, n_in] if keep else [batch, n_in], s_in),
               TensorSpec("weights", [n_out, n_in], "int8", data=wq, scales=w_scales, zero_points=[0] * len(w_scales))]
    options = {"activation": str(rng.choice(ACTS)), "keep_num_dims": keep}
    if bias == "int32" or (bias is not None and rng.random() < 0.5):
        options["quantized_bias_type"] = bias
    inputs = [0, 1]
    if bias is not None:
        tensors.append(_bias(rng, s_in, w_scales, n_out, bias))
        inputs.append(2)
    out_shape = [batch, 2, n_out] if keep else [batch, n_out]
    tensors.append(_act16("output", out_shape, s_out))
    out = len(tensors) - 1
    op = OpSpec("FULLY_CONNECTED", inputs, [out], options, version=7)
    return build_model(tensors, [op], [0], [out]), tuple(tensors[0].shape)


@pytest.mark.parametrize("seed", SEEDS)
def test_conv_2d_int16(seed: int) -> None:
    rng = np.random.default_rng(16000 + seed)
    model, shape = _conv_case(rng, depthwise=False, bias_type="int32" if seed % 5 == 4 else "int64")
    for x in _extreme_feeds(rng, shape):
        _check(model, [x])


@pytest.mark.parametrize("seed", SEEDS)
def test_depthwise_conv_2d_int16(seed: int) -> None:
    rng = np.random.default_rng(17000 + seed)
    model, shape = _conv_case(rng, depthwise=True)
    for x in _extreme_feeds(rng, shape):
        _check(model, [x])


@pytest.mark.parametrize("seed", SEEDS)
def test_fully_connected_int16(seed: int) -> None:
    rng = np.random.default_rng(18000 + seed)
    model, shape = _fc_case(rng, bias=[None, "int64", "int32"][seed % 3])
    for x in _extreme_feeds(rng, shape):
        _check(model, [x])


@pytest.mark.parametrize("seed", range(8))
def test_hostile_scales_int16(seed: int) -> None:
    """Rescaling by up to 8100 (just under the 2^14 the int64 requantisation takes: the outputs saturate), by
    2^-25, and by less than 2^-31 (the multiplier flushes to zero); int64 and marked int32 biases."""
    rng = np.random.default_rng(19000 + seed)
    for depthwise in (False, True):
        for s_in, s_out, s_w in ((1e-2, 1.1e-6, (0.5, 0.9)), (1e-4, 3.3, (1e-3, 2e-3)), (1e-4, 1e-3, (1e-12, 1e-11))):
            bias_type = "int32" if not depthwise and seed % 2 else "int64"
            model, shape = _conv_case(rng, depthwise, bias_type, s_in=s_in, s_out=s_out, s_w=s_w)
            for x in _extreme_feeds(rng, shape):
                _check(model, [x])


@pytest.mark.parametrize("op", ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"])
def test_hostile_int64_biases(op: str) -> None:
    """Biases at the ends of int64 (the sum wraps as LiteRT's does; the requantisation's product too) and past
    what int32 holds after rescaling (FULLY_CONNECTED then gives INT32_MIN, as LiteRT on x86-64)."""
    rng = np.random.default_rng(26000)
    c, same = 4, {"padding": "SAME"}
    if op == "FULLY_CONNECTED":
        w, xs, ys, axis, opts = rng.integers(-127, 128, (c, 5)), [2, 5], [2, c], 0, {}
    elif op == "CONV_2D":
        w, xs, ys, axis, opts = rng.integers(-127, 128, (c, 1, 1, 3)), [1, 2, 2, 3], [1, 2, 2, c], 0, same
    else:
        w, xs, ys, axis, opts = rng.integers(-127, 128, (1, 1, 1, c)), [1, 2, 2, c], [1, 2, 2, c], 3, same
    for values in ([2**62, -2**62, 2**63 - 1, -2**63], [2**46, -2**46, 2**47 - 1, -2**47], [2**40, -2**40, 3, -3]):
        for s_out in (1e-3, 1e-9, 1e3):
            tensors = [_act16("x", xs, 1e-4),
                       TensorSpec("w", list(w.shape), "int8", data=w.astype(np.int8), scales=[0.01] * c,
                                  zero_points=[0] * c, quantized_dimension=axis),
                       TensorSpec("b", [c], "int64", data=np.array(values, np.int64), scales=[1e-6] * c,
                                  zero_points=[0] * c),
                       _act16("y", ys, s_out)]
            model = build_model(tensors, [OpSpec(op, [0, 1, 2], [3], opts, version=4)], [0], [3])
            for x in _extreme_feeds(rng, xs):
                _check(model, [x])


def test_rescale_beyond_int16_requantisation_is_refused() -> None:
    """A channel rescaling by 2^14 or more overflows LiteRT's int64 requantisation shift (undefined there)."""
    model, _ = _conv_case(np.random.default_rng(3), False, s_in=1e-2, s_out=1e-7, s_w=(0.5, 0.9))
    with pytest.raises(ValueError, match=r"CONV_2D 0: channel 0 rescales by 2\^\d+ or more .* takes less than 2\^14"):
        Interpreter(model_content=model).allocate_tensors()


@pytest.mark.parametrize("bias", ["int32", "int64"])
def test_fully_connected_int16_wide_accumulator(bias: str) -> None:
    """600 products of 127 * -32768 pass 2^31: LiteRT's int32-bias form wraps its 32-bit sum, the int64 one
    does not."""
    rng = np.random.default_rng(20000)
    model, shape = _fc_case(rng, bias=bias, in_dim=600, extreme_weights=True)
    for x in _extreme_feeds(rng, shape):
        _check(model, [x])


def _refused(model: bytes, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Interpreter(model_content=model).allocate_tensors()
    with pytest.raises(RuntimeError):
        _litert(model).allocate_tensors()


def _conv_model(op: str = "CONV_2D", zp_in: int = 0, zp_out: int = 0, bias_dtype: str = "int64",
                options: dict | None = None, out_dtype: str = "int16") -> bytes:
    rng = np.random.default_rng(5)
    fshape = [1, 3, 3, 2] if op == "DEPTHWISE_CONV_2D" else [2, 3, 3, 2]
    wq, w_scales = _weights(rng, fshape, 3 if op == "DEPTHWISE_CONV_2D" else 0, per_channel=True)
    out = _act16("output", [1, 4, 4, 2], 1e-3, zp_out) if out_dtype == "int16" else \
        TensorSpec("output", [1, 4, 4, 2], "int8", scales=[0.1], zero_points=[0])
    tensors = [_act16("input", [1, 4, 4, 2], 1e-4, zp_in),
               TensorSpec("filter", fshape, "int8", data=wq, scales=w_scales, zero_points=[0, 0],
                          quantized_dimension=3 if op == "DEPTHWISE_CONV_2D" else 0),
               _bias(rng, 1e-4, w_scales, 2, bias_dtype), out]
    opts = {"padding": "SAME", **(options or {})}
    return build_model(tensors, [OpSpec(op, [0, 1, 2], [3], opts, version=4)], [0], [3])


def test_refusals_name_the_problem() -> None:
    _refused(_conv_model(zp_in=3), r"CONV_2D 0: int16 tensor 'input' has zero point 3; 16x8 quantisation is "
                                   r"symmetric")
    _refused(_conv_model("DEPTHWISE_CONV_2D", zp_out=-1), r"DEPTHWISE_CONV_2D 0: int16 tensor 'output' has zero "
                                                          r"point -1")
    _refused(_conv_model("DEPTHWISE_CONV_2D", bias_dtype="int32"),
             r"DEPTHWISE_CONV_2D 0: bias 'bias' is int32 .* needs int64")
    _refused(_conv_model(out_dtype="int8"), r"CONV_2D 0: int16 input needs int8 weights and an int16 output")
    _refused(_conv_model(options={"quantized_bias_type": "int64"}, bias_dtype="int32"),
             r"CONV_2D 0: bias 'bias' is int32 .* needs int64 .*quantized_bias_type INT32")


def test_unmarked_int32_bias_is_refused() -> None:
    """LiteRT reads an int16 CONV_2D's unmarked bias as int64 whatever its type (eight bytes a channel out of
    four): no oracle to follow, so ember asks for quantized_bias_type INT32."""
    with pytest.raises(ValueError, match=r"an int32 bias needs quantized_bias_type INT32"):
        Interpreter(model_content=_conv_model(bias_dtype="int32")).allocate_tensors()


def test_uint8_weights_with_int16_activations_are_refused() -> None:
    """LiteRT's int16 kernels read the weights as int8 whatever their type: uint8 ones have no oracle."""
    w = np.random.default_rng(6).integers(0, 256, (2, 3, 3, 2)).astype(np.uint8)
    tensors = [_act16("input", [1, 4, 4, 2], 1e-4),
               TensorSpec("filter", [2, 3, 3, 2], "uint8", data=w, scales=[0.01], zero_points=[128]),
               TensorSpec("bias", [2], "int64", data=np.zeros(2, np.int64), scales=[1e-6], zero_points=[0]),
               _act16("output", [1, 4, 4, 2], 1e-3)]
    model = build_model(tensors, [OpSpec("CONV_2D", [0, 1, 2], [3], {"padding": "SAME"}, version=4)], [0], [3])
    with pytest.raises(ValueError, match=r"CONV_2D 0: int16 input needs int8 weights .* has uint8"):
        Interpreter(model_content=model).allocate_tensors()


def test_int16_never_takes_the_int8_fast_paths() -> None:
    """A 1x1 CONV_2D (the int8 GEMM's direct path), a depthwise (the pixel kernels) and an FC with constant
    weights (the packed GEMM) in int16: exact against LiteRT, so they ran the int16 loops."""
    rng = np.random.default_rng(21000)
    for op, fshape, axis in (("CONV_2D", [6, 1, 1, 5], 0), ("DEPTHWISE_CONV_2D", [1, 3, 3, 5], 3)):
        wq, w_scales = _weights(rng, fshape, axis, per_channel=True)
        cout = fshape[0] if op == "CONV_2D" else 5
        tensors = [_act16("input", [1, 6, 6, 5], 1e-4),
                   TensorSpec("filter", fshape, "int8", data=wq, scales=w_scales, zero_points=[0] * cout,
                              quantized_dimension=axis),
                   _bias(rng, 1e-4, w_scales, cout, "int64"), _act16("output", [1, 6, 6, cout], 2e-3)]
        model = build_model(tensors, [OpSpec(op, [0, 1, 2], [3], {"padding": "SAME"}, version=4)], [0], [3])
        _check(model, [_int16(rng, (1, 6, 6, 5))])


def _one_op(op: str, inputs: Sequence[TensorSpec], outputs: Sequence[TensorSpec], options: dict | None = None,
            version: int = 1) -> bytes:
    tensors = list(inputs) + list(outputs)
    n = len(inputs)
    graph_inputs = [i for i, t in enumerate(inputs) if t.data is None]
    spec = OpSpec(op, list(range(n)), list(range(n, len(tensors))), options or {}, version)
    return build_model(tensors, [spec], graph_inputs, list(range(n, len(tensors))))


def _scale(rng: np.random.Generator, lo: float = -5.0, hi: float = -1.0) -> float:
    return float(np.float32(10 ** rng.uniform(lo, hi)))


@pytest.mark.parametrize("seed", range(12))
def test_quantize_int16(seed: int) -> None:
    """float32 -> int16 (any zero point LiteRT takes; values far outside the range, halves that round away from
    zero), int16 -> int16 (symmetric), int16 -> int8, int8 and uint8 -> int16."""
    rng = np.random.default_rng(22000 + seed)
    shape = [int(rng.integers(1, 4)), int(rng.choice([1, 5, 17]))]
    s = _scale(rng)
    zp = int(rng.integers(-300, 300)) if seed % 2 else 0
    x = (rng.standard_normal(shape) * s * 30000).astype(np.float32)
    x.flat[0], x.flat[-1] = np.float32(s * 1e6), np.float32(-s * 1e6)
    halves = (np.arange(x.size, dtype=np.float32).reshape(shape) + np.float32(0.5)) * np.float32(s)
    model = _one_op("QUANTIZE", [TensorSpec("x", shape)], [_act16("y", shape, s, zp)], version=3)
    for feed in (x, halves, -halves):
        _check(model, [feed])
    s_in, s_out = _scale(rng), _scale(rng)
    for feed in _extreme_feeds(rng, shape):
        _check(_one_op("QUANTIZE", [_act16("x", shape, s_in)], [_act16("y", shape, s_out)], version=3), [feed])
        zp8 = int(rng.integers(-128, 128))
        int8_out = TensorSpec("y", shape, "int8", scales=[_scale(rng, -3, 0)], zero_points=[zp8])
        _check(_one_op("QUANTIZE", [_act16("x", shape, s_in, zp)], [int8_out], version=3), [feed])
    for dtype, lo, hi in (("int8", -128, 128), ("uint8", 0, 256)):
        zp_in = int(rng.integers(lo, hi))
        x8 = rng.integers(lo, hi, size=shape).astype(dtype)
        model = _one_op("QUANTIZE", [TensorSpec("x", shape, dtype, scales=[_scale(rng, -3, 0)], zero_points=[zp_in])],
                        [_act16("y", shape, _scale(rng), zp)], version=3)
        _check(model, [x8])


@pytest.mark.parametrize("seed", range(6))
def test_dequantize_int16(seed: int) -> None:
    rng = np.random.default_rng(23000 + seed)
    shape = [int(rng.integers(1, 4)), int(rng.choice([1, 6, 31]))]
    s = _scale(rng, -6, 1)
    model = _one_op("DEQUANTIZE", [_act16("x", shape, s)], [TensorSpec("y", shape)], version=4)
    for feed in _extreme_feeds(rng, shape):
        ours = _check(model, [feed])
        np.testing.assert_array_equal(ours, (np.float64(s) * feed).astype(np.float32))  # one rounding to float


@pytest.mark.parametrize("seed", range(6))
def test_concatenation_and_reshape_int16(seed: int) -> None:
    """CONCATENATION copies int16 as LiteRT does, whatever the inputs' scales; RESHAPE keeps the bytes."""
    rng = np.random.default_rng(24000 + seed)
    axis = int(rng.integers(0, 3))
    base = [int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 6))]
    shapes = []
    for _ in range(int(rng.integers(2, 5))):
        shape = list(base)
        shape[axis] = int(rng.integers(1, 4))
        shapes.append(shape)
    out_shape = list(base)
    out_shape[axis] = sum(sh[axis] for sh in shapes)
    s_out = _scale(rng)
    ins = [_act16(f"x{i}", sh, s_out if seed % 2 else _scale(rng)) for i, sh in enumerate(shapes)]
    model = _one_op("CONCATENATION", ins, [_act16("y", out_shape, s_out)], {"axis": axis - 3 if seed % 3 else axis},
                    version=3)
    feeds = [_int16(rng, sh) for sh in shapes]
    ours = _check(model, feeds)
    np.testing.assert_array_equal(ours, np.concatenate(feeds, axis=axis))  # the closed form: a copy
    flat = [int(np.prod(out_shape))]
    shape_t = TensorSpec("shape", [1], "int32", data=np.array(flat, np.int32))
    model = _one_op("RESHAPE", [_act16("x", out_shape, s_out), shape_t], [_act16("y", flat, s_out)])
    feed = _int16(rng, out_shape)
    np.testing.assert_array_equal(_check(model, [feed]), feed.reshape(-1))


def test_int16_layout_and_quantize_refusals() -> None:
    shape = [1, 4]
    _refused(_one_op("QUANTIZE", [_act16("x", shape, 1e-3)], [_act16("y", shape, 1e-3, 2)], version=3),
             r"QUANTIZE 0: int16 tensor 'y' has zero point 2; 16x8 quantisation is symmetric")
    _refused(_one_op("QUANTIZE", [_act16("x", shape, 1e-3)],
                     [TensorSpec("y", shape, "uint8", scales=[0.1], zero_points=[128])], version=3),
             r"QUANTIZE 0: int16 -> uint8 is not supported")
    _refused(_one_op("DEQUANTIZE", [_act16("x", shape, 1e-3, 5)], [TensorSpec("y", shape)], version=4),
             r"DEQUANTIZE 0: int16 tensor 'x' has zero point 5")
    _refused(_one_op("CONCATENATION", [_act16("a", shape, 1e-3, 1), _act16("b", shape, 1e-3)],
                     [_act16("y", [1, 8], 1e-3)], {"axis": 1}, version=3),
             r"CONCATENATION 0: int16 tensor 'a' has zero point 1")


def replay_cases() -> list[tuple[str, bytes, list[np.ndarray]]]:
    """(name, model, feeds) for test_cross_replay: the int16 kernels on aarch64 and armv7 must give LiteRT's
    bytes (random and hostile convolutions, the wrapping FC accumulator, QUANTIZE/DEQUANTIZE/CONCATENATION, and
    TensorFlow's 16x8 CNN)."""
    rng = np.random.default_rng(25000)
    cases: list[tuple[str, bytes, list[np.ndarray]]] = []
    for k in range(3):
        for depthwise in (False, True):
            bias_type = "int32" if k == 2 and not depthwise else "int64"
            model, shape = _conv_case(rng, depthwise, bias_type)
            cases.append((f"{'DEPTHWISE_CONV_2D' if depthwise else 'CONV_2D'}/int16/{k}", model, [_int16(rng, shape)]))
        model, shape = _conv_case(rng, k == 1, s_in=1e-2, s_out=1.1e-6, s_w=(0.5, 0.9))
        cases.append((f"CONV/int16/hostile{k}", model, [_int16(rng, shape)]))
        model, shape = _fc_case(rng, bias=[None, "int64", "int32"][k])
        cases.append((f"FULLY_CONNECTED/int16/{k}", model, [_int16(rng, shape)]))
    for bias in ("int32", "int64"):
        model, shape = _fc_case(rng, bias=bias, in_dim=600, extreme_weights=True)
        cases.append((f"FULLY_CONNECTED/int16/wide_{bias}", model, [np.full(shape, -32768, np.int16)]))
    for op in ("CONV_2D", "FULLY_CONNECTED"):  # int64 biases at the ends: wrapping sums, INT32_MIN past int32
        w = rng.integers(-127, 128, (3, 4) if op == "FULLY_CONNECTED" else (3, 1, 1, 4)).astype(np.int8)
        xs, ys = ([2, 4], [2, 3]) if op == "FULLY_CONNECTED" else ([1, 2, 2, 4], [1, 2, 2, 3])
        tensors = [_act16("x", xs, 1e-4), TensorSpec("w", list(w.shape), "int8", data=w, scales=[0.01] * 3,
                                                     zero_points=[0] * 3),
                   TensorSpec("b", [3], "int64", data=np.array([2**62, -2**63, 2**47 - 1], np.int64),
                              scales=[1e-6] * 3, zero_points=[0] * 3), _act16("y", ys, 1e-9)]
        model = build_model(tensors, [OpSpec(op, [0, 1, 2], [3], {"padding": "SAME"} if op == "CONV_2D" else {},
                                             version=4)], [0], [3])
        cases.append((f"{op}/int16/int64_ends", model, [_int16(rng, xs)]))
    shape = [2, 9]
    x = (rng.standard_normal(shape) * 30).astype(np.float32)
    cases.append(("QUANTIZE/float32_int16", _one_op("QUANTIZE", [TensorSpec("x", shape)], [_act16("y", shape, 1e-3, 5)],
                                                    version=3), [x]))
    cases.append(("QUANTIZE/int16_int16", _one_op("QUANTIZE", [_act16("x", shape, 3e-4)], [_act16("y", shape, 7e-4)],
                                                  version=3), [_int16(rng, shape)]))
    int8_out = TensorSpec("y", shape, "int8", scales=[0.05], zero_points=[-3])
    cases.append(("QUANTIZE/int16_int8", _one_op("QUANTIZE", [_act16("x", shape, 3e-4)], [int8_out], version=3),
                  [_int16(rng, shape)]))
    cases.append(("DEQUANTIZE/int16", _one_op("DEQUANTIZE", [_act16("x", shape, 3e-4)], [TensorSpec("y", shape)],
                                              version=4), [_int16(rng, shape)]))
    cases.append(("CONCATENATION/int16", _one_op("CONCATENATION", [_act16("a", shape, 3e-4), _act16("b", shape, 5e-4)],
                                                 [_act16("y", [4, 9], 3e-4)], version=3),
                  [_int16(rng, shape), _int16(rng, shape)]))
    # TensorFlow's 16x8 files: the CNN and the elementwise/pooling/activation model, float and int16 edges
    for path in sorted((Path(__file__).resolve().parents[1] / "data" / "tf" / "int16x8").glob("*.tflite")):
        model = path.read_bytes()
        detail = LiteRTInterpreter(model_content=model).get_input_details()[0]
        feed = _int16(rng, detail["shape"]) if detail["dtype"] == np.int16 else \
            rng.standard_normal(detail["shape"]).astype(np.float32)
        cases.append((f"tf_{path.stem}", model, [feed]))
    return cases
