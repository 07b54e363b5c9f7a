"""Average pooling as a sum of strided slices of the padded input divided by each window's element count (torch's
count_include_pad rule: padding counts, the ceil_mode overhang never does)."""

from ...autograd import Function
from ..errors import shape_error
from .geometry import extra_end_padding, pool_output_size, strided_offsets


def window_counts(xp, n, k, stride, pad, out, include_pad, dtype):
    start = xp.arange(out) * stride - pad
    end = xp.minimum(start + k, n + pad)
    if not include_pad:
        start, end = xp.maximum(start, 0), xp.minimum(end, n)
    return (end - start).astype(dtype)


class AvgPool2d(Function):
    """attrs: kernel_size, stride, padding (pairs), ceil_mode, count_include_pad."""

    def forward(self, x):
        xp, a = self.xp, self.attrs
        (kh, kw), (sh, sw), (ph, pw) = a["kernel_size"], a["stride"], a["padding"]
        if x.ndim != 4:
            raise shape_error("avg_pool2d", f"expected a 4-d input (N, C, H, W), got {tuple(x.shape)}")
        if ph > kh // 2 or pw > kw // 2:
            raise shape_error("avg_pool2d", f"padding {a['padding']} must be at most half the kernel "
                                            f"{a['kernel_size']}")
        n, c, h, w = x.shape
        out_hw = (pool_output_size(h, kh, sh, ph, 1, a["ceil_mode"]),
                  pool_output_size(w, kw, sw, pw, 1, a["ceil_mode"]))
        if min(out_hw) <= 0:
            raise shape_error("avg_pool2d", f"input {tuple(x.shape)} is smaller than the kernel {(kh, kw)}")
        eh, ew = extra_end_padding(h, kh, sh, ph, 1, out_hw[0]), extra_end_padding(w, kw, sw, pw, 1, out_hw[1])
        if ph or pw or eh or ew:
            padded = xp.zeros_like(x, shape=(n, c, h + 2 * ph + eh, w + 2 * pw + ew))
            padded[:, :, ph:ph + h, pw:pw + w] = x
        else:
            padded = x
        include = a["count_include_pad"]
        counts_h = window_counts(xp, h, kh, sh, ph, out_hw[0], include, x.dtype)
        counts_w = window_counts(xp, w, kw, sw, pw, out_hw[1], include, x.dtype)
        self.scale = 1 / (counts_h[:, None] * counts_w[None, :])
        total = None
        for window in strided_offsets((kh, kw), (sh, sw), (1, 1), out_hw):
            total = padded[window].copy() if total is None else total.__iadd__(padded[window])
        self.geometry = padded.shape, out_hw, x.shape
        return total * self.scale

    def backward(self, g):
        xp, a = self.xp, self.attrs
        padded_shape, out_hw, in_shape = self.geometry
        g = g * self.scale
        grad = xp.zeros(padded_shape, dtype=g.dtype)
        for window in strided_offsets(a["kernel_size"], a["stride"], (1, 1), out_hw):
            grad[window] += g
        (ph, pw), (h, w) = a["padding"], in_shape[2:]
        return grad[:, :, ph:ph + h, pw:pw + w]
