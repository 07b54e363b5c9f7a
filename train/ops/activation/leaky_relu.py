from ...autograd import Function


class LeakyReLU(Function):
    """attrs: negative_slope."""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.where(x > 0, x, x * self.attrs["negative_slope"])

    def backward(self, g):
        (x,) = self.saved
        return self.xp.where(x > 0, g, g * self.attrs["negative_slope"])
