"""2-d convolution (cross-correlation, as torch) by im2col: a strided window view of the padded input copied once
into columns, then one BLAS matmul (batched over groups).

Layout: the columns are (C*KH*KW, N*OH*OW), so the product W @ cols comes out channel-major, (O, N, OH, OW), and
the output is its (N, O, OH, OW) transposed view. Per-channel work downstream (batch norm) then reads contiguous
memory, and backward reshapes the gradient for its matmuls without copying. For stride 1 the input gradient is
itself a convolution (of the padded output gradient with the flipped kernel); other strides scatter the column
gradients back with kernel-height x kernel-width strided adds (col2im)."""

from ...autograd import Function
from ..errors import shape_error


def conv_output_size(n: int, k: int, stride: int, pad: int, dilation: int) -> int:
    return (n + 2 * pad - dilation * (k - 1) - 1) // stride + 1


def window_view(xp, x, kernel, stride, dilation, out_hw):
    """(N, C, H, W) of any strides -> (N, C, OH, OW, KH, KW) without copying."""
    n, c = x.shape[:2]
    sn, sc, sh, sw = x.strides
    shape = (n, c, *out_hw, *kernel)
    strides = (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0], sw * dilation[1])
    return xp.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)


def pad_hw(xp, x, padding, value=0):
    """Pad (or, for negative amounts, crop) both ends of the two spatial axes."""
    ph, pw = padding
    if ph < 0 or pw < 0:
        x = x[:, :, max(-ph, 0):x.shape[2] - max(-ph, 0), max(-pw, 0):x.shape[3] - max(-pw, 0)]
        ph, pw = max(ph, 0), max(pw, 0)
    if ph == 0 and pw == 0:
        return x
    shape = x.shape[:2] + (x.shape[2] + 2 * ph, x.shape[3] + 2 * pw)
    out = xp.full_like(x, value, shape=shape)  # keeps x's memory layout (channel-major stays channel-major)
    out[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]] = x
    return out


def im2col(xp, x, kernel, stride, padding, dilation, groups):
    """Columns (groups, C/groups*KH*KW, N*OH*OW) of x (N, C, H, W), and (OH, OW)."""
    n, c, h, w = x.shape
    out_hw = tuple(conv_output_size(*args) for args in zip((h, w), kernel, stride, padding, dilation, strict=True))
    if min(out_hw) <= 0:
        raise shape_error("conv2d", f"input {tuple(x.shape)} is smaller than the dilated kernel {tuple(kernel)} "
                                    f"after padding {tuple(padding)}")
    windows = window_view(xp, pad_hw(xp, x, padding), kernel, stride, dilation, out_hw)
    cols = windows.transpose(1, 4, 5, 0, 2, 3).reshape(groups, c // groups * kernel[0] * kernel[1], -1)
    return cols, out_hw


def col2im_add(target, cols, stride, dilation, out_hw):
    """target[:, :, i*dh + s*oh, j*dw + s*ow] += cols[:, i, j, :, oh, ow] for every kernel offset (i, j); target is
    (C, N, Hp, Wp) and cols (C, KH, KW, N, OH, OW)."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    for i in range(cols.shape[1]):
        for j in range(cols.shape[2]):
            target[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw] += cols[:, i, j]


class Conv2d(Function):
    """Inputs: x (N, C, H, W), w (O, C/groups, KH, KW)[, b (O,)]. attrs: stride, padding, dilation (pairs), groups."""

    def forward(self, x, w, b=None):
        xp, a = self.xp, self.attrs
        self._check(x, w, b)
        groups, (o, _, kh, kw) = a["groups"], w.shape
        cols, out_hw = im2col(xp, x, (kh, kw), a["stride"], a["padding"], a["dilation"], groups)
        y = xp.matmul(w.reshape(groups, o // groups, -1), cols).reshape(o, cols.shape[2])  # (O, N*OH*OW)
        if b is not None:
            y += b.reshape(-1, 1)
        self.save_for_backward(cols, w)
        self.in_shape, self.out_hw = x.shape, out_hw
        return y.reshape(o, x.shape[0], *out_hw).transpose(1, 0, 2, 3)

    def backward(self, g):
        cols, w = self.saved
        xp, a = self.xp, self.attrs
        groups, o = a["groups"], w.shape[0]
        g_rows = g.transpose(1, 0, 2, 3).reshape(groups, o // groups, cols.shape[2])  # a view if channel-major
        gx = gw = gb = None
        if self.needs_input_grad[1]:
            gw = xp.matmul(g_rows, cols.transpose(0, 2, 1)).reshape(w.shape)
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = g_rows.reshape(o, cols.shape[2]).sum(axis=1)
        if self.needs_input_grad[0]:
            gx = self._input_grad_by_conv(g, w) if a["stride"] == (1, 1) else self._input_grad_by_col2im(g_rows, w)
        return (gx, gw, gb)[:len(self.needs_input_grad)]

    def _input_grad_by_conv(self, g, w):
        """Stride 1: dx = conv(g padded by d*(k-1) - p, kernel flipped in space with in/out channels swapped)."""
        xp, a = self.xp, self.attrs
        groups, (o, cg, kh, kw) = a["groups"], w.shape
        (dh, dw), (ph, pw) = a["dilation"], a["padding"]
        flipped = w.reshape(groups, o // groups, cg, kh, kw)[:, :, :, ::-1, ::-1].transpose(0, 2, 1, 3, 4)
        flipped = flipped.reshape(groups * cg, o // groups * kh * kw)
        g_pad = pad_hw(xp, g, (dh * (kh - 1) - ph, dw * (kw - 1) - pw))
        cols, hw = im2col(xp, g_pad, (kh, kw), (1, 1), (0, 0), (dh, dw), groups)
        gx = xp.matmul(flipped.reshape(groups, cg, -1), cols)
        return gx.reshape(groups * cg, self.in_shape[0], *hw).transpose(1, 0, 2, 3)

    def _input_grad_by_col2im(self, g_rows, w):
        xp, a = self.xp, self.attrs
        groups, (o, cg, kh, kw) = a["groups"], w.shape
        n, c, h, wd = self.in_shape
        (ph, pw), out_hw = a["padding"], self.out_hw
        w_cols = w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1)
        gcols = xp.matmul(w_cols, g_rows).reshape(c, kh, kw, n, *out_hw)
        padded = xp.zeros((c, n, h + 2 * ph, wd + 2 * pw), dtype=g_rows.dtype)
        col2im_add(padded, gcols, a["stride"], a["dilation"], out_hw)
        return padded[:, :, ph:ph + h, pw:pw + wd].transpose(1, 0, 2, 3)

    def _check(self, x, w, b):
        groups = self.attrs["groups"]
        if x.ndim != 4 or w.ndim != 4:
            raise shape_error("conv2d", f"expected a 4-d input (N, C, H, W) and 4-d weight (O, C/groups, KH, KW), "
                                        f"got input {tuple(x.shape)} and weight {tuple(w.shape)}")
        if x.shape[1] != w.shape[1] * groups or w.shape[0] % groups:
            raise shape_error("conv2d", f"input {tuple(x.shape)} has {x.shape[1]} channels, weight "
                                        f"{tuple(w.shape)} with groups={groups} expects {w.shape[1] * groups} "
                                        f"(and out channels divisible by groups)")
        if b is not None and b.shape != (w.shape[0],):
            raise shape_error("conv2d", f"bias of shape {tuple(b.shape)} should be ({w.shape[0]},)")
