"""Binary cross-entropy on logits: (1 - y) x + (1 + (p - 1) y) softplus(-x), times the weight, with p the
positive-class weight; softplus written as log1p(e^-|x|) + max(-x, 0) so nothing overflows."""

from ...autograd import Function
from ..activation.sigmoid import sigmoid_array
from ..broadcast import sum_to_shape
from .elementwise import grad_elementwise, reduce_elementwise


class BinaryCrossEntropyWithLogits(Function):
    """Inputs: logits, targets, weight, pos_weight (ones when not given; they broadcast). attrs: reduction."""

    def forward(self, x, y, weight, pos_weight):
        xp = self.xp
        softplus_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        log_weight = 1 + (pos_weight - 1) * y
        loss = ((1 - y) * x + log_weight * softplus_neg) * weight
        self.save_for_backward(x, y, weight, pos_weight, softplus_neg)
        self.loss_shape = loss.shape
        return reduce_elementwise(loss, self.attrs["reduction"])

    def backward(self, g):
        x, y, weight, pos_weight, softplus_neg = self.saved
        xp = self.xp
        up = grad_elementwise(xp, g, self.attrs["reduction"], self.loss_shape, x.dtype) * weight
        gx = gy = None
        if self.needs_input_grad[0]:
            # d/dx softplus(-x) = -sigmoid(-x) = sigmoid(x) - 1
            gx = sum_to_shape(up * ((1 - y) + (1 + (pos_weight - 1) * y) * (sigmoid_array(xp, x) - 1)), x.shape)
        if self.needs_input_grad[1]:
            gy = sum_to_shape(up * (-x + (pos_weight - 1) * softplus_neg), y.shape)
        return gx, gy, None, None
