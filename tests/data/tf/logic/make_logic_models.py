"""Regenerates the .tflite files in this folder with TensorFlow's own converter (not part of the test run).

    /tmp/tfvenv/bin/python tests/data/tf/logic/make_logic_models.py

Small tf.functions with the elementwise and logic ops of issue 12, converted by TFLiteConverter:
- math_float32: tf.math.floor, sin, cos, negative, floordiv, floormod, squared_difference, pow;
- elu_float32: tf.nn.elu;
- logic_float32: the comparisons, tf.where (SELECT_V2), tf.math.logical_and/or/not, tf.cast between float32,
  bool and int32, tf.zeros_like and tf.fill of a run-time value;
- integer_int32: the same on int32 and int64 tensors (floordiv, floormod, pow, negative, comparisons, where,
  cast);
- logic_int8: a full int8 conversion (representative dataset, int8 input and output) of the comparisons and
  tf.where (the converter leaves tf.nn.elu in float32 between DEQUANTIZE and QUANTIZE, so int8 ELU is tested on
  hand-built files only).
tests/runtime/test_tf_logic_ops.py runs every file through ember.runtime and LiteRT's reference kernels."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
SHAPE_X, SHAPE_Y = [2, 3, 4], [3, 1]


def math_float32() -> tf.types.experimental.ConcreteFunction:
    @tf.function(input_signature=[tf.TensorSpec(SHAPE_X, tf.float32), tf.TensorSpec(SHAPE_Y, tf.float32)])
    def f(x, y):
        d = tf.abs(y) + 0.25  # no divisor 0
        return {"floor": tf.math.floor(x * 3.0), "sin": tf.math.sin(x), "cos": tf.math.cos(x),
                "neg": tf.math.negative(x), "floordiv": tf.math.floordiv(x, d), "floormod": tf.math.floormod(x, d),
                "sqdiff": tf.math.squared_difference(x, y), "pow": tf.pow(tf.abs(x) + 0.1, y),
                "pow_int_exponent": tf.pow(x, 3.0)}
    return f.get_concrete_function()


def elu_float32() -> tf.types.experimental.ConcreteFunction:
    # a file of its own: LiteRT's reference resolver has no ELU, the test compares it with the default kernels
    @tf.function(input_signature=[tf.TensorSpec(SHAPE_X, tf.float32), tf.TensorSpec(SHAPE_Y, tf.float32)])
    def f(x, y):
        return {"elu": tf.nn.elu(x), "elu_sum": tf.nn.elu(x * 3.0 + y)}
    return f.get_concrete_function()


def logic_float32() -> tf.types.experimental.ConcreteFunction:
    @tf.function(input_signature=[tf.TensorSpec(SHAPE_X, tf.float32), tf.TensorSpec(SHAPE_Y, tf.float32)])
    def f(x, y):
        less, greater = tf.less(x, y), tf.greater(x, y)
        both = tf.logical_and(less, tf.greater_equal(x, -1.0))
        either = tf.logical_or(tf.less_equal(x, y), tf.logical_not(tf.not_equal(x * 2.0, tf.floor(x * 2.0))))
        return {"where": tf.where(greater, x, y * 2.0), "both": tf.cast(both, tf.float32),
                "either": tf.cast(either, tf.int32), "equal": tf.cast(tf.equal(tf.floor(x), tf.floor(y)), tf.float32),
                "to_int": tf.cast(x * 40.0, tf.int32), "zeros": tf.zeros_like(x) + x,
                "fill": tf.fill([2, 3], tf.reduce_max(y))}
    return f.get_concrete_function()


def integer_int32() -> tf.types.experimental.ConcreteFunction:
    # d: a divisor without 0s, fed by the test (ember has no int32 ABS, ADD or MUL to make one from y)
    @tf.function(input_signature=[tf.TensorSpec(SHAPE_X, tf.int32), tf.TensorSpec(SHAPE_Y, tf.int32),
                                  tf.TensorSpec(SHAPE_Y, tf.int32), tf.TensorSpec([4], tf.int64)])
    def f(x, y, d, z):
        return {"floordiv": tf.math.floordiv(x, d), "floormod": tf.math.floormod(x, -d),
                "pow": tf.pow(x, tf.math.floormod(y, 5)), "neg": tf.math.negative(x), "neg64": tf.math.negative(z),
                "mod64": tf.math.floormod(z, tf.constant([3, -3, 7, -7], tf.int64)),
                "where": tf.where(tf.less(x, y), x, y), "ge64": tf.greater_equal(z, 0),
                "to_float": tf.cast(x, tf.float32), "sqdiff": tf.math.squared_difference(x, y)}
    return f.get_concrete_function()


def logic_int8() -> tf.types.experimental.ConcreteFunction:
    @tf.function(input_signature=[tf.TensorSpec(SHAPE_X, tf.float32), tf.TensorSpec(SHAPE_Y, tf.float32)])
    def f(x, y):
        y2 = y * 0.5 + 0.2  # a second quantisation on the right-hand side
        picked = tf.where(tf.greater(x, y2), x, tf.broadcast_to(y2, SHAPE_X))
        picked = tf.where(tf.less_equal(x, -0.5), tf.zeros_like(x) - 0.5, picked)
        return {"picked": picked}
    return f.get_concrete_function()


def convert(fn: tf.types.experimental.ConcreteFunction, int8: bool) -> bytes:
    converter = tf.lite.TFLiteConverter.from_concrete_functions([fn], fn)
    if int8:
        rng = np.random.default_rng(0)

        def representative() -> Callable:
            for _ in range(32):
                yield [rng.standard_normal(s).astype(np.float32) for s in (SHAPE_X, SHAPE_Y)]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


def main() -> None:
    for name, build, int8 in (("math_float32", math_float32, False), ("elu_float32", elu_float32, False),
                              ("logic_float32", logic_float32, False),
                              ("integer_int32", integer_int32, False), ("logic_int8", logic_int8, True)):
        path = HERE / f"{name}.tflite"
        path.write_bytes(convert(build(), int8))
        print(f"{path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
