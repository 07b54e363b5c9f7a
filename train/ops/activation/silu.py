from ...autograd import Function
from .sigmoid import sigmoid_array


class SiLU(Function):
    """x * sigmoid(x)."""

    def forward(self, x):
        s = sigmoid_array(self.xp, x)
        self.save_for_backward(x, s)
        return x * s

    def backward(self, g):
        x, s = self.saved
        return g * s * (1 + x * (1 - s))
