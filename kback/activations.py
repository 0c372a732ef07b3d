"""Built-in activation functions (Keras 2.3 names and defaults).

Every function is written with K ops so it is differentiable and uses the
compiled kernels the backend dispatches to (relu goes through K.relu, which
may fuse with a preceding bias_add).
"""
import warnings

from . import backend as K
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object


def softmax(x, axis=-1):
    """The softmax activation: `exp(x) / sum(exp(x))` along an axis.

    Arguments:
        x: a tensor of rank >= 2.
        axis: the axis to normalize over.

    Returns:
        A tensor of the same shape.

    Raises:
        ValueError: if `x` is 1D.
    """
    ndim = K.ndim(x)
    if ndim < 2:
        raise ValueError(f'softmax: cannot apply softmax to a tensor that is {ndim}D '
                         f'(shape {K.int_shape(x)}); it needs a batch axis and a feature axis')
    return K.softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Arguments:
        x: a tensor.
        alpha: the scale of the negative part.

    Returns:
        A tensor of the same shape.
    """
    return K.elu(x, alpha)


def selu(x):
    """Scaled exponential linear unit: `scale * elu(x, alpha)` with the
    self-normalizing constants (use with `lecun_normal` and `AlphaDropout`).

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return K.selu(x)


def softplus(x):
    """Softplus: `log(exp(x) + 1)`.

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return K.softplus(x)


def softsign(x):
    """Softsign: `x / (abs(x) + 1)`.

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return K.softsign(x)


def relu(x, alpha=0., max_value=None, threshold=0.):
    """Rectified linear unit: `max(x, 0)` by default.

    Arguments:
        x: a tensor.
        alpha: the slope below the threshold.
        max_value: the saturation level, or None.
        threshold: the threshold below which `alpha` applies.

    Returns:
        A tensor of the same shape.
    """
    return K.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x):
    """Hyperbolic tangent.

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return K.tanh(x)


def sigmoid(x):
    """The logistic sigmoid `1 / (1 + exp(-x))`.

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return K.sigmoid(x)


def hard_sigmoid(x):
    """A piecewise linear sigmoid: 0 for `x < -2.5`, 1 for `x > 2.5`,
    `0.2 * x + 0.5` in between.

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return K.hard_sigmoid(x)


def exponential(x):
    """The exponential `exp(x)`.

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return K.exp(x)


def linear(x):
    """The identity (no activation).

    Arguments:
        x: a tensor.

    Returns:
        A tensor of the same shape.
    """
    return x


_ACTIVATIONS = {f.__name__: f for f in (
    softmax, elu, selu, softplus, softsign, relu, tanh, sigmoid, hard_sigmoid,
    exponential, linear)}


def serialize(activation):
    """An activation function as its name.

    Arguments:
        activation: an activation function.

    Returns:
        Its name, a string.
    """
    return serialize_keras_object(activation)


def deserialize(name, custom_objects=None):
    """The activation function of a name.

    Arguments:
        name: the function's name.
        custom_objects: a dict mapping names to custom activations.

    Returns:
        A function.

    Raises:
        ValueError: if the name is unknown.
    """
    return deserialize_keras_object(name, module_objects=_ACTIVATIONS,
                                    custom_objects=custom_objects,
                                    printable_module_name='activation function')


def _is_layer(obj):
    # kback.layers imports this module, so recognise a Layer by its class tree.
    return any(c.__name__ == 'Layer' and c.__module__.startswith('kback.')
               for c in type(obj).__mro__)


def get(identifier):
    """An activation function from None (linear), a name or a serialized dict;
    a callable is returned as it is.

    Arguments:
        identifier: the identifier.

    Returns:
        A function.

    Raises:
        ValueError: if the identifier cannot be interpreted.
    """
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
