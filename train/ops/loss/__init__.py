from .cross_entropy import CrossEntropy
from .nll_loss import NLLLoss

__all__ = ["CrossEntropy", "NLLLoss"]
