from ...autograd import Function
from ..broadcast import broadcast_error, sum_to_shape


class Sub(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        try:
            return a - b
        except ValueError:
            raise broadcast_error("sub", a, b) from None

    def backward(self, g):
        gb = sum_to_shape(-g, self.shapes[1]) if self.needs_input_grad[1] else None
        return sum_to_shape(g, self.shapes[0]), gb
