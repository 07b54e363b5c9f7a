"""Shape propagation after a resize, op by op (issue 14): one-op models (tests/runtime/tflite_builder.py) built at one
shape, their graph inputs resized (LiteRT's non-strict resize) and run on ember and on LiteRT's reference kernels.
The output shapes must be LiteRT's and the outputs equal (float32 within 1e-5 relative); shapes an op cannot take
must be refused by both."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert.interpreter import Interpreter as LiteRTInterpreter
from ai_edge_litert.interpreter import OpResolverType
from single_op import assert_outputs_match, one_op_model, random_feed
from tflite_builder import TensorSpec

from ember.runtime import Interpreter, RuntimeModelError


def f(name: str, shape: list[int]) -> TensorSpec:
    return TensorSpec(name, shape)


def const(name: str, values: list | np.ndarray, dtype: str = "int32") -> TensorSpec:
    array = np.asarray(values, dtype=dtype)
    return TensorSpec(name, list(array.shape), dtype, data=array)


def weights(name: str, shape: list[int], seed: int = 0) -> TensorSpec:
    return TensorSpec(name, shape, data=np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


# (id, op, inputs, output, options, new shapes of the graph inputs in order)
CASES = [
    ("relu", "RELU", [f("x", [1, 4, 3])], f("y", [1, 4, 3]), {}, [[3, 5, 2]]),
    ("logistic", "LOGISTIC", [f("x", [2, 3])], f("y", [2, 3]), {}, [[5, 7]]),
    ("softmax", "SOFTMAX", [f("x", [1, 6])], f("y", [1, 6]), {}, [[4, 9]]),
    ("add_broadcast", "ADD", [f("a", [1, 4, 3]), f("b", [1, 1, 3])], f("y", [1, 4, 3]), {},
     [[3, 4, 3], [1, 1, 3]]),
    ("mul_const", "MUL", [f("a", [1, 4]), weights("w", [4])], f("y", [1, 4]), {}, [[6, 4]]),
    ("maximum", "MAXIMUM", [f("a", [2, 3]), f("b", [2, 3])], f("y", [2, 3]), {}, [[4, 3], [1, 3]]),
    ("conv_same_s2", "CONV_2D", [f("x", [1, 8, 8, 3]), weights("w", [4, 3, 3, 3]), weights("b", [4])],
     f("y", [1, 4, 4, 4]), {"padding": "SAME", "stride_h": 2, "stride_w": 2}, [[2, 11, 7, 3]]),
    ("conv_valid_dilated", "CONV_2D", [f("x", [1, 9, 9, 2]), weights("w", [3, 3, 3, 2]), weights("b", [3])],
     f("y", [1, 5, 5, 3]), {"padding": "VALID", "dilation_h": 2, "dilation_w": 2}, [[3, 12, 10, 2]]),
    ("depthwise", "DEPTHWISE_CONV_2D", [f("x", [1, 6, 6, 2]), weights("w", [1, 3, 3, 4]), weights("b", [4])],
     f("y", [1, 6, 6, 4]), {"padding": "SAME", "depth_multiplier": 2}, [[2, 5, 9, 2]]),
    ("max_pool", "MAX_POOL_2D", [f("x", [1, 6, 6, 3])], f("y", [1, 3, 3, 3]),
     {"padding": "VALID", "filter_h": 2, "filter_w": 2, "stride_h": 2, "stride_w": 2}, [[2, 9, 7, 3]]),
    ("avg_pool_same", "AVERAGE_POOL_2D", [f("x", [1, 6, 6, 3])], f("y", [1, 2, 2, 3]),
     {"padding": "SAME", "filter_h": 3, "filter_w": 3, "stride_h": 3, "stride_w": 3}, [[3, 7, 10, 3]]),
    ("fully_connected", "FULLY_CONNECTED", [f("x", [1, 8]), weights("w", [5, 8]), weights("b", [5])],
     f("y", [1, 5]), {}, [[7, 8]]),
    ("fully_connected_flattens", "FULLY_CONNECTED", [f("x", [1, 2, 8]), weights("w", [5, 8]), weights("b", [5])],
     f("y", [2, 5]), {}, [[3, 2, 8]]),
    ("fully_connected_keep_dims", "FULLY_CONNECTED", [f("x", [1, 2, 8]), weights("w", [5, 8]), weights("b", [5])],
     f("y", [1, 2, 5]), {"keep_num_dims": True}, [[3, 4, 8]]),
    ("batch_matmul", "BATCH_MATMUL", [f("a", [1, 2, 3]), f("b", [1, 3, 4])], f("y", [1, 2, 4]), {},
     [[2, 5, 3], [2, 3, 6]]),
    ("batch_matmul_adj_broadcast", "BATCH_MATMUL", [f("a", [1, 3, 2]), weights("b", [4, 3])], f("y", [1, 2, 4]),
     {"adj_x": True, "adj_y": True}, [[3, 3, 5]]),
    ("concatenation", "CONCATENATION", [f("a", [1, 2, 3]), f("b", [1, 2, 1])], f("y", [1, 2, 4]), {"axis": -1},
     [[3, 5, 3], [3, 5, 2]]),
    ("reshape_minus_one", "RESHAPE", [f("x", [1, 4, 3]), const("s", [-1, 3])], f("y", [4, 3]), {}, [[2, 4, 3]]),
    ("squeeze", "SQUEEZE", [f("x", [1, 1, 5])], f("y", [1, 5]), {"squeeze_dims": [1]}, [[4, 1, 6]]),
    ("mean_keep", "MEAN", [f("x", [1, 4, 4, 3]), const("axes", [1, 2])], f("y", [1, 1, 1, 3]),
     {"keep_dims": True}, [[2, 5, 3, 3]]),
    ("sum", "SUM", [f("x", [2, 4, 3]), const("axes", [-1])], f("y", [2, 4]), {}, [[5, 2, 3]]),
    ("pad", "PAD", [f("x", [1, 3, 3]), const("p", [[0, 0], [1, 2], [0, 1]])], f("y", [1, 6, 4]), {},
     [[2, 5, 2]]),
    ("mirror_pad", "MIRROR_PAD", [f("x", [1, 3, 3, 1]), const("p", [[0, 0], [1, 1], [2, 2], [0, 0]])],
     f("y", [1, 5, 7, 1]), {"mode": 0}, [[2, 4, 5, 1]]),
    ("transpose", "TRANSPOSE", [f("x", [1, 2, 3]), const("perm", [2, 0, 1])], f("y", [3, 1, 2]), {}, [[4, 5, 6]]),
    ("strided_slice", "STRIDED_SLICE",
     [f("x", [1, 6, 4]), const("b", [0, 1, 0]), const("e", [0, -1, 3]), const("s", [1, 2, 1])],
     f("y", [1, 2, 3]), {"begin_mask": 1, "end_mask": 1}, [[3, 9, 5]]),
    ("strided_slice_shrink", "STRIDED_SLICE",
     [f("x", [1, 6, 4]), const("b", [0, 2]), const("e", [0, 3]), const("s", [1, 1])],
     f("y", [1, 4]), {"begin_mask": 1, "end_mask": 1, "shrink_axis_mask": 2}, [[5, 4, 7]]),
    ("gather", "GATHER", [f("x", [1, 5, 2]), const("i", [4, 0, 4])], f("y", [1, 3, 2]), {"axis": 1}, [[3, 6, 4]]),
    ("pack", "PACK", [f("a", [1, 3]), f("b", [1, 3])], f("y", [1, 2, 3]), {"values_count": 2, "axis": 1},
     [[4, 5], [4, 5]]),
    ("resize_bilinear", "RESIZE_BILINEAR", [f("x", [1, 3, 3, 2]), const("size", [5, 4])], f("y", [1, 5, 4, 2]),
     {}, [[3, 6, 2, 2]]),
    ("resize_nearest", "RESIZE_NEAREST_NEIGHBOR", [f("x", [1, 3, 3, 2]), const("size", [6, 6])],
     f("y", [1, 6, 6, 2]), {}, [[2, 2, 5, 2]]),
    ("space_to_depth", "SPACE_TO_DEPTH", [f("x", [1, 4, 4, 1])], f("y", [1, 2, 2, 4]), {"block_size": 2},
     [[3, 6, 8, 2]]),
    ("depth_to_space", "DEPTH_TO_SPACE", [f("x", [1, 2, 2, 4])], f("y", [1, 4, 4, 1]), {"block_size": 2},
     [[2, 3, 1, 8]]),
    ("space_to_batch", "SPACE_TO_BATCH_ND", [f("x", [1, 4, 4, 1]), const("block", [2, 2]),
                                             const("pads", [[0, 0], [0, 0]])],
     f("y", [4, 2, 2, 1]), {}, [[3, 6, 8, 2]]),
    ("batch_to_space", "BATCH_TO_SPACE_ND", [f("x", [4, 2, 2, 1]), const("block", [2, 2]),
                                             const("crops", [[0, 0], [0, 0]])],
     f("y", [1, 4, 4, 1]), {}, [[8, 3, 1, 2]]),
    ("l2_normalization", "L2_NORMALIZATION", [f("x", [1, 2, 5])], f("y", [1, 2, 5]), {}, [[3, 4, 5]]),
    ("shape", "SHAPE", [f("x", [1, 2, 3])], TensorSpec("y", [3], "int32"), {}, [[4, 5, 6]]),
]


def _build(case) -> tuple[bytes, list[TensorSpec]]:
    _, op, inputs, output, options, _ = case
    return one_op_model(op, inputs, [output], options), [t for t in inputs if t.data is None]


def _resize(it, shapes: list[list[int]]) -> None:
    for d, shape in zip(it.get_input_details(), shapes, strict=True):
        it.resize_tensor_input(d["index"], shape)
    it.allocate_tensors()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_resized_op_matches_litert(case) -> None:
    model, graph_inputs = _build(case)
    shapes = case[5]
    ours = Interpreter(model_content=model)
    ref = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    rng = np.random.default_rng(0)
    ours.allocate_tensors()
    for round_shapes in (shapes, [list(t.shape) for t in graph_inputs]):  # resized, then back
        _resize(ours, round_shapes)
        _resize(ref, round_shapes)
        feeds = [random_feed(TensorSpec(t.name, s, t.dtype), rng) for t, s in zip(graph_inputs, round_shapes,
                                                                                  strict=True)]
        for it in (ours, ref):
            for d, x in zip(it.get_input_details(), feeds, strict=True):
                it.set_tensor(d["index"], x)
            it.invoke()
        for a, b in zip(ours.get_output_details(), ref.get_output_details(), strict=True):
            np.testing.assert_array_equal(a["shape"], b["shape"])
        assert_outputs_match([ours.get_tensor(d["index"]) for d in ours.get_output_details()],
                             [ref.get_tensor(d["index"]) for d in ref.get_output_details()])


REFUSED = [
    ("add_no_broadcast", "ADD", [f("a", [1, 4]), f("b", [1, 4])], f("y", [1, 4]), {}, [[3, 4], [2, 4]]),
    ("conv_empty_image", "CONV_2D", [f("x", [1, 5, 5, 1]), weights("w", [1, 3, 3, 1]), weights("b", [1])],
     f("y", [1, 5, 5, 1]), {"padding": "SAME"}, [[1, 0, 5, 1]]),
    ("reshape_fixed", "RESHAPE", [f("x", [1, 6]), const("s", [2, 3])], f("y", [2, 3]), {}, [[2, 6]]),
    ("reshape_not_divisible", "RESHAPE", [f("x", [1, 6]), const("s", [-1, 4])], f("y", [0, 4]), {}, [[1, 6]]),
    ("concat_mismatch", "CONCATENATION", [f("a", [1, 2]), f("b", [1, 2])], f("y", [1, 4]), {"axis": 1},
     [[3, 2], [1, 2]]),
    ("space_to_depth_odd", "SPACE_TO_DEPTH", [f("x", [1, 4, 4, 1])], f("y", [1, 2, 2, 4]), {"block_size": 2},
     [[1, 5, 4, 1]]),
    ("squeeze_not_one", "SQUEEZE", [f("x", [1, 1, 5])], f("y", [1, 5]), {"squeeze_dims": [1]}, [[1, 2, 5]]),
]


@pytest.mark.parametrize("case", [c for c in REFUSED if c[0] != "reshape_not_divisible"],
                         ids=[c[0] for c in REFUSED if c[0] != "reshape_not_divisible"])
def test_shape_an_op_cannot_take_is_refused_by_both(case) -> None:
    model, _ = _build(case)
    ref = LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    with pytest.raises(RuntimeError, match=case[1]):
        _resize(ref, case[5])
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    with pytest.raises(RuntimeModelError, match=case[1]) as info:
        _resize(ours, case[5])
    assert "resized to" in str(info.value)
    # Still usable at the shapes it had.
    rng = np.random.default_rng(1)
    feeds = [random_feed(TensorSpec(d["name"], list(d["shape"]), "float32"), rng) for d in ours.get_input_details()]
    ours.allocate_tensors()
    for d, x in zip(ours.get_input_details(), feeds, strict=True):
        ours.set_tensor(d["index"], x)
    ours.invoke()


def test_valid_window_larger_than_the_image_is_refused() -> None:
    """LiteRT makes the output empty ([1, 0, 3, 1]); ember's kernels take no empty window output and say so."""
    model = one_op_model("CONV_2D", [f("x", [1, 5, 5, 1]), weights("w", [1, 3, 3, 1]), weights("b", [1])],
                         [f("y", [1, 3, 3, 1])], {"padding": "VALID"})
    ours = Interpreter(model_content=model)
    ours.resize_tensor_input(0, [1, 2, 5, 1])
    with pytest.raises(RuntimeModelError, match=r"CONV_2D 0 cannot take input 'x' \[1,2,5,1\]: its VALID window"):
        ours.allocate_tensors()
    np.testing.assert_array_equal(ours.get_input_details()[0]["shape"], [1, 5, 5, 1])


