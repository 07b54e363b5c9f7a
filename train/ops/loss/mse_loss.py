from ...autograd import Function
from .elementwise import difference, grad_elementwise, input_and_target_grads, reduce_elementwise


class MSELoss(Function):
    """Inputs: input, target. attrs: reduction."""

    def forward(self, x, t):
        d = difference("mse_loss", x, t)
        self.save_for_backward(d)
        self.shapes = x.shape, t.shape
        return reduce_elementwise(d * d, self.attrs["reduction"])

    def backward(self, g):
        (d,) = self.saved
        up = grad_elementwise(self.xp, g, self.attrs["reduction"], d.shape, d.dtype)
        return input_and_target_grads(self, 2 * d * up, self.shapes)
