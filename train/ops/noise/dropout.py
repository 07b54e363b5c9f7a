"""Inverted dropout: zero each element with probability p and scale the survivors by 1 / (1 - p), so evaluation
needs no rescaling (F.dropout applies no Function at all outside training). The mask comes from Ember's seeded
generator, drawn on the host and copied to the input's device."""

from ...autograd import Function
from ...random import default_generator


class Dropout(Function):
    """attrs: p."""

    def forward(self, x):
        p = self.attrs["p"]
        if p >= 1:
            mask = self.xp.zeros(x.shape, dtype=x.dtype)
        else:
            keep = default_generator().random(x.shape, dtype="float32") >= p
            mask = self.xp.asarray(keep, dtype=x.dtype) * x.dtype.type(1 / (1 - p))
        self.save_for_backward(mask)
        return x * mask

    def backward(self, g):
        return g * self.saved[0]
