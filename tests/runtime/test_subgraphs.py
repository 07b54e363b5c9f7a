"""Models with several subgraphs written by tests/runtime/subgraph_builder.py: WHILE, IF and CALL_ONCE against
LiteRT's reference kernels (float32 within 1e-5 relative, int8 bit-exact) and closed forms, signatures over
other subgraphs than 0, and the verifier's refusals (call indices, recursion, nesting depth, what passes across
a call, signature tables), each with its message."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import assert_outputs_match, run_ember, run_litert
from subgraph_builder import (
    SignatureSpec,
    SubgraphSpec,
    build_subgraphs,
    call_once_then_add,
    counted_loop,
    two_branches,
)
from tflite_builder import OpSpec, TensorSpec

from ember.runtime import Interpreter, RuntimeModelError


def _refused(model: bytes, status: str, *parts: str) -> None:
    with pytest.raises(RuntimeModelError) as info:
        Interpreter(model_content=model).allocate_tensors()
    assert info.value.status == status, str(info.value)
    for part in parts:
        assert part in str(info.value), str(info.value)


def _x(dtype: str, shape, rng: np.random.Generator) -> np.ndarray:
    if dtype == "int8":
        return rng.integers(-128, 128, shape, dtype=np.int8)
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_counted_loop_matches_litert(dtype: str) -> None:
    model = counted_loop(dtype)
    rng = np.random.default_rng(0)
    for n in (0, 1, 3, 6, 2):
        feeds = [np.array(n, np.int32), _x(dtype, (2, 3), rng)]
        ours = run_ember(model, feeds)
        assert_outputs_match(ours, run_litert(model, feeds, reference=True))
        if dtype == "float32":
            np.testing.assert_array_equal(ours[0], feeds[1] * np.float32(2.0 ** n))


def test_loop_with_a_constant_bound() -> None:
    model = counted_loop("float32", limit=4)
    feeds = [np.array(99, np.int32), np.ones((2, 3), np.float32)]
    ours = run_ember(model, feeds)
    assert_outputs_match(ours, run_litert(model, feeds, reference=True))
    np.testing.assert_array_equal(ours[0], np.full((2, 3), 16, np.float32))


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_if_matches_litert(dtype: str) -> None:
    model = two_branches(dtype)
    rng = np.random.default_rng(1)
    for p in (True, False, True):
        feeds = [np.array(p), _x(dtype, (4,), rng)]
        ours = run_ember(model, feeds)
        assert_outputs_match(ours, run_litert(model, feeds, reference=True))
        if dtype == "float32":
            np.testing.assert_allclose(ours[0], feeds[1] + feeds[1] if p else feeds[1] * feeds[1], rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "int8"])
def test_call_once_matches_litert(dtype: str) -> None:
    model = call_once_then_add(dtype)
    it = Interpreter(model_content=model)
    it.allocate_tensors()
    rng = np.random.default_rng(2)
    for _ in range(3):  # the initialiser runs on the first invoke only; the rest of the graph every time
        feeds = [_x(dtype, (3,), rng)]
        assert_outputs_match(run_ember(model, feeds), run_litert(model, feeds, reference=True))
        it.set_tensor(it.get_input_details()[0]["index"], feeds[0])
        it.invoke()


def test_signature_over_a_called_subgraph_and_invoke_of_subgraph_0() -> None:
    # The body of the loop is also exported as a signature: running it steps the state once.
    main, cond, body = _loop_parts()
    sig = SignatureSpec("step", 2, inputs={"i": 0, "n": 1, "x": 2}, outputs={"i_next": 4, "n": 1, "x_next": 5})
    model = build_subgraphs([main, cond, body], [sig])
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter

    ours, theirs = Interpreter(model_content=model), LiteRTInterpreter(model_content=model)
    assert ours.get_signature_list() == theirs.get_signature_list()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    feeds = {"i": np.array(3, np.int32), "n": np.array(7, np.int32), "x": x}
    got, expected = ours.get_signature_runner()(**feeds), theirs.get_signature_runner()(**feeds)
    assert got.keys() == expected.keys()
    for k in expected:
        np.testing.assert_array_equal(got[k], expected[k])
    np.testing.assert_array_equal(got["x_next"], 2 * x)
    details = ours.get_signature_runner("step").get_input_details()
    assert details["x"]["index"] >= len(ours.get_tensor_details())  # a tensor of subgraph 2
    assert_outputs_match(run_ember(model, [np.array(2, np.int32), x]),
                         run_litert(model, [np.array(2, np.int32), x], reference=True))


# -- the verifier ---------------------------------------------------------------------------------------------

def _loop_parts(dtype: str = "float32"):
    from subgraph_builder import _state

    i32 = "int32"
    main = SubgraphSpec([TensorSpec("i0", [], i32, data=np.array(0, np.int32)), TensorSpec("n", [], i32),
                         _state(dtype, [2, 3], "x"), TensorSpec("i_out", [], i32), TensorSpec("n_out", [], i32),
                         _state(dtype, [2, 3], "x_out")],
                        [OpSpec("WHILE", [0, 1, 2], [3, 4, 5], {"cond": 1, "body": 2})], [1, 2], [5], "main")
    cond = SubgraphSpec([TensorSpec("i", [], i32), TensorSpec("n", [], i32), _state(dtype, [2, 3], "x"),
                         TensorSpec("go", [], "bool")], [OpSpec("LESS", [0, 1], [3])], [0, 1, 2], [3], "cond")
    body = SubgraphSpec([TensorSpec("i", [], i32), TensorSpec("n", [], i32), _state(dtype, [2, 3], "x"),
                         TensorSpec("one", [], i32, data=np.array(1, np.int32)), TensorSpec("i_next", [], i32),
                         _state(dtype, [2, 3], "x_next")],
                        [OpSpec("ADD", [0, 3], [4]), OpSpec("ADD", [2, 2], [5])], [0, 1, 2], [4, 1, 5], "body")
    return main, cond, body


def test_call_index_out_of_range() -> None:
    main, cond, body = _loop_parts()
    main.ops[0].options = {"cond": 1, "body": 5}
    _refused(build_subgraphs([main, cond, body]), "invalid model", "subgraph 0 operator 0 (WHILE)",
             "body_subgraph_index is 5, outside the model's 3 subgraphs")


def test_recursion_is_refused() -> None:
    main, cond, body = _loop_parts()
    main.ops[0].options = {"cond": 1, "body": 0}  # the body is the caller itself
    _refused(build_subgraphs([main, cond, body]), "invalid model", "calls subgraph 0, which is already running",
             "recursive")
    # Indirect: the body's IF calls back into the body.
    main, cond, body = _loop_parts()
    body.tensors = [*body.tensors, TensorSpec("p", [], "bool"), TensorSpec("x2", [2, 3])]
    body.inputs = [0, 1, 2]
    body.ops = [*body.ops, OpSpec("IF", [6, 5], [7], {"then": 2, "else": 2})]
    _refused(build_subgraphs([main, cond, body]), "invalid model", "subgraph 2 operator 2 (IF)",
             "calls subgraph 2, which is already running")


def _if_chain(depth: int) -> bytes:
    """Subgraph k's IF (a constant true condition) calls subgraph k + 1; the last one computes y = x + x."""
    graphs = []
    for k in range(depth):
        tensors = [TensorSpec("p", [], "bool", data=np.array(True)), TensorSpec("x", [4]), TensorSpec("y", [4])]
        op = OpSpec("IF", [0, 1], [2], {"then": k + 1, "else": k + 1}) if k < depth - 1 else OpSpec("ADD", [1, 1], [2])
        graphs.append(SubgraphSpec(tensors, [op], [1], [2]))
    return build_subgraphs(graphs)


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    _refused(_if_chain(40), "unsupported", "at call depth 33; at most 32 nested calls are supported")
    x = np.arange(4, dtype=np.float32)
    ours = run_ember(_if_chain(20), [x])
    assert_outputs_match(ours, run_litert(_if_chain(20), [x], reference=True))
    np.testing.assert_array_equal(ours[0], 2 * x)


