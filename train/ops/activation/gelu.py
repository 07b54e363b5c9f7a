"""GELU: x * Phi(x) ('none', exact) or its tanh approximation ('tanh'), as torch.nn.functional.gelu."""

import math

from ...autograd import Function


def erfc(xp, z):
    """Complementary error function with fractional error below 1.2e-7 everywhere (Numerical Recipes' erfcc,
    a Chebyshev fit); numpy has no erf and this keeps the op on plain array arithmetic for numpy and cupy."""
    t = 1 / (1 + 0.5 * xp.abs(z))
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    ans = t * xp.exp(-z * z + poly)
    return xp.where(z >= 0, ans, 2 - ans)


_ERF_TAYLOR = [1 / (math.factorial(n) * (2 * n + 1)) for n in range(42)]


def erfc_float64(xp, z):
    """erfc to about 2e-13 relative everywhere, for float64 (erfc's 1.2e-7 is a float32's precision): below |z| = 2
    the Taylor series of erf (alternating, 42 terms), above it Laplace's continued fraction of erfc, 40 levels
    deep; both checked against math.erfc on [-30, 30]."""
    a = xp.abs(z)
    s = a * a
    series = _ERF_TAYLOR[-1]
    for c in _ERF_TAYLOR[-2::-1]:
        series = c - s * series
    b = xp.maximum(a, 2.0)  # the fraction is only used (and only converges fast) there
    fraction = b
    for k in range(40, 0, -1):
        fraction = b + (k / 2) / fraction
    ans = xp.where(a < 2.0, 1 - (2 / math.sqrt(math.pi)) * a * series,
                   xp.exp(-b * b) / (math.sqrt(math.pi) * fraction))
    return xp.where(z >= 0, ans, 2 - ans)


class GELU(Function):
    """attrs: approximate ('none' | 'tanh')."""

    def forward(self, x):
        xp = self.xp
        self.save_for_backward(x)
        if self.attrs["approximate"] == "tanh":
            self.inner = xp.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x))
            return 0.5 * x * (1 + self.inner)
        precise = erfc_float64 if x.dtype.itemsize == 8 else erfc
        self.cdf = (0.5 * precise(xp, -x * (1 / math.sqrt(2)))).astype(x.dtype, copy=False)
        return x * self.cdf

    def backward(self, g):
        (x,) = self.saved
        xp = self.xp
        if self.attrs["approximate"] == "tanh":
            t = self.inner
            d_inner = math.sqrt(2 / math.pi) * (1 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * d_inner)
        pdf = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return g * (self.cdf + x * pdf)

    def release(self):
        super().release()
        self.__dict__.pop("inner", None)
        self.__dict__.pop("cdf", None)
