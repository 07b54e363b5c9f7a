from ...autograd import Function


class Clamp(Function):
    """attrs: min, max (either may be None). The gradient passes where min <= x <= max, as in torch."""

    def forward(self, x):
        lo, hi = self.attrs["min"], self.attrs["max"]
        self.save_for_backward(x)
        return self.xp.clip(x, lo, hi)

    def backward(self, g):
        (x,) = self.saved
        lo, hi = self.attrs["min"], self.attrs["max"]
        keep = True
        if lo is not None:
            keep = x >= lo
        if hi is not None:
            keep = keep & (x <= hi)
        return g * keep
