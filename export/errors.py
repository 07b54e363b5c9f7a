class ExportError(ValueError):
    """The model cannot be written in the requested format; the message names the op, its module and the fix."""
