"""Shape and indexing ops against torch: view/reshape, transpose/permute, squeeze/unsqueeze, expand, cat, stack,
split/chunk, indexing (basic and integer-array, with repeated indices) and pad."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import DTYPES, check, dev, host, randn

import ember
import ember.nn.functional as F

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("strided", [False, True])
def test_reshape_family(strided, dtype):
    for fn in [lambda x: x.reshape(4, -1), lambda x: x.view(-1), lambda x: x.flatten(), lambda x: x.unsqueeze(1),
               lambda x: x.unsqueeze(-1), lambda x: x.reshape(2, 1, 6).squeeze(),
               lambda x: x.reshape(2, 1, 6).squeeze(1), lambda x: x.reshape(2, 1, 6).squeeze(0),
               lambda x: x.view(3, 4).view_as(x)]:
        check(fn, fn, [(2, 6)], dtype, strided=strided)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transpose_permute(dtype):
    for fn in [lambda x: x.transpose(0, 2), lambda x: x.permute(2, 0, 1), lambda x: x.permute((1, 2, 0)),
               lambda x: x.permute(2, 1, 0), lambda x: x.mT]:
        check(fn, fn, [(2, 3, 4)], dtype, strided=True)
    check(lambda x: ember.transpose(x, -1, 0), lambda x: torch.transpose(x, -1, 0), [(2, 3, 4)], dtype)
    check(lambda x: x.t(), lambda x: x.t(), [(3, 5)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_expand(dtype):
    check(lambda x: x.expand(2, 3, 4), lambda x: x.expand(2, 3, 4), [(3, 1)], dtype)
    check(lambda x: x.expand(-1, 5), lambda x: x.expand(-1, 5), [(3, 1)], dtype)
    check(lambda x, y: x.expand_as(y) * y, lambda x, y: x.expand_as(y) * y, [(1, 4), (3, 4)], dtype)
    with pytest.raises(ValueError, match="only size-1 dimensions"):
        randn(3, 2).expand(3, 4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_and_stack(dim, dtype):
    shapes = [(2, 3), (2, 3), (2, 3)]
    check(lambda *xs: ember.cat(xs, dim), lambda *xs: torch.cat(xs, dim), shapes, dtype, strided=True)
    check(lambda *xs: ember.stack(xs, dim), lambda *xs: torch.stack(xs, dim), shapes, dtype)
    uneven = [(2, 1), (2, 4), (2, 0)] if dim != 0 else [(1, 3), (4, 3), (0, 3)]
    check(lambda *xs: ember.cat(xs, dim), lambda *xs: torch.cat(xs, dim), uneven, dtype)


def test_cat_error_names_shapes():
    with pytest.raises(ValueError, match=r"cat: tensors of shapes \(2, 3\), \(3, 3\)"):
        ember.cat([randn(2, 3), randn(3, 3)], dim=1)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("how", [2, 3, [1, 4], [0, 5]], ids=str)
def test_split(how, dtype):
    check(lambda x: x.split(how, 1), lambda x: x.split(how, 1), [(3, 5)], dtype)
    check(lambda x: ember.split(x, how, -1), lambda x: torch.split(x, how, -1), [(3, 5)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("chunks", [1, 2, 3, 6])
def test_chunk(chunks, dtype):
    check(lambda x: x.chunk(chunks, 0), lambda x: x.chunk(chunks, 0), [(5, 2)], dtype)


def test_split_output_used_once_still_gets_gradient():
    x = randn(4, 2, requires_grad=True)
    a, b = x.split(2)
    (a * 3).sum().backward()
    np.testing.assert_array_equal(host(x.grad), np.r_[np.full((2, 2), 3.0), np.zeros((2, 2))])


INDICES = [
    (1,), (slice(1, 3),), (slice(None, None, 2), 1), (Ellipsis, 0), (None, 1), (-1, slice(None, None, -1)),
    (np.array([0, 2, 0]),), (slice(None), np.array([1, 1, 3])), (np.array([[0, 1], [1, 0]]), np.array([2, 2])),
    (np.array([True, False, True]),),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("index", INDICES, ids=str)
def test_getitem(index, dtype):
    torch_index = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    if any(isinstance(i, slice) and i.step and i.step < 0 for i in index):  # torch has no negative steps
        torch_index = tuple(torch.flip(torch.arange(4), [0]) if isinstance(i, slice) else i for i in index)
    check(lambda x: x[index], lambda x: x[torch_index], [(3, 4)], dtype, strided=True)


def test_getitem_with_tensor_and_list_indices_accumulates_repeats():
    x = dev(np.arange(5.0), requires_grad=True)
    (x[dev([0, 0, 3])].sum() + x[[1, 1]].sum()).backward()
    np.testing.assert_array_equal(host(x.grad), [2, 2, 0, 1, 0])


def test_iterating_a_tensor_yields_rows():
    rows = list(dev([[1.0, 2.0], [3.0, 4.0]]))
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", [(1, 2), (2, 1, 1, 0), (0, 0, 1, 1), (1, 1, 2, 2)], ids=str)
def test_pad(pad, mode, dtype):
    shape = (2, 3, 4, 5) if len(pad) == 4 else (2, 3, 5)  # the ranks torch accepts for non-constant modes
    check(lambda x: F.pad(x, pad, mode), lambda x: torch.nn.functional.pad(x, pad, mode), [shape], dtype,
          strided=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pad_constant_value_and_negative_amounts(dtype):
    check(lambda x: F.pad(x, (1, 1), value=2.5), lambda x: torch.nn.functional.pad(x, (1, 1), value=2.5),
          [(3, 4)], dtype)
    check(lambda x: F.pad(x, (-1, 2, 1, -2)), lambda x: torch.nn.functional.pad(x, (-1, 2, 1, -2)), [(4, 5)], dtype)


def test_pad_errors():
    with pytest.raises(ValueError, match="reflect padding of 4"):
        F.pad(randn(1, 2, 4), (4, 0), mode="reflect")
    with pytest.raises(ValueError, match="even number"):
        F.pad(randn(2, 2), (1,))
