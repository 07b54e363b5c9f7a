"""One tiny model per export rule: for each traced op of the TFLite rule table
(`ember.export.lowering.registry.RULES`), or "op/variant" for a second case of one rule, a model producing it and
an input for it. The rule-coverage test exports and runs every one of them (float32 and each quantisation mode
its ops allow), and tools/export_table.py reads which TFLite ops each lowers to for the README's export table."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import ember
from ember import nn, ops
from ember.autograd import Function

from .api import to_graph

RNG = np.random.default_rng(0)
IMG = (2, 4, 6, 5)


class Rsqrt(Function):
    """No ember op traces as Rsqrt (LayerNorm lowers to RSQRT itself); a user Function named so reaches the rule."""

    def forward(self, x):
        return (1.0 / self.xp.sqrt(x)).astype(x.dtype)


class Op(nn.Module):
    """forward(x) = fn(self, x), holding parameters p0, p1, ..."""

    def __init__(self, fn: Callable, *params):
        super().__init__()
        self.fn = fn
        for i, p in enumerate(params):
            setattr(self, f"p{i}", p)

    def forward(self, x):
        return self.fn(self, x)


def param(*shape, scale=0.5, low=None):
    data = RNG.uniform(low, 2.0, shape) if low is not None else RNG.standard_normal(shape) * scale
    return nn.Parameter(ember.tensor(data.astype(np.float32)))


def positive(shape):
    return RNG.uniform(0.2, 3.0, shape).astype(np.float32)


def normal(shape):
    return RNG.standard_normal(shape).astype(np.float32)


def indices(shape):
    return RNG.integers(0, 7, shape).astype(np.int32)


def bn(c):
    return param(c), param(c, low=0.5), param(c), param(c)


# traced op (or "op/variant" for a second case of one rule) -> (model factory, input factory, input shape).
# Inputs of LOG, SQRT and RSQRT are positive.
CASES: dict[str, tuple[Callable[[], nn.Module], Callable, tuple[int, ...]]] = {
    "Abs": (lambda: Op(lambda m, x: ops.Abs.apply(x)), normal, (3, 7)),
    "AdaptiveAvgPool2d": (lambda: Op(lambda m, x: ops.AdaptiveAvgPool2d.apply(x, output_size=(1, 1))), normal, IMG),
    "Add": (lambda: Op(lambda m, x: x + m.p0, param(5)), normal, (3, 5)),
    "Amax": (lambda: Op(lambda m, x: ops.Amax.apply(x, dim=(1,), keepdim=False)), normal, (3, 4, 5)),
    "Amin": (lambda: Op(lambda m, x: ops.Amin.apply(x, dim=(0, 2), keepdim=True)), normal, (3, 4, 5)),
    "AvgPool2d": (lambda: Op(lambda m, x: ops.AvgPool2d.apply(x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0),
                                                              ceil_mode=False, count_include_pad=True)), normal, IMG),
    "BatchNorm": (lambda: Op(lambda m, x: ops.BatchNorm.apply(x, m.p0, m.p1, m.p2, m.p3, training=False,
                                                              momentum=0.1, eps=1e-5), *bn(4)), normal, IMG),
    "Cat": (lambda: Op(lambda m, x: ops.Cat.apply(x, x * 2.0, dim=1)), normal, (3, 4)),
    "Clamp": (lambda: Op(lambda m, x: ops.Clamp.apply(x, min=0, max=6)), normal, (3, 7)),
    "Conv2d": (lambda: Op(lambda m, x: ops.Conv2d.apply(x, m.p0, m.p1, stride=(1, 1), padding=(1, 1),
                                                        dilation=(1, 1), groups=1), param(3, 4, 3, 3), param(3)),
               normal, IMG),
    "Conv2d/depthwise": (lambda: Op(lambda m, x: ops.Conv2d.apply(x, m.p0, m.p1, stride=(2, 2), padding=(1, 1),
                                                                  dilation=(1, 1), groups=4),
                                    param(8, 1, 3, 3), param(8)), normal, IMG),
    "Conv2d/grouped": (lambda: Op(lambda m, x: ops.Conv2d.apply(x, m.p0, m.p1, stride=(1, 2), padding=(1, 0),
                                                                dilation=(1, 1), groups=2),
                                  param(6, 2, 3, 2), param(6)), normal, IMG),
    "Div": (lambda: Op(lambda m, x: x / (ops.Abs.apply(x) + 1.0)), normal, (3, 5)),
    "Embedding": (lambda: Op(lambda m, x: ops.Embedding.apply(x, m.p0, padding_idx=None), param(7, 5)), indices,
                  (2, 3)),
    "Exp": (lambda: Op(lambda m, x: ops.Exp.apply(x)), normal, (3, 7)),
    "GELU": (lambda: Op(lambda m, x: ops.GELU.apply(x, approximate="none")), normal, (3, 7)),
    "Hardsigmoid": (lambda: Op(lambda m, x: ops.Hardsigmoid.apply(x)), normal, (3, 7)),
    "Hardswish": (lambda: Op(lambda m, x: ops.Hardswish.apply(x)), normal, (3, 7)),
    "LayerNorm": (lambda: Op(lambda m, x: ops.LayerNorm.apply(x, m.p0, m.p1, normalized_shape=(6,), eps=1e-5),
                             param(6), param(6)), normal, (2, 3, 6)),
    "LeakyReLU": (lambda: Op(lambda m, x: ops.LeakyReLU.apply(x, negative_slope=0.1)), normal, (3, 7)),
    "Linear": (lambda: Op(lambda m, x: ops.Linear.apply(x, m.p0, m.p1), param(4, 6), param(4)), normal, (3, 6)),
    "Log": (lambda: Op(lambda m, x: ops.Log.apply(x)), positive, (3, 7)),
    "LogSoftmax": (lambda: Op(lambda m, x: ops.LogSoftmax.apply(x, dim=-1)), normal, (3, 7)),
    "MatMul": (lambda: Op(lambda m, x: ops.MatMul.apply(x, ops.Permute.apply(x, dims=(0, 2, 1)))), normal, (2, 3, 4)),
    "Max": (lambda: Op(lambda m, x: ops.Max.apply(x, dim=1, keepdim=True)), normal, (3, 4, 5)),
    "MaxPool2d": (lambda: Op(lambda m, x: ops.MaxPool2d.apply(x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0),
                                                              dilation=(1, 1), ceil_mode=False)), normal, IMG),
    "Maximum": (lambda: Op(lambda m, x: ops.Maximum.apply(x, x * -0.5)), normal, (3, 5)),
    "Mean": (lambda: Op(lambda m, x: ops.Mean.apply(x, dim=(1,), keepdim=False)), normal, (3, 4, 5)),
    "Min": (lambda: Op(lambda m, x: ops.Min.apply(x, dim=0, keepdim=False)), normal, (3, 4, 5)),
    "Minimum": (lambda: Op(lambda m, x: ops.Minimum.apply(x, x * -0.5)), normal, (3, 5)),
    "Mul": (lambda: Op(lambda m, x: x * m.p0, param(5)), normal, (3, 5)),
    "Neg": (lambda: Op(lambda m, x: -x), normal, (3, 5)),
    "Pad": (lambda: Op(lambda m, x: ops.Pad.apply(x, pad=(1, 2), mode="constant", value=0.0)), normal, (3, 5)),
    "Permute": (lambda: Op(lambda m, x: ops.Permute.apply(x, dims=(0, 2, 1))), normal, (2, 3, 4)),
    "Pow": (lambda: Op(lambda m, x: x ** 2), normal, (3, 5)),
    "ReLU": (lambda: Op(lambda m, x: ops.ReLU.apply(x)), normal, (3, 7)),
    "ReLU6": (lambda: Op(lambda m, x: ops.ReLU6.apply(x * 4.0)), normal, (3, 7)),
    "Reshape": (lambda: Op(lambda m, x: ops.Reshape.apply(x, shape=(3, 2, 10))), normal, (3, 4, 5)),
    "Rsqrt": (lambda: Op(lambda m, x: Rsqrt.apply(x)), positive, (3, 7)),
    "SiLU": (lambda: Op(lambda m, x: ops.SiLU.apply(x)), normal, (3, 7)),
    "Sigmoid": (lambda: Op(lambda m, x: ops.Sigmoid.apply(x)), normal, (3, 7)),
    "Softmax": (lambda: Op(lambda m, x: ops.Softmax.apply(x, dim=-1)), normal, (3, 7)),
    "Sqrt": (lambda: Op(lambda m, x: ops.Sqrt.apply(x)), positive, (3, 7)),
    "Stack": (lambda: Op(lambda m, x: ops.Stack.apply(x, x * 2.0, dim=1)), normal, (3, 4)),
    "Sub": (lambda: Op(lambda m, x: x - m.p0, param(5)), normal, (3, 5)),
    "Sum": (lambda: Op(lambda m, x: ops.Sum.apply(x, dim=(0, 2), keepdim=False)), normal, (3, 4, 5)),
    "Tanh": (lambda: Op(lambda m, x: ops.Tanh.apply(x)), normal, (3, 7)),
    "UpsampleNearest": (lambda: Op(lambda m, x: ops.UpsampleNearest.apply(x, size=(12, 10))), normal, IMG),
    # transposed convolution: SAME (one op), VALID + crop, output_padding (PAD), no bias
    "ConvTranspose2d": (lambda: Op(lambda m, x: ops.ConvTranspose2d.apply(
        x, m.p0, m.p1, stride=(2, 2), padding=(1, 1), output_padding=(0, 0), dilation=(1, 1), groups=1),
        param(4, 3, 4, 4), param(3)), normal, IMG),
    "ConvTranspose2d/crop": (lambda: Op(lambda m, x: ops.ConvTranspose2d.apply(
        x, m.p0, m.p1, stride=(2, 1), padding=(1, 1), output_padding=(1, 0), dilation=(1, 1), groups=1),
        param(4, 5, 3, 3), param(5)), normal, IMG),
    "ConvTranspose2d/valid": (lambda: Op(lambda m, x: ops.ConvTranspose2d.apply(
        x, m.p0, stride=(3, 2), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1), groups=1),
        param(4, 2, 3, 2)), normal, IMG),
    "UpsampleBilinear": (lambda: Op(lambda m, x: ops.UpsampleBilinear.apply(
        x, size=(12, 10), align_corners=False, scales=(2.0, 2.0))), normal, IMG),
    "UpsampleBilinear/align_corners": (lambda: Op(lambda m, x: ops.UpsampleBilinear.apply(
        x, size=(9, 7), align_corners=True, scales=None)), normal, IMG),
    "Getitem": (lambda: Op(lambda m, x: x[:, 1:, ::2, ::-1]), normal, IMG),
    "Getitem/int_and_none": (lambda: Op(lambda m, x: x[1, None, :, -2]), normal, (3, 4, 5)),
    "Getitem/gather": (lambda: Op(lambda m, x: x[:, np.array([3, 0, 0, 2])]), normal, (3, 4, 5)),
    "Split": (lambda: Op(lambda m, x: ops.Split.apply(x, dim=1, sizes=(1, 3))[1]), normal, IMG),
    "Where": (lambda: Op(lambda m, x: ops.api.where(x > 0.2, x, x * 0.5)), normal, (3, 7)),
    "Greater": (lambda: Op(lambda m, x: (x > 0.1).float()), normal, (3, 7)),
    "GreaterEqual": (lambda: Op(lambda m, x: (x >= m.p0).float(), param(7)), normal, (3, 7)),
    "Less": (lambda: Op(lambda m, x: (x < 0.1).float()), normal, (3, 7)),
    "LessEqual": (lambda: Op(lambda m, x: (x <= m.p0).float(), param(7)), normal, (3, 7)),
    "Equal": (lambda: Op(lambda m, x: (x == x.clamp(min=0)).float()), normal, (3, 7)),
    "NotEqual": (lambda: Op(lambda m, x: (x != x.clamp(min=0)).float()), normal, (3, 7)),
    "Cast": (lambda: Op(lambda m, x: (x * 4.0).to(ember.int32)), normal, (3, 7)),
    "PReLU": (lambda: Op(lambda m, x: ops.PReLU.apply(x, m.p0), param(1, 4, 1, 1)), normal, IMG),
    "PReLU/shared": (lambda: Op(lambda m, x: ops.PReLU.apply(x, m.p0), param(1)), normal, (3, 7)),
    "ELU": (lambda: Op(lambda m, x: ops.ELU.apply(x, alpha=1.0)), normal, (3, 7)),
    "ELU/alpha": (lambda: Op(lambda m, x: ops.ELU.apply(x, alpha=0.7)), normal, (3, 7)),
    "Expand": (lambda: Op(lambda m, x: ops.api.expand(x, 2, 3, 7) * 1.5), normal, (3, 1)),
}


def example(name: str, seed: int) -> np.ndarray:
    global RNG
    RNG = np.random.default_rng(seed)
    _, make, shape = CASES[name]
    return make(shape)


def model(name: str) -> nn.Module:
    global RNG
    RNG = np.random.default_rng(1000)
    return CASES[name][0]().eval()


def lowered_ops(name: str) -> set[str]:
    """The TFLite ops case `name` lowers to (float32)."""
    return set(to_graph(model(name), ember.tensor(example(name, 0))).op_counts())


