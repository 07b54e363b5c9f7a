"""2-d transposed convolution (torch.nn.functional.conv_transpose2d): the adjoint of conv2d with the same weight,
so every pass is one BLAS matmul around conv2d's im2col/col2im helpers.

Weight (C_in, C_out/groups, KH, KW). Forward: columns W^T x scattered into the output by col2im, then the
`padding` border cropped (output_padding adds rows and columns at the bottom/right). Backward: the input gradient
is conv2d of the output gradient with the same weight (stride, padding, dilation, groups), the weight gradient the
input rows times the output gradient's columns."""

from ...autograd import Function
from ..errors import shape_error
from .conv2d import col2im_add, im2col


def conv_transpose_output_size(n: int, k: int, stride: int, pad: int, dilation: int, output_padding: int) -> int:
    return (n - 1) * stride - 2 * pad + dilation * (k - 1) + output_padding + 1


class ConvTranspose2d(Function):
    """Inputs: x (N, C_in, H, W), w (C_in, C_out/groups, KH, KW)[, b (C_out,)]. attrs: stride, padding,
    output_padding, dilation (pairs), groups."""

    def forward(self, x, w, b=None):
        xp, a = self.xp, self.attrs
        self._check(x, w, b)
        groups, (c_in, cog, kh, kw) = a["groups"], w.shape
        n, _, h, wd = x.shape
        out_hw = tuple(conv_transpose_output_size(*args) for args in zip(
            (h, wd), (kh, kw), a["stride"], a["padding"], a["dilation"], a["output_padding"], strict=True))
        if min(out_hw) <= 0:
            raise shape_error("conv_transpose2d", f"input {tuple(x.shape)} with kernel {(kh, kw)} and padding "
                                                  f"{a['padding']} gives an empty output {out_hw}")
        x_rows = x.transpose(1, 0, 2, 3).reshape(groups, c_in // groups, n * h * wd)
        w_cols = w.reshape(groups, c_in // groups, cog * kh * kw).transpose(0, 2, 1)
        cols = xp.matmul(w_cols, x_rows).reshape(groups * cog, kh, kw, n, h, wd)
        ph, pw = a["padding"]
        padded = xp.zeros((groups * cog, n, out_hw[0] + 2 * ph, out_hw[1] + 2 * pw), dtype=x.dtype)
        # col2im reaches (h-1)*s + d*(k-1) + 1 rows; output_padding rows beyond that stay zero
        col2im_add(padded, cols, a["stride"], a["dilation"], (h, wd))
        y = padded[:, :, ph:ph + out_hw[0], pw:pw + out_hw[1]]
        if b is not None:
            y = y + b.reshape(-1, 1, 1, 1)
        self.save_for_backward(x_rows, w)
        self.in_shape = x.shape
        return y.transpose(1, 0, 2, 3)

    def backward(self, g):
        x_rows, w = self.saved
        xp, a = self.xp, self.attrs
        groups, (c_in, _, kh, kw) = a["groups"], w.shape
        n, _, h, wd = self.in_shape
        cols, hw = im2col(xp, g, (kh, kw), a["stride"], a["padding"], a["dilation"], groups)
        cols = cols[..., :n * h * wd] if hw == (h, wd) else self._crop(xp, cols, hw, (h, wd), n, groups)
        gx = gw = gb = None
        if self.needs_input_grad[0]:
            gx = xp.matmul(w.reshape(groups, c_in // groups, -1), cols)
            gx = gx.reshape(c_in, n, h, wd).transpose(1, 0, 2, 3)
        if self.needs_input_grad[1]:
            gw = xp.matmul(x_rows, cols.transpose(0, 2, 1)).reshape(w.shape)
        if len(self.needs_input_grad) > 2 and self.needs_input_grad[2]:
            gb = g.sum(axis=(0, 2, 3))
        return (gx, gw, gb)[:len(self.needs_input_grad)]

    @staticmethod
    def _crop(xp, cols, hw, want, n, groups):
        """Columns of the first `want` output positions (output_padding can make conv2d's grid one larger)."""
        c = cols.reshape(groups, cols.shape[1], n, *hw)[:, :, :, :want[0], :want[1]]
        return xp.ascontiguousarray(c).reshape(groups, cols.shape[1], -1)

    def _check(self, x, w, b):
        a = self.attrs
        groups = a["groups"]
        if x.ndim != 4 or w.ndim != 4:
            raise shape_error("conv_transpose2d", f"expected a 4-d input (N, C, H, W) and 4-d weight "
                                                  f"(C_in, C_out/groups, KH, KW), got input {tuple(x.shape)} and "
                                                  f"weight {tuple(w.shape)}")
        if x.shape[1] != w.shape[0] or w.shape[0] % groups:
            raise shape_error("conv_transpose2d", f"input {tuple(x.shape)} has {x.shape[1]} channels, weight "
                                                  f"{tuple(w.shape)} expects {w.shape[0]} (divisible by groups="
                                                  f"{groups})")
        for op, s, d in zip(a["output_padding"], a["stride"], a["dilation"], strict=True):
            if not (op < s or op < d):
                raise ValueError(f"conv_transpose2d: output_padding {a['output_padding']} must be smaller than "
                                 f"stride {a['stride']} or dilation {a['dilation']}")
        if b is not None and b.shape != (w.shape[1] * groups,):
            raise shape_error("conv_transpose2d", f"bias of shape {tuple(b.shape)} should be "
                                                  f"({w.shape[1] * groups},)")
