"""kback: a Keras-2-style deep-learning library for multi-core CPUs."""
from ._version import __version__  # noqa: F401

from . import backend  # noqa: F401,E402
from . import (activations, initializers, regularizers, constraints, losses,  # noqa: F401,E402
               metrics, optimizers, callbacks, utils, engine, layers, models, datasets,
               preprocessing, applications, wrappers)

# As Keras 2.3.1's keras/__init__.py: the model classes and Input at the top level.
from .models import Sequential, Model  # noqa: F401,E402
from .layers import Input  # noqa: F401,E402
