"""Resource variables in hand-built files (subgraph_builder): VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and
CALL_ONCE against LiteRT with its reference kernels (float32, int8 and int32 state, bit-exact; variables named by
container and shared_name across subgraphs, a variable updated inside a WHILE body), reading before any
assignment (an error at invoke in both), and the verifier's refusals of malformed variable ops, each with a
message naming the variable or the op (test_corrupt_models.py's style), and truncated and bit-flipped stateful
files refused or run, never a crash."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from subgraph_builder import SubgraphSpec, accumulator, build_subgraphs
from tflite_builder import OpSpec, TensorSpec

from ember.runtime import Interpreter, RuntimeModelError


def _litert(model: bytes):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    it = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    return it


def _refused(model: bytes, status: str, *parts: str) -> str:
    with pytest.raises(RuntimeModelError) as info:
        it = Interpreter(model_content=model)
        it.allocate_tensors()
    message = str(info.value)
    assert info.value.status == status, message
    for part in parts:
        assert part in message, message
    return message


def _run_both(model: bytes, inputs: list[np.ndarray], steps: int = 4) -> None:
    """Invokes ours and LiteRT `steps` times on the same inputs; every output bit-equal after every invoke."""
    ours, theirs = Interpreter(model_content=model), _litert(model)
    ours.allocate_tensors()
    for _ in range(steps):
        for it in (ours, theirs):
            for d, x in zip(it.get_input_details(), inputs, strict=True):
                it.set_tensor(d["index"], x)
            it.invoke()
        for a, b in zip(ours.get_output_details(), theirs.get_output_details(), strict=True):
            np.testing.assert_array_equal(ours.get_tensor(a["index"]), theirs.get_tensor(b["index"]))


@pytest.mark.parametrize("dtype", ["float32", "int8", "int32"])
def test_accumulator_matches_litert(dtype: str) -> None:
    x = np.full((2, 3), 0.25, np.float32) if dtype == "float32" else np.arange(-3, 3, dtype=dtype).reshape(2, 3)
    _run_both(accumulator(dtype), [x], steps=5)


def test_accumulator_reset_and_fresh_litert() -> None:
    model = accumulator("float32")
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    for _ in range(3):
        ours.set_tensor(0, x)
        ours.invoke()
    np.testing.assert_array_equal(ours.get_tensor(3), 0.5 + 3 * x)
    ours.reset_all_variables()
    ours.set_tensor(0, x)
    ours.invoke()
    fresh = _litert(model)
    fresh.set_tensor(0, x)
    fresh.invoke()
    np.testing.assert_array_equal(ours.get_tensor(3), fresh.get_tensor(3))


def _two_containers() -> bytes:
    """VAR_HANDLEs ('a', 'v') and ('b', 'v'): two variables of one shared_name; ('a', 'v') again in the init
    subgraph is the first one. y = v_a (incremented by x) - v_b (decremented by x)."""
    f = "float32"
    main = SubgraphSpec(
        [TensorSpec("x", [3]), TensorSpec("ha", [], "resource"), TensorSpec("hb", [], "resource"),
         TensorSpec("ra", [3]), TensorSpec("rb", [3]), TensorSpec("na", [3]), TensorSpec("nb", [3]),
         TensorSpec("y", [3])],
        [OpSpec("CALL_ONCE", [], [], {"init": 1}),
         OpSpec("VAR_HANDLE", [], [1], {"container": "a", "shared_name": "v"}),
         OpSpec("VAR_HANDLE", [], [2], {"container": "b", "shared_name": "v"}),
         OpSpec("READ_VARIABLE", [1], [3]), OpSpec("READ_VARIABLE", [2], [4]),
         OpSpec("ADD", [3, 0], [5]), OpSpec("SUB", [4, 0], [6]),
         OpSpec("ASSIGN_VARIABLE", [1, 5], []), OpSpec("ASSIGN_VARIABLE", [2, 6], []), OpSpec("SUB", [5, 6], [7])],
        [0], [7], "main")
    init = SubgraphSpec(
        [TensorSpec("hb", [], "resource"), TensorSpec("ha", [], "resource"),
         TensorSpec("one", [3], f, data=np.ones(3, np.float32)),
         TensorSpec("ten", [3], f, data=np.full(3, 10, np.float32))],
        [OpSpec("VAR_HANDLE", [], [0], {"container": "b", "shared_name": "v"}),
         OpSpec("VAR_HANDLE", [], [1], {"container": "a", "shared_name": "v"}),
         OpSpec("ASSIGN_VARIABLE", [0, 2], []), OpSpec("ASSIGN_VARIABLE", [1, 3], [])],
        [], [], "init")
    return build_subgraphs([main, init])


def test_container_and_shared_name_name_one_variable_across_subgraphs() -> None:
    _run_both(_two_containers(), [np.array([1, 2, 3], np.float32)], steps=4)
    ours = Interpreter(model_content=_two_containers())
    ours.allocate_tensors()
    ours.set_tensor(0, np.array([1, 2, 3], np.float32))
    ours.invoke()
    np.testing.assert_array_equal(ours.get_tensor(7), [10 + 1 - (1 - 1), 10 + 2 - (1 - 2), 10 + 3 - (1 - 3)])


def _loop_counter() -> bytes:
    """WHILE i < n: the body adds 1 to variable 'count' each round (VAR_HANDLE inside the body); subgraph 0
    returns count after the loop. CALL_ONCE sets count to 0 first: count grows by n per invoke."""
    i32 = "int32"
    main = SubgraphSpec(
        [TensorSpec("n", [], i32), TensorSpec("i0", [], i32, data=np.array(0, np.int32)),
         TensorSpec("i_out", [], i32), TensorSpec("n_out", [], i32), TensorSpec("h", [], "resource"),
         TensorSpec("count", [], i32)],
        [OpSpec("CALL_ONCE", [], [], {"init": 3}), OpSpec("WHILE", [1, 0], [2, 3], {"cond": 1, "body": 2}),
         OpSpec("VAR_HANDLE", [], [4], {"shared_name": "count"}), OpSpec("READ_VARIABLE", [4], [5])],
        [0], [5], "main")
    cond = SubgraphSpec([TensorSpec("i", [], i32), TensorSpec("n", [], i32), TensorSpec("go", [], "bool")],
                        [OpSpec("LESS", [0, 1], [2])], [0, 1], [2], "cond")
    body = SubgraphSpec(
        [TensorSpec("i", [], i32), TensorSpec("n", [], i32), TensorSpec("one", [], i32, data=np.array(1, np.int32)),
         TensorSpec("i_next", [], i32), TensorSpec("h", [], "resource"), TensorSpec("c", [], i32),
         TensorSpec("c_next", [], i32)],
        [OpSpec("ADD", [0, 2], [3]), OpSpec("VAR_HANDLE", [], [4], {"shared_name": "count"}),
         OpSpec("READ_VARIABLE", [4], [5]), OpSpec("ADD", [5, 2], [6]), OpSpec("ASSIGN_VARIABLE", [4, 6], [])],
        [0, 1], [3, 1], "body")
    init = SubgraphSpec([TensorSpec("h", [], "resource"), TensorSpec("zero", [], i32, data=np.array(0, np.int32))],
                        [OpSpec("VAR_HANDLE", [], [0], {"shared_name": "count"}),
                         OpSpec("ASSIGN_VARIABLE", [0, 1], [])], [], [], "init")
    return build_subgraphs([main, cond, body, init])


def test_a_variable_updated_inside_a_while_body() -> None:
    model = _loop_counter()
    _run_both(model, [np.array(3, np.int32)], steps=3)
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    for n, total in ((3, 3), (4, 7), (0, 7)):
        ours.set_tensor(0, np.array(n, np.int32))
        ours.invoke()
        assert int(ours.get_tensor(5)) == total


def _read_then_assign(init: bool = False) -> bytes:
    """y = read(v); v = x: the first invoke reads v before anything assigned it (unless `init` runs first)."""
    main = SubgraphSpec(
        [TensorSpec("x", [2]), TensorSpec("h", [], "resource"), TensorSpec("y", [2])],
        [*([OpSpec("CALL_ONCE", [], [], {"init": 1})] if init else []),
         OpSpec("VAR_HANDLE", [], [1], {"shared_name": "v"}), OpSpec("READ_VARIABLE", [1], [2]),
         OpSpec("ASSIGN_VARIABLE", [1, 0], [])], [0], [2], "main")
    subgraphs = [main]
    if init:
        subgraphs.append(SubgraphSpec(
            [TensorSpec("h", [], "resource"), TensorSpec("seven", [2], data=np.full(2, 7, np.float32))],
            [OpSpec("VAR_HANDLE", [], [0], {"shared_name": "v"}), OpSpec("ASSIGN_VARIABLE", [0, 1], [])],
            [], [], "init"))
    return build_subgraphs(subgraphs)


def test_reading_before_any_assignment_fails_at_invoke_as_in_litert() -> None:
    model = _read_then_assign()
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    ours.set_tensor(0, np.array([1, 2], np.float32))
    with pytest.raises(RuntimeModelError, match="variable 'v' is read before any ASSIGN_VARIABLE set it") as info:
        ours.invoke()
    assert info.value.status == "runtime error"
    theirs = _litert(model)
    theirs.set_tensor(theirs.get_input_details()[0]["index"], np.array([1, 2], np.float32))
    with pytest.raises(RuntimeError):
        theirs.invoke()
    # With the initialiser the same graph streams: y is the previous x.
    _run_both(_read_then_assign(init=True), [np.array([1, 2], np.float32)], steps=3)


def test_the_c_api_resets_through_the_binding_before_and_after_allocate() -> None:
    ours = Interpreter(model_content=_read_then_assign(init=True))
    ours.reset_all_variables()
    ours.allocate_tensors()
    for x, y in (([1, 2], [7, 7]), ([3, 4], [1, 2])):
        ours.set_tensor(0, np.array(x, np.float32))
        ours.invoke()
        np.testing.assert_array_equal(ours.get_tensor(2), y)
    ours.reset_all_variables()
    ours.set_tensor(0, np.array([5, 6], np.float32))
    ours.invoke()
    np.testing.assert_array_equal(ours.get_tensor(2), [7, 7])


# -- the verifier's refusals ------------------------------------------------------------------------------------

def _one_subgraph(tensors: list[TensorSpec], ops: list[OpSpec], outputs: list[int]) -> bytes:
    return build_subgraphs([SubgraphSpec(tensors, ops, [0], outputs, "main")])


def _handle(name: str = "v") -> OpSpec:
    return OpSpec("VAR_HANDLE", [], [1], {"shared_name": name})


X, H = TensorSpec("x", [2]), TensorSpec("h", [], "resource")


def test_assignments_that_disagree_in_shape_or_type_are_refused() -> None:
    _refused(_one_subgraph([X, H, TensorSpec("x3", [3], data=np.ones(3, np.float32)), TensorSpec("y", [2])],
                           [_handle(), OpSpec("ASSIGN_VARIABLE", [1, 0], []), OpSpec("ASSIGN_VARIABLE", [1, 2], []),
                            OpSpec("READ_VARIABLE", [1], [3])], [3]),
             "invalid model", "variable 'v'", "assigns float32 [3]", "assigned float32 [2]",
             "every assignment to one variable must have its type and shape")
    _refused(_one_subgraph([X, H, TensorSpec("k", [2], "int32", data=np.ones(2, np.int32)), TensorSpec("y", [2])],
                           [_handle(), OpSpec("ASSIGN_VARIABLE", [1, 0], []), OpSpec("ASSIGN_VARIABLE", [1, 2], []),
                            OpSpec("READ_VARIABLE", [1], [3])], [3]),
             "invalid model", "variable 'v'", "assigns int32 [2]")


def test_reads_that_do_not_fit_the_variable_are_refused() -> None:
    _refused(_one_subgraph([X, H, TensorSpec("y", [2], "int32")],
                           [_handle(), OpSpec("ASSIGN_VARIABLE", [1, 0], []), OpSpec("READ_VARIABLE", [1], [2])], [2]),
             "invalid model", "reads variable 'v', which holds float32, into 'y' of type int32")
    _refused(_one_subgraph([X, H, TensorSpec("y", [1, 2])],
                           [_handle(), OpSpec("ASSIGN_VARIABLE", [1, 0], []), OpSpec("READ_VARIABLE", [1], [2])], [2]),
             "unsupported", "reads variable 'v' of shape [2] into 'y' of shape [1,2]")
    _refused(_one_subgraph([X, H, TensorSpec("y", [2])], [_handle(), OpSpec("READ_VARIABLE", [1], [2])], [2]),
             "invalid model", "reads variable 'v', which no ASSIGN_VARIABLE of the model sets")


def test_handles_that_are_not_a_var_handle_of_the_subgraph_are_refused() -> None:
    # READ of a float tensor
    _refused(_one_subgraph([X, TensorSpec("y", [2])], [OpSpec("READ_VARIABLE", [0], [1])], [1]),
             "invalid model", "READ_VARIABLE (subgraph 0 operator 0)", "input 0 'x' is float32, expected a resource")
    # a resource handed in as a graph input
    _refused(build_subgraphs([SubgraphSpec([H, TensorSpec("x", [2])], [OpSpec("ASSIGN_VARIABLE", [0, 1], [])],
                                           [0, 1], [1], "main")]),
             "unsupported", "its resource 'h' is not made by a VAR_HANDLE earlier in subgraph 0")
    # the handle is made after its use
    _refused(_one_subgraph([X, H, TensorSpec("y", [2])],
                           [OpSpec("ASSIGN_VARIABLE", [1, 0], []), _handle(), OpSpec("READ_VARIABLE", [1], [2])], [2]),
             "unsupported", "ASSIGN_VARIABLE (subgraph 0 operator 0)", "not made by a VAR_HANDLE earlier")
    # a VAR_HANDLE whose output is no resource: the loader's type check, or the variables' (int32 passes that)
    _refused(_one_subgraph([X, TensorSpec("h", [2]), TensorSpec("y", [2])], [_handle()], [1]),
             "unsupported", "VAR_HANDLE 0: tensor 'h' is float32, a type this kernel does not take")
    _refused(_one_subgraph([X, TensorSpec("h", [2], "int32"), TensorSpec("y", [2])], [_handle()], [1]),
             "invalid model", "VAR_HANDLE (subgraph 0 operator 0)", "output 'h' is int32 with 2 elements",
             "expected one resource")


def test_malformed_variable_ops_are_refused() -> None:
    _refused(_one_subgraph([X, H], [_handle(), OpSpec("ASSIGN_VARIABLE", [1], [])], [0]),
             "invalid model", "ASSIGN_VARIABLE (subgraph 0 operator 1): takes 1 inputs and 0 outputs")
    _refused(_one_subgraph([X, H, TensorSpec("h0", [], "resource")],
                           [_handle(), OpSpec("VAR_HANDLE", [1], [2], {"shared_name": "v"})], [0]),
             "invalid model", "VAR_HANDLE (subgraph 0 operator 1): takes 1 inputs and 1 outputs")
    # a variable of resources
    _refused(_one_subgraph([X, H, TensorSpec("h2", [], "resource")],
                           [_handle(), OpSpec("VAR_HANDLE", [], [2], {"shared_name": "w"}),
                            OpSpec("ASSIGN_VARIABLE", [1, 2], [])], [0]),
             "unsupported", "assigns the resource 'h2' to variable 'v'")


def test_a_dynamic_shape_is_refused_naming_the_variable() -> None:
    x = TensorSpec("x", [1, 2], shape_signature=[-1, 2])
    _refused(_one_subgraph([x, H, TensorSpec("y", [1, 2])],
                           [_handle("state"), OpSpec("ASSIGN_VARIABLE", [1, 0], []), OpSpec("READ_VARIABLE", [1], [2])],
                           [2]),
             "unsupported", "variable 'state' is given 'x', whose dimension 0 is dynamic")


def test_resizing_the_shape_of_a_variable_is_refused_and_the_interpreter_keeps_working() -> None:
    """x [2] assigned to v: a resize of x to [3] would change v's shape; refused at the allocate, and the
    interpreter goes on at its previous shapes (state afresh, as every allocation)."""
    ours = Interpreter(model_content=_read_then_assign(init=True))
    ours.allocate_tensors()
    ours.resize_tensor_input(0, [3])
    with pytest.raises(RuntimeModelError, match="variable 'v' keeps the shape the file gives it"):
        ours.allocate_tensors()
    ours.set_tensor(0, np.array([1, 2], np.float32))
    ours.invoke()
    np.testing.assert_array_equal(ours.get_tensor(2), [7, 7])


# -- bulk damage of stateful files, in a child process (a crash fails the test, not pytest) ---------------------

DAMAGE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    sys.path.insert(0, {here!r})
    from subgraph_builder import accumulator
    from ember.runtime import Interpreter, RuntimeModelError

    def attempt(model):
        try:
            it = Interpreter(model_content=model)
            it.allocate_tensors()
            for step in range(3):
                for d in it.get_input_details():
                    it.set_tensor(d["index"], np.ones(tuple(d["shape"]), d["dtype"]))
                it.invoke()
                if step == 1:
                    it.reset_all_variables()
            return "ok"
        except RuntimeModelError as e:
            assert str(e) and e.status, "empty message"
            return "refused"

    rng = np.random.default_rng({seed})
    counts = {{"ok": 0, "refused": 0}}
    for model in (accumulator("int8"), open({tf_file!r}, "rb").read()):
        for n in range(0, len(model), 7):
            counts[attempt(model[:n])] += 1
        for _ in range({trials}):
            damaged = bytearray(model)
            for pos in rng.integers(0, len(model), size=int(rng.integers(1, 5))):
                damaged[pos] ^= 1 << int(rng.integers(0, 8))
            counts[attempt(bytes(damaged))] += 1
    print(json.dumps(counts))
    """
)


def test_damaged_stateful_files_are_refused_or_run() -> None:
    here = Path(__file__).resolve().parent
    tf_file = here.parent / "data" / "tf" / "variables" / "stream_int8io.tflite"
    code = DAMAGE.format(here=str(here), seed=14, trials=600, tf_file=str(tf_file))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"child exited with {result.returncode}:\n{result.stderr[-3000:]}"
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["refused"] > 0 and counts["ok"] > 0, counts
