"""Keras 2.3 backend functions about TensorFlow's graph/session machinery,
with their meaning in kback's single recorded graph: symbolic/eager (TF 2
graph switching), manual variable initialisation, sparse
predicates, plus the small helpers get_variable_shape, size, print_tensor."""
import functools

from .core import int_shape, shape
from .math import prod
from .ops import apply
from .tensor import Tensor, Variable, Constant, as_tensor

# Keras's flag; kback variables hold their value from creation on, so there
# is never anything left to initialise whichever way it is set.
_MANUAL_VAR_INIT = {'value': False}


def manual_variable_initialization(value):
    """Sets the manual-initialisation flag (no effect on kback variables,
    which are initialised when created)."""
    _MANUAL_VAR_INIT['value'] = bool(value)


def symbolic(func):
    """Decorator that runs func in the Keras graph: kback has only that graph."""
    @functools.wraps(func)
    def symbolic_fn_wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return symbolic_fn_wrapper


def eager(func):
    """Decorator that runs func outside the Keras graph: kback evaluates
    values through K.eval / K.function, so func runs unchanged."""
    @functools.wraps(func)
    def eager_fn_wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return eager_fn_wrapper


def is_symbolic(x):
    """True for graph tensors computed by ops or fed (placeholders); False for
    variables, constants and non-tensors, as for TF 2's eager values."""
    return isinstance(x, Tensor) and not isinstance(x, (Variable, Constant))


def is_sparse(tensor):
    """kback has no sparse tensors (K.placeholder(sparse=True) is refused)."""
    return False


def to_dense(tensor):
    return tensor


def get_variable_shape(x):
    return int_shape(x)


def size(x, name=None):
    """The number of elements of x, as an int32 scalar tensor."""
    return prod(shape(as_tensor(x)))


def print_tensor(x, message=''):
    """x unchanged; prints message and the value each time it is evaluated
    (use the returned tensor, as in Keras)."""
    return apply('print_tensor', as_tensor(x), message=str(message))
