"""The small classics: an MLP, LeNet-5 and a VGG-style network with BatchNorm."""

from __future__ import annotations

import ember
from ember import nn

from .layers import conv_bn


def mlp(in_features: int = 64, hidden: tuple[int, ...] = (64, 32), num_classes: int = 10, *,
        seed: int = 0) -> nn.Module:
    """Flatten -> (Linear -> ReLU)* -> Linear. Input (N, 1, 8, 8) by default (the digits images)."""
    ember.manual_seed(seed)
    layers: list[nn.Module] = [nn.Flatten()]
    for width in hidden:
        layers += [nn.Linear(in_features, width), nn.ReLU()]
        in_features = width
    layers.append(nn.Linear(in_features, num_classes))
    return nn.Sequential(*layers)


def lenet5(in_channels: int = 1, num_classes: int = 10, *, seed: int = 0) -> nn.Module:
    """LeNet-5 on (N, 1, 32, 32): two 5x5 conv + max-pool stages, then 120-84-classes fully connected."""
    ember.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, num_classes),
    )


def vgg_bn(config: tuple[int | str, ...] = (16, 16, "M", 32, 32, "M", 64, "M"), in_channels: int = 3,
           num_classes: int = 10, image_size: int = 32, *, seed: int = 0) -> nn.Module:
    """VGG-style: 3x3 conv-BN-ReLU blocks and 2x2 max-pools ('M'), flatten, a two-layer classifier."""
    ember.manual_seed(seed)
    layers: list[nn.Module] = []
    size = image_size
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(2))
            size //= 2
        else:
            layers.append(conv_bn(in_channels, int(item)))
            in_channels = int(item)
    return nn.Sequential(
        nn.Sequential(*layers),
        nn.Flatten(),
        nn.Linear(in_channels * size * size, 64), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(64, num_classes),
    )
