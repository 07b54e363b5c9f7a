from ...autograd import Function
from ..broadcast import broadcast_error, sum_to_shape


class Mul(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        try:
            return a * b
        except ValueError:
            raise broadcast_error("mul", a, b) from None

    def backward(self, g):
        a, b = self.saved
        ga = sum_to_shape(g * b, a.shape) if self.needs_input_grad[0] else None
        gb = sum_to_shape(g * a, b.shape) if self.needs_input_grad[1] else None
        return ga, gb
