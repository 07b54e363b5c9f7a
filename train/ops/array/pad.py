"""F.pad: `pad` lists (before, after) pairs starting from the last dimension, as in torch.

constant mode allows negative amounts (cropping); reflect, replicate and circular gather each padded axis with an
index array and scatter-add the gradient back along it."""

from ...autograd import Function
from ...backend import scatter_add
from ..errors import shape_error


def pairs(pad, ndim):
    """{axis: (before, after)} for the axes `pad` names."""
    return {ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}


class Pad(Function):
    """attrs: pad, mode ('constant' | 'reflect' | 'replicate' | 'circular'), value."""

    def forward(self, x):
        self.shape = x.shape
        mode = self.attrs["mode"]
        amounts = pairs(self.attrs["pad"], x.ndim)
        out_shape = list(x.shape)
        for axis, (before, after) in amounts.items():
            out_shape[axis] += before + after
            if out_shape[axis] < 0 or (mode != "constant" and min(before, after) < 0):
                raise shape_error("pad", f"pad {self.attrs['pad']} ({mode}) does not fit shape {tuple(x.shape)}")
        if mode == "constant":
            src, dst = _windows(amounts, x.ndim)
            out = self.xp.full(tuple(out_shape), self.attrs["value"], dtype=x.dtype)
            out[dst] = x[src]
            return out
        self.indices = {axis: self._gather_index(x.shape[axis], before, after, axis)
                        for axis, (before, after) in amounts.items()}
        for axis, index in self.indices.items():
            x = x.take(index, axis=axis)
        return x

    def _gather_index(self, n, before, after, axis):
        mode, xp = self.attrs["mode"], self.xp
        limit = n - 1 if mode == "reflect" else n
        if max(before, after) > limit and mode != "replicate" or n == 0:
            raise shape_error("pad", f"{mode} padding of {max(before, after)} needs dimension {axis} "
                                     f"(size {n}) to be larger than the padding")
        i = xp.arange(-before, n + after)
        if mode == "replicate":
            return xp.clip(i, 0, n - 1)
        if mode == "circular":
            return i % n
        if mode == "reflect":
            period = 2 * (n - 1) if n > 1 else 1
            i = i % period
            return xp.where(i >= n, period - i, i)
        raise ValueError(f"pad: unknown mode {mode!r}, expected 'constant', 'reflect', 'replicate' or 'circular'")

    def backward(self, g):
        if self.attrs["mode"] == "constant":
            src, dst = _windows(pairs(self.attrs["pad"], g.ndim), g.ndim)
            grad = self.xp.zeros(self.shape, dtype=g.dtype)
            grad[src] = g[dst]
            return grad
        for axis in sorted(self.indices, reverse=True):
            shape = list(g.shape)
            shape[axis] = self.shape[axis]
            grad = self.xp.zeros(tuple(shape), dtype=g.dtype)
            scatter_add(self.xp, grad, (slice(None),) * axis + (self.indices[axis],), g)
            g = grad
        return g


def _windows(amounts, ndim):
    """The input slice that survives and where it lands in the output (negative amounts crop)."""
    src, dst = [slice(None)] * ndim, [slice(None)] * ndim
    for axis, (before, after) in amounts.items():
        src[axis] = slice(max(-before, 0), -after if after < 0 else None)
        dst[axis] = slice(max(before, 0), -after if after > 0 else None)
    return tuple(src), tuple(dst)
