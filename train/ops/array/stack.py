from ...autograd import Function
from ..errors import shape_error


class Stack(Function):
    """attrs: dim (of the output). Any number of inputs of one shape."""

    def forward(self, *xs):
        if len({x.shape for x in xs}) > 1:
            shapes = ", ".join(str(tuple(x.shape)) for x in xs)
            raise shape_error("stack", f"all tensors must have the same shape, got {shapes}")
        return self.xp.stack(xs, axis=self.attrs["dim"])

    def backward(self, g):
        d = self.attrs["dim"]
        return tuple(g.take(i, axis=d) for i in range(g.shape[d]))
