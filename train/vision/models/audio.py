"""Keyword spotting over MFCC-like features (N, 40 coefficients, 49 frames, as a one-second window at 20 ms hops):
a depthwise-separable Conv1d network, and an LSTM variant (frames as the sequence)."""

from __future__ import annotations

import ember
from ember import nn

from ...tensor import Tensor


class KWSConv1d(nn.Module):
    def __init__(self, features: int = 40, num_classes: int = 12, width: int = 32) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(features, width, 5, stride=2, padding=2), nn.BatchNorm1d(width),
                                  nn.ReLU())
        blocks = []
        for _ in range(2):
            blocks += [nn.Conv1d(width, width, 3, padding=1, groups=width), nn.BatchNorm1d(width), nn.ReLU(),
                       nn.Conv1d(width, width, 1), nn.BatchNorm1d(width), nn.ReLU()]
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.blocks(self.stem(x)).mean(dim=2))


class KWSLSTM(nn.Module):
    def __init__(self, features: int = 40, num_classes: int = 12, hidden: int = 32) -> None:
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.lstm(x.transpose(1, 2))  # (N, features, frames) -> frames as the sequence
        return self.head(out[:, -1])


def kws_conv1d(num_classes: int = 12, *, seed: int = 0) -> KWSConv1d:
    ember.manual_seed(seed)
    return KWSConv1d(num_classes=num_classes)


def kws_lstm(num_classes: int = 12, *, seed: int = 0) -> KWSLSTM:
    ember.manual_seed(seed)
    return KWSLSTM(num_classes=num_classes)
