"""int8 parameter choice and observers: closed-form cases and PyTorch's observers as the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ember.export.quantize.observers import (
    HistogramObserver,
    MinMaxObserver,
    MovingAverageMinMaxObserver,
    make_observer,
)
from ember.export.quantize.qparams import (
    activation_params,
    dequantize_array,
    quantize_array,
    quantize_bias,
    quantize_weights,
)


def test_activation_params_closed_form():
    p = activation_params(0.0, 6.0)
    assert float(p.scale[0]) == np.float32(6.0 / 255) and int(p.zero_point[0]) == -128
    p = activation_params(-1.0, 1.0)  # zero point from min is -0.5: half away from zero gives -1
    assert float(p.scale[0]) == np.float32(2.0 / 255) and int(p.zero_point[0]) == -1
    p = activation_params(2.0, 4.0)  # widened to contain 0
    assert float(p.scale[0]) == np.float32(4.0 / 255) and int(p.zero_point[0]) == -128
    p = activation_params(-3.0, -1.0)
    assert int(p.zero_point[0]) == 127


@pytest.mark.parametrize("seed", range(5))
def test_activation_params_match_torch_minmax_observer(seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(1000) * rng.uniform(0.1, 10) + rng.uniform(-3, 3)).astype(np.float32)
    ours = MinMaxObserver()
    ours.observe(x)
    theirs = torch.ao.quantization.MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_affine)
    theirs(torch.tensor(x))
    scale, zp = theirs.calculate_qparams()
    p = ours.qparams()
    assert float(p.scale[0]) == pytest.approx(float(scale), rel=1e-6)
    assert abs(int(p.zero_point[0]) - int(zp)) <= 1  # torch rounds the tie half to even


def test_zero_is_exact_and_rounding_is_half_away():
    p = activation_params(-1.0, 3.0)
    assert dequantize_array(quantize_array(np.array([0.0]), p), p)[0] == 0.0
    s = float(p.scale[0])
    zp = int(p.zero_point[0])
    assert quantize_array(np.array([0.5 * s, -0.5 * s]), p).tolist() == [zp + 1, zp - 1]
    assert quantize_array(np.array([1e9, -1e9]), p).tolist() == [127, -128]


def test_weights_symmetric_per_channel():
    w = np.array([[0.5, -1.0, 0.25], [0.0, 0.0, 0.0], [2.0, 1.0, -0.5]], np.float32)
    q, p = quantize_weights(w, axis=0)
    assert q.dtype == np.int8 and p.zero_point.tolist() == [0, 0, 0]
    np.testing.assert_allclose(p.scale, [1 / 127, 1.0, 2 / 127], rtol=1e-7)
    assert q[0].tolist() == [64, -127, 32] and q[1].tolist() == [0, 0, 0] and q[2].tolist() == [127, 64, -32]
    # depthwise filters are per channel on axis 3
    wd = np.random.default_rng(0).standard_normal((1, 3, 3, 5)).astype(np.float32)
    qd, pd = quantize_weights(wd, axis=3)
    assert pd.scale.shape == (5,) and np.abs(qd).max(axis=(0, 1, 2)).tolist() == [127] * 5


def test_bias_scale_is_input_times_weight_scale():
    q, p = quantize_bias(np.array([1.0, -2.0]), 0.5, np.array([0.01, 0.02], np.float32))
    np.testing.assert_allclose(p.scale, [0.005, 0.01], rtol=1e-7)
    assert q.dtype == np.int32 and q.tolist() == [200, -200]


def test_moving_average_formula():
    obs = MovingAverageMinMaxObserver(averaging_constant=0.5)
    obs.observe(np.array([-1.0, 1.0]))
    obs.observe(np.array([-3.0, 5.0]))
    assert obs.range() == (-2.0, 3.0)


def test_histogram_percentile_clips_outliers_and_mse_shrinks_range():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-1, 1, 100000), [50.0]])
    pct = HistogramObserver(method="percentile", percentile=99.9)
    mse = HistogramObserver(method="mse")
    for chunk in np.array_split(x, 7):
        pct.observe(chunk)
        mse.observe(chunk)
    lo, hi = pct.range()
    assert -1.05 < lo < -0.9 and 0.9 < hi < 1.5
    lo, hi = mse.range()
    assert hi < 50.0 and lo <= -0.2


def test_make_observer_gives_fresh_instances_and_rejects_unknown():
    a, b = make_observer("minmax"), make_observer("minmax")
    assert a is not b
    template = MinMaxObserver()
    assert make_observer(template) is not template
    with pytest.raises(ValueError, match="unknown observer"):
        make_observer("kl")


def test_bias_that_would_overflow_int32_raises_the_weight_scale():
    from ember.export.quantize.qparams import BIAS_LIMIT, min_weight_scale_for_bias

    w = np.array([[1e-3, -2e-3], [0.5, 0.25]], np.float32)
    b = np.array([10.0, 0.001], np.float32)
    s_in = 1e-8  # a layer whose input barely moves: b / (s_in * max|w|/127) would be ~6e11 for channel 0
    q, p = quantize_weights(w, 0, min_weight_scale_for_bias(b, s_in))
    qb, pb = quantize_bias(b, s_in, p.scale)
    assert abs(int(qb[0])) <= BIAS_LIMIT + 1 and p.scale[0] > 2e-3 / 127
    assert float(p.scale[1]) == np.float32(0.5 / 127) and q[1].tolist() == [127, 64]  # unaffected channel
    np.testing.assert_allclose(qb.astype(np.float64) * pb.scale, b, rtol=1e-6)  # the bias is still exact
