from .bce_with_logits import BinaryCrossEntropyWithLogits
from .cross_entropy import CrossEntropy
from .l1_loss import L1Loss
from .mse_loss import MSELoss
from .nll_loss import NLLLoss
from .smooth_l1_loss import SmoothL1Loss

__all__ = ["BinaryCrossEntropyWithLogits", "CrossEntropy", "L1Loss", "MSELoss", "NLLLoss", "SmoothL1Loss"]
