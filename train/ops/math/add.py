from ...autograd import Function
from ..broadcast import sum_to_shape


class Add(Function):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, g):
        return sum_to_shape(g, self.shapes[0]), sum_to_shape(g, self.shapes[1])
