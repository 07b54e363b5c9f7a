from ...autograd import Function


class Sum(Function):
    """attrs: dim (tuple of axes or None for all), keepdim."""

    def forward(self, x):
        self.shape = x.shape
        return x.sum(axis=self.attrs["dim"], keepdims=self.attrs["keepdim"])

    def backward(self, g):
        return self.xp.broadcast_to(_expand(self.xp, g, self.attrs, len(self.shape)), self.shape)


def _expand(xp, g, attrs, ndim):
    """Re-insert the reduced axes so the gradient broadcasts against the input."""
    if attrs["keepdim"]:
        return g
    dims = range(ndim) if attrs["dim"] is None else attrs["dim"]
    return xp.expand_dims(g, tuple(sorted(d % ndim for d in dims)))
