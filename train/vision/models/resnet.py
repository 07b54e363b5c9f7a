"""ResNet-20 for 32x32 images (He et al. 2015, CIFAR variant): three stages of basic blocks, residual ADDs."""

from __future__ import annotations

import ember
from ember import nn

from ...tensor import Tensor
from .layers import conv_bn


class BasicBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.conv1 = conv_bn(in_channels, out_channels, 3, stride)
        self.conv2 = conv_bn(out_channels, out_channels, 3, 1, activation=None)
        # A projection shortcut (1x1 conv + BN) where the shape changes ("option B").
        self.shortcut = (conv_bn(in_channels, out_channels, 1, stride, activation=None)
                         if stride != 1 or in_channels != out_channels else nn.Identity())
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.relu(self.conv2(self.conv1(x)) + self.shortcut(x))


def resnet20(num_classes: int = 10, in_channels: int = 3, blocks_per_stage: int = 3, *, seed: int = 0) -> nn.Module:
    ember.manual_seed(seed)
    layers: list[nn.Module] = [conv_bn(in_channels, 16, 3)]
    channels = 16
    for stage, width in enumerate((16, 32, 64)):
        for i in range(blocks_per_stage):
            layers.append(BasicBlock(channels, width, 2 if stage > 0 and i == 0 else 1))
            channels = width
    return nn.Sequential(nn.Sequential(*layers), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(channels, num_classes))
