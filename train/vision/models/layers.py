"""Building blocks the zoo's models share: conv + BatchNorm + activation, channel rounding, squeeze-excite."""

from __future__ import annotations

from collections.abc import Callable

from ember import nn

from ...tensor import Tensor


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a channel count to a multiple of `divisor`, never below 90% of `value` (MobileNet's rule)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn(in_channels: int, out_channels: int, kernel_size: int = 3, stride: int = 1, groups: int = 1,
            activation: Callable[[], nn.Module] | None = nn.ReLU) -> nn.Sequential:
    """Conv (no bias: the BatchNorm's shift replaces it) -> BatchNorm -> activation; 'same' padding for odd kernels."""
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, kernel_size // 2, groups=groups, bias=False),
              nn.BatchNorm2d(out_channels)]
    if activation is not None:
        layers.append(activation())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """x * hardsigmoid(W2 relu(W1 mean_hw(x))): a per-channel gate, broadcast over the image by MUL."""

    def __init__(self, channels: int, squeeze: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(channels, squeeze, 1)
        self.relu = nn.ReLU()
        self.expand = nn.Conv2d(squeeze, channels, 1)
        self.gate = nn.Hardsigmoid()

    def forward(self, x: Tensor) -> Tensor:
        return x * self.gate(self.expand(self.relu(self.reduce(self.pool(x)))))
