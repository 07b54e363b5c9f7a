"""Nearest-neighbour upsampling to `size`: output row r reads input row floor(r * in / out), the rule of
torch's size= mode and of TFLite's RESIZE_NEAREST_NEIGHBOR (no align_corners, no half-pixel centres)."""

from ...autograd import Function
from ..errors import shape_error


def source_index(xp, n, out):
    return xp.minimum((xp.arange(out) * n) // out, n - 1)


class UpsampleNearest(Function):
    """attrs: size (oh, ow)."""

    def forward(self, x):
        xp = self.xp
        if x.ndim != 4:
            raise shape_error("interpolate", f"nearest upsampling expects a 4-d input (N, C, H, W), "
                                             f"got {tuple(x.shape)}")
        (oh, ow), (h, w) = self.attrs["size"], x.shape[2:]
        self.in_shape = x.shape
        if oh % h == 0 and ow % w == 0:  # integer factors: a broadcast copy, no gather
            fh, fw = oh // h, ow // w
            wide = xp.broadcast_to(x[:, :, :, None, :, None], x.shape[:3] + (fh, w, fw))
            return wide.reshape(x.shape[:2] + (oh, ow))
        self.rows, self.cols = source_index(xp, h, oh), source_index(xp, w, ow)
        return x[:, :, self.rows[:, None], self.cols[None, :]]

    def backward(self, g):
        xp = self.xp
        n, c, h, w = self.in_shape
        oh, ow = self.attrs["size"]
        if oh % h == 0 and ow % w == 0:
            return g.reshape(n, c, h, oh // h, w, ow // w).sum(axis=(3, 5))
        # one-hot gather matrices transpose into scatter-adds: grad = R^T g C
        rows = (source_index(xp, h, oh)[:, None] == xp.arange(h)[None, :]).astype(g.dtype)
        cols = (source_index(xp, w, ow)[:, None] == xp.arange(w)[None, :]).astype(g.dtype)
        return xp.matmul(xp.matmul(rows.T, g), cols)
