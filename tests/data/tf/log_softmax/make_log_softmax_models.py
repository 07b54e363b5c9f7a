"""Makes the quantised LOG_SOFTMAX test models with TensorFlow's own converters (run with a TensorFlow install,
e.g. /tmp/tfvenv/bin/python tests/data/tf/log_softmax/make_log_softmax_models.py; TensorFlow is not an Ember
dependency). tests/runtime/test_tf_log_softmax.py runs them against LiteRT's reference kernels.

- log_softmax_int8.tflite: TF2 full-integer quantisation (int8 input and output) of FULLY_CONNECTED ->
  LOG_SOFTMAX over 37 classes, and LOG_SOFTMAX of a [2, 3, 300] tensor's last axis: the converter's own choice of
  the fixed output parameters (16/256, 127).
- log_softmax_uint8.tflite: the TF1 path (inference_type uint8, fake-quant nodes) through LOG_SOFTMAX, output
  (16/256, 255)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

HERE = Path(__file__).resolve().parent


def log_softmax_int8() -> bytes:
    rng = np.random.default_rng(0)
    w = tf.constant(rng.standard_normal((24, 37)).astype(np.float32) * 0.5)

    @tf.function(input_signature=[tf.TensorSpec([4, 24], tf.float32), tf.TensorSpec([2, 3, 300], tf.float32)])
    def model(x, z):
        return tf.nn.log_softmax(tf.matmul(x, w)), tf.nn.log_softmax(z * 3.0)

    def calibration():
        for i in range(32):
            r = np.random.default_rng(100 + i)
            yield [r.standard_normal((4, 24)).astype(np.float32), r.standard_normal((2, 3, 300)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_concrete_functions([model.get_concrete_function()], model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def log_softmax_uint8() -> bytes:
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [3, 50], name="input")
        h = tf.quantization.fake_quant_with_min_max_args(x, min=-6.0, max=6.0, num_bits=8)
        out = tf.identity(tf.nn.log_softmax(h), name="output")
        with tf.compat.v1.Session(graph=graph) as sess:
            converter = tf.compat.v1.lite.TFLiteConverter.from_session(sess, [x], [out])
            converter.inference_type = tf.uint8
            converter.quantized_input_stats = {"input": (127.5, 127.5 / 6.0)}  # real = (q - mean) / std
            converter.default_ranges_stats = (-16.0, 0.0)
            return converter.convert()


if __name__ == "__main__":
    for name, make in (("log_softmax_int8", log_softmax_int8), ("log_softmax_uint8", log_softmax_uint8)):
        data = make()
        (HERE / f"{name}.tflite").write_bytes(data)
        print(f"{name}.tflite: {len(data)} bytes")