def test_transpose_conv_with_a_constant_output_shape_refuses_another_batch() -> None:
    """LiteRT's reference kernel takes it and writes only output_shape's batch; ember names the mismatch."""
    path = Path(__file__).resolve().parents[1] / "data" / "tf" / "spatial_ops" / "transpose_conv_float32.tflite"
    ours = Interpreter(str(path))
    details = ours.get_input_details()[0]
    ours.resize_tensor_input(details["index"], [2, *details["shape"][1:]])
    with pytest.raises(RuntimeModelError, match=r"TRANSPOSE_CONV 0 cannot take input '.*' \[2,5,6,4\]: its "
                       "output_shape gives another batch"):
        ours.allocate_tensors()


def _transpose_conv_with_a_computed_shape() -> bytes:
    """TRANSPOSE_CONV whose output_shape is a graph input: its values exist only at invoke."""
    rng = np.random.default_rng(5)
    w = rng.standard_normal((3, 2, 2, 4)).astype(np.float32)
    tensors = [TensorSpec("output_shape", [4], "int32"), TensorSpec("weights", [3, 2, 2, 4], data=w),
               TensorSpec("x", [1, 3, 3, 4]), TensorSpec("y", [1, 6, 6, 3])]
    return one_op_model("TRANSPOSE_CONV", tensors[:3], tensors[3:], {"padding": "SAME", "stride_h": 2,
                                                                       "stride_w": 2})


