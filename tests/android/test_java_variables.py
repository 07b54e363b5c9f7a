"""Interpreter.resetVariableTensors through the ai.ember Java API (host JVM, -Xcheck:jni): TensorFlow's stateful
streaming cells (tests/data/tf/variables) run several times in a row give ember.runtime's outputs step by step,
bit for bit (the same runtime; test_tf_variables.py holds them against LiteRT), the state moves on between runs,
and after resetVariableTensors the same runs give the same outputs again: a new stream."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from jvm_build import ROOT, java

from ember.runtime import Interpreter

VARIABLES = ROOT / "tests" / "data" / "tf" / "variables"
STEPS = 4


@pytest.mark.parametrize("name", ["stream_float32", "stream_int8io"])
def test_runs_and_reset_variable_tensors_give_ember_runtime_outputs(name: str, jni_library: Path,
                                                                     api_classes: Path, tmp_path: Path) -> None:
    model = VARIABLES / f"{name}.tflite"
    oracle = Interpreter(model_path=str(model))
    oracle.allocate_tensors()
    d, o = oracle.get_input_details()[0], oracle.get_output_details()[0]
    rng = np.random.default_rng(7)
    x = (rng.integers(-128, 128, d["shape"], dtype=np.int8) if d["dtype"] == np.int8
         else rng.standard_normal(d["shape"]).astype(np.float32))
    x.astype(x.dtype.newbyteorder("<")).tofile(tmp_path / "x.bin")
    want = []
    for _ in range(STEPS):
        oracle.set_tensor(d["index"], x)
        oracle.invoke()
        want.append(oracle.get_tensor(o["index"]))
    assert not np.array_equal(want[0], want[-1])  # the state moves on
    out = java(api_classes, jni_library, "stream", str(model), str(tmp_path), str(tmp_path / "x.bin"), str(STEPS))
    assert out.splitlines()[-1] == "DONE", out
    dtype = want[0].dtype.newbyteorder("<")
    for k in range(STEPS):
        for prefix in ("step", "reset"):
            got = np.fromfile(tmp_path / f"{prefix}_{k}.bin", dtype=dtype).reshape(want[k].shape)
            np.testing.assert_array_equal(got, want[k], err_msg=f"{prefix} {k}")
