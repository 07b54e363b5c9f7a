import math

from ...autograd import Function
from .sum import _expand


class Var(Function):
    """attrs: dim (tuple or None), keepdim, correction (1 = unbiased, Bessel's correction)."""

    def forward(self, x):
        dim, keep = self.attrs["dim"], self.attrs["keepdim"]
        centered = x - x.mean(axis=dim, keepdims=True)
        n = x.size if dim is None else math.prod(x.shape[d] for d in dim)
        self.denominator = max(n - self.attrs["correction"], 0)
        y = (centered * centered).sum(axis=dim, keepdims=keep) / x.dtype.type(self.denominator)
        self.save_for_backward(centered, y)
        return y

    def backward(self, g):
        centered, y = self.saved
        g = _expand(self.xp, g, self.attrs, centered.ndim)
        return g * centered * (2 / centered.dtype.type(self.denominator))
