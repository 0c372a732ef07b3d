"""Wrappers that let other libraries use kback models (Keras 2.3's keras.wrappers)."""
from . import scikit_learn  # noqa: F401