def test_types_and_shapes_across_a_call_must_agree() -> None:
    main, cond, body = _loop_parts()
    body.tensors[5] = TensorSpec("x_next", [3, 2])
    _refused(build_subgraphs([main, cond, body]), "unsupported", "subgraph 0 operator 0 (WHILE)",
             "float32 [2,3] but subgraph 2's output ('x_next') is float32 [3,2]", "shapes that change")
    main, cond, body = _loop_parts()
    main.tensors[2] = TensorSpec("x", [2, 3], "int32")
    _refused(build_subgraphs([main, cond, body]), "unsupported", "input 2 ('x') is int32 [2,3]",
             "subgraph 1's input ('x') is float32 [2,3]")
    main, cond, body = _loop_parts()
    body.outputs = [4, 5]
    _refused(build_subgraphs([main, cond, body]), "invalid model", "passes 3 inputs but subgraph 2 has 2 outputs")
    main, cond, body = _loop_parts()
    cond.tensors[3] = TensorSpec("go", [2], "bool")
    cond.tensors[1] = TensorSpec("n", [2], "int32")
    main.tensors[1] = TensorSpec("n", [2], "int32")
    main.tensors[4] = TensorSpec("n_out", [2], "int32")
    body.tensors[1] = TensorSpec("n", [2], "int32")
    _refused(build_subgraphs([main, cond, body]), "invalid model", "cond subgraph 1 must have one output holding "
             "one bool")


