from .cast import Cast
from .cat import Cat
from .expand import Expand
from .getitem import Getitem
from .pad import Pad
from .permute import Permute
from .reshape import Reshape
from .split import Split
from .stack import Stack

__all__ = ["Cast", "Cat", "Expand", "Getitem", "Pad", "Permute", "Reshape", "Split", "Stack"]
