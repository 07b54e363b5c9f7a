from .amax import Amax
from .amin import Amin
from .argmax import ArgMax, ArgMin
from .max import Max
from .mean import Mean
from .min import Min
from .std import Std
from .sum import Sum
from .var import Var

__all__ = ["Amax", "Amin", "ArgMax", "ArgMin", "Max", "Mean", "Min", "Std", "Sum", "Var"]
