"""Regenerates the dynamic-range .tflite files in this folder with TensorFlow's converter (not part of the test
run; tests/runtime/test_tf_dynamic_range.py reads the committed files).

    /work/tfvenv/bin/python tests/data/tf/dynamic_range/make_models.py

`optimizations = [Optimize.DEFAULT]` without a representative dataset: the converter stores weights of 1024
elements or more as int8 (per channel for CONV_2D and DEPTHWISE_CONV_2D, per channel for FULLY_CONNECTED with
asymmetric_quantize_inputs) and keeps float32 activations, smaller weights and biases float32; LiteRT runs the
int8-weight ops with its hybrid kernels. Biases are random (Keras' zeros would be dropped by the converter).
Models (batch 2, weights seeded):
- cnn: Conv2D(128, 3x3, relu) on 10x10x8 (9216 weights), DepthwiseConv2D(3x3 over 128 channels = 1152 weights,
  stride 2, relu6), Conv2D(16, 3x3, dilation 2, valid) (18432 weights), GlobalAveragePooling2D, Dense(64, relu)
  (1024 weights), Dense(10) (640 weights: stays float32);
- mlp3d: Dense(32, relu) and Dense(40) over the last axis of a [2, 4, 48] input (keep_num_dims);
- sparse_mlp: Dense(64, relu) and Dense(40) on 48 features, kernels pruned to 1x16 blocks (about 30% kept) and
  converted with EXPERIMENTAL_SPARSITY too: sparse int8 weights (1x16 blocks), LiteRT's sparse hybrid kernel."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
BATCH = 2
BIAS = {"bias_initializer": "random_normal"}  # Keras' zero biases would be dropped by the converter


def cnn() -> tf.keras.Model:
    x = tf.keras.Input((10, 10, 8), batch_size=BATCH, name="x")
    y = tf.keras.layers.Conv2D(128, 3, padding="same", activation="relu", **BIAS)(x)
    y = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation=tf.nn.relu6, **BIAS)(y)
    y = tf.keras.layers.Conv2D(16, 3, dilation_rate=2, padding="valid", **BIAS)(y)
    y = tf.keras.layers.GlobalAveragePooling2D()(y)
    y = tf.keras.layers.Dense(64, activation="relu", **BIAS)(y)
    return tf.keras.Model(x, tf.keras.layers.Dense(10, **BIAS)(y))


def mlp3d() -> tf.keras.Model:
    x = tf.keras.Input((4, 48), batch_size=BATCH, name="x")
    y = tf.keras.layers.Dense(32, activation="relu", **BIAS)(x)
    return tf.keras.Model(x, tf.keras.layers.Dense(40, **BIAS)(y))


def sparse_mlp() -> tf.keras.Model:
    x = tf.keras.Input((48,), batch_size=BATCH, name="x")
    y = tf.keras.layers.Dense(64, activation="relu", **BIAS)(x)
    model = tf.keras.Model(x, tf.keras.layers.Dense(40, **BIAS)(y))
    rng = np.random.default_rng(3)
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.Dense):  # Keras kernel [in, out]: blocks of 16 inputs
            w = layer.kernel.numpy()
            layer.kernel.assign(w * np.repeat(rng.random((w.shape[0] // 16, w.shape[1])) < 0.3, 16, axis=0))
    return model


def main() -> None:
    for name, make in (("cnn", cnn), ("mlp3d", mlp3d), ("sparse_mlp", sparse_mlp)):
        tf.keras.utils.set_random_seed(11)
        converter = tf.lite.TFLiteConverter.from_keras_model(make())
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if name.startswith("sparse"):
            converter.optimizations.append(tf.lite.Optimize.EXPERIMENTAL_SPARSITY)
        data = converter.convert()
        path = HERE / f"{name}_dynamic.tflite"
        path.write_bytes(data)
        print(path.name, len(data), "bytes")


if __name__ == "__main__":
    main()
