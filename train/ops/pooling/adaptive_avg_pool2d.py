"""Adaptive average pooling: output cell i along an axis averages input [floor(i*n/out), ceil((i+1)*n/out)), as in
torch. Bins can overlap and differ in size, so each axis is one averaging matrix: y = P_h x P_w^T."""

from ...autograd import Function
from ..errors import shape_error


def averaging_matrix(xp, n, out, dtype):
    i = xp.arange(out)
    start, end = (i * n) // out, -((-(i + 1) * n) // out)
    cols = xp.arange(n)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2d(Function):
    """attrs: output_size (oh, ow)."""

    def forward(self, x):
        xp = self.xp
        if x.ndim != 4 or 0 in x.shape[2:]:
            raise shape_error("adaptive_avg_pool2d", f"expected a 4-d input (N, C, H, W) with H, W > 0, "
                                                     f"got {tuple(x.shape)}")
        oh, ow = self.attrs["output_size"]
        self.in_shape = x.shape
        if (oh, ow) == (1, 1):  # global average pooling, the common case
            return x.mean(axis=(2, 3), keepdims=True)
        self.matrices = averaging_matrix(xp, x.shape[2], oh, x.dtype), averaging_matrix(xp, x.shape[3], ow, x.dtype)
        ph, pw = self.matrices
        return xp.matmul(xp.matmul(ph, x), pw.T)

    def backward(self, g):
        xp = self.xp
        if self.attrs["output_size"] == (1, 1):
            h, w = self.in_shape[2:]
            return xp.broadcast_to(g / g.dtype.type(h * w), self.in_shape)
        ph, pw = self.matrices
        return xp.matmul(xp.matmul(ph.T, g), pw)
