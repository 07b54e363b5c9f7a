"""Regenerates the .tflite files in this folder with TensorFlow's own converter (not part of the test run).

    /tmp/tfvenv/bin/python tests/data/tf/shape/make_shape_models.py

Small Keras models with the shape and indexing ops of issue 12, each converted to float32 and to full int8
(representative dataset, int8 input and output) where the converter writes an int8 form: tf.split (SPLIT and
SPLIT_V), tf.slice, tf.expand_dims, tf.tile, tf.broadcast_to, tf.gather_nd, tf.argmax/tf.argmin, tf.reduce_prod,
tf.unstack, tf.reverse and tf.range feeding a GATHER. Each op sits between layers that compute on its output, so
the converter keeps it. tests/runtime/test_tf_shape_ops.py runs every file
through ember.runtime and LiteRT's reference kernels."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
HERE = Path(__file__).resolve().parent


def lam(fn: Callable) -> keras.layers.Layer:
    return keras.layers.Lambda(fn)


def split() -> keras.Model:
    x = keras.Input((6, 4, 6), batch_size=1)
    y = keras.layers.Conv2D(6, 1)(x)
    a, b, c = lam(lambda t: tf.split(t, 3, axis=-1))(y)  # SPLIT
    d, e = lam(lambda t: tf.split(t, [2, 4], axis=1))(y)  # SPLIT_V
    f, g, h = lam(lambda t: tf.split(t, [1, -1, 3], axis=2))(y)  # SPLIT_V with an inferred size
    outs = [keras.layers.Flatten()(keras.layers.Activation("relu")(t)) for t in (a, b, c, d, e, f, g, h)]
    return keras.Model(x, keras.layers.Concatenate()(outs), name="split")


def slice_expand() -> keras.Model:
    # The converter rewrites an EXPAND_DIMS whose output shape is static into RESHAPE; a dynamic batch (stored as 1,
    # shape_signature -1) keeps it.
    x = keras.Input((5, 6, 4))
    y = keras.layers.Conv2D(4, 1)(x)
    a = lam(lambda t: tf.slice(t, [0, 1, 2, 0], [1, 3, -1, 3]))(y)
    a = keras.layers.Conv2D(3, 1)(a)
    b = lam(lambda t: tf.expand_dims(t, axis=-2))(y)  # [1, 5, 6, 1, 4]
    b = lam(lambda t: tf.reduce_max(t * 2.0 + 1.0, axis=2))(b)
    c = lam(lambda t: tf.expand_dims(t, axis=1))(y)
    c = lam(lambda t: tf.reduce_max(t, axis=-1))(c)
    return keras.Model(x, [a, b, c], name="slice_expand")


def tile_broadcast() -> keras.Model:
    x = keras.Input((3, 4, 2), batch_size=1)
    y = keras.layers.Conv2D(2, 1)(x)
    a = lam(lambda t: tf.tile(t, [1, 2, 3, 2]))(y)
    a = keras.layers.Conv2D(3, 1)(a)
    b = keras.layers.Dense(4)(keras.layers.Flatten()(x))  # [1, 4]
    b = lam(lambda t: tf.broadcast_to(tf.reshape(t, [1, 1, 4, 1]), [1, 3, 4, 5]))(b)
    b = keras.layers.Conv2D(2, 1)(b)
    return keras.Model(x, [a, b], name="tile_broadcast")


def gather_nd() -> keras.Model:
    x = keras.Input((4, 5, 3), batch_size=1)
    y = keras.layers.Conv2D(3, 1)(x)
    index = np.array([[0, 3, 1], [0, 0, 4], [0, 2, 2], [0, 3, 0]], np.int32)  # [4, 3] into [1, 4, 5, 3]
    a = lam(lambda t: tf.gather_nd(t, index))(y)  # [4, 3]
    rows = np.array([[[0, 1]], [[0, 3]]], np.int32)  # [2, 1, 2]: whole rows [2, 1, 5, 3]
    b = lam(lambda t: tf.gather_nd(t, rows))(y)
    b = keras.layers.Dense(2)(keras.layers.Flatten()(b))
    return keras.Model(x, [keras.layers.Dense(3)(a), b], name="gather_nd")


def arg_min_max() -> keras.Model:
    # Only the indices are outputs: with the float values an output too, the converter dequantises them and runs
    # the float ARG_MAX.
    x = keras.Input((4, 6, 5), batch_size=1)
    y = keras.layers.Conv2D(5, 1)(x)
    a = lam(lambda t: tf.argmax(t, axis=-1, output_type=tf.int32))(y)
    b = lam(lambda t: tf.argmin(t, axis=1, output_type=tf.int64))(y)
    c = lam(lambda t: tf.argmax(t, axis=2, output_type=tf.int64))(y)
    d = lam(lambda t: tf.argmin(t, axis=0, output_type=tf.int32))(y)
    return keras.Model(x, [a, b, c, d], name="arg_min_max")


def reduce_prod() -> keras.Model:
    x = keras.Input((3, 4, 5), batch_size=1)
    y = keras.layers.Conv2D(5, 1, kernel_initializer=keras.initializers.RandomUniform(-0.3, 0.3),
                            bias_initializer=keras.initializers.Constant(1.0))(x)
    a = lam(lambda t: tf.reduce_prod(t, axis=[1, 2]))(y)
    b = lam(lambda t: tf.reduce_prod(t, axis=-1, keepdims=True))(y)
    return keras.Model(x, [keras.layers.Dense(3)(a), b], name="reduce_prod")


def unstack_reverse() -> keras.Model:
    x = keras.Input((3, 4, 5), batch_size=1)
    y = keras.layers.Conv2D(5, 1)(x)
    parts = lam(lambda t: tf.unstack(t, axis=2))(y)  # 4 of [1, 3, 5]
    parts = [keras.layers.Dense(2)(p) for p in parts]
    r = lam(lambda t: tf.reverse(t, axis=[1]))(y)
    r2 = lam(lambda t: tf.reverse(t, axis=[-1]))(y)
    return keras.Model(x, [keras.layers.Concatenate()(parts), keras.layers.Conv2D(3, 1)(r),
                           keras.layers.Conv2D(2, 1)(r2)], name="unstack_reverse")


def range_gather() -> keras.Model:
    # The converter folds a tf.range of constants; the RANGE it keeps has a limit computed at run time (here from
    # a dynamic dim's SHAPE), which this runtime refuses at load (run-time shapes are issue 14).
    x = keras.Input((None, 6), batch_size=1)
    y = x * 2.0
    a = lam(lambda t: tf.gather(t, tf.range(1, tf.shape(t)[1], 2), axis=1))(y)
    return keras.Model(x, a, name="range_gather")


BUILDERS = (split, slice_expand, tile_broadcast, gather_nd, arg_min_max, reduce_prod, unstack_reverse, range_gather)


def convert(model: keras.Model, int8: bool) -> bytes:
    shape = [1, *(d or 5 for d in model.inputs[0].shape[1:])]
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        rng = np.random.default_rng(0)

        def representative() -> Callable:
            for _ in range(32):
                yield [rng.standard_normal(shape).astype(np.float32)]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


def main() -> None:
    tf.keras.utils.set_random_seed(0)
    for build in BUILDERS:
        model = build()
        for int8 in (False, True):
            path = HERE / f"{model.name}_{'int8' if int8 else 'float32'}.tflite"
            path.write_bytes(convert(model, int8))
            print(f"{path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
