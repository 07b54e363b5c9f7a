"""`ember.nn.functional`: the ops under torch.nn.functional's names and arguments. Argument checking and
normalisation (pairs, 'same' padding, optional tensors) happens here; the math lives in `ember.ops`."""

from __future__ import annotations

import math
from typing import Any

from .. import ops
from ..ops.api import sigmoid, tanh  # noqa: F401 - torch.nn.functional exposes them too
from ..ops.errors import shape_error
from ..tensor import Tensor, as_tensor

_REDUCTIONS = ("mean", "sum", "none")


def _pair(value: Any, name: str = "argument") -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    pair = tuple(int(v) for v in value)
    if len(pair) == 1:
        return (pair[0], pair[0])
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return pair  # type: ignore[return-value]


# connection ------------------------------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    if bias is None:
        return ops.Linear.apply(input, weight)
    return ops.Linear.apply(input, weight, bias)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":
            if stride != (1, 1):
                raise ValueError("conv2d: padding='same' is not supported for strided convolutions (as in torch)")
            # total padding d * (k - 1) per axis; torch puts the odd extra element at the end
            totals = [d * (k - 1) for d, k in zip(dilation, weight.shape[2:], strict=True)]
            before = tuple(t // 2 for t in totals)
            if any(t % 2 for t in totals):
                input = pad(input, (before[1], totals[1] - before[1], before[0], totals[0] - before[0]))
                padding = (0, 0)
            else:
                padding = before
        else:
            raise ValueError(f"conv2d: padding must be 'same', 'valid', an int or a pair, got {padding!r}")
    args = (input, weight) if bias is None else (input, weight, bias)
    return ops.Conv2d.apply(*args, stride=stride, padding=_pair(padding, "padding"), dilation=dilation,
                            groups=int(groups))


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:  # noqa: A002
    indices = as_tensor(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be an integer tensor, got {indices.dtype}")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return ops.Embedding.apply(indices, weight, padding_idx=padding_idx)


# activations -----------------------------------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002 - `inplace` accepted, ops never mutate
    return ops.ReLU.apply(input)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return ops.ReLU6.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    return ops.LeakyReLU.apply(input, negative_slope=float(negative_slope))


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return ops.GELU.apply(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return ops.SiLU.apply(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return ops.Hardswish.apply(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return ops.Hardsigmoid.apply(input)


def softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return ops.Softmax.apply(input, dim=dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return ops.LogSoftmax.apply(input, dim=dim)


# pooling and resampling ------------------------------------------------------------------------------------
def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported")
    kernel = _pair(kernel_size, "kernel_size")
    return ops.MaxPool2d.apply(input, kernel_size=kernel, stride=_pair(stride or kernel, "stride"),
                               padding=_pair(padding, "padding"), dilation=_pair(dilation, "dilation"),
                               ceil_mode=bool(ceil_mode))


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    if divisor_override is not None:
        raise NotImplementedError("avg_pool2d: divisor_override is not supported")
    kernel = _pair(kernel_size, "kernel_size")
    return ops.AvgPool2d.apply(input, kernel_size=kernel, stride=_pair(stride or kernel, "stride"),
                               padding=_pair(padding, "padding"), ceil_mode=bool(ceil_mode),
                               count_include_pad=bool(count_include_pad))


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    size = tuple(input.shape[-2 + i] if s is None else int(s) for i, s in enumerate(output_size))
    return ops.AdaptiveAvgPool2d.apply(input, output_size=size)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> Tensor:
    if mode != "nearest":
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported (only 'nearest')")
    if input.ndim != 4:
        raise shape_error("interpolate", f"expected a 4-d input (N, C, H, W), got {input.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        out = _pair(size, "size")
    else:
        factors = (scale_factor, scale_factor) if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        out = tuple(int(math.floor(n * f)) for n, f in zip(input.shape[2:], factors, strict=True))
    return ops.UpsampleNearest.apply(input, size=out)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: expected an even number of amounts, at most 2 per dimension of {input.shape}, "
                         f"got {pad}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    return ops.Pad.apply(input, pad=pad, mode=mode, value=float(value or 0.0))


# normalisation and regularisation --------------------------------------------------------------------------
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    if input.ndim < 2:
        raise shape_error("batch_norm", f"expected an input of shape (N, C, ...), got {input.shape}")
    c = input.shape[1]
    if running_mean is None or running_var is None:
        if not training:
            raise ValueError("batch_norm: running_mean and running_var are needed in evaluation mode")
        # batch statistics only: scratch running buffers that nobody reads
        running_mean, running_var, momentum = _filled(input, c, 0), _filled(input, c, 1), 0.0
    return ops.BatchNorm.apply(input, running_mean, running_var,
                               _filled(input, c, 1) if weight is None else weight,
                               _filled(input, c, 0) if bias is None else bias,
                               training=bool(training), momentum=float(momentum), eps=float(eps))


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
    return ops.LayerNorm.apply(input, _filled(input, shape, 1) if weight is None else weight,
                               _filled(input, shape, 0) if bias is None else bias,
                               normalized_shape=shape, eps=float(eps))


def _filled(like: Tensor, shape: Any, value: float) -> Tensor:
    return Tensor(like._xp.full(shape, value, dtype=like.dtype))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, got {p}")
    if not training or p == 0:
        return input
    return ops.Dropout.apply(input, p=float(p))


# losses ----------------------------------------------------------------------------------------------------
def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    return reduction


def _check_classes(name: str, input: Tensor, target: Any) -> Tensor:  # noqa: A002
    target = as_tensor(target)
    if input.ndim < 2:
        raise ValueError(f"{name}: input must be (N, C) or (N, C, d1, ...), got shape {input.shape}")
    if target.dtype.kind not in "iuf" or (target.dtype.kind == "f" and target.shape != input.shape):
        raise TypeError(f"{name}: targets must be class indices (an integer tensor) or class probabilities of the "
                        f"input's shape {input.shape}, got {target.dtype} of shape {target.shape}")
    return target


def _class_args(input: Tensor, target: Tensor, weight: Tensor | None) -> tuple:  # noqa: A002
    if weight is None:
        return (input, target)
    if tuple(weight.shape) != (input.shape[1],):
        raise shape_error("cross_entropy", f"class weights of shape {tuple(weight.shape)} should be "
                                           f"({input.shape[1]},)")
    return (input, target, weight)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    target = _check_classes("nll_loss", input, target)
    if target.dtype.kind == "f":
        raise TypeError(f"nll_loss: targets must be class indices (an integer tensor), got {target.dtype}")
    return ops.NLLLoss.apply(*_class_args(input, target, weight), reduction=_check_reduction(reduction),
                             ignore_index=int(ignore_index))


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  ignore_index: int = -100, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    target = _check_classes("cross_entropy", input, target)
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    return ops.CrossEntropy.apply(*_class_args(input, target, weight), reduction=_check_reduction(reduction),
                                  ignore_index=int(ignore_index), label_smoothing=float(label_smoothing))


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    return ops.MSELoss.apply(input, target, reduction=_check_reduction(reduction))


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    return ops.L1Loss.apply(input, target, reduction=_check_reduction(reduction))


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0) -> Tensor:  # noqa: A002
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    return ops.SmoothL1Loss.apply(input, target, reduction=_check_reduction(reduction), beta=float(beta))


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    target = as_tensor(target, like=input)
    if target.shape != input.shape:
        raise shape_error("binary_cross_entropy_with_logits", f"target shape {target.shape} must equal the input "
                                                              f"shape {input.shape}")
    one = Tensor(input._xp.ones((), dtype=input.dtype))
    return ops.BinaryCrossEntropyWithLogits.apply(input, target, one if weight is None else weight,
                                                  one if pos_weight is None else pos_weight,
                                                  reduction=_check_reduction(reduction))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    return input.flatten(start_dim, end_dim)
