"""Custom operators registered by the caller (ember.h, "Custom operators"): a real custom op written in C
(tests/runtime/custom_ops/scale_shift_op.c, compiled here into a shared library) runs a model made by
tflite_builder through ember.runtime (every form of LiteRT's custom_op_registerers) and ember-bench
(--custom_op_library), and its outputs match the closed form y = a * x + b * w; a builtin override replaces RELU.
Refusals name what is wrong: an unregistered custom_code (and how to register it), a library that cannot be
loaded, a registerer that is missing or fails, a kernel that refuses its node."""

from __future__ import annotations

import ctypes
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from native_build import SOURCE, require, run
from tflite_builder import OpSpec, TensorSpec, build_model

import ember.runtime
from ember.runtime import RuntimeModelError

OP_SOURCE = Path(__file__).resolve().parent / "custom_ops" / "scale_shift_op.c"
SHAPE = [2, 3, 4]


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """scale_shift_op.c as a shared library, built warning-free against the public header only."""
    (cc,) = require("gcc")
    out = tmp_path_factory.mktemp("custom_op") / "libscale_shift.so"
    run([cc, "-std=c99", "-O1", "-Wall", "-Wextra", "-pedantic", "-Werror", "-shared", "-fPIC",
         f"-I{SOURCE / 'include'}", str(OP_SOURCE), "-o", str(out)], out.parent)
    return out


@pytest.fixture(scope="module")
def loaded(library: Path) -> ctypes.CDLL:
    return ember.runtime.load_custom_op_library(library)


def scale_shift_model(a: float, b: float, options: bytes | None = None, code: str = "EmberScaleShift") -> bytes:
    tensors = [TensorSpec("x", SHAPE), TensorSpec("w", SHAPE), TensorSpec("y", SHAPE)]
    op = OpSpec("CUSTOM", [0, 1], [2], custom_code=code,
                custom_options=struct.pack("<ff", a, b) if options is None else options)
    return build_model(tensors, [op], [0, 1], [2])


def relu_model() -> bytes:
    return build_model([TensorSpec("x", SHAPE), TensorSpec("y", SHAPE)], [OpSpec("RELU", [0], [1])], [0], [1])


def _run(it: ember.runtime.Interpreter, *inputs: np.ndarray) -> np.ndarray:
    it.allocate_tensors()
    for detail, value in zip(it.get_input_details(), inputs, strict=True):
        it.set_tensor(detail["index"], value)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"])


def _inputs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(SHAPE).astype(np.float32), rng.standard_normal(SHAPE).astype(np.float32))


