from .maximum import Maximum


class Minimum(Maximum):
    """Elementwise min; on ties each operand gets half the gradient, as in torch."""

    pick = "minimum"
