"""conv2d, pooling and nearest upsampling against torch: strides, padding (numbers, 'same', 'valid'), dilation,
groups (depthwise too), rectangular kernels, ceil_mode, count_include_pad, non-contiguous inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch.nn.functional as TF
from oracle import DTYPES, check, randn

import ember
import ember.nn.functional as F

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend

CONV = [
    ((2, 3, 7, 6), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 7, 6), (4, 3, 3, 2), {"stride": (2, 1), "padding": (1, 0)}),
    ((2, 3, 9, 8), (4, 3, 3, 3), {"dilation": 2, "padding": 2}),
    ((2, 4, 7, 6), (6, 2, 3, 3), {"groups": 2, "padding": 1}),
    ((2, 4, 7, 6), (4, 1, 3, 3), {"groups": 4, "padding": 1, "stride": 2}),  # depthwise
    ((2, 4, 7, 6), (8, 1, 3, 3), {"groups": 4}),  # depthwise with multiplier 2
    ((1, 3, 5, 5), (2, 3, 1, 1), {}),
    ((2, 3, 6, 7), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 6, 7), (4, 3, 2, 4), {"padding": "same"}),  # asymmetric 'same'
    ((2, 3, 6, 7), (4, 3, 3, 3), {"padding": "same", "dilation": 2}),
    ((2, 3, 6, 7), (4, 3, 3, 3), {"padding": "valid"}),
    ((2, 3, 5, 5), (4, 3, 3, 3), {"padding": 3}),  # more padding than the kernel reaches
    ((1, 2, 3, 3), (3, 2, 3, 3), {}),  # 1x1 output
    ((0, 3, 5, 5), (2, 3, 3, 3), {"padding": 1}),  # empty batch
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape,w_shape,kwargs", CONV, ids=[str(c[2]) + str(c[1]) for c in CONV])
def test_conv2d(x_shape, w_shape, kwargs, bias, dtype):
    shapes = [x_shape, w_shape] + ([(w_shape[0],)] if bias else [])
    check(lambda *a: F.conv2d(*a, **kwargs), lambda *a: TF.conv2d(*a, **kwargs), shapes, dtype,
          strided=x_shape[0] > 0)


def test_conv2d_asymmetric_same_padding_is_a_pad_then_a_conv():
    seen = []
    remove = ember.autograd.add_apply_hook(lambda fn, ins, outs: seen.append((fn.name, dict(fn.attrs))))
    try:
        F.conv2d(randn(1, 2, 5, 5), randn(3, 2, 2, 2), padding="same")
        F.conv2d(randn(1, 2, 5, 5), randn(3, 2, 3, 3), padding="same")
    finally:
        remove()
    assert [name for name, _ in seen] == ["Pad", "Conv2d", "Conv2d"]
    assert seen[0][1]["pad"] == (0, 1, 0, 1) and seen[1][1]["padding"] == (0, 0) and seen[2][1]["padding"] == (1, 1)


def test_conv2d_errors_name_shapes():
    with pytest.raises(ValueError, match=r"conv2d: input \(1, 4, 5, 5\) has 4 channels.*expects 3"):
        F.conv2d(randn(1, 4, 5, 5), randn(2, 3, 3, 3))
    with pytest.raises(ValueError, match="smaller than the dilated kernel"):
        F.conv2d(randn(1, 3, 2, 2), randn(2, 3, 3, 3))
    with pytest.raises(ValueError, match="not supported for strided"):
        F.conv2d(randn(1, 3, 5, 5), randn(2, 3, 3, 3), stride=2, padding="same")


def test_conv2d_float32_stays_float32():
    y = F.conv2d(randn(2, 3, 6, 6, requires_grad=True), randn(4, 3, 3, 3, requires_grad=True), padding=1)
    assert y.dtype == np.float32
    y.sum().backward()


POOL = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (2, 3), "stride": (1, 2)},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 3, "stride": 1},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", POOL + [{"kernel_size": 3, "dilation": 2, "padding": 1}], ids=str)
def test_max_pool2d(kwargs, dtype):
    check(lambda x: F.max_pool2d(x, **kwargs), lambda x: TF.max_pool2d(x, **kwargs), [(2, 3, 7, 8)], dtype,
          strided=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool2d_ties_go_to_the_first_maximum(dtype):
    data = [np.round(np.random.default_rng(0).standard_normal((2, 2, 6, 6))).astype(dtype)]
    check(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), None, dtype, data=data)
    check(lambda x: F.max_pool2d(x, 3, 1), lambda x: TF.max_pool2d(x, 3, 1), None, dtype, data=data)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("kwargs", POOL, ids=str)
def test_avg_pool2d(kwargs, count_include_pad, dtype):
    check(lambda x: F.avg_pool2d(x, count_include_pad=count_include_pad, **kwargs),
          lambda x: TF.avg_pool2d(x, count_include_pad=count_include_pad, **kwargs), [(2, 3, 7, 8)], dtype,
          strided=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("size", [1, (1, 1), (2, 3), (3, 5), (7, 8), (4, None), (5, 3)], ids=str)
def test_adaptive_avg_pool2d(size, dtype):
    check(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size), [(2, 3, 7, 8)], dtype,
          strided=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{"scale_factor": 2}, {"scale_factor": (2, 3)}, {"size": (8, 9)},
                                    {"size": (6, 12)}, {"size": (3, 2)}, {"size": 5}], ids=str)
def test_interpolate_nearest(kwargs, dtype):
    check(lambda x: F.interpolate(x, **kwargs), lambda x: TF.interpolate(x, mode="nearest", **kwargs),
          [(2, 3, 3, 4)], dtype, strided=True)


def test_pooling_errors():
    with pytest.raises(ValueError, match="at most half the kernel"):
        F.max_pool2d(randn(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match="4-d input"):
        F.avg_pool2d(randn(4, 4), 2)
    with pytest.raises(NotImplementedError, match="bicubic"):
        F.interpolate(randn(1, 1, 2, 2), scale_factor=2, mode="bicubic")


