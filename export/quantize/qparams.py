"""Quantisation parameters of TFLite's integer schemes (DESIGN.md, INT8_ARITHMETIC.md), nothing else:

- int8: activations int8 asymmetric per tensor, the real range widened to contain 0 so that 0.0 is exact;
  weights int8 symmetric per output channel in [-127, 127], zero point 0; bias int32 with scale s_in * s_w[c];
- 16x8 (TensorFlow's EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8): activations int16 symmetric per
  tensor (zero point 0, scale max|x| / 32767, as the converter and LiteRT's int16 kernels require), the same int8
  weights, bias int64 with scale s_in * s_w[c].

Rounding is half away from zero, as the converter's std::round (numpy's round is half to even)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INT8_MIN, INT8_MAX = -128, 127
INT16_MAX = 32767
WEIGHT_MAX = 127


@dataclass(frozen=True)
class QuantParams:
    """scale and zero_point per tensor (length 1) or per channel along `axis`."""

    scale: np.ndarray
    zero_point: np.ndarray
    axis: int = 0

    @staticmethod
    def per_tensor(scale: float, zero_point: int) -> QuantParams:
        return QuantParams(np.array([scale], np.float32), np.array([zero_point], np.int64))

    @property
    def per_channel(self) -> bool:
        return self.scale.size > 1

    def __str__(self) -> str:
        if not self.per_channel:
            return f"q(s={float(self.scale[0]):.6g}, zp={int(self.zero_point[0])})"
        return f"q(per-channel axis {self.axis}, {self.scale.size} scales)"


def round_half_away(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def activation_params(rmin: float, rmax: float) -> QuantParams:
    """Asymmetric int8 parameters covering [rmin, rmax] widened to include 0 (TFLite's nudged zero point)."""
    rmin, rmax = min(float(rmin), 0.0), max(float(rmax), 0.0)
    if not (np.isfinite(rmin) and np.isfinite(rmax)):
        raise ValueError(f"activation range [{rmin}, {rmax}] is not finite: calibration saw inf or nan")
    if rmax == rmin:  # an all-zero tensor: any scale represents it; keep it small and positive
        return QuantParams.per_tensor(1.0 / 255.0, INT8_MIN)
    scale = (rmax - rmin) / (INT8_MAX - INT8_MIN)
    zero_point_from_min = INT8_MIN - rmin / scale
    zero_point = int(np.clip(round_half_away(np.float64(zero_point_from_min)), INT8_MIN, INT8_MAX))
    return QuantParams.per_tensor(np.float32(scale), zero_point)


# LiteRT quantises a fused RELU6's bound as round(6 / scale) in int32 and refuses the op when that overflows: int16
# scales stay above 6 / 2^31 (2^-28 leaves room), which only coarsens tensors whose whole range is below 1.2e-4.
MIN_INT16_SCALE = 2.0**-28


def int16_activation_params(rmin: float, rmax: float) -> QuantParams:
    """Symmetric int16 parameters covering [rmin, rmax]: zero point 0, scale max(|rmin|, |rmax|) / 32767 (at
    least MIN_INT16_SCALE)."""
    absmax = max(abs(float(rmin)), abs(float(rmax)))
    if not np.isfinite(absmax):
        raise ValueError(f"activation range [{rmin}, {rmax}] is not finite: calibration saw inf or nan")
    if absmax == 0.0:  # an all-zero tensor: any scale represents it
        return QuantParams.per_tensor(1.0 / INT16_MAX, 0)
    return QuantParams.per_tensor(np.float32(max(absmax / INT16_MAX, MIN_INT16_SCALE)), 0)


def quantize_weights(w: np.ndarray, axis: int, min_scale: np.ndarray | None = None) -> tuple[np.ndarray, QuantParams]:
    """Symmetric per-channel int8 weights along `axis`: scale_c = max|w_c| / 127 (at least `min_scale[c]`)."""
    moved = np.moveaxis(w.astype(np.float64), axis, 0).reshape(w.shape[axis], -1)
    absmax = np.abs(moved).max(axis=1) if moved.size else np.zeros(w.shape[axis])
    scale = np.where(absmax > 0, absmax / WEIGHT_MAX, 1.0)
    if min_scale is not None:
        scale = np.maximum(scale, min_scale)
    scale = scale.astype(np.float32)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(round_half_away(w / scale.astype(np.float64).reshape(shape)), -WEIGHT_MAX, WEIGHT_MAX)
    return q.astype(np.int8), QuantParams(scale, np.zeros(w.shape[axis], np.int64), axis)


# A bias must fit int32 with room left for the accumulated products (TFLite's converter keeps it within half).
BIAS_LIMIT = (2**31 - 1) / 2


def min_weight_scale_for_bias(b: np.ndarray, input_scale: float) -> np.ndarray:
    """The smallest weight scale per channel that keeps b / (input_scale * weight_scale) inside BIAS_LIMIT: with
    tiny activations (an untrained or badly scaled layer) the weight scale is raised instead of clipping the bias,
    as TFLite's converter does."""
    return np.abs(b.astype(np.float64)) / (float(input_scale) * BIAS_LIMIT)


def quantize_bias(b: np.ndarray, input_scale: float, weight_scale: np.ndarray) -> tuple[np.ndarray, QuantParams]:
    """int32 bias with scale input_scale * weight_scale[c] (computed in float32 as the converter does)."""
    scale = (np.float32(input_scale) * weight_scale.astype(np.float32)).astype(np.float32)
    q = round_half_away(b.astype(np.float64) / scale.astype(np.float64))
    q = np.clip(q, np.iinfo(np.int32).min, np.iinfo(np.int32).max)
    return q.astype(np.int32), QuantParams(scale, np.zeros(scale.size, np.int64), 0)


def quantize_bias_int64(b: np.ndarray, input_scale: float,
                        weight_scale: np.ndarray) -> tuple[np.ndarray, QuantParams]:
    """int64 bias of the 16x8 scheme, scale input_scale * weight_scale[c]: no range to protect, so no weight-scale
    floor either."""
    scale = (np.float32(input_scale) * weight_scale.astype(np.float32)).astype(np.float32)
    q = round_half_away(b.astype(np.float64) / scale.astype(np.float64))
    return q.astype(np.int64), QuantParams(scale, np.zeros(scale.size, np.int64), 0)


def quantize_array(x: np.ndarray, params: QuantParams, dtype: type = np.int8) -> np.ndarray:
    """Real values to int8 (or int16) with per-tensor parameters: clamp(round_half_away(x / scale) + zp)."""
    q = round_half_away(np.asarray(x, np.float64) / float(params.scale[0])) + int(params.zero_point[0])
    info = np.iinfo(dtype)
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize_array(q: np.ndarray, params: QuantParams) -> np.ndarray:
    return (float(params.scale[0]) * (q.astype(np.float32) - int(params.zero_point[0]))).astype(np.float32)
