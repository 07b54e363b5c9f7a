"""Recurrent layers with torch's names, parameters, gate order and results: RNN, LSTM, GRU (multi-layer,
bidirectional, batch_first, initial state, unbatched inputs, dropout between layers).

Each layer runs as ordinary differentiable ops: the input projection of all time steps is one matmul, then a Python
loop over time adds the recurrent projection and applies the gates, so backward through time is plain autograd and
the exporter sees the unrolled graph (FULLY_CONNECTED, ADD, LOGISTIC, TANH, MUL per step)."""

from __future__ import annotations

import math
from typing import Any

from ...ops import api
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class _RNNBase(Module):
    mode = "RNN_TANH"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False) -> None:
        super().__init__()
        name = type(self).__name__
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"{name}: hidden_size and num_layers must be positive, got {hidden_size}, {num_layers}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"{name}: dropout must be in [0, 1], got {dropout}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, dropout, bidirectional
        gates = _GATES[self.mode] * hidden_size
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                setattr(self, f"weight_ih{suffix}", Parameter(init.empty((gates, width))))
                setattr(self, f"weight_hh{suffix}", Parameter(init.empty((gates, hidden_size))))
                if bias:
                    setattr(self, f"bias_ih{suffix}", Parameter(init.empty((gates,))))
                    setattr(self, f"bias_hh{suffix}", Parameter(init.empty((gates,))))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _weights(self, layer: int, direction: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        return (getattr(self, f"weight_ih{suffix}"), getattr(self, f"weight_hh{suffix}"),
                getattr(self, f"bias_ih{suffix}", None), getattr(self, f"bias_hh{suffix}", None))

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:  # noqa: A002
        name = type(self).__name__
        unbatched = input.ndim == 2
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected an input of shape (L, N, {self.input_size}) "
                             f"({'(N, L, ...)' if self.batch_first else 'or (L, ...) unbatched'}), got {input.shape}")
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first else input)
        directions = 2 if self.bidirectional else 1
        states = self._initial_states(x, hx, unbatched, directions * self.num_layers)
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                out, last = self._run_layer(x, [s[index] for s in states], *self._weights(layer, direction),
                                            reverse=bool(direction))
                outputs.append(out)
                for k, value in enumerate(last):
                    finals[k].append(value)
            x = outputs[0] if directions == 1 else api.cat(outputs, dim=2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        final = [api.stack(f, dim=0) for f in finals]
        if unbatched:
            x, final = x.squeeze(1), [f.squeeze(1) for f in final]
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (tuple(final) if self.mode == "LSTM" else final[0])

    def _initial_states(self, x: Tensor, hx: Any, unbatched: bool, count: int) -> list[Tensor]:
        n = x.shape[1]
        wanted = (count, n, self.hidden_size)
        parts = 2 if self.mode == "LSTM" else 1
        if hx is None:
            zeros = Tensor(x._xp.zeros(wanted, dtype=x.dtype))
            return [zeros] * parts
        given = list(hx) if self.mode == "LSTM" else [hx]
        if len(given) != parts:
            raise ValueError(f"{type(self).__name__}: hx must be {'(h_0, c_0)' if parts == 2 else 'h_0'}")
        states = [g.unsqueeze(1) if unbatched else g for g in given]
        for s in states:
            if tuple(s.shape) != wanted:
                raise ValueError(f"{type(self).__name__}: expected an initial state of shape {wanted}"
                                 f"{' (unbatched: without N)' if unbatched else ''}, got {tuple(s.shape)}")
        return states

    def _run_layer(self, x: Tensor, state: list[Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None,
                   b_hh: Tensor | None, reverse: bool) -> tuple[Tensor, list[Tensor]]:
        projected = F.linear(x, w_ih, b_ih)  # (L, N, gates * H): every time step's input projection at once
        steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        outputs: list[Tensor] = [None] * x.shape[0]  # type: ignore[list-item]
        for t in steps:
            state = self._cell(projected[t], F.linear(state[0], w_hh, b_hh), state)
            outputs[t] = state[0]
        return api.stack(outputs, dim=0), state

    def _cell(self, xw: Tensor, hw: Tensor, state: list[Tensor]) -> list[Tensor]:
        activation = F.relu if self.mode == "RNN_RELU" else api.tanh
        return [activation(xw + hw)]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.batch_first:
            s += ", batch_first=True"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(_RNNBase):
    """torch.nn.RNN: h' = tanh (or relu) of W_ih x + b_ih + W_hh h + b_hh."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        object.__setattr__(self, "mode", "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)


class LSTM(_RNNBase):
    """torch.nn.LSTM: gates i, f, g, o (in that order in the weights); returns output, (h_n, c_n).
    `proj_size` is not supported."""

    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0) -> None:
        if proj_size:
            raise NotImplementedError("LSTM: proj_size is not supported")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)

    def _cell(self, xw: Tensor, hw: Tensor, state: list[Tensor]) -> list[Tensor]:
        i, f, g, o = api.chunk(xw + hw, 4, dim=-1)
        c = api.sigmoid(f) * state[1] + api.sigmoid(i) * api.tanh(g)
        return [api.sigmoid(o) * api.tanh(c), c]


class GRU(_RNNBase):
    """torch.nn.GRU: gates r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h."""

    mode = "GRU"

    def _cell(self, xw: Tensor, hw: Tensor, state: list[Tensor]) -> list[Tensor]:
        xr, xz, xn = api.chunk(xw, 3, dim=-1)
        hr, hz, hn = api.chunk(hw, 3, dim=-1)
        r, z = api.sigmoid(xr + hr), api.sigmoid(xz + hz)
        n = api.tanh(xn + r * hn)
        return [(1.0 - z) * n + z * state[0]]


__all__ = ["GRU", "LSTM", "RNN"]
