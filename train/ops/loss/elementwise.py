"""The reduction and broadcasting shared by the elementwise regression losses."""

from ..broadcast import broadcast_error, sum_to_shape


def reduce_elementwise(loss, reduction):
    if reduction == "none":
        return loss
    return loss.mean() if reduction == "mean" else loss.sum()


def grad_elementwise(xp, g, reduction, shape, dtype):
    """The upstream gradient of every element of the unreduced loss."""
    if reduction == "none":
        return g
    n = 1
    for s in shape:
        n *= s
    scale = g / g.dtype.type(max(n, 1)) if reduction == "mean" else g
    return xp.broadcast_to(scale, shape).astype(dtype, copy=False)


def difference(op, a, b):
    try:
        return a - b
    except ValueError:
        raise broadcast_error(op, a, b) from None


def input_and_target_grads(fn, g, shapes):
    ga = sum_to_shape(g, shapes[0]) if fn.needs_input_grad[0] else None
    gb = sum_to_shape(-g, shapes[1]) if fn.needs_input_grad[1] else None
    return ga, gb
