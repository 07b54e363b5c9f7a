"""Regenerates the dynamic-shape .tflite files in this folder with TensorFlow's own converter (not part of the
test run; issue 14, dynamic shapes).

    /tmp/tfvenv/bin/python tests/data/tf/dynamic/make_dynamic_models.py

Three small Keras models whose inputs leave dimensions unknown, so the converter marks them -1 in
shape_signature (and stores 1 in shape): a CNN and an MLP with batch None, and a fully convolutional model with
batch, height and width None. Each is converted to float32 and to full int8 (representative dataset at batch 1,
int8 input and output). tests/runtime/test_dynamic_shapes.py resizes their inputs and compares with LiteRT."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
HERE = Path(__file__).resolve().parent


def dyn_cnn() -> keras.Model:
    x = keras.Input((12, 12, 3))  # batch None
    y = keras.layers.Conv2D(6, 3, padding="same", activation="relu")(x)
    y = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(y)
    y = keras.layers.MaxPooling2D(2)(y)
    y = keras.layers.Conv2D(8, 1, padding="valid")(y)
    y = keras.layers.AveragePooling2D(3)(y)
    y = keras.layers.Flatten()(y)
    y = keras.layers.Dense(5)(y)
    y = keras.layers.Softmax()(y)
    return keras.Model(x, y, name="dyn_cnn")


def dyn_mlp() -> keras.Model:
    x = keras.Input((20,))  # batch None
    y = keras.layers.Dense(16, activation="relu")(x)
    y = keras.layers.Dense(12, activation="tanh")(y)
    y = keras.layers.Dense(4)(y)
    return keras.Model(x, y, name="dyn_mlp")


def dyn_fcn() -> keras.Model:
    x = keras.Input((None, None, 3))  # batch, height and width None
    y = keras.layers.Conv2D(6, 3, padding="same", activation="relu")(x)
    y = keras.layers.DepthwiseConv2D(3, strides=2, padding="same")(y)
    y = keras.layers.Conv2D(4, 1, activation="sigmoid")(y)
    y = keras.layers.MaxPooling2D(2, padding="same")(y)
    return keras.Model(x, y, name="dyn_fcn")


def convert(model: keras.Model, shape: list[int], int8: bool) -> bytes:
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
    for build, shape in ((dyn_cnn, [1, 12, 12, 3]), (dyn_mlp, [1, 20]), (dyn_fcn, [1, 16, 16, 3])):
        model = build()
        for int8 in (False, True):
            path = HERE / f"{model.name}_{'int8' if int8 else 'float32'}.tflite"
            path.write_bytes(convert(model, shape, int8))
            print(f"{path}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