def test_transpose_conv_with_an_output_shape_computed_at_run_time() -> None:
    """The shape the file plans runs like LiteRT; another one, known only at invoke, is refused by name instead of
    writing a wrong-sized result."""
    model = _transpose_conv_with_a_computed_shape()
    x = np.random.default_rng(6).standard_normal((1, 3, 3, 4)).astype(np.float32)
    shape = np.array([1, 6, 6, 3], np.int32)
    outs = []
    for it in (Interpreter(model_content=model),
               LiteRTInterpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)):
        it.allocate_tensors()
        details = {d["name"]: d["index"] for d in it.get_input_details()}
        it.set_tensor(details["output_shape"], shape)
        it.set_tensor(details["x"], x)
        it.invoke()
        outs.append(it.get_tensor(it.get_output_details()[0]["index"]))
    assert_outputs_match([outs[0]], [outs[1]])
    ours = Interpreter(model_content=model)
    ours.allocate_tensors()
    details = {d["name"]: d["index"] for d in ours.get_input_details()}
    ours.set_tensor(details["output_shape"], np.array([1, 7, 6, 3], np.int32))
    ours.set_tensor(details["x"], x)
    with pytest.raises(RuntimeModelError, match=r"TRANSPOSE_CONV 0: output_shape computed at run time gives dim 1 "
                       r"= 7, but the output was planned as \[1,6,6,3\]"):
        ours.invoke()
