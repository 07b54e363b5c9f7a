"""`gradcheck`: compare the gradients backward() computes with central finite differences, in float64
(torch.autograd.gradcheck's contract: every input that requires grad, every output element)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class GradcheckError(AssertionError):
    """The analytical and numerical Jacobians differ; the message names the input, output and element."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> tuple[Any, ...]:
    out = fn(*inputs)
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True when d fn / d input from backward() matches (f(x + eps) - f(x - eps)) / 2 eps for every element,
    within atol + rtol * |numerical|. Inputs are float64 tensors (cast them first); others pass through."""
    from ..tensor import Tensor

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; create them with requires_grad=True")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(f"gradcheck: input {i} is {inputs[i].dtype}; finite differences need float64 inputs "
                            "(use .double())")
    outputs = _outputs(fn, inputs)
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        analytical = _analytical(fn, inputs, checked, k, out)
        numerical = _numerical(fn, inputs, checked, k, eps)
        for i in checked:
            a, n = analytical[i], numerical[i]
            bad = np.abs(a - n) > atol + rtol * np.abs(n)
            if bad.any():
                row, col = np.argwhere(bad)[0]
                message = (f"gradcheck: Jacobian mismatch for output {k} with respect to input {i}: d out[{row}] / "
                           f"d in[{col}] is {a[row, col]:.6g} from backward, {n[row, col]:.6g} numerically "
                           f"(atol={atol}, rtol={rtol}); {int(bad.sum())} of {bad.size} entries differ")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def _analytical(fn, inputs, checked, k, out) -> dict[int, np.ndarray]:
    """Row r of each Jacobian is the input gradient of out.flat[r] (one backward per output element)."""
    from ..tensor import Tensor

    xp = out._xp
    jac = {i: np.zeros((out.numel(), inputs[i].numel())) for i in checked}
    for r in range(out.numel()):
        for i in checked:
            inputs[i].grad = None
        out = _outputs(fn, inputs)[k]
        seed = xp.zeros(out.shape, dtype=out.dtype)
        seed.reshape(-1)[r] = 1
        out.backward(Tensor(seed))
        for i in checked:
            g = inputs[i].grad
            if g is not None:
                jac[i][r] = np.asarray(g.cpu().data, dtype=np.float64).reshape(-1)
    for i in checked:
        inputs[i].grad = None
    return jac


def _numerical(fn, inputs, checked, k, eps) -> dict[int, np.ndarray]:
    from . import grad_mode

    def evaluate():
        return np.asarray(_outputs(fn, inputs)[k].cpu().data, dtype=np.float64).reshape(-1)

    jac = {}
    with grad_mode.no_grad():
        n_out = evaluate().size
        for i in checked:
            tensor = inputs[i]
            tensor.data = tensor._xp.ascontiguousarray(tensor.data)
            flat = tensor.data.reshape(-1)  # a view of the contiguous array: writes perturb the input
            jac[i] = np.zeros((n_out, flat.size))
            for c in range(flat.size):
                original = flat[c].item()
                flat[c] = original + eps
                plus = evaluate()
                flat[c] = original - eps
                minus = evaluate()
                flat[c] = original
                jac[i][:, c] = (plus - minus) / (2 * eps)
    return jac
