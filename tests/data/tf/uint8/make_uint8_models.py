"""Makes the uint8 test models with TensorFlow's own converters (run with a TensorFlow install, e.g.
/tmp/tfvenv/bin/python tests/data/tf/uint8/make_uint8_models.py; TensorFlow is not an Ember dependency).

- tf1_uint8.tflite: a fully uint8 graph from the TF1 path (tf.compat.v1.lite.TFLiteConverter, inference_type
  uint8, quantized_input_stats, fake-quant nodes): CONV_2D, DEPTHWISE_CONV_2D, ADD, CONCATENATION, MAX_POOL_2D,
  AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX, with per-tensor uint8 weights and their zero points.
- tf1_uint8_ops.tflite: the same path through PAD, RESIZE_NEAREST_NEIGHBOR, MUL, SUB, LOGISTIC, TANH, QUANTIZE
  (uint8 -> uint8 requantisation, which the converter inserts), CONCATENATION, MEAN, TRANSPOSE, STRIDED_SLICE.
- uint8_io.tflite: a TF2 full-integer int8 model with uint8 input and output (inference_input_type=tf.uint8):
  QUANTIZE uint8 -> int8 in front, int8 -> uint8 behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

HERE = Path(__file__).resolve().parent


def _fq(x, lo: float, hi: float):
    return tf.quantization.fake_quant_with_min_max_args(x, min=lo, max=hi, num_bits=8)


def tf1_uint8() -> bytes:
    rng = np.random.default_rng(0)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, 8, 8, 3], name="input")
        h = _fq(x, -1.0, 1.0)

        def conv(h, cin, cout, lo, hi, stride=1):
            w = tf.constant(rng.uniform(-0.5, 0.5, (3, 3, cin, cout)).astype(np.float32))
            w = _fq(w, -0.4, 0.6)  # asymmetric ranges: weight zero points other than 128
            b = tf.constant(rng.uniform(-0.2, 0.2, cout).astype(np.float32))
            y = tf.nn.conv2d(h, w, strides=stride, padding="SAME") + b
            return _fq(tf.nn.relu6(y), lo, hi)

        h = conv(h, 3, 8, 0.0, 6.0)
        wd = _fq(tf.constant(rng.uniform(-1, 1, (3, 3, 8, 1)).astype(np.float32)), -1.2, 0.8)
        d = tf.nn.depthwise_conv2d(h, wd, strides=[1, 2, 2, 1], padding="SAME")
        d = _fq(tf.nn.relu6(d + tf.constant(rng.uniform(-0.1, 0.1, 8).astype(np.float32))), 0.0, 6.0)
        p = _fq(tf.nn.max_pool2d(h, 2, 2, "VALID"), 0.0, 6.0)
        s = _fq(d + p, 0.0, 10.0)
        c = _fq(tf.concat([s, d], axis=3), 0.0, 10.0)
        a = _fq(tf.nn.avg_pool2d(c, 2, 2, "VALID"), 0.0, 10.0)
        f = tf.reshape(a, [1, -1])
        wf = _fq(tf.constant(rng.uniform(-0.3, 0.3, (f.shape[1], 10)).astype(np.float32)), -0.2, 0.4)
        logits = _fq(tf.matmul(f, wf) + tf.constant(rng.uniform(-0.1, 0.1, 10).astype(np.float32)), -8.0, 8.0)
        out = tf.identity(tf.nn.softmax(logits), name="output")
        with tf.compat.v1.Session(graph=graph) as sess:
            converter = tf.compat.v1.lite.TFLiteConverter.from_session(sess, [x], [out])
            converter.inference_type = tf.uint8
            converter.quantized_input_stats = {"input": (127.5, 127.5)}  # (mean, std): real = (q - mean) / std
            return converter.convert()


def tf1_uint8_ops() -> bytes:
    """The other uint8 ops through the TF1 converter: PAD, RESIZE_NEAREST_NEIGHBOR, MUL, SUB, LOGISTIC, TANH,
    MEAN, TRANSPOSE, STRIDED_SLICE, CONCATENATION."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [1, 4, 4, 2], name="input")
        h = _fq(x, -2.0, 2.0)
        p = _fq(tf.pad(h, [[0, 0], [1, 0], [0, 1], [0, 0]]), -2.0, 2.0)
        r = _fq(tf.compat.v1.image.resize_nearest_neighbor(p, [8, 8]), -2.0, 2.0)
        m = _fq(r * _fq(tf.constant(np.linspace(-1, 1, 2, dtype=np.float32)), -1.0, 1.0), -3.0, 3.0)
        s = _fq(m - r, -4.0, 4.0)
        g = _fq(tf.sigmoid(s), 0.0, 1.0)
        t = _fq(tf.tanh(m), -1.0, 1.0)
        c = _fq(tf.concat([g, t], axis=3), -1.0, 1.0)
        mean = _fq(tf.reduce_mean(c, axis=[1, 2], keepdims=True), -1.0, 1.0)
        tr = _fq(tf.transpose(c, [0, 3, 1, 2]), -1.0, 1.0)
        sl = _fq(tr[:, :, 1:7:2, ::3], -1.0, 1.0)
        out_a = tf.identity(mean, name="mean")
        out_b = tf.identity(sl, name="slice")
        with tf.compat.v1.Session(graph=graph) as sess:
            converter = tf.compat.v1.lite.TFLiteConverter.from_session(sess, [x], [out_a, out_b])
            converter.inference_type = tf.uint8
            converter.quantized_input_stats = {"input": (128.0, 64.0)}
            return converter.convert()


def uint8_io() -> bytes:
    rng = np.random.default_rng(1)
    tf.keras.utils.set_random_seed(1)  # the layers' initial weights: the file is the same on every run
    model = tf.keras.Sequential([
        tf.keras.Input((8, 8, 3)),
        tf.keras.layers.Conv2D(6, 3, activation="relu"),
        tf.keras.layers.DepthwiseConv2D(3, padding="same"),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(4),
    ])
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([rng.uniform(-1, 1, (1, 8, 8, 3)).astype(np.float32)]
                                                for _ in range(32))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.uint8
    converter.inference_output_type = tf.uint8
    return converter.convert()


if __name__ == "__main__":
    for name, make in [("tf1_uint8", tf1_uint8), ("tf1_uint8_ops", tf1_uint8_ops), ("uint8_io", uint8_io)]:
        data = make()
        (HERE / f"{name}.tflite").write_bytes(data)
        print(name, len(data), "bytes")
