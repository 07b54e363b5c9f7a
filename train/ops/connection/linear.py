"""y = x W^T + b over the last axis, with W of shape (out_features, in_features) as in torch.nn.Linear."""

from ...autograd import Function


class Linear(Function):
    def forward(self, x, w, b=None):
        self.save_for_backward(x, w)
        y = x @ w.T
        return y if b is None else y + b

    def backward(self, g):
        x, w = self.saved
        gx = g @ w if self.needs_input_grad[0] else None
        gw = g.reshape(-1, g.shape[-1]).T @ x.reshape(-1, x.shape[-1]) if self.needs_input_grad[1] else None
        if len(self.needs_input_grad) == 3:
            gb = g.reshape(-1, g.shape[-1]).sum(axis=0) if self.needs_input_grad[2] else None
            return gx, gw, gb
        return gx, gw
