"""Ember: a PyTorch-style, define-by-run training framework (numpy on the CPU, cupy on NVIDIA GPUs) whose
models export to int8 TensorFlow Lite for a small C runtime. `import ember` mirrors `import torch`."""

from . import autograd, data, distributed, nn, optim
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad
from .creation import arange, full, ones, ones_like, rand, randn, zeros, zeros_like
from .device import device
from .ops.api import (
    abs,
    amax,
    amin,
    argmax,
    argmin,
    cat,
    chunk,
    clamp,
    exp,
    flip,
    log,
    max,
    maximum,
    min,
    minimum,
    permute,
    pow,
    repeat,
    reshape,
    roll,
    sigmoid,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    tanh,
    transpose,
    unbind,
    unsqueeze,
    var,
    where,
)
from .random import manual_seed
from .serialization import CheckpointError, load, save
from .tensor import Tensor, as_tensor, bool_, float32, float64, int32, int64, tensor
from .trainer import Trainer

__version__ = "0.1.0"

__all__ = [
    "CheckpointError", "Tensor", "Trainer", "abs", "amax", "amin", "arange", "argmax", "argmin", "as_tensor",
    "autograd", "bool_", "cat", "chunk", "clamp", "data", "device", "distributed", "enable_grad", "exp", "flip",
    "float32", "float64", "full", "inference_mode", "int32", "int64", "is_grad_enabled", "load", "log",
    "manual_seed", "max", "maximum", "min", "minimum", "nn", "no_grad", "ones", "ones_like", "optim", "permute",
    "pow", "rand", "randn", "repeat", "reshape", "roll", "save", "sigmoid", "split", "sqrt", "squeeze", "stack",
    "std", "tanh", "tensor", "transpose", "unbind", "unsqueeze", "var", "where", "zeros", "zeros_like",
]
