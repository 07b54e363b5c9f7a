from .mean import Mean
from .sum import Sum

__all__ = ["Mean", "Sum"]
