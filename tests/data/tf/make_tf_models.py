"""Regenerates the .tflite files in this folder with TensorFlow's own converter (not part of the test run).

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu
    /tmp/tfvenv/bin/python tests/data/tf/make_tf_models.py

Four small Keras models, each converted to float32 and to full int8 (representative dataset, int8 input and
output): a CNN (CONV_2D, DEPTHWISE_CONV_2D, pooling, FULLY_CONNECTED, SOFTMAX), an elementwise model (ADD, SUB,
MUL, activations, CONCATENATION, PAD, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE, GATHER, ...) a layout model whose
converter output has SHAPE/STRIDED_SLICE/PACK around a RESHAPE (a reshape by the dynamic batch size) and a
model with SPACE_TO_BATCH_ND/BATCH_TO_SPACE_ND around a convolution. tests/runtime/test_tf_models.py runs every file
through ember.runtime and LiteRT."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
HERE = Path(__file__).resolve().parent


def small_cnn() -> keras.Model:
    x = keras.Input((16, 16, 3), batch_size=1)
    y = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    y = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(y)
    y = keras.layers.MaxPooling2D(2)(y)
    y = keras.layers.Conv2D(12, 1, padding="valid")(y)
    y = keras.layers.AveragePooling2D(2)(y)
    y = keras.layers.Flatten()(y)
    y = keras.layers.Dense(10)(y)
    y = keras.layers.Softmax()(y)
    return keras.Model(x, y, name="small_cnn")


def elementwise() -> keras.Model:
    x = keras.Input((6, 6, 4), batch_size=1)
    a = keras.layers.Lambda(lambda t: t * 1.5 + 0.25)(x)
    b = keras.layers.Lambda(lambda t: tf.math.tanh(t) - tf.math.sigmoid(t))(x)
    c = keras.layers.Lambda(lambda t: tf.nn.leaky_relu(t, 0.2) * tf.nn.relu6(t))(x)
    d = keras.layers.Lambda(lambda t: t * tf.nn.relu6(t + 3.0) / 6.0)(x)  # the converter fuses this to HARD_SWISH
    e = keras.layers.Lambda(lambda t: tf.nn.gelu(t, approximate=True))(x)
    y = keras.layers.Concatenate(axis=-1)([a, b, c, d, e])
    y = keras.layers.ZeroPadding2D(((1, 0), (0, 2)))(y)
    y = keras.layers.Lambda(lambda t: tf.image.resize(t, [14, 12], method="nearest"))(y)
    y = keras.layers.Lambda(lambda t: tf.transpose(t, [0, 3, 1, 2]))(y)
    y = keras.layers.Lambda(lambda t: tf.gather(t, [3, 1, 0, 7, 7], axis=1))(y)
    y = keras.layers.ReLU()(y)
    return keras.Model(x, y, name="elementwise")


def layout() -> keras.Model:
    x = keras.Input((8, 8, 3))  # batch left dynamic: the flatten below needs tf.shape at run time
    y = keras.layers.Conv2D(4, 3, padding="same")(x)
    y = keras.layers.Lambda(lambda t: tf.reshape(t, tf.stack([tf.shape(t)[0], 256])), output_shape=(256,))(y)
    y = keras.layers.Lambda(lambda t: t[:, 1::3], output_shape=(85,))(y)
    y = keras.layers.Dense(5)(y)
    return keras.Model(x, y, name="layout")


def space_to_batch() -> keras.Model:
    # A static batch: SPACE_TO_BATCH_ND changes it, and the runtime takes the shapes written in the file.
    x = keras.Input((8, 8, 3), batch_size=1)
    y = keras.layers.Lambda(lambda t: tf.space_to_batch_nd(t, [2, 2], [[0, 0], [0, 0]]))(x)
    y = keras.layers.Conv2D(4, 3, padding="same")(y)
    y = keras.layers.Lambda(lambda t: tf.math.tanh(t))(y)  # keeps the converter from fusing a dilated conv
    y = keras.layers.Lambda(lambda t: tf.batch_to_space(t, [2, 2], [[0, 0], [0, 0]]))(y)
    y = keras.layers.Conv2D(2, 1)(y)
    return keras.Model(x, y, name="space_to_batch")


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
    for build in (small_cnn, elementwise, layout, space_to_batch):
        model = build()
        for int8 in (False, True):
            path = HERE / f"{model.name}_{'int8' if int8 else 'float32'}.tflite"
            path.write_bytes(convert(model, int8))
            print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
