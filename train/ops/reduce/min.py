from .max import Max


class Min(Max):
    """attrs: dim (int), keepdim; the gradient goes to the arg-min position."""

    arg = "argmin"
