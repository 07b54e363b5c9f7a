"""int8 and uint8 LOG_SOFTMAX against LiteRT's reference kernel (BUILTIN_REF), bit-exact: one-op models over
random shapes (depth 1..300, 1..20 rows) and input scales from just above 2^-26 (the smallest LiteRT takes) to
where the Q5.26 multiplier saturates, every (code, row maximum) pair, rows long enough for the Q12.19 sum of
exps to wrap as LiteRT's does, and the refusals of output parameters LiteRT refuses too."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import compare, one_op_model, run_litert
from tflite_builder import TensorSpec

import ember.runtime
from ember.runtime import RuntimeModelError

# LiteRT's fixed output: [-255/16, 0] with scale 16/256, zero point 127 (int8) or 255 (uint8).
OUTPUT_ZERO_POINT = {"int8": 127, "uint8": 255}


def _model(shape: list[int], scale: float, zero_point: int, dtype: str = "int8",
           out: tuple[float, int] | None = None) -> bytes:
    s_out, z_out = out or (16 / 256, OUTPUT_ZERO_POINT[dtype])
    x = TensorSpec("x", shape, dtype, scales=[float(np.float32(scale))], zero_points=[zero_point])
    y = TensorSpec("y", shape, dtype, scales=[s_out], zero_points=[z_out])
    return one_op_model("LOG_SOFTMAX", [x], [y], version=2)


def _random_scale(rng: np.random.Generator) -> float:
    """Log-uniform from 2^-25.9 (just above LiteRT's floor) to 2^10 (past 32 the Q5.26 multiplier is capped)."""
    return float(2.0 ** rng.uniform(-25.9, 10))


def _feeds(rng: np.random.Generator, shape: list[int], dtype: str) -> list[np.ndarray]:
    """Uniform codes, codes clustered near the row maximum, and a few codes far below it."""
    info = np.iinfo(dtype)
    low = int(rng.integers(info.min, info.max - 8))
    return [rng.integers(info.min, info.max + 1, size=shape).astype(dtype),
            rng.integers(low, low + 8, size=shape).astype(dtype),
            np.where(rng.random(shape) < 0.9, info.min, info.max).astype(dtype)]


@pytest.mark.parametrize("seed", range(40))
def test_int8_log_softmax_matches_litert_on_random_shapes_and_scales(seed: int) -> None:
    rng = np.random.default_rng(9100 + seed)
    depth = int(rng.choice([1, 2, 3, int(rng.integers(4, 301))]))
    outer = int(rng.integers(1, 21))
    lead = ([outer], [1, outer], [outer, 1, 1])[seed % 3]
    shape = [*lead, depth] if outer > 1 or seed % 5 else [depth]
    scale = _random_scale(rng) if seed % 4 else float(rng.choice([1.5e-8, 2e-8, 1e-7, 1e-5, 50.0, 1e4]))
    model = _model(shape, scale, int(rng.integers(-128, 128)))
    for feed in _feeds(rng, shape, "int8"):
        compare(model, rng, feeds=[feed])


@pytest.mark.parametrize("scale", [1.5e-8, 3e-6, 0.001, 0.02, 0.1, 0.37, 1.0, 4.0, 40.0])
def test_int8_log_softmax_every_code_under_every_row_maximum(scale: float) -> None:
    # row m holds every code clipped at m - 128, so it meets each difference 0 .. -255 from each maximum
    codes = np.arange(-128, 128)
    feed = np.minimum(codes[None, :], codes[:, None]).astype(np.int8)
    compare(_model([256, 256], scale, 0), np.random.default_rng(0), feeds=[feed])


@pytest.mark.parametrize("seed", range(8))
def test_uint8_log_softmax_matches_litert(seed: int) -> None:
    rng = np.random.default_rng(9200 + seed)
    shape = [int(rng.integers(1, 21)), int(rng.integers(1, 301))]
    model = _model(shape, _random_scale(rng), int(rng.integers(0, 256)), "uint8")
    for feed in _feeds(rng, shape, "uint8"):
        compare(model, rng, feeds=[feed])
    codes = np.arange(256)
    all_codes = np.minimum(codes[None, :], codes[:, None]).astype(np.uint8)
    compare(_model([256, 256], _random_scale(rng), 7, "uint8"), rng, feeds=[all_codes])


@pytest.mark.parametrize("depth", [4095, 4096, 5000, 9000, 33000])
def test_long_rows_wrap_the_sum_of_exps_as_litert_does(depth: int) -> None:
    # past 4095 values near the maximum the Q12.19 sum wraps, negative (5000) or back to positive (9000)
    rng = np.random.default_rng(depth)
    feed = rng.integers(100, 128, size=(2, depth)).astype(np.int8)
    feed[1] = 127
    feed[1, ::3] = 126
    for scale in (0.1, 0.01, 1e-4):
        compare(_model([2, depth], scale, 3), rng, feeds=[feed])


@pytest.mark.parametrize("dtype, out, message", [
    ("int8", (0.1, 127), "int8 output 'y' has scale 0.1 and zero point 127; it must be 16/256 and 127"),
    ("int8", (1 / 16, -128), "int8 output 'y' has scale 0.0625 and zero point -128; it must be 16/256 and 127"),
    ("uint8", (1 / 16, 127), "uint8 output 'y' has scale 0.0625 and zero point 127; it must be 16/256 and 255"),
    ("uint8", (1 / 256, 255), "uint8 output 'y' has scale 0.00390625 and zero point 255; it must be 16/256 and 255"),
])
def test_output_parameters_other_than_litert_fixed_ones_are_refused(dtype, out, message) -> None:
    model = _model([2, 5], 0.1, 0, dtype, out)
    with pytest.raises(RuntimeError):  # LiteRT's prepare refuses them as well
        run_litert(model, [np.zeros((2, 5), dtype)])
    with pytest.raises(RuntimeModelError, match=f"LOG_SOFTMAX 0: {message}"):
        ember.runtime.Interpreter(model_content=model).allocate_tensors()


def test_input_scale_at_or_below_2_pow_minus_26_is_refused() -> None:
    # LiteRT aborts the process on these (QuantizeMultiplierGreaterThanOne), so it is not run here
    for scale in (2.0 ** -26, 1e-8, 1e-12):
        with pytest.raises(RuntimeModelError, match="LOG_SOFTMAX 0: input 'x' has scale .*; the quantised kernel "
                                                    "needs a scale above 2\\^-26"):
            ember.runtime.Interpreter(model_content=_model([3, 4], scale, 0)).allocate_tensors()


def test_int16_log_softmax_is_refused_by_type() -> None:
    x = TensorSpec("x", [4], "int16", scales=[0.01], zero_points=[0])
    y = TensorSpec("y", [4], "int16", scales=[1 / 16], zero_points=[0])
    with pytest.raises(RuntimeModelError, match="LOG_SOFTMAX 0"):
        ember.runtime.Interpreter(model_content=one_op_model("LOG_SOFTMAX", [x], [y], version=2)).allocate_tensors()
