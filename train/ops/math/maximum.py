from ...autograd import Function
from ..broadcast import broadcast_error, sum_to_shape


class Maximum(Function):
    """Elementwise max; on ties each operand gets half the gradient, as in torch."""

    pick = "maximum"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        try:
            return getattr(self.xp, self.pick)(a, b)
        except ValueError:
            raise broadcast_error(self.pick, a, b) from None

    def backward(self, g):
        a, b = self.saved
        wins = (a > b) if self.pick == "maximum" else (a < b)
        share = wins + 0.5 * (a == b)
        ga = sum_to_shape(g * share.astype(g.dtype), a.shape) if self.needs_input_grad[0] else None
        gb = sum_to_shape(g * (1 - share).astype(g.dtype), b.shape) if self.needs_input_grad[1] else None
        return ga, gb
