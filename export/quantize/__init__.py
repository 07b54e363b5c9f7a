"""`ember.export.quantize`: TFLite's int8 scheme: observers, calibration, post-training quantisation of the graph,
and quantisation-aware training."""

from .calibrate import calibrate
from .fake_quant import ActivationFakeQuant, FakeQuantize, FixedFakeQuant, WeightFakeQuant, fake_quantize
from .observers import HistogramObserver, MinMaxObserver, MovingAverageMinMaxObserver, Observer, make_observer
from .ptq import quantize_graph
from .qat_convert import convert
from .qat_modules import QATConv2d, QATLinear
from .qat_prepare import enable_fake_quant, enable_observers, freeze_bn_stats, freeze_observers, prepare_qat
from .qparams import QuantParams, activation_params, quantize_bias, quantize_weights

__all__ = ["ActivationFakeQuant", "FakeQuantize", "FixedFakeQuant", "HistogramObserver", "MinMaxObserver",
           "MovingAverageMinMaxObserver", "Observer", "QATConv2d", "QATLinear", "QuantParams", "WeightFakeQuant",
           "activation_params", "calibrate", "convert", "enable_fake_quant", "enable_observers", "fake_quantize",
           "freeze_bn_stats", "freeze_observers", "make_observer", "prepare_qat", "quantize_bias", "quantize_graph",
           "quantize_weights"]
