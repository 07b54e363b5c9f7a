from ...autograd import Function
from ..errors import shape_error


class Cat(Function):
    """attrs: dim. Any number of inputs; each gets its slice of the gradient back."""

    def forward(self, *xs):
        d = self.attrs["dim"]
        self.sizes = [x.shape[d] for x in xs]
        try:
            return self.xp.concatenate(xs, axis=d)
        except ValueError:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise shape_error("cat", f"tensors of shapes {shapes} must match except in dimension {d}") from None

    def backward(self, g):
        d, out, start = self.attrs["dim"], [], 0
        index = [slice(None)] * g.ndim
        for size in self.sizes:
            index[d] = slice(start, start + size)
            out.append(g[tuple(index)])
            start += size
        return tuple(out)
