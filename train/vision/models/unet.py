"""A small U-Net: two down-sampling stages, a bottleneck, nearest upsampling and skip CONCATENATIONs."""

from __future__ import annotations

import ember
from ember import nn

from ...tensor import Tensor
from .layers import conv_bn


def double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(conv_bn(in_channels, out_channels), conv_bn(out_channels, out_channels))


class UNetSmall(nn.Module):
    def __init__(self, in_channels: int = 3, num_classes: int = 2, base: int = 8) -> None:
        super().__init__()
        self.enc1 = double_conv(in_channels, base)
        self.enc2 = double_conv(base, 2 * base)
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = double_conv(2 * base, 4 * base)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec2 = double_conv(4 * base + 2 * base, 2 * base)
        self.dec1 = double_conv(2 * base + base, base)
        self.head = nn.Conv2d(base, num_classes, 1)

    def forward(self, x: Tensor) -> Tensor:
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottleneck(self.pool(e2))
        d2 = self.dec2(ember.cat([self.up(b), e2], dim=1))
        d1 = self.dec1(ember.cat([self.up(d2), e1], dim=1))
        return self.head(d1)


def unet_small(in_channels: int = 3, num_classes: int = 2, base: int = 8, *, seed: int = 0) -> nn.Module:
    """Per-pixel class logits (N, num_classes, H, W) for (N, in_channels, H, W), H and W divisible by 4."""
    ember.manual_seed(seed)
    return UNetSmall(in_channels, num_classes, base)


class UNetTransposed(nn.Module):
    """A U-Net whose decoder learns its upsampling: ConvTranspose2d, then PReLU, and a bilinear resize to the input
    size before the head (the segmentation and super-resolution pattern)."""

    def __init__(self, in_channels: int = 3, num_classes: int = 2, base: int = 8) -> None:
        super().__init__()
        self.enc1 = double_conv(in_channels, base)
        self.enc2 = double_conv(base, 2 * base)
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = double_conv(2 * base, 4 * base)
        self.up2 = nn.ConvTranspose2d(4 * base, 2 * base, 4, stride=2, padding=1)
        self.dec2 = nn.Sequential(nn.Conv2d(4 * base, 2 * base, 3, padding=1), nn.PReLU(2 * base))
        self.up1 = nn.ConvTranspose2d(2 * base, base, 3, stride=2, padding=1, output_padding=1)
        self.dec1 = nn.Sequential(nn.Conv2d(2 * base, base, 3, padding=1), nn.PReLU())
        self.resize = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.head = nn.Conv2d(base, num_classes, 3, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        b = self.bottleneck(self.pool(e2))
        d2 = self.dec2(ember.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(ember.cat([self.up1(d2), e1], dim=1))
        return self.head(self.resize(d1))


def unet_transposed(in_channels: int = 3, num_classes: int = 2, base: int = 8, *,
                    seed: int = 0) -> UNetTransposed:
    ember.manual_seed(seed)
    return UNetTransposed(in_channels, num_classes, base)
