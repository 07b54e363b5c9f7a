"""Regenerates the .tflite files in this folder with TensorFlow's own converter (not part of the test run).

    /tmp/tfvenv/bin/python tests/data/tf/i12fp16/make_models.py

Three groups, all random-weight Keras models (tests/runtime/test_tf_i12fp16.py runs them through ember.runtime
and LiteRT):
- dilated_*: a 3x3 convolution with dilation 2 or 3, SAME or VALID padding, on a 12x12x8 map (divides the block
  or not: 12 or 13), batch None (the converter writes SPACE_TO_BATCH_ND, CONV_2D, BATCH_TO_SPACE_ND whose
  middle tensors have the wrong stored batch and a -1 in shape_signature) or batch 1 (a dilated CONV_2D), float32
  and full int8.
- float16_*: float16 post-training quantisation (optimizations=[DEFAULT], supported_types=[float16]): float16
  weight constants, each feeding a DEQUANTIZE, of a small CNN (conv, depthwise, dense) and a MobileNetV2-like
  block (expand 1x1, depthwise 3x3, project 1x1, residual add).
- sparse_*: Dense/Conv weights pruned to zeros (random or in 1x4 / 4x1 blocks), converted with
  optimizations=[EXPERIMENTAL_SPARSITY] (float32, and full int8): sparse constants (SparsityParameters) that a
  DENSIFY turns dense."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

keras = tf.keras
HERE = Path(__file__).resolve().parent


def dilated(batch: int | None, dilation: int, padding: str, size: int) -> keras.Model:
    x = keras.Input((size, size, 8), batch_size=batch)
    y = keras.layers.Conv2D(6, 3, dilation_rate=dilation, padding=padding, activation="relu")(x)
    name = f"dilated_d{dilation}_{padding}_{size}_{'b1' if batch else 'bnone'}"
    return keras.Model(x, y, name=name)


def float16_cnn() -> keras.Model:
    x = keras.Input((12, 12, 3), batch_size=1)
    y = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    y = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(y)
    y = keras.layers.Conv2D(12, 1)(y)
    y = keras.layers.GlobalAveragePooling2D()(y)
    y = keras.layers.Dense(10)(y)
    return keras.Model(x, y, name="float16_cnn")


def float16_mobilenet_block() -> keras.Model:
    x = keras.Input((10, 10, 8), batch_size=1)
    y = keras.layers.Conv2D(24, 1, use_bias=False)(x)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.ReLU(6.0)(y)
    y = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.ReLU(6.0)(y)
    y = keras.layers.Conv2D(8, 1, use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.Add()([x, y])
    return keras.Model(x, y, name="float16_mobilenet_block")


def prune(model: keras.Model, block: tuple[int, int] | None, keep: float = 0.3) -> keras.Model:
    """Zeroes about 1 - keep of every Dense/Conv kernel: element by element, or in blocks of `block` over the
    kernel's last two axes (TFLite's FULLY_CONNECTED weights are [out, in], Keras' Dense kernel [in, out])."""
    rng = np.random.default_rng(3)
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Dense, keras.layers.Conv2D)):
            w = layer.kernel.numpy()
            if block is None:
                mask = rng.random(w.shape) < keep
            else:
                bo, bi = block  # in TFLite's [out, in] order
                shape = (*w.shape[:-2], w.shape[-2] // bi, w.shape[-1] // bo)
                mask = np.repeat(np.repeat(rng.random(shape) < keep, bi, axis=-2), bo, axis=-1)
            layer.kernel.assign(w * mask)
    return model


def sparse_fc(block: tuple[int, int] | None) -> keras.Model:
    x = keras.Input((32,), batch_size=1)
    y = keras.layers.Dense(16, activation="relu")(x)
    y = keras.layers.Dense(8)(y)
    tag = "random" if block is None else f"{block[0]}x{block[1]}"
    return prune(keras.Model(x, y, name=f"sparse_fc_{tag}"), block)


def sparse_cnn() -> keras.Model:
    x = keras.Input((8, 8, 4), batch_size=1)
    y = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    y = keras.layers.Flatten()(y)
    y = keras.layers.Dense(8)(y)
    return prune(keras.Model(x, y, name="sparse_cnn"), None)


def representative(shape: list[int]) -> Callable[[], Iterator[list[np.ndarray]]]:
    def gen() -> Iterator[list[np.ndarray]]:
        rng = np.random.default_rng(0)
        for _ in range(32):
            yield [rng.standard_normal(shape).astype(np.float32)]

    return gen


def convert(model: keras.Model, kind: str) -> bytes:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    shape = [1, *model.inputs[0].shape[1:]]
    if kind == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif kind.startswith("sparse"):
        converter.optimizations = [tf.lite.Optimize.EXPERIMENTAL_SPARSITY]
    if kind.endswith("int8"):
        converter.optimizations = [*converter.optimizations, tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative(shape)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return converter.convert()


def save(model: keras.Model, kind: str, suffix: str) -> None:
    path = HERE / f"{model.name}_{suffix}.tflite"
    path.write_bytes(convert(model, kind))
    print(f"{path.name}: {path.stat().st_size} bytes")


def main() -> None:
    tf.keras.utils.set_random_seed(0)
    for batch in (None, 1):
        for dilation in (2, 3):
            for padding in ("same", "valid"):
                for size in (12, 13):
                    model = dilated(batch, dilation, padding, size)
                    save(model, "float32", "float32")
                    save(model, "int8", "int8")
    for build in (float16_cnn, float16_mobilenet_block):
        save(build(), "float16", "float32")
    for model in (sparse_fc(None), sparse_fc((1, 4)), sparse_fc((4, 1)), sparse_cnn()):
        save(model, "sparse", "float32")
        save(model, "sparse_int8", "int8")


if __name__ == "__main__":
    main()
