"""What cross-entropy and NLL loss share: each sample's loss is -sum_c coef[c] * log p[c]. `coef` encodes the
target (one-hot class index or class probabilities), label smoothing, class weights and ignored samples; the
'mean' reduction divides by the summed weight of the non-ignored targets, as torch does."""

from __future__ import annotations

from ..errors import shape_error


def target_coefficients(xp, op, shape, dtype, target, weight, ignore_index=-100, label_smoothing=0.0):
    """(coef of `shape`, mean-reduction denominator) for logits/log-probabilities of `shape` (N, C, d1, ...)."""
    n_classes = shape[1]
    w = None if weight is None else weight.astype(dtype, copy=False).reshape((1, n_classes) + (1,) * (len(shape) - 2))
    eps = label_smoothing
    if target.dtype.kind == "f":  # class probabilities
        if target.shape != shape:
            raise shape_error(op, f"probability targets must have the input's shape {tuple(shape)}, "
                                  f"got {tuple(target.shape)}")
        coef = target.astype(dtype, copy=False) * (1 - eps) + eps / n_classes if eps else target.astype(dtype)
        if w is not None:
            coef = coef * w
        return coef, target.size // max(n_classes, 1)
    expected = (shape[0],) + tuple(shape[2:])
    if target.shape != expected:
        raise shape_error(op, f"input shape {tuple(shape)} needs targets of shape {expected}, "
                              f"got {tuple(target.shape)}")
    valid = target != ignore_index
    picked = xp.where(valid, target, 0)
    if picked.size and (picked.min() < 0 or picked.max() >= n_classes):
        bad = target[valid & ((target < 0) | (target >= n_classes))]
        raise IndexError(f"{op}: target values must lie in [0, {n_classes - 1}] (or be ignore_index="
                         f"{ignore_index}), got {int(bad.reshape(-1)[0])}")
    classes = xp.arange(n_classes).reshape((1, n_classes) + (1,) * (len(shape) - 2))
    onehot = (xp.expand_dims(picked, 1) == classes).astype(dtype)  # (cupy has no put_along_axis)
    picked_weight = valid.astype(dtype) if weight is None else weight.astype(dtype, copy=False)[picked] * valid
    coef = onehot * xp.expand_dims(picked_weight, 1)
    if eps:
        spread = xp.expand_dims(valid.astype(dtype), 1) * (eps / n_classes)
        coef = coef * (1 - eps) + (spread if w is None else spread * w)
    return coef, picked_weight.sum()


def divide(x, denominator):
    """x / denominator, where the denominator is a Python number or a 0-d array on x's device (never synced)."""
    return x / (denominator.astype(x.dtype) if hasattr(denominator, "dtype") else x.dtype.type(denominator))


def reduce_loss(xp, per_sample, reduction, denominator):
    if reduction == "none":
        return per_sample
    total = per_sample.sum()
    return divide(total, denominator) if reduction == "mean" else total


def upstream_per_sample(xp, g, reduction, denominator, shape, dtype):
    """The gradient each sample's loss receives, broadcast to (N, 1, d1, ...)."""
    if reduction == "none":
        return xp.expand_dims(g, 1)
    if reduction == "mean":
        g = divide(g, denominator)
    return xp.broadcast_to(g, (shape[0], 1) + tuple(shape[2:])).astype(dtype, copy=False)


def weighted_sum(xp, coef, logp):
    """sum_c coef * logp, where a zero coefficient ignores the class even if its log-probability is -inf."""
    return xp.where(coef != 0, coef * logp, 0).sum(axis=1)
