"""Cross-entropy of logits against class indices, fused with log-softmax for stability."""

from ...autograd import Function
from ..activation.log_softmax import log_softmax_array
from .nll_loss import NLLLoss


class CrossEntropy(Function):
    """attrs: reduction. d loss / d logits = softmax(logits) - onehot(target), scaled by the reduction."""

    def forward(self, logits, target):
        logp = log_softmax_array(self.xp, logits, 1)
        self.nll = NLLLoss(reduction=self.attrs["reduction"])
        self.nll.xp = self.xp
        self.save_for_backward(logp)
        return self.nll.forward(logp, target)

    def backward(self, g):
        (logp,) = self.saved
        g_logp, _ = self.nll.backward(g)
        return g_logp - self.xp.exp(logp) * g_logp.sum(axis=1, keepdims=True), None

    def release(self):
        super().release()
        self.nll.release()
