"""Dynamic-range files written by TensorFlow 2.21's converter (tests/data/tf/dynamic_range/, make_models.py:
Optimize.DEFAULT, no representative data): CONV_2D version 5 and DEPTHWISE_CONV_2D version 6 with int8
per-channel filters, FULLY_CONNECTED version 12 with per-channel int8 weights and asymmetric_quantize_inputs, a
float32 FULLY_CONNECTED whose weights stayed float (under 1024 elements), MEAN; and sparse (1x16-block) int8
weights, which LiteRT runs with its sparse hybrid kernel (the zero-point correction subtracted before the
product). Against LiteRT's reference kernels
(BUILTIN_REF) bit for bit, over several inputs: random, one batch entry of zeros, all zeros, all positive."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType

from ember.runtime import Interpreter

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "dynamic_range"


@pytest.mark.parametrize("threads", [1, 4])
@pytest.mark.parametrize("name", ["cnn_dynamic.tflite", "mlp3d_dynamic.tflite", "sparse_mlp_dynamic.tflite"])
def test_dynamic_range_file_matches_litert(name: str, threads: int) -> None:
    """On 4 threads the hybrid convolutions split their output rows and FULLY_CONNECTED its units: same bits."""
    path = DATA / name
    ours = Interpreter(model_path=path, num_threads=threads)
    theirs = LiteRTInterpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    detail = theirs.get_input_details()[0]
    shape = tuple(detail["shape"])
    rng = np.random.default_rng(5)
    feeds = [rng.standard_normal(shape).astype(np.float32) * 2, np.abs(rng.standard_normal(shape)).astype(np.float32),
             np.zeros(shape, np.float32)]
    one_zero = rng.standard_normal(shape).astype(np.float32)
    one_zero[0] = 0.0
    feeds.append(one_zero)
    for x in feeds:
        for it in (ours, theirs):
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
        got = ours.get_tensor(ours.get_output_details()[0]["index"])
        expected = theirs.get_tensor(theirs.get_output_details()[0]["index"])
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
