from .reshape import Reshape

__all__ = ["Reshape"]
