"""Regenerates the 16x8 .tflite files in this folder with TensorFlow's own converter (not part of the test run;
tests/runtime/test_tf_int16x8.py reads the committed files).

    /work/tfvenv/bin/python tests/data/tf/int16x8/make_int16x8_models.py   # any TF 2.x venv

16x8 quantisation (`EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8`): int16 activations with zero
point 0, int8 weights per channel, int64 biases. The model is a small CNN of the ops whose int16 kernels live in
CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, QUANTIZE, DEQUANTIZE, RESHAPE and CONCATENATION only:
conv 3x3 (RELU) -> depthwise 3x3 stride 2, multiplier 2 (RELU6) -> a 1x1 conv; a dilated 3x3 conv and a 1x1 conv
on the input; the three concatenated on channels (the converter requantises inputs of other scales with
QUANTIZE int16 -> int16) -> flatten (RESHAPE) -> dense (RELU) -> dense.
- cnn16x8_float_io: float32 input and output (QUANTIZE float32 -> int16 at the start, DEQUANTIZE at the end).
- cnn16x8_int16_io: int16 input and output (inference_input_type / inference_output_type = tf.int16).
- mixed16x8_float_io: the elementwise and pooling ops too (MAX_POOL_2D, AVERAGE_POOL_2D, ADD, SUB, MUL,
  LOGISTIC, TANH, SOFTMAX) around a conv and a dense layer, float32 input and output.
- mixed16x8_int16_io: the same model with int16 input and output.
The converter is deterministic here: rerunning this script (TF 2.21) rewrites the committed files byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(16)


def cnn() -> tf.keras.Model:
    tf.keras.utils.set_random_seed(16)
    bias = tf.keras.initializers.RandomNormal(0.0, 0.3, seed=16)  # nonzero biases: the converter keeps them
    x = tf.keras.Input((9, 9, 3), batch_size=1, name="x")
    a = tf.keras.layers.Conv2D(3, 3, padding="same", activation="relu", bias_initializer=bias)(x)
    a = tf.keras.layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, bias_initializer=bias)(a)
    a = tf.keras.layers.ReLU(max_value=6.0)(a)
    b = tf.keras.layers.Conv2D(3, 3, padding="valid", dilation_rate=2, bias_initializer=bias)(x)
    b = tf.keras.layers.Conv2D(5, 1, strides=1, bias_initializer=bias)(b)
    y = tf.keras.layers.Concatenate()([a, tf.keras.layers.Conv2D(3, 1, bias_initializer=bias)(a), b])
    y = tf.keras.layers.Flatten()(y)
    y = tf.keras.layers.Dense(6, activation="relu", bias_initializer=bias)(y)
    y = tf.keras.layers.Dense(7, bias_initializer=bias)(y)
    return tf.keras.Model(x, y)


def mixed() -> tf.keras.Model:
    tf.keras.utils.set_random_seed(17)
    bias = tf.keras.initializers.RandomNormal(0.0, 0.3, seed=17)
    x = tf.keras.Input((8, 8, 3), batch_size=1, name="x")
    a = tf.keras.layers.Conv2D(4, 3, padding="same", bias_initializer=bias)(x)
    m = tf.keras.layers.MaxPooling2D(2)(a)
    p = tf.keras.layers.AveragePooling2D(2)(a)
    s = tf.keras.layers.Add()([m, p])
    d = tf.keras.layers.Subtract()([m, p])
    y = tf.keras.layers.Multiply()([tf.keras.layers.Activation("sigmoid")(s), tf.keras.layers.Activation("tanh")(d)])
    y = tf.keras.layers.Flatten()(y)
    y = tf.keras.layers.Dense(5, bias_initializer=bias)(y)
    return tf.keras.Model(x, tf.keras.layers.Softmax()(y))


def representative(shape=(1, 9, 9, 3)):
    for _ in range(32):
        yield [RNG.normal(0, 1, shape).astype(np.float32)]


def convert(model: tf.keras.Model, name: str, io_type) -> None:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: representative((1, *model.input_shape[1:]))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
    if io_type is not None:
        converter.inference_input_type = io_type
        converter.inference_output_type = io_type
    data = converter.convert()
    path = HERE / f"{name}.tflite"
    path.write_bytes(data)
    print(path.name, len(data), "bytes")


def main() -> None:
    model = cnn()
    convert(model, "cnn16x8_float_io", None)
    convert(model, "cnn16x8_int16_io", tf.int16)
    convert(mixed(), "mixed16x8_float_io", None)
    convert(mixed(), "mixed16x8_int16_io", tf.int16)


if __name__ == "__main__":
    main()
