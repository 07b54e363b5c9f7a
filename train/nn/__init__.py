"""`ember.nn`: modules, parameters, functional ops and initialisers, with torch.nn's names."""

from . import functional, init
from .modules import (
    CrossEntropyLoss,
    Flatten,
    Linear,
    LogSoftmax,
    Module,
    NLLLoss,
    ReLU,
    Sequential,
    Softmax,
)
from .parameter import Parameter

__all__ = [
    "CrossEntropyLoss", "Flatten", "Linear", "LogSoftmax", "Module", "NLLLoss", "Parameter", "ReLU", "Sequential",
    "Softmax", "functional", "init",
]
