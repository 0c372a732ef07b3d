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
    """Sets Keras's manual-initialization flag (kept for compatibility).

    kback variables hold their value from creation, so the flag changes
    nothing.

    Arguments:
        value: a bool.
    """
    _MANUAL_VAR_INIT['value'] = bool(value)


def symbolic(func):
    """A decorator that runs `func` in the Keras graph; kback has only that graph,
    so `func` is unchanged.

    Arguments:
        func: a function.

    Returns:
        The function.
    """
    @functools.wraps(func)
    def symbolic_fn_wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return symbolic_fn_wrapper


def eager(func):
    """A decorator that runs `func` outside the Keras graph; kback computes
    values through `K.eval` and `K.function`, so `func` is unchanged.

    Arguments:
        func: a function.

    Returns:
        The function.
    """
    @functools.wraps(func)
    def eager_fn_wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return eager_fn_wrapper


def is_symbolic(x):
    """Whether `x` is a symbolic tensor: an op's result or a placeholder.

    Variables, constants and non-tensors are not (as TF 2's eager values).

    Arguments:
        x: any object.

    Returns:
        A bool.
    """
    return isinstance(x, Tensor) and not isinstance(x, (Variable, Constant))


def is_sparse(tensor):
    """Whether a tensor is sparse: always False (kback has dense tensors only).

    Arguments:
        tensor: a tensor.

    Returns:
        False.
    """
    return False


def to_dense(tensor):
    """The tensor itself (kback has dense tensors only).

    Arguments:
        tensor: a tensor.

    Returns:
        The same tensor.
    """
    return tensor


def get_variable_shape(x):
    """The static shape of a variable, as `K.int_shape`.

    Arguments:
        x: a variable.

    Returns:
        A tuple of ints.
    """
    return int_shape(x)


def size(x, name=None):
    """The number of elements of a tensor, as an int32 scalar tensor.

    Arguments:
        x: a tensor.
        name: ignored (accepted as in Keras).

    Returns:
        A scalar tensor, computed at run time.
    """
    return prod(shape(as_tensor(x)))


def print_tensor(x, message=''):
    """`x` unchanged, printing `message` and its value each time it is computed.

    Use the returned tensor in place of `x`.

    Arguments:
        x: a tensor.
        message: the text printed before the value.

    Returns:
        A tensor with the value of `x`.
    """
    return apply('print_tensor', as_tensor(x), message=str(message))
