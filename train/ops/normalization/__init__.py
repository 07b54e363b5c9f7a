from .batch_norm import BatchNorm
from .layer_norm import LayerNorm

__all__ = ["BatchNorm", "LayerNorm"]
