"""The C unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, and under valgrind: any leak, invalid
access or undefined behaviour fails the test."""

from __future__ import annotations

import os
from pathlib import Path

from native_build import build, ctest, require, run, sample_model

SANITIZE = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"


def test_unit_tests_under_asan_and_ubsan(tmp_path: Path) -> None:
    require("gcc")
    out = build(tmp_path / "build", "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_C_COMPILER=gcc",
                f"-DCMAKE_C_FLAGS={SANITIZE}", f"-DCMAKE_EXE_LINKER_FLAGS={SANITIZE}")
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    ctest(out)
    model = sample_model(tmp_path / "mlp.tflite")
    run([str(out / "ember-bench"), f"--graph={model}", "--num_runs=3", "--enable_op_profiling"], tmp_path)
    run([str(out / "ember-bench"), f"--graph={model}", "--num_runs=3", "--num_threads=2"], tmp_path)
    # Several subgraphs: WHILE (a constant bound, so the body runs), IF, CALL_ONCE, resource variables, and
    # TensorFlow's files (with the dynamic-range ones: the hybrid kernels' scratch).
    import subgraph_builder

    data = Path(__file__).resolve().parents[1] / "data" / "tf"
    models = {"loop": subgraph_builder.counted_loop("int8", limit=4), "branch": subgraph_builder.two_branches(),
              "once": subgraph_builder.call_once_then_add(), "variables": subgraph_builder.accumulator("int8")}
    # The integer LSTM with every option (layer norm, peepholes, projection, clips) and time-major CIFG.
    from test_lstm_int8 import lstm_int8_model

    models["lstm_int8_all"] = lstm_int8_model(peephole=True, projection=True, projection_bias=True, layer_norm=True,
                                              cell_clip=0.5, proj_clip=0.4, cell_log2=-15)
    models["lstm_int8_cifg"] = lstm_int8_model(cifg=True, peephole=True, time_major=True, batch=3, cell_log2=-9)
    for name, content in models.items():
        (tmp_path / f"{name}.tflite").write_bytes(content)
    graphs = [tmp_path / f"{name}.tflite" for name in models] + sorted((data / "control_flow").glob("*.tflite")) + \
        sorted((data / "variables").glob("*.tflite")) + sorted((data / "dynamic_range").glob("*.tflite")) + \
        sorted((data / "recurrent").glob("lstm_int8_*.tflite"))
    for graph in graphs:
        run([str(out / "ember-bench"), f"--graph={graph}", "--num_runs=3"], tmp_path)


def test_unit_tests_under_valgrind(tmp_path: Path) -> None:
    (valgrind,) = require("valgrind")
    out = build(tmp_path / "build", "-DCMAKE_BUILD_TYPE=Debug")
    for exe in (["ember_tests"], ["ember_memory_tests"]):
        text = run([valgrind, "--error-exitcode=1", "--leak-check=full", "--errors-for-leak-kinds=all",
                    str(out / exe[0])], out, timeout=900)
        assert "ERROR SUMMARY: 0 errors" in text, text
    model = sample_model(tmp_path / "mlp.tflite")
    text = run([valgrind, "--error-exitcode=1", "--leak-check=full", str(out / "ember-bench"), f"--graph={model}",
                "--num_runs=2", "--json"], tmp_path)
    assert "ERROR SUMMARY: 0 errors" in text, text
