"""Keras 2.x's former home of the layer and network classes, which Keras 2.3
keeps for old code (`from keras.engine.topology import Layer`)."""
from .base_layer import Layer, InputSpec  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .network import Network  # noqa: F401
from .node import Node  # noqa: F401
from ..utils.layer_utils import get_source_inputs  # noqa: F401
