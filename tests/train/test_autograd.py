"""Engine behaviour: accumulation, no_grad, freed graphs, deep graphs, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def test_gradients_accumulate_across_backward_calls():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_no_grad_records_nothing():
    x = ember.tensor([1.0], requires_grad=True)
    with ember.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None

    @ember.no_grad()
    def f(t):
        return t * 2

    assert f(x).grad_fn is None
    assert (x * 2).grad_fn is not None


def test_backward_twice_through_freed_graph_explains_retain_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])  # 2 * 2x, closed form


def test_deep_graph_has_no_recursion_limit():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_backward_needs_scalar_or_gradient():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar output"):
        (x * 2).backward()


def test_backward_without_grad_explains():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        ember.tensor([1.0]).sum().backward()


def test_numpy_refuses_tensors_that_require_grad():
    x = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]


def test_tensor_api_basics():
    t = ember.tensor([[1, 2], [3, 4]])
    assert t.dtype == np.int64 and t.shape == (2, 2)
    assert ember.tensor([1.5]).dtype == np.float32
    assert ember.tensor(np.zeros(2)).dtype == np.float64
    assert ember.tensor([[7.0]]).item() == 7.0
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2], requires_grad=True)
    assert "grad_fn" in repr(ember.tensor([1.0], requires_grad=True) * 2)


def test_dtype_casts_carry_gradients_like_torch():
    """`.double()`/`.float()`/`.to(dtype)` are ops in torch's graph: the gradient flows back, cast to the input's
    dtype; a cast to an integer dtype has no gradient."""
    import torch

    data = np.array([[0.5, -1.25, 2.0]], dtype=np.float32)
    x = ember.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    (x.double() * x.double()).to(np.float32).sum().backward()
    (tx.double() * tx.double()).to(torch.float32).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    assert not x.long().requires_grad and not tx.long().requires_grad
    assert x.double().grad_fn is not None and x.float() is x


def test_post_accumulate_grad_hook_runs_once_with_the_whole_gradient() -> None:
    # w is used twice (closed form: d/dw sum(w*x + w*w) = x + 2w); its hook must see the sum, once, while b's
    # gradient (used by a later op in forward, so reached earlier in backward) may already be there.
    w = ember.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ember.tensor(np.array([0.5, -1.0]), requires_grad=True)
    x = np.array([3.0, 4.0])
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.data.copy()))
    ((w * ember.tensor(x) + w * w) * 1.0 + b).sum().backward()
    assert len(seen) == 1 and np.array_equal(seen[0], x + 2 * np.array([1.0, 2.0]))
    handle.remove()
    (w * 2.0).sum().backward()
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 2.0).register_post_accumulate_grad_hook(lambda t: None)
