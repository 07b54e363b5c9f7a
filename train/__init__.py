"""Ember: a PyTorch-style, define-by-run training framework (numpy on the CPU, cupy on NVIDIA GPUs) whose
models export to int8 TensorFlow Lite for a small C runtime. `import ember` mirrors `import torch`."""

from . import data, nn, optim
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad
from .device import device
from .random import manual_seed
from .serialization import CheckpointError, load, save
from .tensor import (
    Tensor,
    as_tensor,
    bool_,
    float32,
    float64,
    int32,
    int64,
    ones,
    randn,
    tensor,
    zeros,
)

__version__ = "0.1.0"

__all__ = [
    "CheckpointError", "Tensor", "as_tensor", "bool_", "data", "device", "enable_grad", "float32", "float64",
    "inference_mode", "int32", "int64", "is_grad_enabled", "load", "manual_seed", "nn", "no_grad", "ones",
    "optim", "randn", "save", "tensor", "zeros",
]
