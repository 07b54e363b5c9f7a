from ...autograd import Function


class Cast(Function):
    """attrs: dtype (a numpy dtype). Differentiable between floating dtypes, as torch's `.to(dtype)`: the gradient
    is cast back to the input's dtype. Tensor.to applies it without a graph for other dtypes."""

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.attrs["dtype"])

    def backward(self, g):
        return g.astype(self.in_dtype)
