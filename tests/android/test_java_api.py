"""The ai.ember Java API (android_demo/ember) on a desktop JVM through libember_jni built for the host, under
-Xcheck:jni with no JNI warning: every I/O path (direct and heap buffers, shaped and flat arrays, models from a
mapped File, a byte[] and a heap ByteBuffer) gives ember.runtime's outputs in Python (int8 bit-exact, float32
within the runtime's own rtol 1e-5 of it); misuse and a corrupted model raise the documented exceptions with the
runtime's message; 1,000 create/run/close cycles do not grow the process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from jvm_build import DIGITS_INT8, ROOT, java
from tflite_builder import OpSpec, TensorSpec, build_model

from ember.runtime import Interpreter
from ember.runtime._native import RuntimeModelError

TF = ROOT / "tests" / "data" / "tf"
PATHS = ("direct", "heap", "array", "flat")
JAVA_TYPES = {np.float32: "FLOAT32", np.int8: "INT8", np.int32: "INT32", np.int64: "INT64"}


def _two_in_two_out(path: Path) -> Path:
    """ADD and MUL of the same two float32 inputs: runForMultipleInputsOutputs with 2 inputs and 2 outputs."""
    x, y = TensorSpec("x", [2, 3, 5]), TensorSpec("y", [2, 3, 5])
    tensors = [x, y, TensorSpec("sum", [2, 3, 5]), TensorSpec("product", [2, 3, 5])]
    ops = [OpSpec("ADD", [0, 1], [2], {}, 1), OpSpec("MUL", [0, 1], [3], {}, 1)]
    path.write_bytes(build_model(tensors, ops, [0, 1], [2, 3]))
    return path


MODELS = {
    "digits_int8": lambda tmp: DIGITS_INT8,
    "tf_small_cnn_float32": lambda tmp: TF / "small_cnn_float32.tflite",
    "tf_small_cnn_int8": lambda tmp: TF / "small_cnn_int8.tflite",
    "two_inputs_two_outputs_float32": lambda tmp: _two_in_two_out(tmp / "add_mul.tflite"),
}


def _feed(detail: dict, rng: np.random.Generator) -> np.ndarray:
    shape, dtype = tuple(detail["shape"]), detail["dtype"]
    if dtype == np.int8:
        return rng.integers(-128, 128, size=shape, dtype=np.int8)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_io_path_gives_ember_runtime_outputs(name: str, threads: int, jni_library: Path, api_classes: Path,
                                                   tmp_path: Path) -> None:
    model = MODELS[name](tmp_path)
    oracle = Interpreter(model_path=str(model), num_threads=threads)
    oracle.allocate_tensors()
    rng = np.random.default_rng(13 + threads)
    feeds = [_feed(d, rng) for d in oracle.get_input_details()]
    inputs = []
    for i, (d, x) in enumerate(zip(oracle.get_input_details(), feeds, strict=True)):
        oracle.set_tensor(d["index"], x)
        inputs.append(tmp_path / f"in{i}.bin")
        x.astype(x.dtype.newbyteorder("<")).tofile(inputs[-1])
    oracle.invoke()
    expected = [oracle.get_tensor(d["index"]) for d in oracle.get_output_details()]

    out = java(api_classes, jni_library, "run", str(model), str(tmp_path), str(threads), *map(str, inputs))
    lines = out.splitlines()
    assert lines[-1] == "DONE"
    summary = lines[0].split()
    assert summary[1] == str(threads) and int(summary[5]) == oracle.arena_bytes(), summary
    assert int(summary[7]) == model.stat().st_size, summary
    tensors = [line.split(" ", 10) for line in lines if line.startswith("TENSOR ")]
    details = [("input", d) for d in oracle.get_input_details()] + [("output", d) for d in oracle.get_output_details()]
    assert len(tensors) == len(details)
    for (role, d), t in zip(details, tensors, strict=True):
        scale, zero_point = d["quantization"]
        assert t[1] == role and int(t[3]) == d["index"] and t[10] == d["name"], t
        assert t[4] == JAVA_TYPES[d["dtype"]] and t[5] == str(d["shape"].tolist()).replace(" ", ""), t
        assert int(t[6]) == int(np.prod(d["shape"])) * np.dtype(d["dtype"]).itemsize, t
        assert float(t[8]) == pytest.approx(scale, rel=1e-6) and int(t[9]) == zero_point, t

    for path in PATHS:
        for k, want in enumerate(expected):
            got = np.fromfile(tmp_path / f"{path}_{k}.bin", dtype=want.dtype.newbyteorder("<")).reshape(want.shape)
            if want.dtype == np.float32:
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7, err_msg=f"{path} output {k}")
            else:
                np.testing.assert_array_equal(got, want, err_msg=f"{path} output {k}")


def _corrupt(model: bytes) -> dict[str, bytes]:
    """Damaged copies of a valid model: cut short, a bad identifier, a root offset past the end."""
    bad_root = bytearray(model)
    bad_root[0:4] = (len(model) + 64).to_bytes(4, "little")
    return {"truncated.tflite": model[:1000], "identifier.tflite": model[:4] + b"XXXX" + model[8:],
            "root_offset.tflite": bytes(bad_root), "empty.tflite": b""}


def _cases(out: str) -> dict[str, str]:
    cases = {}
    for line in out.splitlines():
        if line.startswith("CASE "):
            name, _, result = line[5:].partition(" ")
            cases[name] = result
    return cases


@pytest.mark.parametrize("model", [DIGITS_INT8, TF / "small_cnn_float32.tflite"], ids=lambda p: p.stem)
def test_misuse_raises_the_documented_exceptions(model: Path, jni_library: Path, api_classes: Path,
                                                 tmp_path: Path) -> None:
    corrupt = _corrupt(model.read_bytes())
    for file_name, data in corrupt.items():
        (tmp_path / file_name).write_bytes(data)
    out = java(api_classes, jni_library, "errors", str(model), *(str(tmp_path / f) for f in corrupt))
    assert out.splitlines()[-1] == "DONE"
    cases = _cases(out)
    iae, ise = "java.lang.IllegalArgumentException: ", "java.lang.IllegalStateException: "
    for file_name, data in corrupt.items():
        # The runtime's own message, as ember.runtime raises it for the same bytes ("<status>: <message>").
        with pytest.raises(RuntimeModelError) as refused:
            Interpreter(model_content=data)
        for how in ("corrupt_bytes", "corrupt_file"):
            assert cases[f"{how}:{file_name}"] == iae + str(refused.value), (how, file_name, cases)
    assert cases["missing_file"].startswith(iae + "cannot read the model file ")
    assert cases["bad_threads"] == iae + "numThreads must be -1 (all cores) or 0..1024, got -2"
    for fine in ("good_run", "resize_same", "run_after_bad_calls", "close_twice"):
        assert cases[fine] == "none", (fine, cases[fine])
    oracle = Interpreter(model_path=str(model))
    d = oracle.get_input_details()[0]
    size = int(np.prod(d["shape"])) * np.dtype(d["dtype"]).itemsize
    assert cases["short_buffer"].startswith(iae) and f"with {size - 1} bytes remaining" in cases["short_buffer"]
    assert f"it needs exactly {size}" in cases["short_buffer"] and d["name"] in cases["short_buffer"]
    assert f"with {size + 4} bytes remaining" in cases["long_buffer"]
    assert "into a ByteBuffer with" in cases["short_output"]
    for name in ("wrong_array_length", "wrong_array_type", "wrong_buffer_type", "wrong_shape", "null_input",
                 "read_only_output", "bad_output_index", "bad_input_count", "bad_input_index", "unknown_input_name"):
        assert cases[name].startswith(iae), (name, cases[name])
    assert "does not fit" in cases["wrong_shape"] and str(d["shape"].tolist()) in cases["wrong_shape"]
    if d["dtype"] == np.float32:
        assert cases["big_endian_input"].startswith(iae) and "BIG_ENDIAN" in cases["big_endian_input"]
    # Resizing is covered by test_java_resize.py; here a rank change (the runtime's message, as ember.runtime's)
    # and a strict change of a dim the model does not mark dynamic are refused, and the run after them works.
    with pytest.raises(RuntimeModelError) as rank:
        oracle.resize_tensor_input(d["index"], [*d["shape"], 1])
    assert cases["resize_rank"] == iae + str(rank.value)
    assert cases["resize_strict"].startswith(iae) and "not dynamic" in cases["resize_strict"]
    for name in ("run_after_close", "tensor_after_close", "arena_after_close", "allocate_after_close"):
        assert cases[name] == ise + "the Interpreter has been closed; create a new one", (name, cases[name])


def test_no_leak_over_1000_create_close_cycles(jni_library: Path, api_classes: Path) -> None:
    """RSS around 1,000 create/run/close cycles (2 threads: the workers are joined too) stays flat, while 1,000
    interpreters left open grow it by about their arenas: the measurement sees a leak of that size. The JVM heap
    is fixed and pre-touched so that garbage collection does not move RSS."""
    cycles = 1000
    out = java(api_classes, jni_library, "leak", str(DIGITS_INT8), str(cycles),
               jvm=("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch"))
    arena = int(out.split("ARENA ")[1].split()[0])
    before, closed, still_open = (int(v) for v in out.split("RSS_KIB ")[1].split())
    leak_kib = arena * cycles / 1024  # what leaking one arena a cycle would add
    assert still_open - closed > 0.5 * leak_kib, (before, closed, still_open, arena)
    assert closed - before < 1024, f"RSS grew {closed - before} KiB over {cycles} closed cycles ({out})"
