"""`ember.optim`: optimisers with torch.optim's names, update rules and state_dict layout."""

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
