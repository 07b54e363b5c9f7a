"""SLICE with a begin or size computed at run time, the pattern TensorFlow's converter writes for Keras GRU /
SimpleRNN (test_tf_recurrent.py runs those files): CONCATENATION(SLICE(list, 0, [t, -1, -1]), h_t,
SLICE(list, [t + 1, 0, 0], -1)) inside a WHILE body, the SLICEs' shapes changing every iteration. The SLICE
output is planned at its upper bound and gets its dims at eval; CONCATENATION, the one reader allowed, takes
them at eval. Against LiteRT's reference kernels (bit-exact, float32 too: only bytes move), over every split
point, several invokes of one interpreter, and a resize; the refusals with their messages."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import assert_outputs_match
from subgraph_builder import SubgraphSpec, build_subgraphs
from tflite_builder import OpSpec, TensorSpec

from ember.runtime import Interpreter, RuntimeModelError

I32 = "int32"


def _ints(name: str, values: list[int]) -> TensorSpec:
    return TensorSpec(name, [len(values)], I32, data=np.array(values, np.int32))


def _data(name: str, shape: list[int], dtype: str, signature: list[int] | None = None) -> TensorSpec:
    if dtype in ("int8", "uint8"):
        return TensorSpec(name, shape, dtype, scales=[0.05], zero_points=[3], shape_signature=signature)
    if dtype == "int16":
        return TensorSpec(name, shape, dtype, scales=[0.001], zero_points=[0], shape_signature=signature)
    return TensorSpec(name, shape, dtype, shape_signature=signature)


def _roll_model(dtype: str, n: int = 6, c: int = 3, reader: str = "CONCATENATION", twice: bool = False) -> bytes:
    """y = concat(x[t:], x[:t]) along axis 0 for x [n, c] and t an int32 [1] input: two SLICEs whose size and
    begin come from t at run time (twice: concat(x[:t], x[:t]), which fills y only where 2t == n)."""
    tensors = [
        _data("x", [n, c], dtype), TensorSpec("t", [1], I32),
        _ints("minus_one", [-1]), _ints("zero", [0]), _ints("zeros", [0, 0]), _ints("to_end", [-1, -1]),
        TensorSpec("size", [2], I32), TensorSpec("begin", [2], I32),
        _data("head", [1, c], dtype, [-1, c]), _data("tail", [1, c], dtype, [-1, c]), _data("y", [n, c], dtype),
    ]
    ops = [
        OpSpec("CONCATENATION", [1, 2], [6], {"axis": 0}),
        OpSpec("SLICE", [0, 4, 6], [8]),
        OpSpec("CONCATENATION", [1, 3], [7], {"axis": 0}),
        OpSpec("SLICE", [0, 7, 5], [9]),
    ]
    if reader == "CONCATENATION":
        ops.append(OpSpec("CONCATENATION", [8, 8] if twice else [9, 8], [10], {"axis": 0}))
    else:
        ops.append(OpSpec(reader, [8, 9], [10]))
    return build_subgraphs([SubgraphSpec(tensors, ops, [0, 1], [10], "main")])


def _litert(model: bytes):
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    it = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    return it


def _invoke(it, feeds: list[np.ndarray]) -> np.ndarray:
    for detail, value in zip(it.get_input_details(), feeds, strict=True):
        it.set_tensor(detail["index"], value)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]["index"]).copy()


def _values(shape: tuple[int, ...], dtype: str, rng: np.random.Generator) -> np.ndarray:
    if dtype == "float32":
        return rng.standard_normal(shape).astype(np.float32)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8", "int16", "int32", "int64", "bool"])
def test_slices_of_run_time_size_match_litert_at_every_split(dtype: str) -> None:
    model = _roll_model(dtype)
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    theirs = _litert(model)
    rng = np.random.default_rng(7)
    for t in [0, 3, 6, 1, 5, 2, 4, 0]:  # one interpreter: the shapes change from invoke to invoke
        x = _values((6, 3), dtype, rng)
        feeds = [x, np.array([t], np.int32)]
        got = _invoke(ours, feeds)
        assert_outputs_match([got], [_invoke(theirs, feeds)])
        np.testing.assert_array_equal(got, np.concatenate([x[t:], x[:t]]))


def test_a_resize_replans_the_bound() -> None:
    """Resized outside the concatenation axis, the bound and the output follow; along it, the output keeps its
    stored size (LiteRT would resize it at eval), so an invoke whose slices do not fill it fails with a message."""
    model = _roll_model("float32")
    ours = Interpreter(model_content=model)
    ours.resize_tensor_input(ours.get_input_details()[0]["index"], [6, 40])
    ours.allocate_tensors()
    assert list(ours.get_output_details()[0]["shape"]) == [6, 40]
    rng = np.random.default_rng(8)
    for t in (0, 5, 6):
        x = rng.standard_normal((6, 40)).astype(np.float32)
        np.testing.assert_array_equal(_invoke(ours, [x, np.array([t], np.int32)]), np.concatenate([x[t:], x[:t]]))
    ours.resize_tensor_input(ours.get_input_details()[0]["index"], [9, 40])
    ours.allocate_tensors()
    with pytest.raises(RuntimeModelError, match=r"CONCATENATION 4 \(subgraph 0\): the inputs add up to 9 along "
                                                 r"axis 0 at run time, output 'y' has 6"):
        _invoke(ours, [np.zeros((9, 40), np.float32), np.array([4], np.int32)])


def test_begin_or_size_past_the_input_fail_the_invoke_as_in_litert() -> None:
    model = _roll_model("float32")
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    theirs = _litert(model)
    x = np.zeros((6, 3), np.float32)
    for t in (7, -1):
        with pytest.raises(RuntimeModelError, match=r"SLICE [13] \(subgraph 0\): axis 0 of input 'x' has 6 entries, "
                                                     r"the begin -?\d+ and size -?\d+ computed at run time leave it"):
            _invoke(ours, [x, np.array([t], np.int32)])
        with pytest.raises(RuntimeError):
            _invoke(theirs, [x, np.array([t], np.int32)])
    # and the interpreter still runs afterwards
    np.testing.assert_array_equal(_invoke(ours, [x + 1, np.array([2], np.int32)]), x + 1)


def test_inputs_that_do_not_fill_the_concatenation_fail_the_invoke() -> None:
    ours = Interpreter(model_content=_roll_model("float32", twice=True))
    ours.allocate_tensors()
    x = np.arange(18, dtype=np.float32).reshape(6, 3)
    np.testing.assert_array_equal(_invoke(ours, [x, np.array([3], np.int32)]), np.concatenate([x[:3], x[:3]]))
    with pytest.raises(RuntimeModelError, match=r"CONCATENATION 4 \(subgraph 0\): the inputs add up to 4 along "
                                                 r"axis 0 at run time, output 'y' has 6"):
        _invoke(ours, [x, np.array([2], np.int32)])


def test_other_readers_of_a_run_time_shape_are_refused_at_load() -> None:
    with pytest.raises(RuntimeModelError, match=r"ADD 4 \(subgraph 0\): an input comes from a SLICE whose begin or "
                                                 r"size is computed at run time, which only CONCATENATION reads"):
        Interpreter(model_content=_roll_model("float32", reader="ADD")).allocate_tensors()


def _write_loop(t_steps: int = 5, b: int = 2, h: int = 3) -> bytes:
    """The converter's tensor-list write: main runs `for t in range(T): list = list with list[t] = x[t] * x[t]`
    from list0 (an input), as TensorFlow writes a Keras RNN's output sequence."""
    shape = [t_steps, b, h]
    main = SubgraphSpec(
        [TensorSpec("i0", [], I32, data=np.array(0, np.int32)), TensorSpec("list0", shape), TensorSpec("x", shape),
         TensorSpec("i_out", [], I32), TensorSpec("list_out", shape), TensorSpec("x_out", shape)],
        [OpSpec("WHILE", [0, 1, 2], [3, 4, 5], {"cond": 1, "body": 2})], [1, 2], [4], "main")
    cond = SubgraphSpec(
        [TensorSpec("i", [], I32), TensorSpec("list", shape), TensorSpec("x", shape), TensorSpec("go", [], "bool"),
         TensorSpec("steps", [], I32, data=np.array(t_steps, np.int32))],
        [OpSpec("LESS", [0, 4], [3])], [0, 1, 2], [3], "cond")
    body = SubgraphSpec(
        [TensorSpec("i", [], I32), TensorSpec("list", shape), TensorSpec("x", shape),  # 0..2
         TensorSpec("one", [], I32, data=np.array(1, np.int32)), TensorSpec("i1", [], I32),  # 3, 4
         TensorSpec("xt", [b, h]), TensorSpec("v", [b, h]), _ints("one_dim", [1]),  # 5..7
         TensorSpec("iv", [1], I32), _ints("to_end2", [-1, -1]), TensorSpec("size", [3], I32),  # 8..10
         _ints("origin", [0, 0, 0]), TensorSpec("head", [1, 1, 1], shape_signature=[-1, -1, -1]),  # 11, 12
         TensorSpec("i1v", [1], I32), _ints("zeros2", [0, 0]), TensorSpec("begin", [3], I32),  # 13..15
         _ints("to_end3", [-1, -1, -1]), TensorSpec("tail", [1, b, h], shape_signature=[-1, b, h]),  # 16, 17
         _ints("row", [1, b, h]), TensorSpec("v3", [1, b, h]), TensorSpec("list_next", shape)],  # 18..20
        [OpSpec("ADD", [0, 3], [4]), OpSpec("GATHER", [2, 0], [5], {"axis": 0}), OpSpec("MUL", [5, 5], [6]),
         OpSpec("RESHAPE", [0, 7], [8]), OpSpec("CONCATENATION", [8, 9], [10], {"axis": 0}),
         OpSpec("SLICE", [1, 11, 10], [12]), OpSpec("RESHAPE", [4, 7], [13]),
         OpSpec("CONCATENATION", [13, 14], [15], {"axis": 0}), OpSpec("SLICE", [1, 15, 16], [17]),
         OpSpec("RESHAPE", [6, 18], [19]), OpSpec("CONCATENATION", [12, 19, 17], [20], {"axis": 0})],
        [0, 1, 2], [4, 20, 2], "body")
    return build_subgraphs([main, cond, body])


