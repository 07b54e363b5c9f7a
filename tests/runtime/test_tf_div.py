"""Quantised DIV and uint8 SUM in files made by TensorFlow's own converters (tests/data/tf/div/make_div_models.py):
a TF2 full-integer int8 model and a TF1 uint8 model, bit-exact against LiteRT's reference kernels (BUILTIN_REF)
on random inputs (divisor codes off their zero point)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from single_op import run_ember, run_litert

from ember.runtime import Interpreter

DATA = Path(__file__).resolve().parents[1] / "data" / "tf" / "div"


@pytest.mark.parametrize("name", ["div_int8", "div_sum_uint8"])
def test_tf_converted_quantized_div_matches_litert_reference(name: str) -> None:
    model = (DATA / f"{name}.tflite").read_bytes()
    details = Interpreter(model_content=model).get_input_details()
    rng = np.random.default_rng(11)
    for _ in range(5):
        feeds = []
        for d in details:
            info = np.iinfo(d["dtype"])
            x = rng.integers(info.min, info.max + 1, size=tuple(d["shape"]))
            zero_point = d["quantization"][1]
            x[x == zero_point] = zero_point + 1  # only the divisor needs it; harmless for the dividend
            feeds.append(x.astype(d["dtype"]))
        ours = run_ember(model, feeds)
        ref = run_litert(model, feeds)
        assert len(ours) == len(ref) == 1
        np.testing.assert_array_equal(ours[0], ref[0])
