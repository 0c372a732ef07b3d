"""Built-in activation functions (Keras 2.3 names and defaults).

Every function is written with K ops so it is differentiable and uses the
compiled kernels the backend dispatches to (relu goes through K.relu, which
may fuse with a preceding bias_add).
"""
import warnings

from . import backend as K
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`; tensors need at least 2 dims."""
    ndim = K.ndim(x)
    if ndim < 2:
        raise ValueError(f'softmax: cannot apply softmax to a tensor that is {ndim}D '
                         f'(shape {K.int_shape(x)}); it needs a batch axis and a feature axis')
    return K.softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    return K.elu(x, alpha)


def selu(x):
    """scale * elu(x, alpha) with the self-normalising constants."""
    return K.selu(x)


def softplus(x):
    """log(exp(x) + 1)."""
    return K.softplus(x)


def softsign(x):
    """x / (|x| + 1)."""
    return K.softsign(x)


def relu(x, alpha=0., max_value=None, threshold=0.):
    """max(x, 0) by default; alpha is the slope below threshold, max_value
    the saturation level."""
    return K.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x):
    return K.tanh(x)


def sigmoid(x):
    return K.sigmoid(x)


def hard_sigmoid(x):
    """0 for x < -2.5, 1 for x > 2.5, 0.2 * x + 0.5 in between."""
    return K.hard_sigmoid(x)


def exponential(x):
    return K.exp(x)


def linear(x):
    return x


_ACTIVATIONS = {f.__name__: f for f in (
    softmax, elu, selu, softplus, softsign, relu, tanh, sigmoid, hard_sigmoid,
    exponential, linear)}


def serialize(activation):
    """A built-in or named function serialises to its name."""
    return serialize_keras_object(activation)


def deserialize(name, custom_objects=None):
    return deserialize_keras_object(name, module_objects=_ACTIVATIONS,
                                    custom_objects=custom_objects,
                                    printable_module_name='activation function')


def _is_layer(obj):
    # kback.layers imports this module, so recognise a Layer by its class tree.
    return any(c.__name__ == 'Layer' and c.__module__.startswith('kback.')
               for c in type(obj).__mro__)


def get(identifier):
    """None -> linear; a name or a serialised dict -> the function; a
    callable is returned as it is."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        if _is_layer(identifier):
            warnings.warn(f'activations.get: a layer instance ({type(identifier).__name__}) '
                          'was given as an activation; it is used as a plain callable. '
                          'Add advanced activation layers to the model as layers instead.')
        return identifier
    raise ValueError(f'Could not interpret activation function identifier: {identifier!r}')
