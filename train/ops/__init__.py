"""Ember's differentiable ops, one a file, grouped by family (math, reduce, activation, array, connection, pooling,
normalization, noise, loss). Each is a `Function` written once against the array module of its inputs.

The exporter lowers traced graphs by these class names and attrs, so they are a contract (tensor inputs in order,
then `attrs`; pairs are (height, width)):

| Function | inputs | attrs |
|---|---|---|
| Add, Sub, Mul, Div, Pow, Maximum, Minimum | a, b (broadcast) | - |
| Neg, Exp, Log, Sqrt, Abs | x | - |
| Clamp | x | min, max (None = unbounded) |
| Where | condition (bool), x, y | - |
| Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual | a, b (broadcast) | - (bool output, no gradient) |
| MatMul | a, b (batch dims broadcast) | - |
| Linear | x, weight (out, in)[, bias] | - |
| Sum, Mean, Amax, Amin | x | dim (tuple of axes or None), keepdim |
| Max, Min | x | dim (int), keepdim (values only; without a dim torch.max is Amax) |
| ArgMax, ArgMin | x | dim (int, or None for the flat index), keepdim (int64 output, no gradient) |
| Var, Std | x | dim (tuple or None), keepdim, correction |
| Reshape | x | shape (used for view, reshape, flatten, squeeze, unsqueeze) |
| Cast | x | dtype (`Tensor.to(dtype)`, `.float()`, `.long()`; a gradient only between float dtypes) |
| Permute | x | dims (used for transpose and permute) |
| Expand | x | shape (resolved, no -1) |
| Cat | x0, x1, ... | dim |
| Stack | x0, x1, ... | dim |
| Split | x | dim, sizes (one output per size; split and chunk) |
| Getitem | x | index (tuple of ints, slices, None, Ellipsis, int/bool arrays) |
| Pad | x | pad (torch order, last dim first), mode, value |
| Conv2d | x (N,C,H,W), weight (O,C/groups,KH,KW)[, bias (O,)] | stride, padding, dilation (pairs), groups |
| ConvTranspose2d | x, weight (C,O/groups,KH,KW)[, bias (O,)] | stride, padding, output_padding, dilation, groups |
| MaxPool2d | x | kernel_size, stride, padding, dilation (pairs), ceil_mode |
| AvgPool2d | x | kernel_size, stride, padding (pairs), ceil_mode, count_include_pad |
| AdaptiveAvgPool2d | x | output_size (oh, ow) |
| UpsampleNearest | x | size (oh, ow) |
| UpsampleBilinear | x | size (oh, ow), align_corners, scales (per axis or None: torch's source-coordinate rule) |
| BatchNorm | x, running_mean, running_var, weight, bias | training, momentum, eps |
| LayerNorm | x, weight, bias | normalized_shape, eps |
| ReLU, ReLU6, Sigmoid, Tanh, SiLU, Hardswish, Hardsigmoid | x | - |
| LeakyReLU | x | negative_slope |
| ELU | x | alpha |
| PReLU | x, weight (one slope, or (1, C, 1, ...) broadcast along dim 1) | - |
| GELU | x | approximate ('none' or 'tanh') |
| Softmax, LogSoftmax | x | dim |
| Embedding | indices, weight | padding_idx |
| Dropout | x (training only; never applied in eval) | p |
| CrossEntropy | logits, target[, weight] | reduction, ignore_index, label_smoothing |
| NLLLoss | log_probs, target[, weight] | reduction, ignore_index |
| MSELoss, L1Loss | input, target | reduction |
| SmoothL1Loss | input, target | reduction, beta |
| BinaryCrossEntropyWithLogits | logits, target, weight, pos_weight | reduction |

Conv2d's padding is symmetric; an asymmetric 'same' padding is a `Pad` applied before a Conv2d with padding
(0, 0). BatchNorm always gets five tensors: ones and zeros stand in for an absent weight and bias.
"""

from __future__ import annotations

from typing import Any

from .activation import (
    ELU,
    GELU,
    Hardsigmoid,
    Hardswish,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from .array import Cast, Cat, Expand, Getitem, Pad, Permute, Reshape, Split, Stack
from .connection import Conv2d, ConvTranspose2d, Embedding, Linear
from .loss import BinaryCrossEntropyWithLogits, CrossEntropy, L1Loss, MSELoss, NLLLoss, SmoothL1Loss
from .math import Abs, Add, Clamp, Div, Exp, Log, MatMul, Maximum, Minimum, Mul, Neg, Pow, Sqrt, Sub, Where
from .math.compare import Equal, Greater, GreaterEqual, Less, LessEqual, NotEqual
from .noise import Dropout
from .normalization import BatchNorm, LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d, UpsampleBilinear, UpsampleNearest
from .reduce import Amax, Amin, ArgMax, ArgMin, Max, Mean, Min, Std, Sum, Var


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """`dim` as a tuple of non-negative axes (None means all), checked against `ndim`."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(sorted(normalize_dim(d, ndim) for d in dims))


def normalize_dim(dim: int, ndim: int) -> int:
    """One axis as a non-negative int; a 0-d tensor accepts 0 and -1, as in torch."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"dimension {dim} is out of range for a tensor with {ndim} dimensions "
                         f"(expected to be in [{-n}, {n - 1}])")
    return dim % n


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Any:
    if x.ndim == 0:
        return Reshape.apply(x, shape=(1,))
    start, end = normalize_dim(start_dim, x.ndim), normalize_dim(end_dim, x.ndim)
    shape = x.shape[:start] + (-1 if 0 not in x.shape[start:end + 1] else 0,) + x.shape[end + 1:]
    return Reshape.apply(x, shape=shape)


__all__ = [
    "Abs", "AdaptiveAvgPool2d", "Add", "Amax", "Amin", "ArgMax", "ArgMin", "AvgPool2d", "BatchNorm",
    "BinaryCrossEntropyWithLogits", "Cast", "Cat", "Clamp", "Conv2d", "ConvTranspose2d", "CrossEntropy", "Div",
    "Dropout", "ELU", "Embedding", "Equal", "Exp", "Expand", "GELU", "Getitem", "Greater", "GreaterEqual",
    "Hardsigmoid", "Hardswish", "L1Loss", "LayerNorm", "LeakyReLU", "Less", "LessEqual", "Linear", "Log",
    "LogSoftmax", "MSELoss", "MatMul", "Max", "MaxPool2d", "Maximum", "Mean", "Min", "Minimum", "Mul", "NLLLoss",
    "Neg", "NotEqual", "PReLU", "Pad", "Permute", "Pow", "ReLU", "ReLU6", "Reshape", "SiLU", "Sigmoid",
    "SmoothL1Loss", "Softmax", "Split", "Sqrt", "Stack", "Std", "Sub", "Sum", "Tanh", "UpsampleBilinear",
    "UpsampleNearest", "Var", "Where", "flatten", "normalize_dim", "normalize_dims",
]
