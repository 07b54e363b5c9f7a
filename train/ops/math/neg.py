from ...autograd import Function


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return -g
