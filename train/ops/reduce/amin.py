from .amax import Amax


class Amin(Amax):
    """attrs: dim, keepdim. Ties share the gradient evenly, as in torch."""

    reduce = "min"
