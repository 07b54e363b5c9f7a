"""Batch normalisation over every axis but the channel axis 1. Training normalises with the batch's biased
variance and moves the running statistics (in place) towards the batch mean and the unbiased variance, as torch.

The work happens on a (C, everything else) matrix: a free view when the input is channel-major (what Conv2d
returns), so per-channel sums are contiguous row reductions and dot products."""

from ...autograd import Function
from ..errors import shape_error


def channel_rows(x):
    """x (N, C, ...) as a (C, N*...) matrix: a view when x is channel-major in memory, else a copy."""
    return x.swapaxes(0, 1).reshape(x.shape[1], -1)


def from_channel_rows(rows, shape):
    return rows.reshape((shape[1], shape[0]) + tuple(shape[2:])).swapaxes(0, 1)


def row_dots(xp, a, b):
    """sum(a * b, axis=1) for (C, M) matrices without an (C, M) temporary: one BLAS dot per row."""
    return xp.matmul(a[:, None, :], b[:, :, None]).reshape(-1)


class BatchNorm(Function):
    """Inputs: x (N, C, ...), running_mean, running_var, weight, bias (all (C,); ones/zeros when not affine).
    attrs: training, momentum, eps."""

    def forward(self, x, running_mean, running_var, weight, bias):
        xp, a = self.xp, self.attrs
        if x.ndim < 2 or running_mean.shape != (x.shape[1],):
            raise shape_error("batch_norm", f"input {tuple(x.shape)} should have {running_mean.shape[0]} channels "
                                            "in dimension 1")
        rows = channel_rows(x)
        count = rows.shape[1]
        if a["training"]:
            if count <= 1:
                raise shape_error("batch_norm", f"expected more than 1 value per channel when training, got input "
                                                f"of shape {tuple(x.shape)}")
            mean = rows.mean(axis=1)
            centered = rows - mean[:, None]
            var = row_dots(xp, centered, centered) / x.dtype.type(count)
            m = a["momentum"]
            running_mean *= 1 - m
            running_mean += m * mean.astype(running_mean.dtype, copy=False)
            running_var *= 1 - m
            running_var += (m * count / (count - 1)) * var.astype(running_var.dtype, copy=False)
        else:
            mean, var = running_mean.astype(x.dtype, copy=False), running_var.astype(x.dtype, copy=False)
            centered = rows - mean[:, None]
        invstd = 1 / xp.sqrt(var + x.dtype.type(a["eps"]))
        scale = weight.astype(x.dtype, copy=False) * invstd
        y = centered * scale[:, None]
        y += bias.astype(x.dtype, copy=False)[:, None]
        self.save_for_backward(centered, invstd, scale)
        self.shape = x.shape
        return from_channel_rows(y, x.shape)

    def backward(self, g):
        centered, invstd, scale = self.saved
        xp = self.xp
        g_rows = channel_rows(g)
        sum_g = g_rows.sum(axis=1)
        sum_g_xhat = row_dots(xp, g_rows, centered) * invstd
        gx = None
        if self.needs_input_grad[0]:
            gx = g_rows * scale[:, None]
            if self.attrs["training"]:
                # the batch mean and variance depend on x too: subtract the gradient's mean and its projection
                # on xhat, per channel
                count = g_rows.dtype.type(centered.shape[1])
                gx -= centered * (scale * invstd * sum_g_xhat / count)[:, None]
                gx -= (scale * sum_g / count)[:, None]
            gx = from_channel_rows(gx, self.shape)
        return gx, None, None, sum_g_xhat, sum_g
