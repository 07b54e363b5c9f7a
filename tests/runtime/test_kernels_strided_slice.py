"""STRIDED_SLICE's shrink_axis_mask at the edges of the input: a shrunk axis takes the element at begin, so begin
must name one (TensorFlow's ValidateStridedSliceOp: begin in [-dim, dim), unless begin_mask covers the axis).
Out-of-range begins are refused at prepare (LiteRT clamps them and then reads outside the tensor); the valid
edges, negative strides on the other axes and begin_mask on a shrunk axis match LiteRT's reference kernels."""

from __future__ import annotations

import numpy as np
import pytest
from single_op import compare, one_op_model
from tflite_builder import TensorSpec

from ember.runtime import Interpreter, RuntimeModelError


def strided_slice_model(shape: list[int], begin: list[int], end: list[int], strides: list[int],
                        out: list[int], *, shrink: int, begin_mask: int = 0, end_mask: int = 0,
                        index_type: str = "int32") -> bytes:
    """A float32 STRIDED_SLICE model with constant begin/end/strides of index_type."""
    ints = [TensorSpec(k, [len(v)], index_type, data=np.array(v, index_type))
            for k, v in (("begin", begin), ("end", end), ("strides", strides))]
    options = {"begin_mask": begin_mask, "end_mask": end_mask, "shrink_axis_mask": shrink}
    return one_op_model("STRIDED_SLICE", [TensorSpec("x", shape), *ints], [TensorSpec("y", out)], options)


# (shape, begin, end, strides, output shape, shrink mask, index type): begin of a shrunk axis outside [-dim, dim).
OUT_OF_RANGE = [
    ([4, 1024], [-1000, 0], [0, 1024], [-1, 1], [1024], 1, "int32"),  # the ASan report: far below -dim
    ([4, 1024], [-5, 0], [0, 1024], [1, 1], [1024], 1, "int32"),  # just below -dim
    ([4, 1024], [4, 0], [5, 1024], [1, 1], [1024], 1, "int32"),  # at dim
    ([4, 1024], [4, 0], [5, 1024], [-1, 1], [1024], 1, "int32"),
    ([4, 16], [0, 16], [4, 17], [1, 1], [4], 2, "int32"),  # inner axis
    ([4, 16], [0, -17], [4, 0], [1, -1], [4], 2, "int32"),
    ([3, 5], [2**40, 0], [0, 5], [1, 1], [5], 1, "int64"),  # beyond int32 too
]


@pytest.mark.parametrize("case", OUT_OF_RANGE, ids=[str(c[1]) + f"/shrink{c[5]}" for c in OUT_OF_RANGE])
def test_shrunk_axis_begin_outside_the_dimension_is_refused(case) -> None:
    shape, begin, end, strides, out, shrink, index_type = case
    it = Interpreter(model_content=strided_slice_model(shape, begin, end, strides, out, shrink=shrink,
                                                       index_type=index_type))
    with pytest.raises(RuntimeModelError) as info:
        it.allocate_tensors()
    axis = shrink.bit_length() - 1
    message = str(info.value)
    assert message.startswith("invalid model: STRIDED_SLICE 0:"), message
    assert f"shrunk axis {axis} of input 'x'" in message, message
    assert f"outside [{-shape[axis]}, {shape[axis]})" in message, message


# Valid shrinks at the edges: begin -dim and dim - 1, negative strides on the other axes, begin_mask on a shrunk
# axis (TFLite then takes element 0 for a positive stride); LiteRT's reference kernels are the oracle.
VALID = [
    ([4, 6], [-4, 5], [0, 0], [1, -1], [5], 1, 0),
    ([4, 6], [3, -1], [4, -7], [1, -2], [3], 1, 0),
    ([4, 6], [3, -6], [0, 0], [-1, 1], [3], 2, 0),
    ([4, 6], [-1, 5], [0, 6], [1, 1], [], 3, 0),
    ([4, 6, 3], [7, 2, -1], [0, 0, 0], [1, -1, 1], [2], 5, 1),  # begin_mask covers shrunk axis 0
    ([2, 5, 3], [-2, -1, 0], [0, -6, 3], [1, -1, 1], [5, 3], 1, 0),
]


@pytest.mark.parametrize("case", VALID, ids=[str(c[1]) + f"/shrink{c[5]}" for c in VALID])
def test_valid_shrinks_at_the_edges_match_litert(case) -> None:
    shape, begin, end, strides, out, shrink, begin_mask = case
    # numpy agrees on the output shape (the slice semantics of these cases coincide)
    index = tuple(0 if begin_mask >> d & 1 else begin[d] if shrink >> d & 1 else slice(begin[d], end[d], strides[d])
                  for d in range(len(shape)))
    assert list(np.zeros(shape)[index].shape) == out
    compare(strided_slice_model(shape, begin, end, strides, out, shrink=shrink, begin_mask=begin_mask),
            np.random.default_rng(sum(shape)))
