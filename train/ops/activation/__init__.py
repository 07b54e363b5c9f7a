from .log_softmax import LogSoftmax
from .relu import ReLU
from .softmax import Softmax

__all__ = ["LogSoftmax", "ReLU", "Softmax"]
