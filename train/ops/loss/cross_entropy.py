"""Cross-entropy of logits against class indices or class probabilities, fused with log-softmax for stability,
with class weights, ignore_index and label smoothing (torch.nn.functional.cross_entropy)."""

from ...autograd import Function
from ..activation.log_softmax import log_softmax_array
from .targets import reduce_loss, target_coefficients, upstream_per_sample, weighted_sum


class CrossEntropy(Function):
    """Inputs: logits (N, C, ...), targets[, weight (C,)]. attrs: reduction, ignore_index, label_smoothing.
    d loss / d logits = (softmax(logits) * sum(coef) - coef) per sample, scaled by the reduction."""

    def forward(self, logits, target, weight=None):
        xp, a = self.xp, self.attrs
        logp = log_softmax_array(xp, logits, 1)
        coef, self.denominator = target_coefficients(xp, "cross_entropy", logits.shape, logits.dtype, target, weight,
                                                     a["ignore_index"], a["label_smoothing"])
        self.save_for_backward(logp, coef, weight)
        return reduce_loss(xp, -weighted_sum(xp, coef, logp), a["reduction"], self.denominator)

    def backward(self, g):
        logp, coef, weight = self.saved
        xp, a = self.xp, self.attrs
        up = upstream_per_sample(xp, g, a["reduction"], self.denominator, logp.shape, logp.dtype)
        g_logits = (xp.exp(logp) * coef.sum(axis=1, keepdims=True) - coef) * up
        g_target = None
        if self.needs_input_grad[1]:  # probability targets: d/dt of -(1 - eps) * w * logp
            scale = -(1 - a["label_smoothing"]) * up * logp
            w = None if weight is None else weight.reshape((1, -1) + (1,) * (logp.ndim - 2))
            g_target = scale if w is None else scale * w
        return (g_logits, g_target) + (None,) * (len(self.needs_input_grad) - 2)
