from ...autograd import Function


class Split(Function):
    """attrs: dim, sizes (a tuple summing to the dim's length). One output per size."""

    def forward(self, x):
        d, sizes = self.attrs["dim"], self.attrs["sizes"]
        index, out, start = [slice(None)] * x.ndim, [], 0
        for size in sizes:
            index[d] = slice(start, start + size)
            out.append(x[tuple(index)])
            start += size
        return tuple(out)

    def backward(self, *grads):
        return self.xp.concatenate(grads, axis=self.attrs["dim"])
