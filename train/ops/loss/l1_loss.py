from ...autograd import Function
from .elementwise import difference, grad_elementwise, input_and_target_grads, reduce_elementwise


class L1Loss(Function):
    """Inputs: input, target. attrs: reduction. The gradient is sign(input - target), 0 where they are equal."""

    def forward(self, x, t):
        d = difference("l1_loss", x, t)
        self.save_for_backward(d)
        self.shapes = x.shape, t.shape
        return reduce_elementwise(self.xp.abs(d), self.attrs["reduction"])

    def backward(self, g):
        (d,) = self.saved
        up = grad_elementwise(self.xp, g, self.attrs["reduction"], d.shape, d.dtype)
        return input_and_target_grads(self, self.xp.sign(d) * up, self.shapes)
