from ...autograd import Function


class Permute(Function):
    """attrs: dims (a permutation of the axes); transpose is the permutation that swaps two."""

    def forward(self, x):
        return x.transpose(self.attrs["dims"])

    def backward(self, g):
        dims = self.attrs["dims"]
        return g.transpose(sorted(range(len(dims)), key=dims.__getitem__))
