from ...autograd import Function
from ..broadcast import broadcast_error, sum_to_shape


class Where(Function):
    """Inputs: condition (bool), x, y; picks x where the condition holds."""

    def forward(self, cond, x, y):
        self.save_for_backward(cond)
        self.shapes = x.shape, y.shape
        try:
            return self.xp.where(cond, x, y)
        except ValueError:
            raise broadcast_error("where", cond, x, y) from None

    def backward(self, g):
        (cond,) = self.saved
        zero = g.dtype.type(0)
        gx = sum_to_shape(self.xp.where(cond, g, zero), self.shapes[0]) if self.needs_input_grad[1] else None
        gy = sum_to_shape(self.xp.where(cond, zero, g), self.shapes[1]) if self.needs_input_grad[2] else None
        return None, gx, gy
