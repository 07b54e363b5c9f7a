"""CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN and BATCH_MATMUL against LiteRT.

Each test builds random single-op models (shapes, strides, padding SAME/VALID, dilations, depth multipliers, fused
activations, per-tensor and per-channel scales) with tflite_builder and runs them through ember.runtime and LiteRT:
int8 must be bit-exact with the reference kernels (OpResolverType.BUILTIN_REF); float32 within 1e-5 relative of
both the reference and the default (optimised) kernels."""

from __future__ import annotations

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter

ACTS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
SEEDS = range(40)


def _run(interpreter, inputs: list[np.ndarray]) -> np.ndarray:
    interpreter.allocate_tensors()
    for detail, x in zip(interpreter.get_input_details(), inputs, strict=True):
        interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _check(model: bytes, inputs: list[np.ndarray], quantized: bool) -> np.ndarray:
    ours = _run(Interpreter(model_content=model), inputs)
    ref = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
               inputs)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    if quantized:
        mismatch = np.flatnonzero(ours.ravel() != ref.ravel())
        assert mismatch.size == 0, f"{mismatch.size} of {ours.size} int8 outputs differ, first at {mismatch[:5]}: " \
                                   f"ours {ours.ravel()[mismatch[:5]]}, LiteRT {ref.ravel()[mismatch[:5]]}"
    else:
        default = _run(LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.AUTO),
                       inputs)
        for other in (ref, default):
            np.testing.assert_allclose(ours, other, rtol=1e-5, atol=1e-5 * max(float(np.abs(other).max()), 1e-30))
    return ours


def _out_size(padding: str, size: int, k: int, stride: int, dilation: int) -> int:
    eff = (k - 1) * dilation + 1
    return (size + stride - 1) // stride if padding == "SAME" else (size - eff + stride) // stride


def _qparams(rng: np.random.Generator) -> tuple[float, int]:
    return float(rng.uniform(0.005, 0.1)), int(rng.integers(-30, 30))


def _int8(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(-128, 128, size=shape, dtype=np.int8)


def _weights(rng: np.random.Generator, shape, axis: int, per_channel: bool):
    """Symmetric int8 weights in [-127, 127] with per-channel (along axis) or per-tensor scales."""
    w = rng.integers(-127, 128, size=shape, dtype=np.int8)
    channels = shape[axis] if per_channel else 1
    scales = [float(s) for s in rng.uniform(0.002, 0.05, size=channels)]
    return w, scales


def _bias(rng: np.random.Generator, in_scale: float, w_scales: list[float], channels: int):
    scales = [in_scale * s for s in (w_scales if len(w_scales) > 1 else w_scales * channels)]
    data = rng.integers(-3000, 3000, size=channels, dtype=np.int32)
    return data, (scales if len(w_scales) > 1 else scales[:1])


def _conv_case(rng: np.random.Generator, depthwise: bool, quantized: bool):
    n, h, w = int(rng.integers(1, 3)), int(rng.integers(1, 10)), int(rng.integers(1, 10))
    cin = int(rng.integers(1, 5))
    mult = int(rng.integers(1, 4)) if depthwise else 1
    cout = cin * mult if depthwise else int(rng.integers(1, 6))
    kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    dh, dw = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if rng.random() < 0.4 else (1, 1)
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "VALID":  # keep at least one output
        h, w = max(h, (kh - 1) * dh + 1), max(w, (kw - 1) * dw + 1)
    oh, ow = _out_size(padding, h, kh, sh, dh), _out_size(padding, w, kw, sw, dw)
    act = str(rng.choice(ACTS))
    fshape = [1, kh, kw, cout] if depthwise else [cout, kh, kw, cin]
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
               "activation": act}
    if depthwise:
        options["depth_multiplier"] = mult
    has_bias = True  # LiteRT requires the bias of CONV_2D and DEPTHWISE_CONV_2D
    if quantized:
        s_in, zp_in = _qparams(rng)
        s_out, zp_out = float(rng.uniform(0.02, 0.4)), int(rng.integers(-20, 20))
        wq, w_scales = _weights(rng, fshape, 3 if depthwise else 0, per_channel=rng.random() < 0.7)
        tensors = [TensorSpec("input", [n, h, w, cin], "int8", scales=[s_in], zero_points=[zp_in]),
                   TensorSpec("filter", fshape, "int8", data=wq, scales=w_scales, zero_points=[0] * len(w_scales),
                              quantized_dimension=3 if depthwise else 0)]
        if has_bias:
            bias, b_scales = _bias(rng, s_in, w_scales, cout)
            tensors.append(TensorSpec("bias", [cout], "int32", data=bias, scales=b_scales,
                                      zero_points=[0] * len(b_scales)))
        tensors.append(TensorSpec("output", [n, oh, ow, cout], "int8", scales=[s_out], zero_points=[zp_out]))
        x = _int8(rng, (n, h, w, cin))
    else:
        f32 = np.float32
        tensors = [TensorSpec("input", [n, h, w, cin]),
                   TensorSpec("filter", fshape, data=rng.standard_normal(fshape).astype(f32))]
        if has_bias:
            tensors.append(TensorSpec("bias", [cout], data=rng.standard_normal(cout).astype(f32)))
        tensors.append(TensorSpec("output", [n, oh, ow, cout]))
        x = rng.standard_normal((n, h, w, cin)).astype(f32)
    out = len(tensors) - 1
    op_inputs = list(range(out)) if has_bias else [0, 1, -1]  # LiteRT wants the omitted bias as -1
    op = OpSpec("DEPTHWISE_CONV_2D" if depthwise else "CONV_2D", op_inputs, [out], options,
                version=3 if quantized else (2 if dh > 1 or dw > 1 else 1))
    return build_model(tensors, [op], [0], [out]), [x]


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("seed", SEEDS)
def test_conv_2d(seed: int, quantized: bool) -> None:
    model, inputs = _conv_case(np.random.default_rng(seed), depthwise=False, quantized=quantized)
    _check(model, inputs, quantized)


