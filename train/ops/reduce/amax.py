from ...autograd import Function
from .sum import _expand


class Amax(Function):
    """attrs: dim (tuple of axes or None for all), keepdim. Ties share the gradient evenly, as in torch."""

    reduce = "max"

    def forward(self, x):
        if x.size == 0 and self.attrs["dim"] is None:
            raise ValueError(f"{self.name.lower()}: cannot reduce an empty tensor of shape {tuple(x.shape)} "
                             "without a dim")
        y = getattr(x, self.reduce)(axis=self.attrs["dim"], keepdims=self.attrs["keepdim"])
        self.save_for_backward(x, y)
        return y

    def backward(self, g):
        x, y = self.saved
        xp, ndim = self.xp, x.ndim
        hit = x == _expand(xp, y, self.attrs, ndim)
        count = hit.sum(axis=self.attrs["dim"], keepdims=True)
        return hit * (_expand(xp, g, self.attrs, ndim) / count).astype(g.dtype, copy=False)
