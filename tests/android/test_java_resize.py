"""Interpreter.resizeInput through the ai.ember Java API (host JVM, -Xcheck:jni): TensorFlow-made models with
batch None (tests/data/tf/dynamic) resized to batch 1, 3 and 8 by a strict resize (the batch is marked -1), with
allocateTensors or the lazy allocation of run, give ember.runtime's outputs at the same batch bit for bit
(float32 and int8: the same runtime, the same kernels); the Tensor objects report the new shapes and byte sizes
as soon as resizeInput returns. Refused resizes (a strict change of a static dim, a rank change, a negative dim,
a shape an op cannot take, refused when allocating or in run) throw IllegalArgumentException with the runtime's
message, as ember.runtime raises it, and leave the interpreter running at its previous shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from jvm_build import ROOT, java

from ember.runtime import Interpreter
from ember.runtime._native import RuntimeModelError

DYNAMIC = ROOT / "tests" / "data" / "tf" / "dynamic"
BATCHES = (1, 3, 8)
JAVA_TYPES = {np.float32: "FLOAT32", np.int8: "INT8"}
IAE = "java.lang.IllegalArgumentException: "


def _tensors(lines: list[str]) -> list[list[str]]:
    return [line.split(" ", 10) for line in lines if line.startswith("TENSOR ")]


def _check_tensor(t: list[str], role: str, detail: dict) -> None:
    shape = [int(v) for v in detail["shape"]]
    assert t[1] == role and int(t[3]) == detail["index"] and t[10] == detail["name"], t
    assert t[4] == JAVA_TYPES[detail["dtype"]] and t[5] == str(shape).replace(" ", ""), (t, shape)
    assert int(t[6]) == int(np.prod(shape)) * np.dtype(detail["dtype"]).itemsize, (t, shape)


def _oracle(model: Path, dims: list[int], x: np.ndarray) -> tuple[Interpreter, np.ndarray]:
    it = Interpreter(model_path=str(model))
    d = it.get_input_details()[0]
    it.resize_tensor_input(d["index"], dims, strict=True)
    it.allocate_tensors()
    it.set_tensor(d["index"], x)
    it.invoke()
    return it, it.get_tensor(it.get_output_details()[0]["index"])


def _feed(dtype: type, shape: list[int], rng: np.random.Generator) -> np.ndarray:
    if dtype == np.int8:
        return rng.integers(-128, 128, size=shape, dtype=np.int8)
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name", ["dyn_cnn_float32", "dyn_cnn_int8", "dyn_mlp_float32", "dyn_mlp_int8"])
def test_resize_input_gives_ember_runtime_outputs_at_every_batch(name: str, jni_library: Path, api_classes: Path,
                                                                 tmp_path: Path) -> None:
    model = DYNAMIC / f"{name}.tflite"
    base = Interpreter(model_path=str(model))
    detail = base.get_input_details()[0]
    assert detail["shape_signature"][0] == -1 and all(v > 0 for v in detail["shape_signature"][1:]), detail
    rng = np.random.default_rng(3)
    steps, expected = [], []
    for n, batch in enumerate(BATCHES):
        dims = [batch, *detail["shape"][1:].tolist()]
        x = _feed(detail["dtype"], dims, rng)
        path = tmp_path / f"in{n}.bin"
        x.astype(x.dtype.newbyteorder("<")).tofile(path)
        oracle, want = _oracle(model, dims, x)
        expected.append((oracle, want))
        steps.append(f"{','.join(map(str, dims))}:{path}:{'lazy' if n == 1 else 'alloc'}")
    # Dims every op accepts when resizing but one refuses when allocating (a pooling window larger than the image,
    # a FULLY_CONNECTED input that no longer holds whole rows of its weights' input size).
    bad = [2, 5, 5, 3] if "cnn" in name else [2, 21]
    out = java(api_classes, jni_library, "resize", str(model), str(tmp_path), ",".join(map(str, bad)), *steps)
    lines = out.splitlines()
    assert lines[-1] == "DONE", out
    tensors = _tensors(lines)

    for n, (oracle, want) in enumerate(expected):
        _check_tensor(tensors[2 * n], "input", oracle.get_input_details()[0])
        _check_tensor(tensors[2 * n + 1], "output", oracle.get_output_details()[0])
        got = np.fromfile(tmp_path / f"step_{n}.bin", dtype=want.dtype.newbyteorder("<")).reshape(want.shape)
        np.testing.assert_array_equal(got, want, err_msg=f"batch {BATCHES[n]}")
        arena = [line.split() for line in lines if line.startswith(f"STEP {n} ARENA ")][0]
        assert int(arena[3]) == oracle.arena_bytes(), (arena, oracle.arena_bytes())

    cases = {}
    for line in lines:
        if line.startswith("CASE "):
            case, _, result = line[5:].partition(" ")
            cases[case] = result
    last, want = expected[-1]
    d = last.get_input_details()[0]
    shape = d["shape"].tolist()
    assert cases["strict_static"].startswith(IAE) and "not dynamic" in cases["strict_static"], cases
    assert f"dim {len(shape) - 1} " in cases["strict_static"] and d["name"] in cases["strict_static"], cases
    for case, dims in (("rank_change", [*shape, 0]), ("negative_dim", [-1, *shape[1:]])):
        with pytest.raises(RuntimeModelError) as refused:
            last.resize_tensor_input(d["index"], dims)
        assert cases[case] == IAE + str(refused.value), (case, cases[case])
    assert cases["null_dims"].startswith(IAE) and cases["bad_index"].startswith(IAE), cases
    # The refusal at allocation, with the runtime's message (the input, the shape, the op) as ember.runtime's.
    last.resize_tensor_input(d["index"], bad)
    with pytest.raises(RuntimeModelError) as refused:
        last.allocate_tensors()
    assert "keeps its previous shapes" in str(refused.value)
    assert cases["bad_resize"] == "none" and cases["bad_allocate"] == IAE + str(refused.value), cases
    assert cases["bad_resize_lazy"] == "none" and cases["bad_run"] == IAE + str(refused.value), cases
    assert cases["strict_dynamic"] == "none" and cases["resize_back"] == "none", cases
    # After the refusals the tensors report the last good shape again, and a run gives the same outputs.
    k = 2 * len(BATCHES)
    for t in (tensors[k], tensors[k + 2]):
        _check_tensor(t, "input", d)
    for t in (tensors[k + 1], tensors[k + 3]):
        _check_tensor(t, "output", last.get_output_details()[0])
    got = np.fromfile(tmp_path / "after_refusals.bin", dtype=want.dtype.newbyteorder("<")).reshape(want.shape)
    np.testing.assert_array_equal(got, want, err_msg="after the refused resizes")
