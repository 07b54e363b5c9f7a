from .gelu import GELU
from .hardsigmoid import Hardsigmoid
from .hardswish import Hardswish
from .leaky_relu import LeakyReLU
from .log_softmax import LogSoftmax
from .relu import ReLU
from .relu6 import ReLU6
from .sigmoid import Sigmoid
from .silu import SiLU
from .softmax import Softmax
from .tanh import Tanh

__all__ = ["GELU", "Hardsigmoid", "Hardswish", "LeakyReLU", "LogSoftmax", "ReLU", "ReLU6", "SiLU", "Sigmoid",
           "Softmax", "Tanh"]
