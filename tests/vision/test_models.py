"""The model zoo: output shapes, seeding, the width multiplier, and that each model trains (gradients flow)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.vision import models

OUTPUT_SHAPES = {"mlp": (2, 10), "lenet5": (2, 10), "vgg_bn": (2, 10), "mobilenet_v2": (2, 10),
                 "mobilenet_v3_small": (2, 10), "resnet20": (2, 10), "unet_small": (2, 2, 32, 32),
                 "transformer_classifier": (2, 4), "kws_conv1d": (2, 12), "unet_transposed": (2, 2, 32, 32),
                 "tiny_encoder": (2, 5), "kws_lstm": (2, 12)}


def test_every_model_is_listed():
    assert set(models.MODELS) == set(OUTPUT_SHAPES)


@pytest.mark.parametrize("name", list(models.MODELS))
def test_forward_shape_and_one_training_step(name):
    model = models.MODELS[name].build()
    x = ember.tensor(models.example_input(name, batch=2))
    out = model(x)
    assert out.shape == OUTPUT_SHAPES[name]
    (out * out).mean().backward()
    params = list(model.parameters())
    assert params and all(p.grad is not None for p in params), [n for n, p in model.named_parameters()
                                                                 if p.grad is None]


@pytest.mark.parametrize("name", ["lenet5", "transformer_classifier"])
def test_builders_are_seeded(name):
    build = models.MODELS[name].build
    a, b, c = build(), build(), build(seed=1)
    wa, wb, wc = (np.concatenate([p.detach().numpy().ravel() for p in m.parameters()]) for m in (a, b, c))
    np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(wa, wc)


def test_mobilenet_v2_width_multiplier_scales_channels():
    def count(m):
        return sum(p.numel() for p in m.parameters())

    half, full = models.mobilenet_v2(width_mult=0.5), models.mobilenet_v2()
    assert count(half) < 0.6 * count(full)
    assert models.mobilenet_v2(width_mult=0.5)(ember.randn(1, 3, 32, 32)).shape == (1, 10)
