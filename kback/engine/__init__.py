"""The Keras-2 engine: layers, nodes, networks and training."""
from .base_layer import Layer, InputSpec  # noqa: F401
from .input_layer import InputLayer, Input  # noqa: F401
from .training import Model  # noqa: F401
from ..utils.layer_utils import get_source_inputs  # noqa: F401
