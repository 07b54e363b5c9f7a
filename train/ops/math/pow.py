"""a ** b with both operands tensors (a Python exponent arrives as a 0-d tensor of the base's dtype)."""

from ...autograd import Function
from ..broadcast import broadcast_error, sum_to_shape


class Pow(Function):
    def forward(self, a, b):
        try:
            y = a ** b
        except ValueError:
            raise broadcast_error("pow", a, b) from None
        self.save_for_backward(a, b, y)
        return y

    def backward(self, g):
        a, b, y = self.saved
        xp = self.xp
        ga = sum_to_shape(g * b * a ** (b - 1), a.shape) if self.needs_input_grad[0] else None
        # d/db a^b = a^b log a; torch defines it as 0 where a == 0 and b >= 0 (the limit), so do we.
        gb = None
        if self.needs_input_grad[1]:
            safe = xp.where(a == 0, xp.ones_like(a), a)
            gb = sum_to_shape(xp.where((a == 0) & (b >= 0), 0, g * y * xp.log(safe)), b.shape)
        return ga, gb
