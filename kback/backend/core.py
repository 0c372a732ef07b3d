"""Variables, placeholders, constants, evaluation, functions and gradients."""
import contextlib

import numpy as np

from . import graph_state, config
from ._dtypes import as_dtype_name
from ._shapes import fmt, num_elements, as_int, check_shape
from .tensor import (Tensor, Variable, Placeholder, Constant, as_tensor, is_tensor,  # noqa: F401
                     set_evaluator)
from .executor import Function
from .autodiff import gradients  # noqa: F401
from .ops import apply


def _dtype_or_floatx(dtype):
    return config.floatx() if dtype is None else as_dtype_name(dtype)


# -- creation --------------------------------------------------------------------

def variable(value, dtype=None, name=None, constraint=None):
    if isinstance(value, Tensor):
        value = eval(value)
    v = Variable(value, _dtype_or_floatx(dtype), name=name, constraint=constraint)
    v._keras_shape = v.shape
    return v


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    if sparse:
        raise NotImplementedError('placeholder: sparse tensors are not supported by kback')
    if shape is None:
        if ndim is None:
            raise ValueError('placeholder: give a shape or an ndim')
        shape = (None,) * as_int('placeholder', 'ndim', ndim, minimum=0)
    shape = check_shape('placeholder', 'shape', shape)
    p = Placeholder(shape, _dtype_or_floatx(dtype), name=name)
    p._keras_shape = shape
    p._uses_learning_phase = False
    return p


def constant(value, dtype=None, shape=None, name=None):
    dtype = _dtype_or_floatx(dtype)
    array = np.asarray(value, dtype=dtype)
    if shape is not None:
        shape = tuple(shape)
        if array.ndim == 0:
            array = np.full(shape, array, dtype=dtype)
        else:
            if array.size != num_elements(shape):
                raise ValueError(f'constant: a value of shape {fmt(array.shape)} cannot be '
                                 f'reshaped to {fmt(shape)}')
            array = array.reshape(shape)
    return Constant(array, dtype, name=name)


def zeros(shape, dtype=None, name=None):
    return variable(np.zeros(shape), dtype, name)


def ones(shape, dtype=None, name=None):
    return variable(np.ones(shape), dtype, name)


def eye(size, dtype=None, name=None):
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return variable(np.eye(rows, cols), dtype, name)


def zeros_like(x, dtype=None, name=None):
    out = apply('zeros_like', x)
    return out if dtype is None else cast(out, dtype)


def ones_like(x, dtype=None, name=None):
    out = apply('ones_like', x)
    return out if dtype is None else cast(out, dtype)


def identity(x, name=None):
    return apply('identity', x)


def cast(x, dtype):
    dtype = as_dtype_name(dtype)
    x = as_tensor(x)
    return x if x.dtype == dtype else apply('cast', x, dtype=dtype)


def stop_gradient(variables):
    if isinstance(variables, (list, tuple)):
        return [apply('stop_gradient', v) for v in variables]
    return apply('stop_gradient', variables)


# -- predicates and static facts ---------------------------------------------------

def is_variable(x):
    return isinstance(x, Variable)


def is_placeholder(x):
    return isinstance(x, Placeholder)


def is_keras_tensor(x):
    if not is_tensor(x):
        raise ValueError(f'Unexpectedly found an instance of type `{type(x)}`. '
                         'Expected a symbolic tensor instance.')
    return hasattr(x, '_keras_history')


def int_shape(x):
    if isinstance(x, Tensor):
        return x.shape
    return np.shape(x)


def ndim(x):
    return len(int_shape(x))


def dtype(x):
    if isinstance(x, Tensor):
        return x.dtype
    return np.asarray(x).dtype.name


def shape(x):
    """The run-time shape of x as an int32 tensor."""
    return apply('shape_of', x)


def count_params(x):
    n = num_elements(int_shape(x))
    if n is None:
        raise ValueError(f'count_params: the shape {fmt(int_shape(x))} of {x!r} is not fully known')
    return n


# -- values ------------------------------------------------------------------------

def eval(x):
    """The value of x; x must not depend on unfed placeholders."""
    if isinstance(x, Variable):
        return x.value.copy()
    return Function([], [as_tensor(x)])([])[0]


set_evaluator(eval)


def get_value(x):
    """The value of a variable, or of any tensor that needs no fed input (as
    Keras 2.3's TensorFlow backend evaluates it)."""
    if not isinstance(x, Tensor):
        raise TypeError(f'get_value: expected a tensor or variable, got {x!r}')
    return eval(x)


def batch_get_value(ops):
    return [get_value(x) for x in ops]


def set_value(x, value):
    if not isinstance(x, Variable):
        raise TypeError(f'set_value: expected a variable, got {x!r}')
    x.assign_value(value)


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def function(inputs, outputs, updates=None, **kwargs):
    name = kwargs.pop('name', None)
    if kwargs:
        raise ValueError(f'function: unknown arguments {sorted(kwargs)}')
    return Function(inputs, outputs, updates, name=name)


# -- updates ------------------------------------------------------------------------

def update(x, new_x):
    return apply('assign', x, new_x)


def update_add(x, increment):
    return update(x, x + increment)


def update_sub(x, decrement):
    return update(x, x - decrement)


def moving_average_update(x, value, momentum):
    """x <- x * momentum + value * (1 - momentum)."""
    return update(x, x * momentum + value * (1.0 - momentum))


# -- session and learning phase ----------------------------------------------------

clear_session = graph_state.clear_session
get_uid = graph_state.get_uid
reset_uids = graph_state.reset_uids


def learning_phase():
    """0 (test) or 1 (train) if set with set_learning_phase, else a scalar
    placeholder that K.function may be fed (0 when it is not)."""
    graph = graph_state.current_graph()
    if graph.learning_phase_value is not None:
        return graph.learning_phase_value
    if graph.learning_phase_tensor is None:
        graph.learning_phase_tensor = Placeholder(
            (), 'bool', name='keras_learning_phase', default=lambda: np.asarray(False))
    return graph.learning_phase_tensor


def _check_phase(value):
    if value not in (0, 1):
        raise ValueError(f'Expected learning phase to be 0 or 1, got {value!r}')
    return int(value)


def set_learning_phase(value):
    graph_state.current_graph().learning_phase_value = _check_phase(value)


@contextlib.contextmanager
def learning_phase_scope(value):
    """Within the block K.learning_phase() is `value` (0 or 1), so the tensors
    built there compute only that branch of in_train_phase; the phase before
    the block is restored after it."""
    graph = graph_state.current_graph()
    previous = graph.learning_phase_value
    graph.learning_phase_value = _check_phase(value)
    try:
        yield
    finally:
        graph.learning_phase_value = previous


# -- positions in the graph ---------------------------------------------------------

def graph_mark():
    """The graph's present position: K.created_after(mark, items) keeps what
    was built after it (the updates and losses a rerun of a model created)."""
    return graph_state.next_node_id()


def created_after(mark, items):
    """The items built after `mark` (K.graph_mark): tensors by their creation,
    update pairs (x, new_x) by new_x; a value that is no tensor counts as new."""
    def new(item):
        t = item[1] if isinstance(item, tuple) else item
        return not isinstance(t, Tensor) or t.id > mark
    return [item for item in items if new(item)]


