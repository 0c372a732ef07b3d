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
    """Base class of the weight regularizers: `regularizer(x)` is the penalty
    added to the loss for the weight `x` (none in the base class).
    """

    def __call__(self, x):
        """The penalty for a weight, a scalar tensor."""
        return K.constant(0.)

    def get_config(self):
        """The regularizer's arguments, as a dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """Makes a regularizer from the dict returned by `get_config`."""
        return cls(**config)


class L1L2(Regularizer):
    """The L1 and L2 penalty: `l1 * sum(abs(x)) + l2 * sum(square(x))`.

    Arguments:
        l1: the L1 factor, a float.
        l2: the L2 factor, a float.

    Raises:
        ValueError: if a factor is not a number.

    Example::

        Dense(64, kernel_regularizer=regularizers.l2(0.01))
    """

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
    """An L1 penalty `l * sum(abs(x))`.

    Arguments:
        l: the factor, a float.

    Returns:
        An `L1L2` regularizer.
    """
    return L1L2(l1=l)


def l2(l=0.01):  # noqa: E741
    """An L2 penalty `l * sum(square(x))`.

    Arguments:
        l: the factor, a float.

    Returns:
        An `L1L2` regularizer.
    """
    return L1L2(l2=l)


def l1_l2(l1=0.01, l2=0.01):  # noqa: F811 (arguments shadow the functions, as Keras)
    """An L1 plus L2 penalty.

    Arguments:
        l1: the L1 factor, a float.
        l2: the L2 factor, a float.

    Returns:
        An `L1L2` regularizer.
    """
    return L1L2(l1=l1, l2=l2)


_REGULARIZERS = {'Regularizer': Regularizer, 'L1L2': L1L2, 'l1': l1, 'l2': l2,
                 'l1_l2': l1_l2}


def serialize(regularizer):
    """A regularizer as a dict `{'class_name': ..., 'config': ...}`.

    Arguments:
        regularizer: a regularizer instance.

    Returns:
        A JSON-serializable dict.
    """
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """A regularizer from a `{'class_name', 'config'}` dict.

    Arguments:
        config: the dict.
        custom_objects: a dict mapping names to custom regularizers.

    Returns:
        A regularizer instance.
    """
    return deserialize_keras_object(config, module_objects=_REGULARIZERS,
                                    custom_objects=custom_objects,
                                    printable_module_name='regularizer')


def get(identifier):
    """A regularizer from None, a name (`'l2'`, `'l1_l2'`, `'L1L2'`) or a
    serialized dict; a callable is returned as it is.

    Arguments:
        identifier: the identifier.

    Returns:
        A regularizer, or None.

    Raises:
        ValueError: if the identifier cannot be interpreted.
    """
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
