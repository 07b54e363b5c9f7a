"""Damaged and hostile models must raise RuntimeModelError with a meaningful message, or run; never crash.

The bulk damage runs in a child process, so that a crash (which would kill pytest) shows up as a failed test with
the child's exit status instead."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tflite
from tflite_builder import OpSpec, TensorSpec, build_model, mlp_model

from ember.runtime import Interpreter, RuntimeModelError

HERE = Path(__file__).resolve().parent


def _valid() -> bytes:
    return mlp_model(np.random.default_rng(0), reshape_output=True).model


def _refused(model: bytes, status: str, *parts: str) -> str:
    with pytest.raises(RuntimeModelError) as info:
        it = Interpreter(model_content=model)
        it.allocate_tensors()
    message = str(info.value)
    assert info.value.status == status, message
    for part in parts:
        assert part in message, message
    return message


# -- bulk damage, in a child process ------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    sys.path.insert(0, {here!r})
    from tflite_builder import mlp_model
    from ember.runtime import Interpreter, RuntimeModelError

    def attempt(model):
        try:
            it = Interpreter(model_content=model)
            it.allocate_tensors()
            d = it.get_input_details()[0]
            it.set_tensor(d["index"], np.ones(tuple(d["shape"]), d["dtype"]))
            it.invoke()
            it.get_tensor(it.get_output_details()[0]["index"])
            return "ok"
        except RuntimeModelError as e:
            assert str(e) and e.status, "empty message"
            return "refused"

    model = mlp_model(np.random.default_rng(0), reshape_output=True).model
    rng = np.random.default_rng({seed})
    counts = {{"ok": 0, "refused": 0}}
    kind = {kind!r}
    if kind == "truncate":
        for n in range(len(model)):
            counts[attempt(model[:n])] += 1
    else:
        for _ in range({trials}):
            damaged = bytearray(model)
            for pos in rng.integers(0, len(model), size=int(rng.integers(1, 5))):
                damaged[pos] ^= 1 << int(rng.integers(0, 8))
            counts[attempt(bytes(damaged))] += 1
    print(json.dumps(counts))
    """
)


def _child(kind: str, seed: int = 0, trials: int = 0) -> dict[str, int]:
    code = CHILD.format(here=str(HERE), seed=seed, kind=kind, trials=trials)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"child exited with {result.returncode}:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_truncation_at_every_length() -> None:
    counts = _child("truncate")
    # Every prefix loses data the model points to (the file ends with weights), so all must be refused.
    assert counts["ok"] == 0, counts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bit_flips(seed: int) -> None:
    counts = _child("flip", seed=seed, trials=1500)
    assert counts["refused"] > 0 and counts["ok"] > 0, counts  # flips in weights are legal models


# -- specific damage, with the message checked ----------------------------------------------------------------

def _vector_length_pos(model: bytes, table, field_offset: int) -> int:
    o = table._tab.Offset(field_offset)
    assert o
    return table._tab.Vector(o) - 4


def test_zeroed_root_offset() -> None:
    model = bytearray(_valid())
    model[0:4] = b"\0\0\0\0"
    _refused(bytes(model), "invalid model", "root")


def test_wrong_identifier() -> None:
    model = bytearray(_valid())
    model[4:8] = b"TFL2"
    _refused(bytes(model), "invalid model", "identifier")


def test_empty_and_tiny() -> None:
    _refused(b"", "invalid model", "too short")
    _refused(b"TFL3TFL3", "invalid model")


@pytest.mark.parametrize("length", [0x7FFFFFFF, 0xFFFFFFFF, 0x40000000])
def test_huge_vector_lengths(length: int) -> None:
    model = _valid()
    m = tflite.Model.GetRootAs(model, 0)
    subgraph = m.Subgraphs(0)
    for pos, where in [(_vector_length_pos(model, subgraph.Tensors(2), 4), "tensor 2"),
                       (_vector_length_pos(model, subgraph, 4), "subgraph 0 tensors"),
                       (_vector_length_pos(model, m, 12), "buffers")]:
        damaged = bytearray(model)
        damaged[pos : pos + 4] = struct.pack("<I", length)
        _refused(bytes(damaged), "invalid model", where, "past the end")


def test_bad_tensor_index() -> None:
    case = mlp_model(np.random.default_rng(0))
    case.ops[1].inputs = [1, 99, 3]
    _refused(build_model(case.tensors, case.ops, [0], [8]), "invalid model", "operator 1", "tensor 99")


def test_bad_graph_output() -> None:
    case = mlp_model(np.random.default_rng(0))
    _refused(build_model(case.tensors, case.ops, [0], [-4]), "invalid model", "output 0 is tensor -4")


def test_bad_opcode_index() -> None:
    case = mlp_model(np.random.default_rng(0))
    case.ops[2].opcode_index = 7
    _refused(build_model(case.tensors, case.ops, [0], [8]), "invalid model", "operator 2", "opcode_index 7")


def test_weights_buffer_too_small() -> None:
    case = mlp_model(np.random.default_rng(0), hidden=10, image=(8, 8))
    case.tensors[2].data = np.zeros(25, np.float32)
    _refused(build_model(case.tensors, case.ops, [0], [8]), "invalid model",
             "tensor 2 ('fc1/weights'): buffer", "holds 100 bytes, shape [10,64] float32 needs 2560")


def test_unsupported_op_and_version() -> None:
    case = mlp_model(np.random.default_rng(0))
    case.ops[3].op = "LSH_PROJECTION"  # an op no kernel of the runtime implements
    _refused(build_model(case.tensors, case.ops, [0], [8]), "unsupported", "LSH_PROJECTION is not supported")
    case = mlp_model(np.random.default_rng(0))
    case.ops[3].version = 77
    _refused(build_model(case.tensors, case.ops, [0], [8]), "unsupported", "SOFTMAX", "version 77")


