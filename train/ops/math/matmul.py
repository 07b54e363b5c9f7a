"""Matrix product with numpy's rules: 1-d operands are promoted and batch dimensions broadcast."""

import numpy as np

from ...autograd import Function
from ..broadcast import sum_to_shape
from ..errors import shape_error


class MatMul(Function):
    def forward(self, a, b):
        self.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError:
            raise shape_error("matmul", f"shapes {tuple(a.shape)} and {tuple(b.shape)} do not multiply (the last "
                                        "dimension of the first must equal the second-to-last of the second, "
                                        "batch dimensions must broadcast)") from None

    def backward(self, g):
        a, b = self.saved
        swap = self.xp.swapaxes
        # Promote 1-d operands to matrices as matmul does, so one formula covers every case.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])  # shape arithmetic only
        g2 = g.reshape(batch + (a2.shape[-2], b2.shape[-1]))
        ga = sum_to_shape(g2 @ swap(b2, -1, -2), a2.shape).reshape(a.shape) if self.needs_input_grad[0] else None
        gb = sum_to_shape(swap(a2, -1, -2) @ g2, b2.shape).reshape(b.shape) if self.needs_input_grad[1] else None
        return ga, gb
