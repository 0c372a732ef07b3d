"""kback: a Keras-2-style deep-learning library for multi-core CPUs."""
from . import backend  # noqa: F401

__version__ = '0.1.0'
