"""ember-bench's command line under AddressSanitizer + UndefinedBehaviorSanitizer with leak detection: every
numeric flag is range-checked (status 2, the flag and its range named), --help prints the usage with status 0,
it runs the fuzz seed models (tflite_builder graphs, exporter and zoo output, STRIDED_SLICE edge cases) without a
sanitizer report, and a model whose invoke fails exits 1 without leaking."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from native_build import SOURCE, require, run
from single_op import one_op_model, run_litert
from test_sanitizers import SANITIZE
from tflite_builder import TensorSpec

REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
# The ranges ember-bench documents (README, --help) on a 64-bit host.
RANGES = {"--num_runs": (1, 10_000_000), "--warmup_runs": (0, 10_000_000), "--num_threads": (-1, 1024),
          "--seed": (0, 2**31 - 1), "--max_arena_mb": (1, 1_048_576)}


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    """ember-bench built with gcc under ASan + UBSan (only that target, to spare the CPUs)."""
    require("gcc", "cmake")
    out = tmp_path_factory.mktemp("bench_asan") / "build"
    run(["cmake", "-S", str(SOURCE), "-B", str(out), "-DEMBER_WERROR=ON", "-DCMAKE_BUILD_TYPE=Debug",
         "-DCMAKE_C_COMPILER=gcc", f"-DCMAKE_C_FLAGS={SANITIZE}", f"-DCMAKE_EXE_LINKER_FLAGS={SANITIZE}"],
        out.parent)
    run(["cmake", "--build", str(out), "--target", "ember-bench", "--parallel", "2"], out.parent)
    return out / "ember-bench"


def _bench(exe: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:halt_on_error=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    result = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300, env=env)
    for marker in REPORTS:
        assert marker not in result.stderr, result.stderr[-4000:]
    return result


def _model(tmp_path: Path) -> Path:
    from native_build import sample_model

    return sample_model(tmp_path / "mlp.tflite")


def test_help_prints_the_usage_with_status_0(bench: Path) -> None:
    result = _bench(bench, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ember-bench --graph=FILE"), result.stdout
    for flag, (low, high) in RANGES.items():
        assert f"{flag}" in result.stdout and f"{low}..{high}" in result.stdout, result.stdout


@pytest.mark.parametrize("flag", sorted(RANGES))
def test_numeric_flags_outside_their_range_exit_2_naming_the_flag(bench: Path, tmp_path: Path, flag: str) -> None:
    low, high = RANGES[flag]
    model = _model(tmp_path)
    # Just outside each end, the values of the issue (a latency array of 2^61 doubles, 2^44 MiB that wraps to
    # 0 bytes when shifted), beyond long, and text that is not a number.
    for value in (low - 1, high + 1, 2305843009213693953, 17592186044416, "99999999999999999999999", "12x", ""):
        result = _bench(bench, f"--graph={model}", f"{flag}={value}")
        assert result.returncode == 2, (flag, value, result.returncode, result.stdout, result.stderr[-2000:])
        assert f"{flag} needs an integer in [{low}, {high}], got '{value}'" in result.stderr, result.stderr
        assert "graph:" not in result.stdout  # nothing ran
    for value in (low, high) if flag not in ("--num_runs", "--warmup_runs") else (low, 3):
        result = _bench(bench, f"--graph={model}", "--num_runs=2", f"{flag}={value}")
        assert result.returncode == 0, (flag, value, result.stderr[-2000:])


def test_runs_the_fuzz_seed_models_cleanly(bench: Path, tmp_path: Path) -> None:
    from test_fuzz import write_seeds

    corpus = tmp_path / "corpus"
    write_seeds(corpus)
    ran, refused = 0, []
    for model in sorted(corpus.iterdir()):
        result = _bench(bench, f"--graph={model}", "--num_runs=2", "--enable_op_profiling", "--json")
        if result.returncode == 0:
            ran += 1
            assert result.stdout.rstrip().endswith("]}"), result.stdout[-500:]
        else:  # refused at load or prepare, or failed at invoke, with the runtime's message
            assert result.returncode == 1 and "ember-bench: " in result.stderr, result.stderr[-2000:]
            refused.append(result.stderr)
    import test_kernels_strided_slice as strided

    # Every out-of-range shrink seed is refused at prepare, with its message; most seeds run.
    assert sum("STRIDED_SLICE 0: shrunk axis" in e for e in refused) == len(strided.OUT_OF_RANGE), refused
    assert ran >= 20, (ran, refused)


def _failing_invoke_model() -> bytes:
    """int8 RSQRT over 64 inputs with zero point 0: ember-bench's random codes include negative real values,
    which RSQRT refuses at invoke (as LiteRT does)."""
    x = TensorSpec("x", [64], "int8", scales=[0.05], zero_points=[0])
    y = TensorSpec("y", [64], "int8", scales=[0.02], zero_points=[-128])
    return one_op_model("RSQRT", [x], [y], version=2)


def test_invoke_failure_exits_1_without_leaks(bench: Path, tmp_path: Path) -> None:
    model = tmp_path / "rsqrt_negative.tflite"
    model.write_bytes(_failing_invoke_model())
    with pytest.raises(RuntimeError, match="Rsqrt is only defined for positive values"):  # the oracle agrees
        run_litert(model.read_bytes(), [np.arange(-32, 32, dtype=np.int8)])
    for extra in ([], ["--enable_op_profiling", "--json"]):
        result = _bench(bench, f"--graph={model}", "--num_runs=3", *extra)
        assert result.returncode == 1, (result.returncode, result.stderr[-3000:])
        assert "ember-bench: invoke failed: RSQRT 0: input 'x' element" in result.stderr, result.stderr


DYNAMIC = Path(__file__).resolve().parents[1] / "data" / "tf" / "dynamic"


@pytest.mark.parametrize(("model", "flags", "shapes"), [
    ("dyn_cnn_float32", ["--input_layer=serving_default_keras_tensor:0", "--input_layer_shape=8,12,12,3"],
     [[8, 12, 12, 3]]),
    ("dyn_fcn_int8", ["--input_layer_shape=2,20,14,3"], [[2, 20, 14, 3]]),
])
def test_input_layer_shape_resizes_before_allocating(bench: Path, model: str, flags: list[str],
                                                     shapes: list[list[int]]) -> None:
    import json

    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter

    result = _bench(bench, f"--graph={DYNAMIC / model}.tflite", "--num_runs=2", "--json", *flags)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["input_shapes"] == shapes
    # LiteRT takes the same resize (and its inputs then have these shapes).
    ref = LiteRTInterpreter(str(DYNAMIC / f"{model}.tflite"))
    ref.resize_tensor_input(ref.get_input_details()[0]["index"], shapes[0])
    ref.allocate_tensors()
    assert ref.get_input_details()[0]["shape"].tolist() == shapes[0]


@pytest.mark.parametrize(("flags", "status", "says"), [
    (["--input_layer=nope", "--input_layer_shape=2,12,12,3"], 2, "no input 'nope'; its inputs are"),
    (["--input_layer_shape=2,12,x,3"], 2, "dim 'x' of shape 0 is not an integer"),
    (["--input_layer_shape=2,12,12,3:1,4"], 2, "gives 2 shapes, the model has 1 inputs"),
    (["--input_layer_shape=2,,12,3"], 2, "comma-separated dims"),
    (["--input_layer=serving_default_keras_tensor:0"], 2, "--input_layer needs --input_layer_shape"),
    (["--input_layer_shape=2,12,12"], 1, "the rank cannot change"),
    (["--input_layer_shape=2,12,12,4"], 1, "resized to [2,12,12,4]"),
])
def test_bad_input_layer_shape_is_refused_naming_the_problem(bench: Path, flags: list[str], status: int,
                                                             says: str) -> None:
    result = _bench(bench, f"--graph={DYNAMIC / 'dyn_cnn_float32'}.tflite", "--num_runs=1", *flags)
    assert result.returncode == status and says in result.stderr, (result.returncode, result.stderr)
