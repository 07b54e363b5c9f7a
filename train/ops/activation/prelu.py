from ...autograd import Function
from ..broadcast import sum_to_shape


class PReLU(Function):
    """Inputs: x, weight (broadcast against x: one slope, or (1, C, 1, ...) per channel). x where x > 0, else
    weight * x."""

    def forward(self, x, w):
        self.save_for_backward(x, w)
        return self.xp.where(x > 0, x, w * x).astype(x.dtype)

    def backward(self, g):
        x, w = self.saved
        positive = x > 0
        gx = self.xp.where(positive, g, g * w) if self.needs_input_grad[0] else None
        gw = sum_to_shape(self.xp.where(positive, 0, g * x), w.shape) if self.needs_input_grad[1] else None
        return gx, gw
