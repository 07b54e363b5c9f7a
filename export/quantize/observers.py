"""Observers: watch the values a tensor takes during calibration and choose its real range [min, max].

MinMax keeps the extremes; MovingAverageMinMax averages each batch's extremes (robust to one outlier batch, as
in QAT); Histogram clips the tails by percentile or by minimising the int8 quantisation error (MSE)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .qparams import QuantParams, activation_params


class Observer:
    def observe(self, x: np.ndarray) -> None:
        raise NotImplementedError

    def range(self) -> tuple[float, float]:
        raise NotImplementedError

    @property
    def seen(self) -> bool:
        raise NotImplementedError

    def qparams(self) -> QuantParams:
        return activation_params(*self.range())


class MinMaxObserver(Observer):
    def __init__(self) -> None:
        self.min, self.max = np.inf, -np.inf

    def observe(self, x: np.ndarray) -> None:
        if x.size:
            self.min = min(self.min, float(x.min()))
            self.max = max(self.max, float(x.max()))

    @property
    def seen(self) -> bool:
        return self.min <= self.max

    def range(self) -> tuple[float, float]:
        return self.min, self.max


class MovingAverageMinMaxObserver(MinMaxObserver):
    def __init__(self, averaging_constant: float = 0.01) -> None:
        super().__init__()
        self.c = averaging_constant

    def observe(self, x: np.ndarray) -> None:
        if not x.size:
            return
        lo, hi = float(x.min()), float(x.max())
        if not self.seen:
            self.min, self.max = lo, hi
        else:
            self.min += self.c * (lo - self.min)
            self.max += self.c * (hi - self.max)


class HistogramObserver(Observer):
    """A histogram over the running [min, max] (re-binned when the range grows), then a clipped range."""

    def __init__(self, bins: int = 2048, method: str = "percentile", percentile: float = 99.99) -> None:
        if method not in ("percentile", "mse"):
            raise ValueError(f"HistogramObserver method must be 'percentile' or 'mse', got {method!r}")
        self.bins, self.method, self.percentile = bins, method, percentile
        self.hist = np.zeros(bins, np.float64)
        self.lo, self.hi = np.inf, -np.inf

    @property
    def seen(self) -> bool:
        return self.lo <= self.hi

    def observe(self, x: np.ndarray) -> None:
        x = np.asarray(x, np.float64).ravel()
        if not x.size:
            return
        lo, hi = min(self.lo, x.min()), max(self.hi, x.max())
        if hi == lo:
            hi = lo + 1e-12
        if self.seen and (lo < self.lo or hi > self.hi):
            centres = self.lo + (np.arange(self.bins) + 0.5) * (self.hi - self.lo) / self.bins
            self.hist = np.histogram(centres, self.bins, (lo, hi), weights=self.hist)[0]
        self.lo, self.hi = lo, hi
        self.hist += np.histogram(x, self.bins, (lo, hi))[0]

    def _edges(self) -> np.ndarray:
        return np.linspace(self.lo, self.hi, self.bins + 1)

    def range(self) -> tuple[float, float]:
        if not self.seen:
            return np.inf, -np.inf
        return self._percentile_range() if self.method == "percentile" else self._mse_range()

    def _percentile_range(self) -> tuple[float, float]:
        cdf = np.cumsum(self.hist) / self.hist.sum()
        tail = (100.0 - self.percentile) / 200.0  # split the clipped mass between the two tails
        edges = self._edges()
        lo = edges[np.searchsorted(cdf, tail, side="left")]
        hi = edges[min(np.searchsorted(cdf, 1.0 - tail, side="left") + 1, self.bins)]
        return float(lo), float(hi)

    def _mse_range(self) -> tuple[float, float]:
        """Shrink [lo, hi] towards 0 in steps and keep the candidate with the least expected int8 error."""
        centres = (self._edges()[:-1] + self._edges()[1:]) / 2
        best, best_err = (self.lo, self.hi), np.inf
        for f in np.linspace(1.0, 0.2, 81):
            lo, hi = min(self.lo * f, 0.0), max(self.hi * f, 0.0)
            p = activation_params(lo, hi)
            s, zp = float(p.scale[0]), int(p.zero_point[0])
            q = np.clip(np.floor(centres / s + 0.5) + zp, -128, 127)
            err = float(np.sum(self.hist * (centres - s * (q - zp)) ** 2))
            if err < best_err:
                best, best_err = (lo, hi), err
        return best


OBSERVERS: dict[str, Any] = {
    "minmax": MinMaxObserver,
    "moving_average": MovingAverageMinMaxObserver,
    "percentile": lambda: HistogramObserver(method="percentile"),
    "mse": lambda: HistogramObserver(method="mse"),
}


def make_observer(kind: str | Observer | type) -> Observer:
    if isinstance(kind, Observer):
        return copy.deepcopy(kind)  # a template: every tensor gets its own
    if isinstance(kind, type) and issubclass(kind, Observer):
        return kind()
    if kind not in OBSERVERS:
        raise ValueError(f"unknown observer {kind!r}: choose one of {sorted(OBSERVERS)} or pass an Observer")
    return OBSERVERS[kind]()