def test_a_while_body_writing_a_tensor_list_matches_litert() -> None:
    model = _write_loop()
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    theirs = _litert(model)
    rng = np.random.default_rng(9)
    for _ in range(3):
        feeds = [rng.standard_normal((5, 2, 3)).astype(np.float32) for _ in range(2)]
        got = _invoke(ours, feeds)
        assert_outputs_match([got], [_invoke(theirs, feeds)])
        np.testing.assert_array_equal(got, feeds[1] * feeds[1])


def test_preserved_slices_read_back_with_their_run_time_shape_as_in_litert() -> None:
    from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
    from ai_edge_litert.interpreter import OpResolverType

    model = _roll_model("float32")
    ours = Interpreter(model_content=model, experimental_preserve_all_tensors=True)
    theirs = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                               experimental_preserve_all_tensors=True)
    ours.allocate_tensors()
    theirs.allocate_tensors()
    x = np.arange(18, dtype=np.float32).reshape(6, 3)
    for t in (2, 5, 1):  # (LiteRT's get_tensor refuses an empty tensor)
        for it in (ours, theirs):
            _invoke(it, [x, np.array([t], np.int32)])
        for index in (8, 9):  # head x[:t] and tail x[t:]
            np.testing.assert_array_equal(ours.get_tensor(index), theirs.get_tensor(index))
            assert ours.get_tensor(index).shape == ((t, 3) if index == 8 else (6 - t, 3))
