"""Bilinear resize of the two spatial axes (torch's interpolate(mode="bilinear")): separable, so the output is
A_h @ x @ A_w^T with one (out, in) interpolation matrix per axis, and the gradient A_h^T @ g @ A_w.

Source coordinate of output index i: align_corners, i * (in - 1) / (out - 1); otherwise (i + 0.5) * r - 0.5 clamped
at 0, with r = 1 / scale_factor when the caller gave a scale factor (torch's rule) and in / out otherwise."""

import math

from ...autograd import Function


def interpolation_matrix(xp, n_in: int, n_out: int, align_corners: bool, scale: float | None, dtype):
    rows = xp.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        if align_corners:
            src = i * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            ratio = 1.0 / scale if scale else n_in / n_out
            src = max((i + 0.5) * ratio - 0.5, 0.0)
        lo = min(int(math.floor(src)), n_in - 1)
        hi = min(lo + 1, n_in - 1)
        frac = src - lo
        rows[i, lo] += 1.0 - frac
        rows[i, hi] += frac
    return rows


class UpsampleBilinear(Function):
    """Input x (N, C, H, W). attrs: size (OH, OW), align_corners, scales (per axis, or None)."""

    def forward(self, x):
        xp, a = self.xp, self.attrs
        (oh, ow), scales = a["size"], a["scales"] or (None, None)
        self.ah = interpolation_matrix(xp, x.shape[2], oh, a["align_corners"], scales[0], x.dtype)
        self.aw = interpolation_matrix(xp, x.shape[3], ow, a["align_corners"], scales[1], x.dtype)
        return xp.matmul(xp.matmul(self.ah, x), self.aw.T)

    def backward(self, g):
        xp = self.xp
        return xp.matmul(xp.matmul(self.ah.T, g), self.aw)
