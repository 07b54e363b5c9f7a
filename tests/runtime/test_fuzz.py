"""Fuzzes the loader, planner and kernels with libFuzzer (edge_runtime/fuzz/fuzz_model.c built with clang
-fsanitize=fuzzer,address,undefined) for a bounded time, starting from real models written here: tflite_builder
graphs of every op family and ember.export models, float32 and int8. Nothing generated is committed. Any crash,
leak or sanitizer report fails the test. EMBER_FUZZ_SECONDS sets the budget (default 60)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from native_build import SOURCE, require
from tflite_builder import mlp_model

FUZZ_SECONDS = int(os.environ.get("EMBER_FUZZ_SECONDS", "60"))
SANITIZE = "-fsanitize=fuzzer,address,undefined"


def build_fuzzer(out: Path) -> Path:
    (clang,) = require("clang")
    sources = sorted(str(p) for p in (SOURCE / "src").rglob("*.c"))
    exe = out / "fuzz_model"
    # A WHILE whose condition never turns false stops after 10000 rounds (an error), not at libFuzzer's timeout.
    result = subprocess.run([clang, "-std=c99", "-g", "-O1", SANITIZE, "-fno-sanitize-recover=undefined",
                             "-DEMBER_MAX_WHILE_ITERATIONS=10000",
                             f"-I{SOURCE / 'include'}", f"-I{SOURCE / 'src'}", *sources,
                             str(SOURCE / "fuzz" / "fuzz_model.c"), "-o", str(exe), "-lm", "-pthread"],
                            capture_output=True, text=True)
    if result.returncode != 0 and "fuzzer" in result.stderr and "cannot find" in result.stderr:
        pytest.skip(f"clang has no libFuzzer runtime (apt-get install libclang-rt-dev): {result.stderr[-300:]}")
    assert result.returncode == 0, result.stderr
    return exe


def write_seeds(corpus: Path) -> int:
    """Real models: every kernel family through tflite_builder, and exporter output (float32 and int8)."""
    import test_kernels_conv as conv

    corpus.mkdir()
    seeds: list[bytes] = []
    for i in range(4):
        rng = np.random.default_rng(i)
        seeds.append(mlp_model(rng, batch=int(rng.integers(1, 3)), hidden=8, classes=4,
                               reshape_output=bool(i % 2)).model)
        seeds.append(conv._conv_case(rng, depthwise=bool(i % 2), quantized=i < 2)[0])
        seeds.append(conv._pool_case(rng, "AVERAGE_POOL_2D" if i % 2 else "MAX_POOL_2D", quantized=i < 2)[0])
        seeds.append(conv._mean_case(rng, quantized=i < 2, spatial=bool(i % 2))[0])
    # STRIDED_SLICE shrinks at the edges of the input: begins just inside and just outside [-dim, dim)
    import test_kernels_strided_slice as strided

    for shape, begin, end, strides, out, shrink, index_type in strided.OUT_OF_RANGE:
        seeds.append(strided.strided_slice_model(shape, begin, end, strides, out, shrink=shrink,
                                                 index_type=index_type))
    for shape, begin, end, strides, out, shrink, begin_mask in strided.VALID:
        seeds.append(strided.strided_slice_model(shape, begin, end, strides, out, shrink=shrink,
                                                 begin_mask=begin_mask))
    # Empty tensors with huge other dims ([0, 65536, 65536], [65536, 65536, 0]) through MEAN, ADD, ... (see
    # test_zero_sized_tensors), and one exported float32 model for each op the export-rule test added a kernel for.
    import test_export_rule_coverage as coverage
    import test_zero_sized_tensors as zero_sized

    seeds.extend(zero_sized.MODELS.values())
    for name in ("Abs", "Exp", "Log", "Sqrt", "Div", "Maximum", "Minimum", "LogSoftmax", "Sum", "Max", "Min"):
        coverage.export_float32(name, corpus / f"export_{name.lower()}.tflite")
    import ember
    import ember.export
    from ember import nn
    from ember.vision import models

    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))
    example = ember.randn(1, 1, 4, 4)
    ember.export.to_tflite(model, example, corpus / "export_float.tflite")
    calibration = [ember.randn(1, 1, 4, 4) for _ in range(4)]
    ember.export.to_tflite(model, example, corpus / "export_int8.tflite", quantize="int8", calibration=calibration)
    # zoo models small enough for -max_len: float and int8, every op family the zoo exports
    for name, int8_only in (("mlp", False), ("lenet5", True), ("unet_small", True), ("transformer_classifier", True)):
        zoo = models.MODELS[name].build().eval()
        x = models.example_input(name)
        if not int8_only:
            ember.export.to_tflite(zoo, ember.tensor(x), corpus / f"zoo_{name}.tflite")
        ember.export.to_tflite(zoo, ember.tensor(x), corpus / f"zoo_{name}_int8.tflite", quantize="int8",
                               calibration=[models.example_input(name, seed=s) for s in range(2)])
    import test_cross_replay as replay  # one small model per registered kernel, float32 and int8: every op seeds

    seeds.extend(case.model for case in replay.one_op_cases())
    # uint8 files from TensorFlow's converters: the uint8 paths of the convolutions, pooling, ADD, ... seed too.
    uint8_files = Path(__file__).resolve().parents[1] / "data" / "tf" / "uint8"
    seeds.extend(p.read_bytes() for p in sorted(uint8_files.glob("*.tflite")))
    # TensorFlow's shape and indexing files (SPLIT, SLICE, TILE, GATHER_ND, REDUCE_PROD, ... amid convolutions).
    shape_files = Path(__file__).resolve().parents[1] / "data" / "tf" / "shape"
    seeds.extend(p.read_bytes() for p in sorted(shape_files.glob("*.tflite")))
    import test_detection_postprocess as detection  # the runtime's own custom op, its flexbuffer options

    seeds.extend(detection.seed_models())
    # Dynamic-batch files (issue 14): SHAPE / STRIDED_SLICE / PACK chains that the harness's resize propagates.
    dynamic_files = Path(__file__).resolve().parents[1] / "data" / "tf" / "dynamic"
    seeds.extend(p.read_bytes() for p in sorted(dynamic_files.glob("*.tflite")))
    # Several subgraphs: WHILE / IF / CALL_ONCE (hand-built and TensorFlow's), signatures over other subgraphs.
    import subgraph_builder as subgraphs
    import test_subgraphs

    for dtype in ("float32", "int8"):
        seeds += [subgraphs.counted_loop(dtype), subgraphs.two_branches(dtype), subgraphs.call_once_then_add(dtype)]
    seeds += [subgraphs.counted_loop("float32", limit=5), test_subgraphs._if_chain(6)]
    parts = test_subgraphs._loop_parts()
    seeds.append(subgraphs.build_subgraphs(parts, [subgraphs.SignatureSpec(
        "step", 2, inputs={"i": 0, "n": 1, "x": 2}, outputs={"i_next": 4, "x_next": 5})]))
    # Resource variables (VAR_HANDLE / READ_VARIABLE / ASSIGN_VARIABLE with CALL_ONCE): hand-built and TensorFlow's.
    import test_variables

    seeds += [subgraphs.accumulator(dtype) for dtype in ("float32", "int8", "int32")]
    seeds += [test_variables._two_containers(), test_variables._loop_counter(), test_variables._read_then_assign(),
              test_variables._read_then_assign(init=True)]
    tf_data = Path(__file__).resolve().parents[1] / "data" / "tf"
    # BIDIRECTIONAL_SEQUENCE_LSTM (48 inputs, the loader's 64-bit optional-input mask), float32 and hybrid.
    import test_bidirectional_sequence_lstm as bilstm

    seeds += [bilstm.bilstm_model(merge_outputs=True, time_major=True), bilstm.bilstm_model(hybrid=True),
              bilstm.bilstm_model(peephole=True, projection=True, projection_bias=True, cifg=True)]
    # ... and TensorFlow's 16x8, dynamic-range (hybrid kernels) and recurrent (float, hybrid and int8 LSTM) files.
    seeds.extend(p.read_bytes() for folder in ("control_flow", "signatures", "variables", "int16x8",
                                               "dynamic_range", "recurrent")
                 for p in sorted((tf_data / folder).glob("*.tflite")))
    for i, seed in enumerate(seeds):
        (corpus / f"builder_{i:02d}.tflite").write_bytes(seed)
    return len(list(corpus.iterdir()))


def run_fuzzer(exe: Path, corpus: Path, seconds: int, workdir: Path) -> str:
    result = subprocess.run([str(exe), str(corpus), f"-max_total_time={seconds}", "-max_len=131072",
                             "-rss_limit_mb=2048", "-timeout=10", "-print_final_stats=1"],
                            cwd=workdir, capture_output=True, text=True, timeout=seconds + 300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "deadly signal"):
        assert marker not in log, log[-6000:]
    return log


def test_fuzz_model_loader_and_kernels(tmp_path: Path) -> None:
    exe = build_fuzzer(tmp_path)
    assert write_seeds(tmp_path / "corpus") >= 16
    log = run_fuzzer(exe, tmp_path / "corpus", FUZZ_SECONDS, tmp_path)
    runs = [line for line in log.splitlines() if "stat::number_of_executed_units" in line]
    assert runs and int(runs[-1].split(":")[-1]) > 100, log[-3000:]
