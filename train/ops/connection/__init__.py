from .conv2d import Conv2d
from .conv_transpose2d import ConvTranspose2d
from .embedding import Embedding
from .linear import Linear

__all__ = ["Conv2d", "ConvTranspose2d", "Embedding", "Linear"]
