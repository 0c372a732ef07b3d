"""Weight regularizers (Keras 2.3): callables mapping a weight to a scalar
penalty that layers add to the model's loss."""
from . import backend as K
from .utils.generic_utils import serialize_keras_object, deserialize_keras_object


def _factor(name, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name}: the penalty factor must be a number, got {value!r}') from None
    return value


class Regularizer:
    """Base class: `__call__(x)` returns the penalty for weight x."""

    def __call__(self, x):
        return K.constant(0.)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """sum(l1 * |x|) + sum(l2 * x ** 2)."""

    def __init__(self, l1=0., l2=0.):
        self.l1 = _factor('L1L2', l1)
        self.l2 = _factor('L1L2', l2)

    def __call__(self, x):
        penalty = None
        if self.l1:
            penalty = K.sum(self.l1 * K.abs(x))
        if self.l2:
            term = K.sum(self.l2 * K.square(x))
            penalty = term if penalty is None else penalty + term
        if penalty is None:
            # A K scalar either way, so callers can always evaluate it.
            return K.constant(0., dtype=K.dtype(x) if K.is_tensor(x) else None)
        return penalty

    def get_config(self):
        return {'l1': self.l1, 'l2': self.l2}

    def __repr__(self):
        return f'L1L2(l1={self.l1!r}, l2={self.l2!r})'


def l1(l=0.01):  # noqa: E741 (Keras's argument name)
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811 (arguments shadow the functions, as Keras)
    return L1L2(l1=l1, l2=l2)


_REGULARIZERS = {'Regularizer': Regularizer, 'L1L2': L1L2, 'l1': l1, 'l2': l2,
                 'l1_l2': l1_l2}


def serialize(regularizer):
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, module_objects=_REGULARIZERS,
                                    custom_objects=custom_objects,
                                    printable_module_name='regularizer')


def get(identifier):
    """None -> None; a serialised dict or a name ('l2', 'l1_l2', 'L1L2') -> a
    regularizer; a callable is returned as it is."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = deserialize(identifier)
        # l1/l2/l1_l2 build a regularizer; a user's function is one already.
        return obj() if any(obj is f for f in (l1, l2, l1_l2)) else obj
    if callable(identifier):
        return identifier
    raise ValueError(f'Could not interpret regularizer identifier: {identifier!r}')
