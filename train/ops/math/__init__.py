from .add import Add
from .div import Div
from .matmul import MatMul
from .mul import Mul
from .neg import Neg
from .sub import Sub

__all__ = ["Add", "Div", "MatMul", "Mul", "Neg", "Sub"]
