from ...autograd import Function
from ..broadcast import broadcast_error


class Equal(Function):
    """Elementwise comparison of two broadcast operands into a bool tensor; no gradient. Recorded like any op, so
    a traced comparison stays in the graph instead of freezing into a constant mask."""

    differentiable = False
    compare = "equal"

    def forward(self, a, b):
        try:
            return getattr(self.xp, self.compare)(a, b)
        except ValueError:
            raise broadcast_error(self.compare, a, b) from None


class NotEqual(Equal):
    compare = "not_equal"


class Less(Equal):
    compare = "less"


class LessEqual(Equal):
    compare = "less_equal"


class Greater(Equal):
    compare = "greater"


class GreaterEqual(Equal):
    compare = "greater_equal"
