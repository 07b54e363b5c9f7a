"""Regenerates the .tflite files in this folder with TensorFlow's own converter (not part of the test run).

    /tmp/tfvenv/bin/python tests/data/tf/spatial_ops/make_spatial_models.py

Small Keras models with the spatial ops of issue 12, each converted to float32 and to full int8 (representative
dataset, int8 input and output): PReLU (per-channel alpha), UpSampling2D(interpolation='bilinear'),
tf.image.resize bilinear (align_corners, half_pixel_centers), depth_to_space/space_to_depth (float32:
LiteRT runs no int8 DEPTH_TO_SPACE of the version the converter writes), Conv2DTranspose
(bias, activation, SAME and VALID, strides), tf.pad REFLECT/SYMMETRIC/constant_values, l2_normalize and (float32
only: LiteRT has no quantised kernel) local_response_normalization. tests/runtime/test_tf_spatial_ops.py runs every
file through ember.runtime and LiteRT's reference kernels."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
HERE = Path(__file__).resolve().parent


def prelu() -> keras.Model:
    x = keras.Input((6, 6, 5), batch_size=1)
    y = keras.layers.Conv2D(7, 3, padding="same")(x)
    y = keras.layers.PReLU(alpha_initializer=keras.initializers.RandomUniform(-0.5, 0.9), shared_axes=[1, 2])(y)
    z = keras.layers.PReLU(alpha_initializer=keras.initializers.RandomUniform(0.05, 0.4))(y)  # alpha [6, 6, 7]
    return keras.Model(x, z, name="prelu")


def resize_bilinear() -> keras.Model:
    x = keras.Input((5, 7, 3), batch_size=1)
    a = keras.layers.UpSampling2D(2, interpolation="bilinear")(x)  # half_pixel_centers
    b = keras.layers.Lambda(lambda t: tf.image.resize(t, [10, 14], method="bilinear"))(x)
    c = keras.layers.Lambda(lambda t: tf.compat.v1.image.resize_bilinear(t, [10, 14], align_corners=True))(x)
    d = keras.layers.Lambda(lambda t: tf.compat.v1.image.resize_bilinear(t, [10, 14], align_corners=False))(x)
    e = keras.layers.Lambda(lambda t: tf.image.resize(t, [3, 4], method="bilinear"))(x)  # downscale
    e = keras.layers.Lambda(lambda t: tf.image.resize(t, [10, 14], method="bilinear"))(e)
    return keras.Model(x, keras.layers.Concatenate()([a, b, c, d, e]), name="resize_bilinear")


def depth_space() -> keras.Model:
    # float32 only: TensorFlow 2.21 writes int8 DEPTH_TO_SPACE as version 2, which LiteRT 2.3 cannot run.
    x = keras.Input((4, 6, 12), batch_size=1)
    y = keras.layers.Lambda(lambda t: tf.nn.depth_to_space(t, 2))(x)
    y = keras.layers.Conv2D(5, 1)(y)
    y = keras.layers.Lambda(lambda t: tf.nn.space_to_depth(t, 2))(y)
    y = keras.layers.Lambda(lambda t: tf.nn.depth_to_space(tf.concat([t, t[..., :12]], -1), 4))(y)
    return keras.Model(x, y, name="depth_space")


def space_to_depth() -> keras.Model:
    x = keras.Input((6, 8, 5), batch_size=1)
    y = keras.layers.Conv2D(3, 1)(x)
    y = keras.layers.Lambda(lambda t: tf.nn.space_to_depth(t, 2))(y)
    y = keras.layers.Lambda(lambda t: tf.nn.space_to_depth(tf.concat([t, t], 1), 2))(y)
    return keras.Model(x, y, name="space_to_depth")


def transpose_conv() -> keras.Model:
    x = keras.Input((5, 6, 4), batch_size=1)
    bias = {"bias_initializer": "random_normal"}  # a zero bias is dropped by the converter
    a = keras.layers.Conv2DTranspose(6, 3, strides=2, padding="same", activation="relu", **bias)(x)
    b = keras.layers.Conv2DTranspose(6, 2, strides=2, padding="valid", use_bias=False)(x)
    c = keras.layers.Conv2DTranspose(3, (3, 2), strides=(1, 2), padding="valid", **bias)(x)
    d = keras.layers.Conv2DTranspose(5, 4, strides=3, padding="same", activation="relu6", **bias)(x)
    flat = [keras.layers.Flatten()(t) for t in (a, b, c, d)]
    return keras.Model(x, keras.layers.Concatenate()(flat), name="transpose_conv")


def pads() -> keras.Model:
    x = keras.Input((5, 6, 3), batch_size=1)
    a = keras.layers.Lambda(lambda t: tf.pad(t, [[0, 0], [2, 1], [0, 3], [0, 0]], mode="REFLECT"))(x)
    b = keras.layers.Lambda(lambda t: tf.pad(t, [[0, 0], [3, 1], [0, 5], [0, 0]], mode="SYMMETRIC"))(x)
    c = keras.layers.Lambda(lambda t: tf.pad(t, [[0, 0], [1, 2], [4, 1], [0, 0]], constant_values=0.75))(x)
    d = keras.layers.Lambda(lambda t: tf.pad(t, [[0, 0], [0, 0], [0, 0], [1, 2]], mode="REFLECT"))(x)
    flat = [keras.layers.Flatten()(t) for t in (a, b, c, d)]
    return keras.Model(x, keras.layers.Concatenate()(flat), name="pads")


def l2_normalize() -> keras.Model:
    x = keras.Input((4, 5, 6), batch_size=1)
    y = keras.layers.Conv2D(9, 1)(x)
    y = keras.layers.Lambda(lambda t: tf.math.l2_normalize(t, axis=-1))(y)
    z = keras.layers.Dense(7)(keras.layers.Flatten()(x))
    z = keras.layers.Lambda(lambda t: tf.math.l2_normalize(t, axis=-1))(z)
    return keras.Model(x, [y, z], name="l2_normalize")


def local_response_normalization() -> keras.Model:
    x = keras.Input((4, 5, 9), batch_size=1)
    y = keras.layers.Lambda(lambda t: tf.nn.local_response_normalization(t, 2, 1.5, 0.3, 0.75))(x)
    z = keras.layers.Lambda(lambda t: tf.nn.local_response_normalization(t, 5, 1.0, 1e-2, 0.5))(x)
    return keras.Model(x, [y, z], name="local_response_normalization")


def convert(model: keras.Model, int8: bool) -> bytes:
    shape = [1, *model.inputs[0].shape[1:]]
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
    float_only = (depth_space, local_response_normalization)  # LiteRT runs no int8 form of these (see above)
    for build in (prelu, resize_bilinear, depth_space, space_to_depth, transpose_conv, pads, l2_normalize,
                  local_response_normalization):
        model = build()
        for int8 in (False,) if build in float_only else (False, True):
            path = HERE / f"{model.name}_{'int8' if int8 else 'float32'}.tflite"
            path.write_bytes(convert(model, int8))
            print(f"{path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
