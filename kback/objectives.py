"""Keras's legacy name for the losses module: every public name of
kback.losses, for old code (`from keras.objectives import mse`)."""
from .losses import *  # noqa: F401,F403