def test_if_condition_and_call_once_shapes() -> None:
    _refused(build_subgraphs([
        SubgraphSpec([TensorSpec("p", [2], "bool"), TensorSpec("x", [4]), TensorSpec("y", [4])],
                     [OpSpec("IF", [0, 1], [2], {"then": 1, "else": 1})], [0, 1], [2]),
        SubgraphSpec([TensorSpec("x", [4]), TensorSpec("y", [4])], [OpSpec("ADD", [0, 0], [1])], [0], [1])]),
        "invalid model", "input 0, the condition, must hold one bool")
    _refused(build_subgraphs([
        SubgraphSpec([TensorSpec("x", [3]), TensorSpec("y", [3])],
                     [OpSpec("CALL_ONCE", [], [], {"init": 1}), OpSpec("ADD", [0, 0], [1])], [0], [1]),
        SubgraphSpec([TensorSpec("x", [3]), TensorSpec("y", [3])], [OpSpec("ADD", [0, 0], [1])], [0], [1])]),
        "invalid model", "CALL_ONCE and its init subgraph take none")


def test_subgraph_errors_name_the_subgraph() -> None:
    main, cond, body = _loop_parts()
    body.ops[1] = OpSpec("ADD", [2, 9], [5])
    _refused(build_subgraphs([main, cond, body]), "invalid model", "subgraph 2 operator 1: input 1 is tensor 9, "
             "outside [0, 6)")
    main, cond, body = _loop_parts()
    body.ops[1] = OpSpec("ADD", [2, 5], [5])  # reads its own output
    _refused(build_subgraphs([main, cond, body]), "invalid model", "subgraph 2: operator 1 (ADD) reads tensor 5")


def test_signature_tables_are_verified() -> None:
    parts = _loop_parts()
    _refused(build_subgraphs(parts, [SignatureSpec("a", 3)]), "invalid model",
             "signature 0 ('a'): subgraph_index 3 is out of range (the model has 3 subgraphs)")
    _refused(build_subgraphs(parts, [SignatureSpec("a", 0), SignatureSpec("a", 1)]), "invalid model",
             "signatures 0 and 1 are both named 'a'")
    _refused(build_subgraphs(parts, [SignatureSpec("a", 1, inputs={"i": 7})]), "invalid model",
             "signature 'a': input 'i' is tensor 7, outside subgraph 1's 4 tensors")
