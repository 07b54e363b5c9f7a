"""Regenerates the two-signature .tflite files in this folder with TensorFlow's own converter (not part of the
test run; tests/runtime/test_tf_signatures.py reads the committed files).

    /tmp/tfvenv/bin/python tests/data/tf/signatures/make_signature_models.py

A tf.Module with two @tf.function signatures, 'encode' (x [1, 8] -> code [1, 4]: dense + relu) and 'decode'
(code [1, 4] -> y [1, 8] and a second output, gate [1, 8]), saved and converted with from_saved_model and both
signature keys: each signature is its own subgraph. Written as float32 and as full int8 (representative data per
signature, int8 inputs and outputs)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

HERE = Path(__file__).resolve().parent
KEYS = ["encode", "decode"]


class Codec(tf.Module):
    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(14)
        self.w_enc = tf.constant(rng.normal(0, 0.5, (8, 4)).astype(np.float32))
        self.b_enc = tf.constant(rng.normal(0, 0.1, (4,)).astype(np.float32))
        self.w_dec = tf.constant(rng.normal(0, 0.5, (4, 8)).astype(np.float32))

    @tf.function(input_signature=[tf.TensorSpec([1, 8], tf.float32, name="x")])
    def encode(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
        return {"code": tf.nn.relu(tf.matmul(x, self.w_enc) + self.b_enc)}

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32, name="code")])
    def decode(self, code: tf.Tensor) -> dict[str, tf.Tensor]:
        y = tf.tanh(tf.matmul(code, self.w_dec))
        return {"y": y, "gate": tf.sigmoid(y * 2.0 + 0.5)}


def representative():
    rng = np.random.default_rng(1)
    for _ in range(32):
        yield "encode", {"x": rng.normal(0, 1, (1, 8)).astype(np.float32)}
        yield "decode", {"code": rng.uniform(0, 2, (1, 4)).astype(np.float32)}


def main() -> None:
    module = Codec()
    with tempfile.TemporaryDirectory() as tmp:
        tf.saved_model.save(module, tmp, signatures={"encode": module.encode, "decode": module.decode})
        for suffix, quantise in (("float32", False), ("int8", True)):
            converter = tf.lite.TFLiteConverter.from_saved_model(tmp, signature_keys=KEYS)
            if quantise:
                converter.optimizations = [tf.lite.Optimize.DEFAULT]
                converter.representative_dataset = representative
                converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
                converter.inference_input_type = tf.int8
                converter.inference_output_type = tf.int8
            path = HERE / f"codec_{suffix}.tflite"
            path.write_bytes(converter.convert())
            print(path.name, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
