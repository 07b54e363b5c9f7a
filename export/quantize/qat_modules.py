"""The layers `prepare_qat` puts in place of Conv2d(+BatchNorm2d)(+ReLU/ReLU6) and Linear(+ReLU/ReLU6): each
computes what the int8 file will compute as one CONV_2D / FULLY_CONNECTED with its fused activation, with a
fake-quantised weight and a fake-quantised output.

BatchNorm is folded into the convolution during training, as torch.ao.nn.intrinsic.qat.ConvBn2d (Krishnamoorthi
2018, section 3.2): the weight is scaled by s = gamma / sqrt(running_var + eps) before it is fake-quantised, so the
network trains against the very weights the exporter writes. In training the convolution's output is divided by s
again and normalised with the batch statistics (which also update the running ones); in eval mode, or after
`freeze_bn_stats`, the layer is the folded convolution itself: conv(x, fq(w * s)) + beta + (b - mean) * s."""

from __future__ import annotations

from ember import nn
from ember.nn import functional as F
from ember.nn.modules.conv import _PADDING_MODES
from ember.tensor import Tensor

from .fake_quant import ActivationFakeQuant, WeightFakeQuant
from .observers import Observer

ACTIVATIONS = {"relu": F.relu, "relu6": F.relu6}


def _activation(name: str | None) -> None:
    if name is not None and name not in ACTIVATIONS:
        raise ValueError(f"fused activation must be one of {sorted(ACTIVATIONS)} or None, got {name!r}")


class QATConv2d(nn.Module):
    """Conv2d [+ BatchNorm2d folded] [+ ReLU/ReLU6], weight fake-quantised per output channel, output per tensor.

    Holds the original layers as `conv` and `bn` (their parameters and buffers keep training)."""

    def __init__(self, conv: nn.Conv2d, bn: nn.BatchNorm2d | None = None, activation: str | None = None,
                 observer: str | Observer | type = "moving_average") -> None:
        super().__init__()
        _activation(activation)
        if bn is not None and (not bn.track_running_stats or bn.num_features != conv.out_channels):
            raise ValueError(f"cannot fold {bn!r} into {conv!r}: it needs running statistics over the conv's "
                             f"{conv.out_channels} output channels")
        self.conv, self.bn, self.activation = conv, bn, activation
        self.bn_frozen = False
        self.weight_fake_quant = WeightFakeQuant(axis=0)
        self.activation_post_process = ActivationFakeQuant(observer)

    def _conv(self, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv, padding = self.conv, self.conv.padding
        if conv.padding_mode != "zeros" and padding not in ("valid", (0, 0)):
            ph, pw = padding
            x = F.pad(x, (pw, pw, ph, ph), mode=_PADDING_MODES[conv.padding_mode])
            padding = (0, 0)
        return F.conv2d(x, weight, bias, conv.stride, padding, conv.dilation, conv.groups)

    def _bn_scale(self) -> Tensor:
        """gamma / sqrt(running_var + eps) per output channel."""
        bn = self.bn
        std = (bn.running_var + bn.eps).sqrt()
        return bn.weight / std if bn.weight is not None else 1.0 / std

    def forward(self, x: Tensor) -> Tensor:
        conv, bn = self.conv, self.bn
        if bn is None:
            y = self._conv(x, self.weight_fake_quant(conv.weight), conv.bias)
        elif self.training and not self.bn_frozen:
            s = self._bn_scale()
            y = self._conv(x, self.weight_fake_quant(conv.weight * s.reshape(-1, 1, 1, 1)), None)
            y = y / s.reshape(1, -1, 1, 1)  # back to the unfolded conv's output, for the batch statistics
            if conv.bias is not None:
                y = y + conv.bias.reshape(1, -1, 1, 1)
            y = F.batch_norm(y, bn.running_mean, bn.running_var, bn.weight, bn.bias, True,
                             self._momentum(), bn.eps)
        else:
            s = self._bn_scale()
            shift = -bn.running_mean if conv.bias is None else conv.bias - bn.running_mean
            shift = shift * s if bn.bias is None else bn.bias + shift * s
            y = self._conv(x, self.weight_fake_quant(conv.weight * s.reshape(-1, 1, 1, 1)), shift)
        if self.activation is not None:
            y = ACTIVATIONS[self.activation](y)
        return self.activation_post_process(y)

    def _momentum(self) -> float:
        """BatchNorm2d's momentum rule (None: cumulative average), counting this batch."""
        bn = self.bn
        bn.num_batches_tracked.data = bn.num_batches_tracked.data + 1
        return 1.0 / float(bn.num_batches_tracked.data) if bn.momentum is None else bn.momentum

    def extra_repr(self) -> str:
        parts = ["Conv2d"] + (["BatchNorm2d (folded)"] if self.bn is not None else []) + (
            [self.activation] if self.activation else [])
        return " + ".join(parts) + (", bn frozen" if self.bn_frozen else "")


class QATLinear(nn.Module):
    """Linear [+ ReLU/ReLU6], weight fake-quantised per output row, output per tensor. Holds the layer as `linear`."""

    def __init__(self, linear: nn.Linear, activation: str | None = None,
                 observer: str | Observer | type = "moving_average") -> None:
        super().__init__()
        _activation(activation)
        self.linear, self.activation = linear, activation
        self.weight_fake_quant = WeightFakeQuant(axis=0)
        self.activation_post_process = ActivationFakeQuant(observer)

    def forward(self, x: Tensor) -> Tensor:
        y = F.linear(x, self.weight_fake_quant(self.linear.weight), self.linear.bias)
        if self.activation is not None:
            y = ACTIVATIONS[self.activation](y)
        return self.activation_post_process(y)

    def extra_repr(self) -> str:
        return "Linear" + (f" + {self.activation}" if self.activation else "")


__all__ = ["ACTIVATIONS", "QATConv2d", "QATLinear"]
