from ...autograd import Function


class Softmax(Function):
    """attrs: dim. Shifted by the max for stability."""

    def forward(self, x):
        d = self.attrs["dim"]
        e = self.xp.exp(x - x.max(axis=d, keepdims=True))
        y = e / e.sum(axis=d, keepdims=True)
        self.save_for_backward(y)
        return y

    def backward(self, g):
        (y,) = self.saved
        return y * (g - (g * y).sum(axis=self.attrs["dim"], keepdims=True))
