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
    """Base class: the identity projection."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ', '.join(f'{k}={v!r}' for k, v in self.get_config().items())
        return f'{type(self).__name__}({args})'


class MaxNorm(Constraint):
    """Rescales the slices along `axis` whose L2 norm exceeds max_value down
    to max_value.  axis=0 suits Dense kernels (input, output); [0, 1, 2]
    suits channels_last Conv2D kernels (rows, cols, input, output)."""

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
    """Negative entries set to zero."""

    def __call__(self, w):
        w = _tensor(w)
        return w * K.cast(K.greater_equal(w, 0.), K.dtype(w))


class UnitNorm(Constraint):
    """Each slice along `axis` scaled to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _tensor(w)
        return w / (K.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {'axis': self.axis}


class MinMaxNorm(Constraint):
    """Moves the L2 norm of each slice along `axis` towards [min_value,
    max_value]: new norm = rate * clip(norm, min, max) + (1 - rate) * norm."""

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
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, module_objects=_CONSTRAINTS,
                                    custom_objects=custom_objects,
                                    printable_module_name='constraint')


def get(identifier):
    """None -> None; a serialised dict or a name ('max_norm', 'NonNeg', ...)
    -> a constraint; a callable is returned as it is."""
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
