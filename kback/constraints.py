"""Weight constraints (Keras 2.3): callables applied to a weight after each
optimizer update, returning the projected weight as a K tensor."""
from . import backend as K
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object


def _norms(w, axis):
    """L2 norms of w along axis, kept broadcastable against w."""
    return K.sqrt(K.sum(K.square(w), axis=axis, keepdims=True))


def _tensor(w):
    return w if K.is_tensor(w) else K.constant(w)


class Constraint:
    """Base class of the weight constraints: `constraint(w)` is the weight
    projected after each optimizer update (the identity in the base class).
    """

    def __call__(self, w):
        """The projected weight, a tensor."""
        return w

    def get_config(self):
        """The constraint's arguments, as a dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Makes a constraint from the dict returned by `get_config`."""
        return cls(**config)

    def __repr__(self):
        args = ', '.join(f'{k}={v!r}' for k, v in self.get_config().items())
        return f'{type(self).__name__}({args})'


class MaxNorm(Constraint):
    """Rescales the weight's slices whose L2 norm exceeds `max_value`.

    Arguments:
        max_value: the largest norm.
        axis: the axis (or axes) along which the norms are taken; 0 suits a
            Dense kernel `(input, output)`, `[0, 1, 2]` a channels-last Conv2D
            kernel `(rows, cols, input, output)`.

    Example::

        Dense(64, kernel_constraint=constraints.max_norm(2.))
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _tensor(w)
        norms = _norms(w, self.axis)
        desired = K.clip(norms, 0, self.max_value)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {'max_value': self.max_value, 'axis': self.axis}


class NonNeg(Constraint):
    """Sets the negative entries of the weight to zero."""

    def __call__(self, w):
        w = _tensor(w)
        return w * K.cast(K.greater_equal(w, 0.), K.dtype(w))


class UnitNorm(Constraint):
    """Scales each slice of the weight to unit L2 norm.

    Arguments:
        axis: the axis (or axes) along which the norms are taken.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _tensor(w)
        return w / (K.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {'axis': self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norm of each slice of the weight towards
    `[min_value, max_value]`.

    The new norm is `rate * clip(norm, min_value, max_value) + (1 - rate) * norm`.

    Arguments:
        min_value: the smallest norm.
        max_value: the largest norm.
        rate: the speed of the move, in [0, 1] (1: straight to the interval).
        axis: the axis (or axes) along which the norms are taken.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _tensor(w)
        norms = _norms(w, self.axis)
        desired = (self.rate * K.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (K.epsilon() + norms))

    def get_config(self):
        return {'min_value': self.min_value, 'max_value': self.max_value,
                'rate': self.rate, 'axis': self.axis}


# Keras's snake-case aliases, and the older lowercase ones.
max_norm = MaxNorm
non_neg = NonNeg
unit_norm = UnitNorm
min_max_norm = MinMaxNorm
maxnorm = max_norm
nonneg = non_neg
unitnorm = unit_norm

_CONSTRAINTS = {'Constraint': Constraint, 'MaxNorm': MaxNorm, 'NonNeg': NonNeg,
                'UnitNorm': UnitNorm, 'MinMaxNorm': MinMaxNorm, 'max_norm': max_norm,
                'non_neg': non_neg, 'unit_norm': unit_norm, 'min_max_norm': min_max_norm,
                'maxnorm': maxnorm, 'nonneg': nonneg, 'unitnorm': unitnorm}


def serialize(constraint):
    """A constraint as a dict `{'class_name': ..., 'config': ...}`.

    Arguments:
        constraint: a constraint instance.

    Returns:
        A JSON-serializable dict.
    """
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """A constraint from a `{'class_name', 'config'}` dict.

    Arguments:
        config: the dict.
        custom_objects: a dict mapping names to custom constraints.

    Returns:
        A constraint instance.
    """
    return deserialize_keras_object(config, module_objects=_CONSTRAINTS,
                                    custom_objects=custom_objects,
                                    printable_module_name='constraint')


def get(identifier):
    """A constraint from None, a name (`'max_norm'`, `'NonNeg'`, ...) or a
    serialized dict; a callable is returned as it is.

    Arguments:
        identifier: the identifier.

    Returns:
        A constraint, or None.

    Raises:
        ValueError: if the identifier cannot be interpreted.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        # A class name gives an instance with the defaults; a user's function
        # is returned as it is.
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f'Could not interpret constraint identifier: {identifier!r}')
