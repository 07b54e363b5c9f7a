"""Fake quantisation for quantisation-aware training: the `FakeQuantize` op and the modules that place it.

`FakeQuantize` rounds a float tensor to the int8 grid and back, `scale * (clamp(round(x / scale) + zp) - zp)`,
with TFLite's rounding (half away from zero, a division by the scale as in its QUANTIZE kernel) so that the
values training sees are those the int8 file computes. Its gradient is the straight-through estimator of
torch.fake_quantize_per_tensor_affine / _per_channel_affine: it passes where `round(x / scale) + zp` lies in
[qmin, qmax] and is zero where the clamp cuts.

- `ActivationFakeQuant`: int8 asymmetric per tensor, range from an observer (moving-average min/max by default),
  updated in training mode only;
- `FixedFakeQuant`: the parameters TFLite fixes (SOFTMAX and LOGISTIC outputs (1/256, -128), TANH (1/128, 0));
- `WeightFakeQuant`: int8 symmetric per output channel in [-127, 127], scale max|w_c| / 127 of the current weight
  (the rule of `quantize_weights`, so the exporter re-quantises a fake-quantised weight without changing it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember.autograd import Function
from ember.backend import array_module, to_host
from ember.nn import Module
from ember.tensor import Tensor

from .observers import MinMaxObserver, Observer, make_observer
from .qparams import INT8_MAX, INT8_MIN, WEIGHT_MAX, QuantParams

# A tensor a fake-quant module produced carries the module here, so a second module does not quantise it again.
SOURCE = "_ember_fake_quant_source"


class FakeQuantize(Function):
    """x (any shape), scale and zero_point (one value, or one per channel along `axis`) -> x on the int8 grid."""

    def forward(self, x: Any, scale: Any, zero_point: Any) -> Any:
        xp = self.xp
        axis, qmin, qmax = self.attrs.get("axis"), self.attrs["qmin"], self.attrs["qmax"]
        shape = [1] * x.ndim
        if axis is not None:
            shape[axis] = -1
        s = scale.astype(x.dtype).reshape(shape)
        zp = zero_point.astype(np.float64).reshape(shape)
        r = (x / s).astype(np.float64)  # x / s in x's precision, as TFLite's QUANTIZE; then exact half-away rounding
        q = xp.sign(r) * xp.floor(xp.abs(r) + 0.5) + zp
        self.save_for_backward((q >= qmin) & (q <= qmax))
        return ((xp.clip(q, qmin, qmax) - zp).astype(x.dtype) * s).astype(x.dtype)

    def backward(self, g: Any) -> Any:
        (inside,) = self.saved
        return g * inside, None, None


def fake_quantize(x: Tensor, scale: Tensor, zero_point: Tensor, qmin: int, qmax: int,
                  axis: int | None = None) -> Tensor:
    """`FakeQuantize` per tensor (`axis=None`) or per channel along `axis`."""
    if axis is not None:
        axis = axis % x.ndim
    return FakeQuantize.apply(x, scale, zero_point, axis=axis, qmin=int(qmin), qmax=int(qmax))


def source_of(x: Any) -> ActivationFakeQuant | None:
    """The fake-quant module whose output grid `x` lies on, if any."""
    return getattr(x, SOURCE, None)


def _device_array(like: Tensor, host: np.ndarray) -> Any:
    """`host` on the device of `like` (an explicit host -> device copy)."""
    return array_module(like.data).asarray(host)


class ActivationFakeQuant(Module):
    """int8 asymmetric per-tensor fake quantisation with an observer choosing the range.

    The observer updates only in training mode and while enabled (`freeze_observers` stops it); until it has seen
    a batch, the module passes values through unchanged. State (range, scale, zero point) lives in buffers, so it
    is saved with the model and moves with `.to(device)`."""

    def __init__(self, observer: str | Observer | type = "moving_average") -> None:
        super().__init__()
        self.observer = make_observer(observer)
        self.observer_enabled = True
        self.fake_quant_enabled = True
        self.register_buffer("scale", Tensor(np.ones(1, np.float32)))
        self.register_buffer("zero_point", Tensor(np.zeros(1, np.int32)))
        self.register_buffer("min_val", Tensor(np.array(np.inf, np.float32)))
        self.register_buffer("max_val", Tensor(np.array(-np.inf, np.float32)))

    @property
    def observed(self) -> bool:
        return float(self.min_val.data) <= float(self.max_val.data)

    def qparams(self) -> QuantParams:
        """The (scale, zero point) the int8 file gets for the tensor this module quantises."""
        if not self.observed:
            raise RuntimeError("this fake-quant module has observed no data: train (or run in training mode) first")
        return QuantParams.per_tensor(float(self.scale.data[0]), int(self.zero_point.data[0]))

    def observe(self, x: Tensor) -> None:
        obs = self.observer
        if isinstance(obs, MinMaxObserver):
            # min/max observers need only the extremes: copy two numbers to the host, not the tensor
            xp = array_module(x.data)
            sample = to_host(xp.stack([x.data.min(), x.data.max()])) if x.data.size else np.zeros(0, np.float32)
            if self.observed:
                obs.min, obs.max = float(self.min_val.data), float(self.max_val.data)
        else:
            sample = to_host(x.data)
        obs.observe(sample)
        if not obs.seen:
            return
        lo, hi = obs.range()
        params = obs.qparams()
        self.min_val.data = _device_array(self.min_val, np.array(lo, np.float32))
        self.max_val.data = _device_array(self.max_val, np.array(hi, np.float32))
        self.scale.data = _device_array(self.scale, params.scale.astype(np.float32))
        self.zero_point.data = _device_array(self.zero_point, params.zero_point.astype(np.int32))

    def forward(self, x: Tensor) -> Tensor:
        if self.training and self.observer_enabled:
            self.observe(x)
        if not self.fake_quant_enabled or not self.observed:
            return x
        out = fake_quantize(x, self.scale, self.zero_point, INT8_MIN, INT8_MAX)
        setattr(out, SOURCE, self)
        return out

    def extra_repr(self) -> str:
        return f"observer={type(self.observer).__name__}, {self.qparams() if self.observed else 'not observed'}"


class FixedFakeQuant(ActivationFakeQuant):
    """Fake quantisation with parameters fixed by the TFLite specification (no observer)."""

    def __init__(self, scale: float, zero_point: int) -> None:
        super().__init__("minmax")
        self.observer_enabled = False
        self.scale.data[...] = np.float32(scale)
        self.zero_point.data[...] = zero_point
        # the range the parameters cover, which also marks the module as observed
        self.min_val.data[...] = np.float32(scale * (INT8_MIN - zero_point))
        self.max_val.data[...] = np.float32(scale * (INT8_MAX - zero_point))


class SharedFakeQuant(Module):
    """Rounds an op's output to its input's grid (AVERAGE_POOL_2D keeps its input's parameters, and rounds)."""

    def forward(self, x: Tensor, source: ActivationFakeQuant | None) -> Tensor:
        if source is None or not source.fake_quant_enabled or not source.observed:
            return x
        out = fake_quantize(x, source.scale, source.zero_point, INT8_MIN, INT8_MAX)
        setattr(out, SOURCE, source)
        return out


def weight_scale(w: Any, axis: int) -> Any:
    """max|w_c| / 127 per channel along `axis` (1 for an all-zero channel), as `quantize_weights` computes it."""
    xp = array_module(w)
    moved = xp.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
    absmax = xp.abs(moved).max(axis=1).astype(np.float64) if moved.size else xp.zeros(w.shape[axis], np.float64)
    return xp.where(absmax > 0, absmax / WEIGHT_MAX, 1.0).astype(np.float32)


class WeightFakeQuant(Module):
    """int8 symmetric per-channel fake quantisation of a weight along `axis`, range from the weight itself."""

    def __init__(self, axis: int = 0) -> None:
        super().__init__()
        self.axis = axis
        self.fake_quant_enabled = True

    def forward(self, w: Tensor) -> Tensor:
        if not self.fake_quant_enabled:
            return w
        xp = array_module(w.data)
        scale = weight_scale(w.data, self.axis)
        zero_point = xp.zeros(scale.shape, np.int32)
        return fake_quantize(w, Tensor(scale), Tensor(zero_point), -WEIGHT_MAX, WEIGHT_MAX, self.axis)

    def extra_repr(self) -> str:
        return f"per-channel axis {self.axis}, [-{WEIGHT_MAX}, {WEIGHT_MAX}]"


__all__ = ["ActivationFakeQuant", "FakeQuantize", "FixedFakeQuant", "SharedFakeQuant", "WeightFakeQuant",
           "fake_quantize", "source_of", "weight_scale"]
