"""Each lowering rule and the layout pass, op by op, against LiteRT (reference and default kernels) and
onnxruntime; Ember's eval forward is the reference. Models here call `ember.ops` directly, so each case is one
op (or one pattern, like flatten -> linear) with its attributes."""

from __future__ import annotations

import numpy as np
import pytest
from engines import ATOL, RTOL, assert_close, export_both, litert, onnxruntime, reference

import ember
import ember.export
from ember import nn, ops

RNG = np.random.default_rng(0)


def param(*shape, scale=0.3):
    return nn.Parameter(ember.tensor((RNG.standard_normal(shape) * scale).astype(np.float32)))


class Op(nn.Module):
    """A model whose forward is `fn(self, x)`, holding parameters (or submodules) `p0, p1, ...`."""

    def __init__(self, fn, *params):
        super().__init__()
        self.fn = fn
        for i, p in enumerate(params):
            setattr(self, f"p{i}", p)

    def forward(self, x):
        return self.fn(self, x)


def conv(stride=1, padding=1, dilation=1, groups=1, cin=4, cout=6, k=3, bias=True):
    def fn(m, x):
        args = (x, m.p0, m.p1) if bias else (x, m.p0)
        return ops.Conv2d.apply(*args, stride=(stride, stride), padding=(padding, padding),
                                dilation=(dilation, dilation), groups=groups)

    return Op(fn, param(cout, cin // groups, k, k), *([param(cout)] if bias else []))


def bn(c):
    mean, var = param(c), nn.Parameter(ember.tensor(RNG.uniform(0.5, 2.0, c).astype(np.float32)))
    return mean, var, param(c, scale=1.0), param(c)


def bn_apply(m, x, first=1):
    ps = [getattr(m, f"p{first + i}") for i in range(4)]
    return ops.BatchNorm.apply(x, *ps, training=False, momentum=0.1, eps=1e-5)


def conv_bn_relu():
    def fn(m, x):
        y = ops.Conv2d.apply(x, m.p0, stride=(1, 1), padding=(1, 1), dilation=(1, 1), groups=1)
        return ops.ReLU.apply(bn_apply(m, y))

    return Op(fn, param(6, 4, 3, 3), *bn(6))


def unary(cls, **attrs):
    return Op(lambda m, x: cls.apply(x, **attrs))


IMG = (2, 4, 9, 8)
CASES = {
    "conv_same": (lambda: conv(), IMG),
    "conv_stride2_pad": (lambda: conv(stride=2), IMG),
    "conv_1x1_nobias": (lambda: conv(padding=0, k=1, bias=False), IMG),
    "conv_dilated": (lambda: conv(padding=2, dilation=2), IMG),
    "grouped_conv": (lambda: conv(groups=2, cout=6), IMG),
    "grouped_conv_4_groups_stride2_dilated": (lambda: conv(groups=4, cin=8, cout=12, stride=2, padding=2, dilation=2),
                                              (2, 8, 9, 8)),
    "depthwise": (lambda: conv(groups=4, cout=4), IMG),
    "depthwise_mult2_stride2": (lambda: conv(groups=4, cout=8, stride=2), IMG),
    "conv_bn_relu": (conv_bn_relu, IMG),
    "standalone_bn_relu6": (lambda: Op(lambda m, x: ops.ReLU6.apply(bn_apply(m, x, 0)), *bn(4)), IMG),
    "max_pool": (lambda: unary(ops.MaxPool2d, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1),
                               ceil_mode=False), (1, 3, 8, 8)),
    "max_pool_same": (lambda: unary(ops.MaxPool2d, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1),
                                    dilation=(1, 1), ceil_mode=False), (1, 3, 9, 9)),
    "avg_pool_include_pad": (lambda: unary(ops.AvgPool2d, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1),
                                           ceil_mode=False, count_include_pad=True), (1, 3, 6, 6)),
    "global_avg_pool": (lambda: unary(ops.AdaptiveAvgPool2d, output_size=(1, 1)), IMG),
    "adaptive_avg_pool_2x2": (lambda: unary(ops.AdaptiveAvgPool2d, output_size=(2, 2)), (1, 3, 8, 8)),
    "activations": (lambda: Op(lambda m, x: ops.Hardswish.apply(ops.GELU.apply(ops.SiLU.apply(ops.Hardsigmoid.apply(
        ops.LeakyReLU.apply(ops.Tanh.apply(ops.Sigmoid.apply(x) * 3.0), negative_slope=0.1) * 4.0)),
        approximate="none") * 5.0)), IMG),
    "gelu_tanh": (lambda: unary(ops.GELU, approximate="tanh"), (3, 7)),
    "cat_upsample_pad": (lambda: Op(lambda m, x: ops.Cat.apply(
        ops.UpsampleNearest.apply(x, size=(18, 16)), ops.Pad.apply(
            ops.Cat.apply(x, x, dim=3), pad=(0, 0, 5, 4), mode="constant", value=0.0), dim=1)), IMG),
    "conv_channel_softmax": (lambda: Op(lambda m, x: ops.Softmax.apply(m.p0(x), dim=1), conv(padding=0, k=1)), IMG),
    "channel_mean_no_keepdim": (lambda: Op(lambda m, x: ops.Mean.apply(x, dim=(1,), keepdim=False) * 2.0), IMG),
    "flatten_linear": (lambda: Op(lambda m, x: ops.Linear.apply(ops.ReLU.apply(m.p2(x)).flatten(1), m.p0, m.p1),
                                  param(5, 6 * 9 * 8), param(5), conv()), IMG),
    "nhwc_permute_linear": (lambda: Op(lambda m, x: ops.Linear.apply(ops.Permute.apply(m.p1(x), dims=(0, 2, 3, 1)),
                                                                     m.p0), param(5, 6), conv()), IMG),
    "layer_norm": (lambda: Op(lambda m, x: ops.LayerNorm.apply(x, m.p0, m.p1, normalized_shape=(7,), eps=1e-5),
                              param(7, scale=1.0), param(7)), (2, 5, 7)),
    "attention_matmul": (lambda: Op(lambda m, x: ops.MatMul.apply(
        ops.Softmax.apply(ops.MatMul.apply(x, ops.Permute.apply(x, dims=(0, 2, 1))) * 0.5, dim=-1), x)), (2, 5, 6)),
    "standalone_bn1d_linear": (lambda: Op(lambda m, x: bn_apply(m, ops.Linear.apply(x, m.p0), 1), param(6, 5),
                                          *bn(6)), (3, 5)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_lowering_matches_litert_and_onnxruntime(tmp_path, name):
    build, shape = CASES[name]
    model = build().eval()
    x = RNG.standard_normal(shape).astype(np.float32)
    graph, tfl, onx = export_both(model, [x], tmp_path, name)
    (expected,) = reference(model, [x])
    for engine, run in (("litert_ref", lambda: litert(tfl, [x])), ("onnxruntime", lambda: onnxruntime(onx, [x]))):
        (got,) = run()
        assert_close(got, expected, RTOL, ATOL, f"{engine}\n{graph}")
    assert "TRANSPOSE" not in graph.op_counts() or name == "attention_matmul", str(graph)
    assert "BATCH_NORM" not in graph.op_counts()
