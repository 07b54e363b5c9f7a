from __future__ import annotations

import math
from typing import Any

from ...ops.errors import layer_error
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

_PADDING_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


class Conv2d(Module):
    """torch.nn.Conv2d: weight (out, in/groups, kh, kw), kaiming-uniform(a=sqrt(5)) init, bias U(+-1/sqrt(fan_in))."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros") -> None:
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) and out_channels ({out_channels}) must both be "
                             f"divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"Conv2d: padding_mode must be one of {tuple(_PADDING_MODES)}, got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = F._pair(kernel_size), F._pair(stride)
        self.padding = padding if isinstance(padding, str) else F._pair(padding)
        self.dilation, self.padding_mode = F._pair(dilation), padding_mode
        self.weight = Parameter(init.empty((out_channels, in_channels // groups, *self.kernel_size)))
        if bias:
            self.bias = Parameter(init.empty((out_channels,)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in) if fan_in else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4:
            raise layer_error(self, self._signature(), f"expected a 4-d input (N, C, H, W), got shape {x.shape}")
        if x.shape[1] != self.in_channels:
            raise layer_error(self, self._signature(), f"input of shape {x.shape} has {x.shape[1]} channels, "
                                                       f"expected {self.in_channels}")
        padding = self.padding
        if self.padding_mode != "zeros" and padding not in ("valid", (0, 0)):
            if padding == "same":
                raise NotImplementedError("Conv2d: padding='same' with a padding_mode other than 'zeros'")
            ph, pw = padding
            x = F.pad(x, (pw, pw, ph, ph), mode=_PADDING_MODES[self.padding_mode])
            padding = (0, 0)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)

    def _signature(self) -> str:
        return f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, ...)"

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s
