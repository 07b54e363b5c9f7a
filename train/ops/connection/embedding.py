from ...autograd import Function
from ...backend import scatter_add


class Embedding(Function):
    """Inputs: indices (int), weight (num_embeddings, dim). attrs: padding_idx (its row gets no gradient)."""

    def forward(self, indices, weight):
        if indices.size and (indices.min() < 0 or indices.max() >= weight.shape[0]):
            raise IndexError(f"embedding: indices must lie in [0, {weight.shape[0] - 1}], "
                             f"got [{int(indices.min())}, {int(indices.max())}]")
        self.save_for_backward(indices)
        self.weight_shape = weight.shape
        return weight[indices]

    def backward(self, g):
        (indices,) = self.saved
        grad = self.xp.zeros(self.weight_shape, dtype=g.dtype)
        scatter_add(self.xp, grad, indices.reshape(-1), g.reshape(-1, self.weight_shape[1]))
        if self.attrs["padding_idx"] is not None:
            grad[self.attrs["padding_idx"]] = 0
        return None, grad
