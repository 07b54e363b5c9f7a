from ...autograd import Function


class ArgMax(Function):
    """attrs: dim (int, or None for the flat index), keepdim. int64 indices, first on ties; no gradient."""

    differentiable = False
    arg = "argmax"

    def forward(self, x):
        xp, d = self.xp, self.attrs["dim"]
        if x.size == 0 and (d is None or x.shape[d] == 0):
            where = "" if d is None else f" along dimension {d}"
            raise ValueError(f"{self.arg}: cannot take the index of an empty tensor of shape {tuple(x.shape)}{where}")
        if d is None:
            out = getattr(x.reshape(-1), self.arg)()
            return xp.asarray(out, dtype=xp.int64).reshape((1,) * x.ndim if self.attrs["keepdim"] else ())
        out = getattr(x, self.arg)(axis=d)
        return xp.asarray(xp.expand_dims(out, d) if self.attrs["keepdim"] else out, dtype=xp.int64)


class ArgMin(ArgMax):
    arg = "argmin"
