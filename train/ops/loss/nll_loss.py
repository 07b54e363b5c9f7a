"""Negative log-likelihood of class indices over log-probabilities of shape (N, C) or (N, C, d1, ...)."""

from ...autograd import Function


class NLLLoss(Function):
    """attrs: reduction ('mean' | 'sum' | 'none'). Inputs: log-probabilities, int64 targets."""

    differentiable = True

    def forward(self, logp, target):
        xp = self.xp
        n_classes = logp.shape[1]
        if target.shape != (logp.shape[0],) + logp.shape[2:]:
            raise ValueError(f"nll_loss: input shape {tuple(logp.shape)} needs targets of shape "
                             f"{(logp.shape[0],) + tuple(logp.shape[2:])}, got {tuple(target.shape)}")
        if target.size and (target.min() < 0 or target.max() >= n_classes):
            raise IndexError(f"nll_loss: target values must lie in [0, {n_classes - 1}], "
                             f"got [{int(target.min())}, {int(target.max())}]")
        picked = xp.take_along_axis(logp, xp.expand_dims(target, 1), axis=1).squeeze(1)
        self.save_for_backward(target)
        self.shape, self.dtype = logp.shape, logp.dtype
        reduction = self.attrs["reduction"]
        if reduction == "none":
            return -picked
        total = -picked.sum()
        return total / max(target.size, 1) if reduction == "mean" else total

    def backward(self, g):
        (target,) = self.saved
        xp = self.xp
        if self.attrs["reduction"] == "mean":
            g = g / max(target.size, 1)
        g = xp.broadcast_to(g, target.shape) if self.attrs["reduction"] != "none" else g
        grad = xp.zeros(self.shape, dtype=self.dtype)
        xp.put_along_axis(grad, xp.expand_dims(target, 1), -xp.expand_dims(g, 1), axis=1)
        return grad, None
