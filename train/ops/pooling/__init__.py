from .adaptive_avg_pool2d import AdaptiveAvgPool2d
from .avg_pool2d import AvgPool2d
from .max_pool2d import MaxPool2d
from .upsample_bilinear import UpsampleBilinear
from .upsample_nearest import UpsampleNearest

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "MaxPool2d", "UpsampleBilinear", "UpsampleNearest"]
