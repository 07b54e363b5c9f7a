from ...autograd import Function
from .sum import _expand


class Mean(Function):
    """attrs: dim (tuple of axes or None for all), keepdim."""

    def forward(self, x):
        self.shape = x.shape
        out = x.mean(axis=self.attrs["dim"], keepdims=self.attrs["keepdim"])
        self.count = x.size // max(out.size, 1) if x.size else 0
        return out

    def backward(self, g):
        g = _expand(self.xp, g, self.attrs, len(self.shape)) / max(self.count, 1)
        return self.xp.broadcast_to(g, self.shape).astype(g.dtype, copy=False)