def test_two_subgraphs_and_schema_version() -> None:
    # A second subgraph that nothing calls is loaded, verified and planned; invoke runs subgraph 0 (as LiteRT).
    # Subgraphs that call each other are tests/runtime/test_subgraphs.py's.
    case = mlp_model(np.random.default_rng(0))
    two = Interpreter(model_content=build_model(case.tensors, case.ops, [0], [8], subgraphs=2))
    one = Interpreter(model_content=build_model(case.tensors, case.ops, [0], [8]))
    x = np.random.default_rng(1).normal(size=case.input_shape).astype(np.float32)
    for it in (two, one):
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
    np.testing.assert_array_equal(two.get_tensor(two.get_output_details()[0]["index"]),
                                  one.get_tensor(one.get_output_details()[0]["index"]))
    _refused(build_model(case.tensors, case.ops, [0], [8], schema_version=2), "unsupported", "schema version")


def test_quantization_vectors_against_channels() -> None:
    case = mlp_model(np.random.default_rng(0), hidden=6)
    case.tensors[2].scales, case.tensors[2].zero_points = [0.1] * 4, [0] * 4
    _refused(build_model(case.tensors, case.ops, [0], [8]), "invalid model",
             "fc1/weights", "4 per-channel scales but dimension 0 has 6 channels")
    case.tensors[2].zero_points = [0] * 3
    _refused(build_model(case.tensors, case.ops, [0], [8]), "invalid model", "4 quantization scales but 3 zero")


def test_shape_mismatch_found_in_prepare() -> None:
    case = mlp_model(np.random.default_rng(0), classes=5)
    case.tensors[7].shape = [2, 6]
    case.tensors[8].shape = [2, 6]
    _refused(build_model(case.tensors, case.ops, [0], [8]), "invalid model",
             "FULLY_CONNECTED 2: output 'logits' has shape [2,6], expected [2,5]")


def test_unsupported_type() -> None:
    tensors = [TensorSpec("x", [4], "complex64"), TensorSpec("y", [4], "complex64")]
    _refused(build_model(tensors, [OpSpec("RESHAPE", [0], [1])], [0], [1]), "unsupported", "type complex64")


def test_type_a_kernel_does_not_take_is_refused_at_create() -> None:
    # bool loads (comparisons produce it) but no arithmetic kernel takes it: the loader names the op and tensor.
    tensors = [TensorSpec("x", [4], "bool"), TensorSpec("y", [4], "bool")]
    model = build_model(tensors, [OpSpec("ABS", [0], [1])], [0], [1])
    with pytest.raises(RuntimeModelError) as info:
        Interpreter(model_content=model)
    assert info.value.status == "unsupported"
    assert "ABS 0: tensor 'x' is bool, a type this kernel does not take" in str(info.value)


# -- the Python layer ---------------------------------------------------------------------------------------

def test_set_tensor_checks_dtype_and_shape() -> None:
    it = Interpreter(model_content=_valid())
    it.allocate_tensors()
    d = it.get_input_details()[0]
    with pytest.raises(ValueError, match=r"tensor 0 \('input'\): expected float32 \[2, 3, 4\], got float64"):
        it.set_tensor(d["index"], np.zeros(tuple(d["shape"])))
    with pytest.raises(ValueError, match=r"expected float32 \[2, 3, 4\], got float32 \[2, 12\]"):
        it.set_tensor(d["index"], np.zeros((2, 12), np.float32))
    with pytest.raises(RuntimeModelError, match="constant"):
        it.set_tensor(2, np.zeros(tuple(it.get_tensor_details()[2]["shape"]), np.float32))
    with pytest.raises(ValueError, match="out of range"):
        it.get_tensor(1000)


def test_call_order_and_lifetime_of_model_bytes() -> None:
    model = bytearray(_valid())
    it = Interpreter(model_content=model)
    model[:] = b"\0" * len(model)  # the interpreter holds its own immutable copy of a mutable buffer
    with pytest.raises(RuntimeModelError, match="bad state: invoke called before allocate_tensors"):
        it.invoke()
    it.allocate_tensors()
    d = it.get_input_details()[0]
    it.set_tensor(d["index"], np.ones(tuple(d["shape"]), np.float32))
    it.invoke()
    out = it.get_tensor(it.get_output_details()[0]["index"])
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)
    out[...] = 5  # a copy: writable, and the runtime's tensor is untouched
    assert it.get_tensor(it.get_output_details()[0]["index"]).max() <= 1.0
    assert it.arena_bytes() > 0


def test_constructor_arguments() -> None:
    with pytest.raises(ValueError):
        Interpreter()
    with pytest.raises(ValueError):
        Interpreter(model_path="x", model_content=b"x")
    with pytest.raises(ValueError, match="num_threads"):
        Interpreter(model_content=_valid(), num_threads=-5)
    Interpreter(model_content=_valid(), num_threads=4)


def test_external_buffer_outside_the_file() -> None:
    case = mlp_model(np.random.default_rng(0))
    model = build_model(case.tensors, case.ops, [0], [8], external_buffers=True)
    _refused(model[:-8], "invalid model", "external data", "lies outside")


def test_space_to_batch_with_too_few_inputs_is_refused() -> None:
    # Shape propagation read inputs 1 and 2 before checking the count (ASan found the overflow in the fuzz run).
    tensors = [TensorSpec("x", [1, 4, 4, 2]), TensorSpec("y", [4, 2, 2, 2])]
    _refused(build_model(tensors, [OpSpec("SPACE_TO_BATCH_ND", [0], [1])], [0], [1]), "invalid model",
             "SPACE_TO_BATCH_ND 0")
