from .model_file import memory_plan, write_model
from .writer import write_tflite

__all__ = ["memory_plan", "write_model", "write_tflite"]
