"""Output sizes and per-axis padding of 2-d pooling windows, with torch's ceil_mode rule: the last window must
start inside the input or its left padding."""

from __future__ import annotations


def pool_output_size(n: int, k: int, stride: int, pad: int, dilation: int, ceil_mode: bool) -> int:
    span = n + 2 * pad - dilation * (k - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= n + pad:
        out -= 1
    return out


def extra_end_padding(n: int, k: int, stride: int, pad: int, dilation: int, out: int) -> int:
    """Padding beyond `pad` that the last (ceil_mode) window reaches past the end."""
    return max((out - 1) * stride + dilation * (k - 1) + 1 - (n + 2 * pad), 0)


def strided_offsets(kernel, stride, dilation, out_hw):
    """For each kernel offset (i, j), row-major: the slices of the padded input it reads for every output."""
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            top, left = i * dilation[0], j * dilation[1]
            yield (slice(None), slice(None),
                           slice(top, top + stride[0] * (out_hw[0] - 1) + 1, stride[0]),
                           slice(left, left + stride[1] * (out_hw[1] - 1) + 1, stride[1]))
