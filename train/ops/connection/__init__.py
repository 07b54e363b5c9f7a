from .conv2d import Conv2d
from .embedding import Embedding
from .linear import Linear

__all__ = ["Conv2d", "Embedding", "Linear"]