@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("seed", SEEDS)
def test_depthwise_conv_2d(seed: int, quantized: bool) -> None:
    model, inputs = _conv_case(np.random.default_rng(1000 + seed), depthwise=True, quantized=quantized)
    _check(model, inputs, quantized)


@pytest.mark.parametrize("seed", SEEDS)
def test_fully_connected_int8(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    batch, n_in, n_out = int(rng.integers(1, 5)), int(rng.integers(1, 40)), int(rng.integers(1, 20))
    s_in, zp_in = _qparams(rng)
    s_out, zp_out = float(rng.uniform(0.05, 0.5)), int(rng.integers(-20, 20))
    wq, w_scales = _weights(rng, [n_out, n_in], 0, per_channel=seed % 2 == 0)
    tensors = [TensorSpec("input", [batch, n_in], "int8", scales=[s_in], zero_points=[zp_in]),
               TensorSpec("weights", [n_out, n_in], "int8", data=wq, scales=w_scales, zero_points=[0] * len(w_scales))]
    inputs = [0, 1]
    if seed % 3:
        bias, b_scales = _bias(rng, s_in, w_scales, n_out)
        tensors.append(TensorSpec("bias", [n_out], "int32", data=bias, scales=b_scales,
                                  zero_points=[0] * len(b_scales)))
        inputs.append(2)
    tensors.append(TensorSpec("output", [batch, n_out], "int8", scales=[s_out], zero_points=[zp_out]))
    out = len(tensors) - 1
    op = OpSpec("FULLY_CONNECTED", inputs, [out], {"activation": str(rng.choice(ACTS))}, version=5)
    _check(build_model(tensors, [op], [0], [out]), [_int8(rng, (batch, n_in))], True)


def _pool_case(rng: np.random.Generator, op: str, quantized: bool):
    n, h, w, c = int(rng.integers(1, 3)), int(rng.integers(1, 10)), int(rng.integers(1, 10)), int(rng.integers(1, 5))
    fh, fw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    sh, sw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    padding = str(rng.choice(["SAME", "VALID"]))
    if padding == "VALID":
        h, w = max(h, fh), max(w, fw)
    oh, ow = _out_size(padding, h, fh, sh, 1), _out_size(padding, w, fw, sw, 1)
    options = {"padding": padding, "stride_h": sh, "stride_w": sw, "filter_h": fh, "filter_w": fw,
               "activation": str(rng.choice(ACTS))}
    if quantized:
        s, zp = _qparams(rng)
        tensors = [TensorSpec("input", [n, h, w, c], "int8", scales=[s], zero_points=[zp]),
                   TensorSpec("output", [n, oh, ow, c], "int8", scales=[s], zero_points=[zp])]
        x = _int8(rng, (n, h, w, c))
    else:
        tensors = [TensorSpec("input", [n, h, w, c]), TensorSpec("output", [n, oh, ow, c])]
        x = (rng.standard_normal((n, h, w, c)) * 3).astype(np.float32)
    return build_model(tensors, [OpSpec(op, [0], [1], options, version=2 if quantized else 1)], [0], [1]), [x]


@pytest.mark.parametrize("op", ["AVERAGE_POOL_2D", "MAX_POOL_2D"])
@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("seed", SEEDS)
def test_pool_2d(seed: int, quantized: bool, op: str) -> None:
    model, inputs = _pool_case(np.random.default_rng(3000 + seed), op, quantized)
    _check(model, inputs, quantized)


def _mean_case(rng: np.random.Generator, quantized: bool, spatial: bool):
    rank = 4 if spatial else int(rng.integers(1, 5))
    shape = [int(rng.integers(1, 7)) for _ in range(rank)]
    if spatial:  # what converters emit for global average pooling
        axes, keep = [1, 2], bool(rng.random() < 0.7)
    else:
        axes = sorted({int(a) for a in rng.integers(-rank, rank, size=int(rng.integers(1, rank + 1)))})
        keep = bool(rng.random() < 0.5)
    reduced = {a % rank for a in axes}
    out_shape = [1 if d in reduced else s for d, s in enumerate(shape)] if keep else \
        [s for d, s in enumerate(shape) if d not in reduced]
    axis = TensorSpec("axis", [len(axes)], "int32", data=np.array(axes, np.int32))
    if quantized:
        (s_in, zp_in), (s_out, zp_out) = _qparams(rng), _qparams(rng)
        tensors = [TensorSpec("input", shape, "int8", scales=[s_in], zero_points=[zp_in]), axis,
                   TensorSpec("output", out_shape, "int8", scales=[s_out], zero_points=[zp_out])]
        x = _int8(rng, shape)
    else:
        tensors = [TensorSpec("input", shape), axis, TensorSpec("output", out_shape)]
        x = rng.standard_normal(shape).astype(np.float32)
    op = OpSpec("MEAN", [0, 1], [2], {"keep_dims": keep}, version=2 if quantized else 1)
    return build_model(tensors, [op], [0], [2]), [x]


@pytest.mark.parametrize("spatial", [True, False], ids=["hw", "any_axes"])
@pytest.mark.parametrize("quantized", [False, True], ids=["float32", "int8"])
@pytest.mark.parametrize("seed", SEEDS)
def test_mean(seed: int, quantized: bool, spatial: bool) -> None:
    model, inputs = _mean_case(np.random.default_rng(4000 + seed), quantized, spatial)
    _check(model, inputs, quantized)


@pytest.mark.parametrize("seed", SEEDS)
def test_batch_matmul_float32(seed: int) -> None:
    rng = np.random.default_rng(5000 + seed)
    rows, depth, cols = (int(v) for v in rng.integers(1, 8, size=3))
    batch = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 4)))]
    lhs_batch = [b if rng.random() < 0.7 else 1 for b in batch]
    rhs_batch = [b if rng.random() < 0.7 else 1 for b in batch][int(rng.integers(0, len(batch) + 1)):]
    adj_x, adj_y = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    lhs_shape = lhs_batch + ([depth, rows] if adj_x else [rows, depth])
    rhs_shape = rhs_batch + ([cols, depth] if adj_y else [depth, cols])
    out_batch = list(np.broadcast_shapes(tuple(lhs_batch), tuple(rhs_batch)))
    const_rhs = seed % 2 == 0
    x = rng.standard_normal(lhs_shape).astype(np.float32)
    y = rng.standard_normal(rhs_shape).astype(np.float32)
    tensors = [TensorSpec("lhs", lhs_shape), TensorSpec("rhs", rhs_shape, data=y if const_rhs else None),
               TensorSpec("output", out_batch + [rows, cols])]
    op = OpSpec("BATCH_MATMUL", [0, 1], [2], {"adj_x": adj_x, "adj_y": adj_y})
    model = build_model(tensors, [op], [0] if const_rhs else [0, 1], [2])
    ours = _check(model, [x] if const_rhs else [x, y], False)
    expected = np.matmul(np.swapaxes(x, -1, -2) if adj_x else x, np.swapaxes(y, -1, -2) if adj_y else y)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-4)


