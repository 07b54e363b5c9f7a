"""`ember.nn.functional`: the ops under torch.nn.functional's names and arguments. Argument checking and
normalisation (pairs, 'same' padding, optional tensors) happens here; the math lives in `ember.ops`."""

from __future__ import annotations

import math
from typing import Any

from .. import ops
from ..ops.api import sigmoid, tanh, where  # noqa: F401 - torch.nn.functional exposes them too
from ..ops.api import split as _split
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


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """conv2d over a unit height: (N, C, L) with weight (O, C/groups, K)."""
    if input.ndim != 3 or weight.ndim != 3:
        raise shape_error("conv1d", f"expected a 3-d input (N, C, L) and weight (O, C/groups, K), got input "
                                    f"{input.shape} and weight {weight.shape}")
    pad1 = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    y = conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, _single(stride, "stride")), pad1,
               (1, _single(dilation, "dilation")), groups)
    return y.squeeze(2)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    """torch.nn.functional.conv_transpose2d (note torch's argument order: groups before dilation)."""
    args = (input, weight) if bias is None else (input, weight, bias)
    return ops.ConvTranspose2d.apply(*args, stride=_pair(stride, "stride"), padding=_pair(padding, "padding"),
                                     output_padding=_pair(output_padding, "output_padding"),
                                     dilation=_pair(dilation, "dilation"), groups=int(groups))


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    if input.ndim != 3 or weight.ndim != 3:
        raise shape_error("conv_transpose1d", f"expected a 3-d input (N, C, L) and weight (C, O/groups, K), got "
                                              f"input {input.shape} and weight {weight.shape}")
    y = conv_transpose2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, _single(stride, "stride")),
                         (0, _single(padding, "padding")), (0, _single(output_padding, "output_padding")), groups,
                         (1, _single(dilation, "dilation")))
    return y.squeeze(2)


