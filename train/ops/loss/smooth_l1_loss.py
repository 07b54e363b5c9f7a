from ...autograd import Function
from .elementwise import difference, grad_elementwise, input_and_target_grads, reduce_elementwise


class SmoothL1Loss(Function):
    """Inputs: input, target. attrs: reduction, beta. 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta
    (beta = 0 is the L1 loss)."""

    def forward(self, x, t):
        xp, beta = self.xp, self.attrs["beta"]
        d = difference("smooth_l1_loss", x, t)
        self.save_for_backward(d)
        self.shapes = x.shape, t.shape
        ad = xp.abs(d)
        loss = ad if beta == 0 else xp.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
        return reduce_elementwise(loss, self.attrs["reduction"])

    def backward(self, g):
        (d,) = self.saved
        xp, beta = self.xp, self.attrs["beta"]
        up = grad_elementwise(xp, g, self.attrs["reduction"], d.shape, d.dtype)
        slope = xp.sign(d) if beta == 0 else xp.where(xp.abs(d) < beta, d / beta, xp.sign(d))
        return input_and_target_grads(self, slope * up, self.shapes)
