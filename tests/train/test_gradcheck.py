"""ember.autograd.gradcheck: central finite differences in float64 agree with backward() for composite
functions, and a wrong backward is caught with a message naming the input and the element."""

from __future__ import annotations

import numpy as np
import pytest
from oracle import dev, randn

import ember
import ember.nn.functional as F
from ember.autograd import Function, GradcheckError, gradcheck

pytestmark = pytest.mark.usefixtures("on_device")  # every test runs on each backend


def leaf(*shape, seed=0, positive=False):
    data = np.random.default_rng(seed).standard_normal(shape)
    return dev(np.abs(data) + 0.5 if positive else data, requires_grad=True)


@pytest.mark.parametrize("fn,inputs", [
    (lambda a, b: (a * b + a / b).sum(dim=1), lambda: [leaf(3, 4), leaf(4, seed=1, positive=True)]),
    (lambda x, w: F.conv2d(x, w, stride=2, padding=1, groups=2), lambda: [leaf(1, 4, 5, 5), leaf(4, 2, 3, 3, seed=1)]),
    (lambda x: F.max_pool2d(x, 3, 2, 1) + F.avg_pool2d(x, 2, 2, ceil_mode=True, count_include_pad=False)[..., :3, :3],
     lambda: [leaf(1, 2, 5, 5)]),
    (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), lambda: [leaf(4, 3, 2), leaf(3, seed=1),
                                                                                leaf(3, seed=2)]),
    (lambda x: F.layer_norm(x, (4,)).var(1) + F.gelu(x).std(0).sum(), lambda: [leaf(3, 4)]),
    (lambda x: F.cross_entropy(x, dev([0, 2, 1]), label_smoothing=0.1), lambda: [leaf(3, 4)]),
    (lambda x: ember.cat([x[1:], x[:1] ** 2], 0).permute(1, 0).split(2, 0)[1], lambda: [leaf(3, 4)]),
    (lambda x: F.interpolate(F.pad(x, (1, 2, 0, 1), mode="reflect"), scale_factor=2), lambda: [leaf(1, 1, 3, 4)]),
])
def test_gradcheck_passes_for_correct_gradients(fn, inputs):
    assert gradcheck(fn, inputs())


class BrokenSquare(Function):
    def forward(self, x):
        self.save_for_backward(x)
        return x * x

    def backward(self, g):
        (x,) = self.saved
        return g * x  # should be 2 * g * x


def test_gradcheck_reports_a_wrong_gradient():
    x = leaf(2, 3)
    with pytest.raises(GradcheckError, match=r"output 0 with respect to input 0: d out\[0\] / d in\[0\]"):
        gradcheck(BrokenSquare.apply, [x])
    assert gradcheck(BrokenSquare.apply, [x], raise_exception=False) is False


def test_gradcheck_wants_float64_and_a_grad_input():
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda x: x * 2, [randn(3, requires_grad=True)])
    with pytest.raises(ValueError, match="requires grad"):
        gradcheck(lambda x: x * 2, [dev(np.ones(3))])


def test_gradcheck_on_non_contiguous_input():
    x = dev(np.random.default_rng(0).standard_normal((4, 6)), requires_grad=True)
    x.data = x.data[:, ::2]
    assert gradcheck(lambda t: (t.exp() * t).sum(0), [x])
