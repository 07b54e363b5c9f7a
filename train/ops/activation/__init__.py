from .elu import ELU
from .gelu import GELU
from .hardsigmoid import Hardsigmoid
from .hardswish import Hardswish
from .leaky_relu import LeakyReLU
from .log_softmax import LogSoftmax
from .prelu import PReLU
from .relu import ReLU
from .relu6 import ReLU6
from .sigmoid import Sigmoid
from .silu import SiLU
from .softmax import Softmax
from .tanh import Tanh

__all__ = ["ELU", "GELU", "Hardsigmoid", "Hardswish", "LeakyReLU", "LogSoftmax", "PReLU", "ReLU", "ReLU6", "SiLU",
           "Sigmoid",
           "Softmax", "Tanh"]