def test_conv_errors_name_op_and_shapes() -> None:
    """A filter that does not fit the input is refused with the op, the tensors and their shapes."""
    tensors = [TensorSpec("input", [1, 5, 5, 3]),
               TensorSpec("filter", [4, 3, 3, 2], data=np.zeros((4, 3, 3, 2), np.float32)),
               TensorSpec("output", [1, 5, 5, 4])]
    model = build_model(tensors, [OpSpec("CONV_2D", [0, 1], [2], {"padding": "SAME"})], [0], [2])
    it = Interpreter(model_content=model)
    with pytest.raises(ValueError, match=r"CONV_2D 0: filter \[4,3,3,2\] does not fit input \[1,5,5,3\]"):
        it.allocate_tensors()
    wrong_out = [tensors[0], TensorSpec("filter", [4, 3, 3, 3], data=np.zeros((4, 3, 3, 3), np.float32)),
                 TensorSpec("output", [1, 4, 5, 4])]
    model = build_model(wrong_out, [OpSpec("CONV_2D", [0, 1], [2], {"padding": "SAME"})], [0], [2])
    with pytest.raises(ValueError, match=r"gives \[1,5,5,C\], but output 'output' is \[1,4,5,4\]"):
        Interpreter(model_content=model).allocate_tensors()
