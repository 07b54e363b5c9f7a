"""MobileNetV2-style (inverted residuals, depthwise convs, ReLU6, width multiplier) and MobileNetV3-small-style
(hardswish, squeeze-excite) networks, sized for 32x32 inputs."""

from __future__ import annotations

import ember
from ember import nn

from ...tensor import Tensor
from .layers import SqueezeExcite, conv_bn, make_divisible


class InvertedResidual(nn.Module):
    """1x1 expand -> 3x3 depthwise -> 1x1 linear projection, plus the input when shapes allow (MobileNetV2)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, expand_ratio: int) -> None:
        super().__init__()
        hidden = in_channels * expand_ratio
        layers: list[nn.Module] = []
        if expand_ratio != 1:
            layers.append(conv_bn(in_channels, hidden, 1, activation=nn.ReLU6))
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden, activation=nn.ReLU6),
                   conv_bn(hidden, out_channels, 1, activation=None)]
        self.conv = nn.Sequential(*layers)
        self.use_residual = stride == 1 and in_channels == out_channels

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv(x) if self.use_residual else self.conv(x)


# (expand ratio, channels, repeats, first stride): MobileNetV2's table, shortened for 32x32 images.
V2_SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 2, 2), (6, 64, 2, 2), (6, 96, 1, 1))


def mobilenet_v2(width_mult: float = 1.0, num_classes: int = 10, in_channels: int = 3, last_channel: int = 320, *,
                 seed: int = 0) -> nn.Module:
    ember.manual_seed(seed)
    channels = make_divisible(32 * width_mult)
    layers: list[nn.Module] = [conv_bn(in_channels, channels, 3, 1, activation=nn.ReLU6)]
    for t, c, n, s in V2_SETTINGS:
        out = make_divisible(c * width_mult)
        for i in range(n):
            layers.append(InvertedResidual(channels, out, s if i == 0 else 1, t))
            channels = out
    last = make_divisible(last_channel * max(1.0, width_mult))
    layers.append(conv_bn(channels, last, 1, activation=nn.ReLU6))
    return nn.Sequential(
        nn.Sequential(*layers),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2),
        nn.Linear(last, num_classes),
    )


class V3Block(nn.Module):
    """MobileNetV3's bottleneck: expand, depthwise k x k, optional squeeze-excite, project; residual if same shape."""

    def __init__(self, in_channels: int, kernel: int, hidden: int, out_channels: int, se: bool,
                 activation: type[nn.Module], stride: int) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        if hidden != in_channels:
            layers.append(conv_bn(in_channels, hidden, 1, activation=activation))
        layers.append(conv_bn(hidden, hidden, kernel, stride, groups=hidden, activation=activation))
        if se:
            layers.append(SqueezeExcite(hidden, make_divisible(hidden // 4)))
        layers.append(conv_bn(hidden, out_channels, 1, activation=None))
        self.block = nn.Sequential(*layers)
        self.use_residual = stride == 1 and in_channels == out_channels

    def forward(self, x: Tensor) -> Tensor:
        return x + self.block(x) if self.use_residual else self.block(x)


# (kernel, expanded channels, out channels, squeeze-excite, hardswish, stride): MobileNetV3-small, shortened.
V3_SMALL = ((3, 16, 16, True, False, 2), (3, 72, 24, False, False, 2), (3, 88, 24, False, False, 1),
            (5, 96, 40, True, True, 2), (5, 240, 40, True, True, 1), (5, 144, 48, True, True, 1))


def mobilenet_v3_small(num_classes: int = 10, in_channels: int = 3, *, seed: int = 0) -> nn.Module:
    ember.manual_seed(seed)
    layers: list[nn.Module] = [conv_bn(in_channels, 16, 3, 1, activation=nn.Hardswish)]
    channels = 16
    for k, hidden, out, se, hs, s in V3_SMALL:
        layers.append(V3Block(channels, k, hidden, out, se, nn.Hardswish if hs else nn.ReLU, s))
        channels = out
    layers.append(conv_bn(channels, 288, 1, activation=nn.Hardswish))
    return nn.Sequential(
        nn.Sequential(*layers),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(288, 256), nn.Hardswish(), nn.Dropout(0.2),
        nn.Linear(256, num_classes),
    )
