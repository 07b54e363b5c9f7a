"""`ember.vision`: vision (and small sequence) models for training and export tests."""

from . import models

__all__ = ["models"]
