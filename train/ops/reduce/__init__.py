from .amax import Amax
from .amin import Amin
from .max import Max
from .mean import Mean
from .min import Min
from .std import Std
from .sum import Sum
from .var import Var

__all__ = ["Amax", "Amin", "Max", "Mean", "Min", "Std", "Sum", "Var"]
