"""torch.max / torch.min along one dim: the values, with the gradient going to the arg-max position only
(the index torch.max returns alongside). Without a dim they reduce everything, like amax/amin."""

from ...autograd import Function


class Max(Function):
    """attrs: dim (int), keepdim."""

    arg = "argmax"

    def forward(self, x):
        d = self.attrs["dim"]
        if x.shape[d] == 0:
            raise ValueError(f"{self.name.lower()}: dimension {d} of shape {tuple(x.shape)} is empty")
        xp = self.xp
        index = xp.expand_dims(getattr(x, self.arg)(axis=d), d)
        y = xp.take_along_axis(x, index, axis=d)
        self.save_for_backward(index)
        self.shape = x.shape
        return y if self.attrs["keepdim"] else y.squeeze(d)

    def backward(self, g):
        (index,) = self.saved
        d, xp = self.attrs["dim"], self.xp
        positions = xp.arange(self.shape[d]).reshape((-1,) + (1,) * (len(self.shape) - d - 1))
        g = g if self.attrs["keepdim"] else xp.expand_dims(g, d)
        return xp.where(positions == index, g, g.dtype.type(0))  # (cupy has no put_along_axis)
