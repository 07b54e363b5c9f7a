from .activation import LogSoftmax, ReLU, Softmax
from .container import Sequential
from .flatten import Flatten
from .linear import Linear
from .loss import CrossEntropyLoss, NLLLoss
from .module import Module, register_module_forward_hook, register_module_forward_pre_hook

__all__ = [
    "CrossEntropyLoss", "Flatten", "Linear", "LogSoftmax", "Module", "NLLLoss", "ReLU", "Sequential", "Softmax",
    "register_module_forward_hook", "register_module_forward_pre_hook",
]
