from .abs import Abs
from .add import Add
from .clamp import Clamp
from .compare import Equal, Greater, GreaterEqual, Less, LessEqual, NotEqual
from .div import Div
from .exp import Exp
from .log import Log
from .matmul import MatMul
from .maximum import Maximum
from .minimum import Minimum
from .mul import Mul
from .neg import Neg
from .pow import Pow
from .sqrt import Sqrt
from .sub import Sub
from .where import Where

__all__ = ["Abs", "Add", "Clamp", "Div", "Equal", "Exp", "Greater", "GreaterEqual", "Less", "LessEqual", "Log",
           "MatMul", "Maximum", "Minimum", "Mul", "Neg", "NotEqual", "Pow", "Sqrt", "Sub", "Where"]
