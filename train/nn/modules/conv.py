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
        _check_channels("Conv2d", in_channels, out_channels, groups, padding_mode)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = F._pair(kernel_size), F._pair(stride)
        self.padding = padding if isinstance(padding, str) else F._pair(padding)
        self.dilation, self.padding_mode = F._pair(dilation), padding_mode
        _add_parameters(self, (out_channels, in_channels // groups, *self.kernel_size), out_channels, bias)

    def reset_parameters(self) -> None:
        _reset_conv(self.weight, self.bias, self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1])

    def forward(self, x: Tensor) -> Tensor:
        _check_input(self, x, "4-d input (N, C, H, W)")
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


class Conv1d(Module):
    """torch.nn.Conv1d: weight (out, in/groups, k), Conv2d's init; runs as a Conv2d over a unit height (which is
    also how it exports: CONV_2D on [N, 1, L, C])."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros") -> None:
        super().__init__()
        _check_channels("Conv1d", in_channels, out_channels, groups, padding_mode)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = (F._single(kernel_size, "kernel_size"),), (F._single(stride, "stride"),)
        self.padding = padding if isinstance(padding, str) else (F._single(padding, "padding"),)
        self.dilation, self.padding_mode = (F._single(dilation, "dilation"),), padding_mode
        _add_parameters(self, (out_channels, in_channels // groups, self.kernel_size[0]), out_channels, bias)

    def reset_parameters(self) -> None:
        _reset_conv(self.weight, self.bias, self.weight.shape[1] * self.kernel_size[0])

    def forward(self, x: Tensor) -> Tensor:
        _check_input(self, x, "3-d input (N, C, L)")
        padding = self.padding
        if self.padding_mode != "zeros" and padding not in ("valid", (0,)):
            if padding == "same":
                raise NotImplementedError("Conv1d: padding='same' with a padding_mode other than 'zeros'")
            x = F.pad(x, (padding[0], padding[0]), mode=_PADDING_MODES[self.padding_mode])
            padding = (0,)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding if isinstance(padding, str) else padding[0],
                        self.dilation, self.groups)

    def _signature(self) -> str:
        return f"Conv1d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, ...)"

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"


class _ConvTransposeNd(Module):
    """torch.nn.ConvTranspose1d/2d: weight (in, out/groups, *kernel), torch's init (kaiming-uniform(a=sqrt(5)) with
    fan_in = weight.shape[1] * kernel area, as torch computes it from this layout)."""

    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros") -> None:
        super().__init__()
        name = type(self).__name__
        _check_channels(name, in_channels, out_channels, groups)
        if padding_mode != "zeros":
            raise ValueError(f"{name}: only padding_mode='zeros' is supported (as in torch)")
        tup = (lambda v, n: (F._single(v, n),)) if self.dims == 1 else F._pair
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = tup(kernel_size, "kernel_size"), tup(stride, "stride")
        self.padding, self.output_padding = tup(padding, "padding"), tup(output_padding, "output_padding")
        self.dilation = tup(dilation, "dilation")
        _add_parameters(self, (in_channels, out_channels // groups, *self.kernel_size), out_channels, bias)

    def reset_parameters(self) -> None:
        _reset_conv(self.weight, self.bias, self.weight.shape[1] * math.prod(self.kernel_size))

    def forward(self, x: Tensor, output_size: Any = None) -> Tensor:
        _check_input(self, x, f"{self.dims + 2}-d input")
        output_padding = self._output_padding(x, output_size)
        fn = F.conv_transpose1d if self.dims == 1 else F.conv_transpose2d
        unpack = (lambda t: t[0]) if self.dims == 1 else (lambda t: t)
        return fn(x, self.weight, self.bias, unpack(self.stride), unpack(self.padding), unpack(output_padding),
                  self.groups, unpack(self.dilation))

    def _output_padding(self, x: Tensor, output_size: Any) -> tuple[int, ...]:
        """torch's rule: an explicit output_size picks the output_padding that reaches it."""
        if output_size is None:
            return self.output_padding
        size = list(output_size)[-self.dims:]
        pads = []
        for i in range(self.dims):
            smallest = ((x.shape[2 + i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            extra = int(size[i]) - smallest
            if not 0 <= extra < max(self.stride[i], self.dilation[i]):
                raise layer_error(self, self._signature(), f"output_size {tuple(output_size)} is not reachable "
                                                           f"from input {x.shape}")
            pads.append(extra)
        return tuple(pads)

    def _signature(self) -> str:
        return f"{type(self).__name__}({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, ...)"

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"


class ConvTranspose2d(_ConvTransposeNd):
    dims = 2


class ConvTranspose1d(_ConvTransposeNd):
    dims = 1


def _check_channels(name: str, in_channels: int, out_channels: int, groups: int,
                    padding_mode: str = "zeros") -> None:
    """The constructor checks every convolution shares: channels divisible by groups, a known padding_mode."""
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels ({out_channels}) must both be "
                         f"divisible by groups ({groups})")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"{name}: padding_mode must be one of {tuple(_PADDING_MODES)}, got {padding_mode!r}")


def _add_parameters(module: Module, weight_shape: tuple[int, ...], out_channels: int, bias: bool) -> None:
    """weight (and bias, or a None bias parameter), initialised by the module's reset_parameters."""
    module.weight = Parameter(init.empty(weight_shape))
    if bias:
        module.bias = Parameter(init.empty((out_channels,)))
    else:
        module.register_parameter("bias", None)
    module.reset_parameters()


def _check_input(module: Any, x: Tensor, expected: str) -> None:
    """x has the module's rank (`expected` names it, e.g. '4-d input (N, C, H, W)') and in_channels channels."""
    if x.ndim != len(module.kernel_size) + 2:
        raise layer_error(module, module._signature(), f"expected a {expected}, got shape {x.shape}")
    if x.shape[1] != module.in_channels:
        raise layer_error(module, module._signature(), f"input of shape {x.shape} has {x.shape[1]} channels, "
                                                       f"expected {module.in_channels}")


def _reset_conv(weight: Parameter, bias: Parameter | None, fan_in: int) -> None:
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in else 0
        init.uniform_(bias, -bound, bound)
