from ...autograd import Function


class ELU(Function):
    """attrs: alpha. x where x > 0, else alpha * (exp(x) - 1)."""

    def forward(self, x):
        xp, alpha = self.xp, self.attrs["alpha"]
        y = xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0))).astype(x.dtype)
        self.save_for_backward(x, y)
        return y

    def backward(self, g):
        x, y = self.saved
        return self.xp.where(x > 0, g, g * (y + self.attrs["alpha"]))