def _single(value: Any, name: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"expected one {name} value for a 1-d op, got {value!r}")
        value = value[0]
    return int(value)


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


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """max(0, x) + weight * min(0, x), weight one value or one per channel (dim 1)."""
    w = weight
    if weight.numel() > 1:
        if input.ndim < 2 or input.shape[1] != weight.numel():
            raise shape_error("prelu", f"{weight.numel()} weights need an input with {weight.numel()} channels in "
                                       f"dimension 1, got {input.shape}")
        w = weight.reshape(1, -1, *([1] * (input.ndim - 2)))
    return ops.PReLU.apply(input, w)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    return ops.ELU.apply(input, alpha=float(alpha))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return _SELU_SCALE * elu(input, _SELU_ALPHA)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold (torch's linear region)."""
    scaled = input * beta
    soft = (scaled.clamp(max=threshold).exp() + 1.0).log() / beta
    return where(scaled > threshold, input, soft)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return input * softplus(input).tanh()


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
    if mode not in ("nearest", "bilinear"):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported ('nearest' and 'bilinear' are)")
    if align_corners is not None and mode == "nearest":
        raise ValueError("interpolate: align_corners only applies to mode='bilinear' (as in torch)")
    if input.ndim != 4:
        raise shape_error("interpolate", f"expected a 4-d input (N, C, H, W), got {input.shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    scales = None
    if size is not None:
        out = _pair(size, "size")
    else:
        factors = (scale_factor, scale_factor) if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        out = tuple(int(math.floor(n * f)) for n, f in zip(input.shape[2:], factors, strict=True))
        scales = None if recompute_scale_factor else tuple(float(f) for f in factors)
    if mode == "nearest":
        return ops.UpsampleNearest.apply(input, size=out)
    return ops.UpsampleBilinear.apply(input, size=out, align_corners=bool(align_corners), scales=scales)


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """torch.nn.functional.upsample_bilinear: interpolate(..., mode='bilinear', align_corners=True)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    """(N, C*r*r, H, W) -> (N, C, H*r, W*r): channel c*r*r + i*r + j goes to pixel (h*r + i, w*r + j)."""
    r = int(upscale_factor)
    n, c, h, w = _nchw("pixel_shuffle", input)
    if c % (r * r):
        raise shape_error("pixel_shuffle", f"{c} channels are not divisible by upscale_factor^2 = {r * r}")
    x = input.reshape(n, c // (r * r), r, r, h, w).permute(0, 1, 4, 2, 5, 3)
    return x.reshape(n, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    """The inverse of pixel_shuffle: (N, C, H*r, W*r) -> (N, C*r*r, H, W)."""
    r = int(downscale_factor)
    n, c, h, w = _nchw("pixel_unshuffle", input)
    if h % r or w % r:
        raise shape_error("pixel_unshuffle", f"spatial size {(h, w)} is not divisible by downscale_factor {r}")
    x = input.reshape(n, c, h // r, r, w // r, r).permute(0, 1, 3, 5, 2, 4)
    return x.reshape(n, c * r * r, h // r, w // r)


def _nchw(name: str, x: Tensor) -> tuple[int, int, int, int]:
    if x.ndim != 4:
        raise shape_error(name, f"expected a 4-d input (N, C, H, W), got {x.shape}")
    return tuple(int(d) for d in x.shape)


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


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,  # noqa: A002
               eps: float = 1e-5) -> Tensor:
    """Normalise each sample's channel groups (biased variance), then scale and shift per channel."""
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise shape_error("group_norm", f"input {input.shape} needs channels (dimension 1) divisible by "
                                        f"num_groups {num_groups}")
    n, c = input.shape[:2]
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(dim=2, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(dim=2, keepdim=True)
    y = (centred / (var + eps).sqrt()).reshape(*input.shape)
    return _affine(y, weight, bias)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,  # noqa: A002
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each (sample, channel) over its spatial positions; with running statistics (track_running_stats)
    their average over the batch moves towards the batch's as batch norm's do."""
    if input.ndim < 3:
        raise shape_error("instance_norm", f"expected (N, C, ...) with spatial dimensions, got {input.shape}")
    axes = tuple(range(2, input.ndim))
    shape = (1, input.shape[1]) + (1,) * (input.ndim - 2)
    if use_input_stats:
        mean = input.mean(dim=axes, keepdim=True)
        centred = input - mean
        var = (centred * centred).mean(dim=axes, keepdim=True)
        if running_mean is not None and running_var is not None:
            count = input.numel() // (input.shape[0] * input.shape[1])
            m = mean.data.mean(axis=0).reshape(-1)
            v = (var.data * (count / max(count - 1, 1))).mean(axis=0).reshape(-1)
            running_mean.data = ((1 - momentum) * running_mean.data + momentum * m).astype(running_mean.dtype)
            running_var.data = ((1 - momentum) * running_var.data + momentum * v).astype(running_var.dtype)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and running_var")
        centred = input - running_mean.reshape(*shape)
        var = running_var.reshape(*shape)
    return _affine(centred / (var + eps).sqrt(), weight, bias)


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    """y * weight + bias with (C,) parameters along dimension 1."""
    shape = (1, y.shape[1]) + (1,) * (y.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(*shape)
    if bias is not None:
        y = y + bias.reshape(*shape)
    return y


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


# attention ----------------------------------------------------------------------------------------------------------
def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q k^T * scale + mask) v over the last two dimensions (..., L, E) x (..., S, E). A bool mask keeps the
    positions where it is True (torch's meaning for this function); a float mask is added; is_causal masks the
    upper triangle. A row with every position masked gives NaN, as torch does."""
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    scores = query @ key.transpose(-2, -1) * (scale if scale is not None else 1.0 / math.sqrt(query.shape[-1]))
    scores = _masked_scores(scores, attn_mask, is_causal, keep_true=True)
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


def _masked_scores(scores: Tensor, mask: Tensor | None, is_causal: bool, keep_true: bool) -> Tensor:
    """scores with -inf where a bool mask forbids (True = keep when keep_true, True = forbid otherwise) and a float
    mask added; is_causal forbids key positions after the query's."""
    xp = scores._xp
    if is_causal:
        l_len, s_len = scores.shape[-2:]
        allowed = xp.tril(xp.ones((l_len, s_len), dtype=bool))
        scores = where(Tensor(allowed), scores, Tensor(xp.asarray(-xp.inf, dtype=scores.dtype)))
    if mask is not None:
        mask = as_tensor(mask)
        if mask.dtype == bool:  # both branches with tensor ops, so an exported graph keeps the mask an input
            forbidden = Tensor(xp.asarray(-xp.inf, dtype=scores.dtype))
            scores = where(mask, scores, forbidden) if keep_true else where(mask, forbidden, scores)
        else:
            scores = scores + mask
    return scores


def multi_head_attention(query: Tensor, key: Tensor, value: Tensor, num_heads: int, in_proj_weight: Tensor,
                         in_proj_bias: Tensor | None, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
                         key_padding_mask: Tensor | None = None, need_weights: bool = True,
                         attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                         is_causal: bool = False, dropout_p: float = 0.0,
                         training: bool = True) -> tuple[Tensor, Tensor | None]:
    """torch.nn.MultiheadAttention's forward on batch-first (N, L, E) inputs. Masks use torch's module meaning: a
    bool attn_mask (L, S) or (N*heads, L, S) and a bool key_padding_mask (N, S) are True where attention is NOT
    allowed; float masks are added to the scores."""
    n, l_len, e = query.shape
    s_len, h = key.shape[1], num_heads
    d = e // h
    w_q, w_k, w_v = _split(in_proj_weight, e, 0)
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = _split(in_proj_bias, e, 0)
    q = linear(query, w_q, b_q).reshape(n, l_len, h, d).transpose(1, 2)
    k = linear(key, w_k, b_k).reshape(n, s_len, h, d).transpose(1, 2)
    v = linear(value, w_v, b_v).reshape(n, s_len, h, d).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(d))  # (N, H, L, S)
    if attn_mask is not None and attn_mask.ndim == 3:
        attn_mask = attn_mask.reshape(n, h, l_len, s_len)
    scores = _masked_scores(scores, attn_mask, is_causal and attn_mask is None, keep_true=False)
    if key_padding_mask is not None:
        scores = _masked_scores(scores, as_tensor(key_padding_mask).reshape(n, 1, 1, s_len), False, keep_true=False)
    weights = softmax(scores, dim=-1)
    if dropout_p > 0.0 and training:
        weights = dropout(weights, dropout_p, training=True)
    out = (weights @ v).transpose(1, 2).reshape(n, l_len, e)
    out = linear(out, out_proj_weight, out_proj_bias)
    if not need_weights:
        return out, None
    return out, weights.mean(dim=1) if average_attn_weights else weights

