"""Max pooling as a running maximum over the kernel offsets (each a strided slice of the padded input), so both
passes cost kernel-size vectorised steps and no Python loop over data. Backward finds each window's arg-max by
comparing the saved input with the output, the first maximum winning ties, as in torch."""

from ...autograd import Function
from ..errors import shape_error
from .geometry import extra_end_padding, pool_output_size, strided_offsets


class MaxPool2d(Function):
    """attrs: kernel_size, stride, padding, dilation (pairs), ceil_mode."""

    def forward(self, x):
        xp, a = self.xp, self.attrs
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = a["kernel_size"], a["stride"], a["padding"], a["dilation"]
        if x.ndim != 4:
            raise shape_error("max_pool2d", f"expected a 4-d input (N, C, H, W), got {tuple(x.shape)}")
        if ph > kh // 2 or pw > kw // 2:
            raise shape_error("max_pool2d", f"padding {a['padding']} must be at most half the kernel "
                                            f"{a['kernel_size']}")
        n, c, h, w = x.shape
        out_hw = (pool_output_size(h, kh, sh, ph, dh, a["ceil_mode"]),
                  pool_output_size(w, kw, sw, pw, dw, a["ceil_mode"]))
        if min(out_hw) <= 0:
            raise shape_error("max_pool2d", f"input {tuple(x.shape)} is smaller than the kernel {(kh, kw)}")
        eh, ew = extra_end_padding(h, kh, sh, ph, dh, out_hw[0]), extra_end_padding(w, kw, sw, pw, dw, out_hw[1])
        if ph or pw or eh or ew:
            padded = xp.full_like(x, -xp.inf, shape=(n, c, h + 2 * ph + eh, w + 2 * pw + ew))
            padded[:, :, ph:ph + h, pw:pw + w] = x
        else:
            padded = x
        windows = list(strided_offsets((kh, kw), (sh, sw), (dh, dw), out_hw))
        best = padded[windows[0]]
        for window in windows[1:]:
            best = xp.maximum(best, padded[window])
        if len(windows) == 1:
            best = best.copy()
        self.save_for_backward(padded, best)
        self.in_shape, self.out_hw = x.shape, out_hw
        return best

    def backward(self, g):
        padded, best = self.saved
        xp, a = self.xp, self.attrs
        (kh, kw), (sh, sw), (dh, dw) = a["kernel_size"], a["stride"], a["dilation"]
        tiles = (sh, sw) == ((kh - 1) * dh + 1, (kw - 1) * dw + 1)  # windows neither overlap nor leave gaps
        exact = tiles and padded.shape[2:] == (best.shape[2] * sh, best.shape[3] * sw)
        # same memory layout as the input; every element is written below when the windows tile it exactly
        grad = (xp.empty_like if exact else xp.zeros_like)(padded, dtype=g.dtype)
        windows = list(strided_offsets((kh, kw), (sh, sw), (dh, dw), self.out_hw))
        unclaimed = None
        for k, window in enumerate(windows):
            hit = padded[window] == best
            if unclaimed is not None:
                hit &= unclaimed  # an earlier offset already holds this window's maximum (first wins ties)
            if k < len(windows) - 1:
                unclaimed = ~hit if unclaimed is None else xp.logical_xor(unclaimed, hit, out=unclaimed)
            if tiles:
                xp.multiply(g, hit, out=grad[window])
            else:
                grad[window] += g * hit
        (ph, pw), (h, w) = a["padding"], self.in_shape[2:]
        return grad[:, :, ph:ph + h, pw:pw + w]