def _expected(a: float, b: float, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return (np.float32(a) * x + np.float32(b) * w).astype(np.float32)


@pytest.mark.parametrize("form", ["name", "ctypes", "address", "callable"])
def test_a_custom_op_from_a_shared_library_matches_its_closed_form(loaded: ctypes.CDLL, form: str) -> None:
    registerer = {
        "name": "ember_register_custom_ops",
        "ctypes": loaded.ember_register_custom_ops,
        "address": ctypes.cast(loaded.ember_register_custom_ops, ctypes.c_void_p).value,
        # LiteRT's Python form: a callable given the resolver's address.
        "callable": lambda address: loaded.ember_register_custom_ops(ctypes.c_void_p(address)),
    }[form]
    for seed, (a, b) in enumerate([(1.5, -0.25), (0.0, 3.0), (-2.0, 0.5)]):
        it = ember.runtime.Interpreter(model_content=scale_shift_model(a, b), custom_op_registerers=[registerer])
        x, w = _inputs(seed)
        y = _run(it, x, w)
        np.testing.assert_allclose(y, _expected(a, b, x, w), rtol=1e-6, atol=1e-7)
        # invoke again on new data: op data (a, b) persists, scratch is per eval.
        x2, w2 = _inputs(seed + 10)
        it.set_tensor(it.get_input_details()[0]["index"], x2)
        it.set_tensor(it.get_input_details()[1]["index"], w2)
        it.invoke()
        np.testing.assert_allclose(it.get_tensor(it.get_output_details()[0]["index"]), _expected(a, b, x2, w2),
                                   rtol=1e-6, atol=1e-7)


def test_litert_s_interpreter_with_custom_ops_name_works_too(loaded: ctypes.CDLL) -> None:
    x, w = _inputs(4)
    it = ember.runtime.InterpreterWithCustomOps(custom_op_registerers=["ember_register_custom_ops"],
                                                model_content=scale_shift_model(0.5, 2.0))
    np.testing.assert_allclose(_run(it, x, w), _expected(0.5, 2.0, x, w), rtol=1e-6, atol=1e-7)


def test_an_unregistered_custom_op_is_refused_with_its_name_and_how_to_register_it() -> None:
    with pytest.raises(RuntimeModelError) as error:
        ember.runtime.Interpreter(model_content=scale_shift_model(1.0, 1.0))
    message = str(error.value)
    assert error.value.status == "unsupported"
    assert "operator 0: custom operator 'EmberScaleShift' is not registered" in message, message
    assert "ember_op_resolver_add_custom" in message and "custom_op_registerers" in message, message
    assert "--custom_op_library" in message, message


def test_registering_another_custom_code_does_not_resolve_this_one(loaded: ctypes.CDLL) -> None:
    with pytest.raises(RuntimeModelError, match="custom operator 'EmberOther' is not registered"):
        ember.runtime.Interpreter(model_content=scale_shift_model(1.0, 1.0, code="EmberOther"),
                                  custom_op_registerers=["ember_register_custom_ops"])


def test_a_kernel_refusing_its_node_names_the_op_and_the_reason(loaded: ctypes.CDLL) -> None:
    it = ember.runtime.Interpreter(model_content=scale_shift_model(0, 0, options=b"\0\0\0\0"),
                                   custom_op_registerers=["ember_register_custom_ops"])
    with pytest.raises(RuntimeModelError, match=r"EmberScaleShift 0: custom_options must be 8 bytes \(two float32\)"
                       r", got 4"):
        it.allocate_tensors()
    int_model = build_model([TensorSpec("x", SHAPE, "int32"), TensorSpec("w", SHAPE), TensorSpec("y", SHAPE)],
                            [OpSpec("CUSTOM", [0, 1], [2], custom_code="EmberScaleShift",
                                    custom_options=struct.pack("<ff", 1, 1))], [0, 1], [2])
    it = ember.runtime.Interpreter(model_content=int_model, custom_op_registerers=["ember_register_custom_ops"])
    with pytest.raises(RuntimeModelError, match="x, w and y must be float32, got int32, float32 and float32"):
        it.allocate_tensors()


def test_a_registered_kernel_can_replace_a_builtin(loaded: ctypes.CDLL) -> None:
    x, _ = _inputs(3)
    plain = _run(ember.runtime.Interpreter(model_content=relu_model()), x)
    np.testing.assert_array_equal(plain, np.maximum(x, 0))
    overridden = _run(ember.runtime.Interpreter(model_content=relu_model(),
                                                custom_op_registerers=["ember_register_negating_relu"]), x)
    np.testing.assert_array_equal(overridden, -x)


def test_a_library_that_cannot_be_loaded_is_named(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="no_such_lib.so"):
        ember.runtime.load_custom_op_library(tmp_path / "no_such_lib.so")
    not_a_library = tmp_path / "text.so"
    not_a_library.write_text("not an ELF file")
    with pytest.raises(OSError, match="text.so"):
        ember.runtime.load_custom_op_library(not_a_library)


def test_a_missing_or_failing_registerer_is_refused(loaded: ctypes.CDLL) -> None:
    model = scale_shift_model(1.0, 1.0)
    with pytest.raises(ValueError, match="no function 'ember_register_nothing' is loaded in this process"):
        ember.runtime.Interpreter(model_content=model, custom_op_registerers=["ember_register_nothing"])
    with pytest.raises(RuntimeModelError, match="custom op registerer 0 failed: the kernel of 'EmberBroken' needs an "
                       "eval function"):
        ember.runtime.Interpreter(model_content=model, custom_op_registerers=["ember_register_broken"])
    with pytest.raises(RuntimeModelError, match="custom op registerer 1 failed"):
        ember.runtime.Interpreter(model_content=model, custom_op_registerers=["ember_register_custom_ops",
                                                                             lambda address: 3])
    with pytest.raises(ZeroDivisionError):
        ember.runtime.Interpreter(model_content=model, custom_op_registerers=[lambda address: 1 // 0])
    with pytest.raises(ValueError, match="a function address must be positive, got 0"):
        ember.runtime.Interpreter(model_content=model, custom_op_registerers=[0])
    with pytest.raises(TypeError, match=r"custom_op_registerers\[0\] is float"):
        ember.runtime.Interpreter(model_content=model, custom_op_registerers=[1.5])
    with pytest.raises(TypeError, match="must be a list"):
        ember.runtime.Interpreter(model_content=model, custom_op_registerers="ember_register_custom_ops")


@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    """ember-bench (only that target, to spare the CPUs)."""
    require("gcc", "cmake")
    out = tmp_path_factory.mktemp("bench_custom") / "build"
    run(["cmake", "-S", str(SOURCE), "-B", str(out), "-DEMBER_WERROR=ON", "-DEMBER_BUILD_TESTS=OFF",
         "-DCMAKE_C_COMPILER=gcc"], out.parent)
    run(["cmake", "--build", str(out), "--target", "ember-bench", "--parallel", "2"], out.parent)
    return out / "ember-bench"


def _bench(exe: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)


def test_ember_bench_loads_a_custom_op_library(bench: Path, library: Path, tmp_path: Path) -> None:
    model = tmp_path / "scale_shift.tflite"
    model.write_bytes(scale_shift_model(1.5, -0.25))
    result = _bench(bench, f"--graph={model}", "--num_runs=3", f"--custom_op_library={library}",
                    "--enable_op_profiling")
    assert result.returncode == 0, result.stderr
    assert "operators: 1" in result.stdout and "EmberScaleShift" in result.stdout, result.stdout
    relu = tmp_path / "relu.tflite"
    relu.write_bytes(relu_model())
    result = _bench(bench, f"--graph={relu}", "--num_runs=2", f"--custom_op_library={library}",
                    "--custom_op_registerer=ember_register_negating_relu")
    assert result.returncode == 0, result.stderr

    result = _bench(bench, f"--graph={model}", "--num_runs=2")
    assert result.returncode == 1
    assert "custom operator 'EmberScaleShift' is not registered" in result.stderr, result.stderr
    result = _bench(bench, f"--graph={model}", f"--custom_op_library={tmp_path / 'missing.so'}")
    assert result.returncode == 1
    assert f"--custom_op_library: cannot load '{tmp_path / 'missing.so'}'" in result.stderr, result.stderr
    result = _bench(bench, f"--graph={model}", f"--custom_op_library={library}", "--custom_op_registerer=nope")
    assert result.returncode == 1
    assert "has no function 'nope'" in result.stderr, result.stderr
    result = _bench(bench, f"--graph={model}", f"--custom_op_library={library}",
                    "--custom_op_registerer=ember_register_broken")
    assert result.returncode == 1
    assert "ember_register_broken" in result.stderr and "needs an eval function" in result.stderr, result.stderr
    result = _bench(bench, f"--graph={model}", "--custom_op_registerer=x")
    assert result.returncode == 2 and "--custom_op_registerer needs --custom_op_library" in result.stderr
