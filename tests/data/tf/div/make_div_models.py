"""Makes the quantised DIV and SUM test models with TensorFlow's own converters (run with a TensorFlow install,
e.g. /tmp/tfvenv/bin/python tests/data/tf/div/make_div_models.py; TensorFlow is not an Ember dependency).

- div_int8.tflite: TF2 full-integer int8: DIV of one input by a second input kept away from 0 (a + b * b + 1),
  then a broadcast DIV by a constant channel vector.
- div_sum_uint8.tflite: the TF1 uint8 path (inference_type uint8, fake-quant nodes): DIV of two inputs and a
  SUM over the last axis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

HERE = Path(__file__).resolve().parent


def div_int8() -> bytes:
    rng = np.random.default_rng(0)
    scale = tf.constant(rng.uniform(0.5, 2.0, 6).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([1, 4, 6], tf.float32), tf.TensorSpec([1, 4, 6], tf.float32)])
    def f(a, b):
        d = a / (b * b + 1.0)
        return d / scale

    def data():
        for _ in range(32):
            yield [rng.uniform(-2, 2, (1, 4, 6)).astype(np.float32), rng.uniform(-2, 2, (1, 4, 6)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([f.get_concrete_function()], f)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = data
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def _fq(x, lo: float, hi: float):
    return tf.quantization.fake_quant_with_min_max_args(x, min=lo, max=hi, num_bits=8)


def div_sum_uint8() -> bytes:
    graph = tf.Graph()
    with graph.as_default():
        a = tf.compat.v1.placeholder(tf.float32, [2, 3, 8], name="a")
        b = tf.compat.v1.placeholder(tf.float32, [2, 3, 8], name="b")
        qa, qb = _fq(a, -2.0, 2.0), _fq(b, 0.25, 4.0)
        d = _fq(qa / qb, -8.0, 8.0)
        s = _fq(tf.reduce_sum(d, axis=-1), -30.0, 30.0)
        out = tf.identity(s, name="out")
        with tf.compat.v1.Session(graph=graph) as sess:
            converter = tf.compat.v1.lite.TFLiteConverter.from_session(sess, [a, b], [out])
            converter.inference_type = tf.uint8
            converter.quantized_input_stats = {"a": (127.5, 63.75), "b": (-8.5, 63.75)}
            return converter.convert()


if __name__ == "__main__":
    for name, make in (("div_int8", div_int8), ("div_sum_uint8", div_sum_uint8)):
        data = make()
        (HERE / f"{name}.tflite").write_bytes(data)
        print(name, len(data), "bytes")
