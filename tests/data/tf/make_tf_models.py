"""Regenerates the .tflite files in this folder with TensorFlow's own converter (not part of the test run).

    python3 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu
    /tmp/tfvenv/bin/python tests/data/tf/make_tf_models.py

Four small Keras models, each converted to float32 and to full int8 (representative dataset, int8 input and
output): a CNN (CONV_2D, DEPTHWISE_CONV_2D, pooling, FULLY_CONNECTED, SOFTMAX), an elementwise model (ADD, SUB,
MUL, activations, CONCATENATION, PAD, RESIZE_NEAREST_NEIGHBOR, TRANSPOSE, GATHER, ...) a layout model whose
converter output has SHAPE/STRIDED_SLICE/PACK around a RESHAPE (a reshape by the dynamic batch size) and a
model with SPACE_TO_BATCH_ND/BATCH_TO_SPACE_ND around a convolution. tests/runtime/test_tf_models.py runs every file
through ember.runtime and LiteRT.

    /tmp/tfvenv/bin/python tests/data/tf/make_tf_models.py --mobilenets DIR

writes instead, into DIR, the MobileNets issue 11 times (keras.applications, random weights, 1000 classes, batch 1):
MobileNetV1 alpha 0.25 at 128x128 and MobileNetV2 alpha 0.35 at 96x96, float32 and full int8 with int8 input
and output; tools/bench_runtime.py --tf-mobilenets DIR times them. They are 0.5 to 6.7 MB: not committed."""

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


def set_batchnorm_statistics(model: keras.Model, images: np.ndarray) -> keras.Model:
    """Sets each BatchNormalization's moving mean and variance to those of its input on `images`, layer by layer.
    With random weights and the initial statistics (0, 1), activations shrink about 2x a layer, and after 28 layers
    the last ones are ~1e-6: int8 scales of 1e-8, where LiteRT's reference SOFTMAX aborts in prepare. Trained
    networks keep unit-scale activations; this gives the random ones the same."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            inputs = keras.Model(model.inputs, layer.input)(images, training=False).numpy()
            mean, var = inputs.mean(axis=(0, 1, 2)), inputs.var(axis=(0, 1, 2))
            layer.moving_mean.assign(mean)
            layer.moving_variance.assign(var)
    return model


def mobilenet_v1_025() -> keras.Model:
    x = keras.Input((128, 128, 3), batch_size=1)
    model = keras.applications.MobileNet(input_tensor=x, alpha=0.25, weights=None, classes=1000)
    images = np.random.default_rng(1).uniform(-1, 1, (8, 128, 128, 3)).astype(np.float32)
    return set_batchnorm_statistics(keras.Model(x, model.output, name="tf_mobilenet_v1_025_128"), images)


def mobilenet_v2_035() -> keras.Model:
    x = keras.Input((96, 96, 3), batch_size=1)
    model = keras.applications.MobileNetV2(input_tensor=x, alpha=0.35, weights=None, classes=1000)
    images = np.random.default_rng(1).uniform(-1, 1, (8, 96, 96, 3)).astype(np.float32)
    return set_batchnorm_statistics(keras.Model(x, model.output, name="tf_mobilenet_v2_035_96"), images)


def write(builds: tuple[Callable[[], keras.Model], ...], directory: Path) -> None:
    tf.keras.utils.set_random_seed(0)
    for build in builds:
        model = build()
        for int8 in (False, True):
            path = directory / f"{model.name}_{'int8' if int8 else 'float32'}.tflite"
            path.write_bytes(convert(model, int8))
            print(f"{path}: {path.stat().st_size} bytes")


def write_mobilenets(directory: Path) -> None:
    write((mobilenet_v1_025, mobilenet_v2_035), Path(directory))


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mobilenets", type=Path, metavar="DIR", help="write the issue-11 MobileNets into DIR")
    args = parser.parse_args()
    if args.mobilenets:
        args.mobilenets.mkdir(parents=True, exist_ok=True)
        write_mobilenets(args.mobilenets)
    else:
        write((small_cnn, elementwise, layout, space_to_batch), HERE)


if __name__ == "__main__":
    main()
