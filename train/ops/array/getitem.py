"""x[index] with numpy's basic and advanced indexing; the gradient scatter-adds back, so repeated integer
indices accumulate."""

from ...autograd import Function
from ...backend import scatter_add


class Getitem(Function):
    """attrs: index (ints, slices, None, Ellipsis and integer or boolean arrays, as a tuple)."""

    def forward(self, x):
        self.shape = x.shape
        try:
            return x[self.attrs["index"]]
        except IndexError as e:
            raise IndexError(f"getitem: index {_describe(self.attrs['index'])} into a tensor of shape "
                             f"{tuple(x.shape)}: {e}") from None

    def backward(self, g):
        grad = self.xp.zeros(self.shape, dtype=g.dtype)
        index = self.attrs["index"]
        if any(hasattr(i, "dtype") and i.dtype.kind in "iu" for i in index):
            scatter_add(self.xp, grad, index, g)
        else:
            grad[index] = g  # basic slicing and boolean masks touch each element at most once
        return grad


def _describe(index):
    return "[" + ", ".join(f"<{i.dtype} array {tuple(i.shape)}>" if hasattr(i, "shape") else repr(i)
                           for i in index) + "]"
