"""Layer normalisation over the trailing `normalized_shape` axes, with a per-element weight and bias."""

from ...autograd import Function
from ..errors import shape_error


class LayerNorm(Function):
    """Inputs: x, weight, bias (both of normalized_shape; ones/zeros when not affine). attrs: normalized_shape, eps."""

    def forward(self, x, weight, bias):
        xp, shape = self.xp, tuple(self.attrs["normalized_shape"])
        if x.shape[x.ndim - len(shape):] != shape or x.ndim < len(shape):
            raise shape_error("layer_norm", f"input {tuple(x.shape)} does not end in normalized_shape {shape}")
        axes = tuple(range(x.ndim - len(shape), x.ndim))
        centered = x - x.mean(axis=axes, keepdims=True)
        invstd = 1 / xp.sqrt((centered * centered).mean(axis=axes, keepdims=True) + self.attrs["eps"])
        xhat = centered * invstd
        self.save_for_backward(xhat, invstd, weight)
        return xhat * weight + bias

    def backward(self, g):
        xhat, invstd, weight = self.saved
        norm_axes = tuple(range(g.ndim - weight.ndim, g.ndim))
        lead = tuple(range(g.ndim - weight.ndim))
        gw = (g * xhat).sum(axis=lead) if self.needs_input_grad[1] else None
        gb = g.sum(axis=lead) if self.needs_input_grad[2] else None
        gxhat = g * weight
        gx = invstd * (gxhat - gxhat.mean(axis=norm_axes, keepdims=True)
                       - xhat * (gxhat * xhat).mean(axis=norm_axes, keepdims=True))
        return gx, gw, gb
