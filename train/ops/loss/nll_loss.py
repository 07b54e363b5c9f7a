"""Negative log-likelihood over log-probabilities of shape (N, C) or (N, C, d1, ...), with class weights and an
ignored target index."""

from ...autograd import Function
from .targets import reduce_loss, target_coefficients, upstream_per_sample, weighted_sum


class NLLLoss(Function):
    """Inputs: log-probabilities, int targets[, weight (C,)]. attrs: reduction, ignore_index."""

    def forward(self, logp, target, weight=None):
        xp = self.xp
        coef, self.denominator = target_coefficients(xp, "nll_loss", logp.shape, logp.dtype, target, weight,
                                                     self.attrs["ignore_index"])
        self.save_for_backward(coef)
        return reduce_loss(xp, -weighted_sum(xp, coef, logp), self.attrs["reduction"], self.denominator)

    def backward(self, g):
        (coef,) = self.saved
        up = upstream_per_sample(self.xp, g, self.attrs["reduction"], self.denominator, coef.shape, coef.dtype)
        return (-coef * up,) + (None,) * (len(self.needs_input_grad) - 1)
