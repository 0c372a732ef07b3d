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
from .ops import apply, assigned_variable as _assigned_variable


def _dtype_or_floatx(dtype):
    return config.floatx() if dtype is None else as_dtype_name(dtype)


# -- creation --------------------------------------------------------------------

def variable(value, dtype=None, name=None, constraint=None):
    """Makes a variable: a tensor that holds a value and keeps it between calls.

    Arguments:
        value: a numpy array (or number, or list) with the initial value; a
            tensor is evaluated first.
        dtype: the variable's dtype (default `K.floatx()`).
        name: an optional name.
        constraint: an optional function applied to the value after each
            optimizer update.

    Returns:
        A `Variable`.

    Example::

        kvar = K.variable(np.array([[1, 2], [3, 4]]), dtype='float64', name='w')
        K.eval(kvar)      # array([[1., 2.], [3., 4.]])
    """
    if isinstance(value, Tensor):
        value = eval(value)
    v = Variable(value, _dtype_or_floatx(dtype), name=name, constraint=constraint)
    v._keras_shape = v.shape
    return v


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None):
    """Makes a placeholder: a tensor whose value is fed when a function is called.

    Arguments:
        shape: a tuple of ints >= 0 or None (any size), e.g. `(None, 784)`.
        ndim: the rank, when `shape` is not given (every size unknown).
        dtype: the placeholder's dtype (default `K.floatx()`).
        sparse: must be False (kback has dense tensors only).
        name: an optional name.

    Returns:
        A `Placeholder`.

    Raises:
        ValueError: if neither `shape` nor `ndim` is given, or a size is not an
            int >= 0 or None.
        NotImplementedError: if `sparse` is True.

    Example::

        x = K.placeholder(shape=(None, 4, 5))
        K.int_shape(x)    # (None, 4, 5)
    """
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
    """Makes a constant tensor.

    Arguments:
        value: a number or an array.
        dtype: the dtype (default `K.floatx()`).
        shape: an optional shape: a number is filled into it, an array is
            reshaped to it.
        name: an optional name.

    Returns:
        A constant tensor.

    Raises:
        ValueError: if the array cannot be reshaped to `shape`.
    """
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
    """A variable of zeros.

    Arguments:
        shape: a tuple of ints.
        dtype: the dtype (default `K.floatx()`).
        name: an optional name.

    Returns:
        A `Variable`.
    """
    return variable(np.zeros(shape), dtype, name)


def ones(shape, dtype=None, name=None):
    """A variable of ones.

    Arguments:
        shape: a tuple of ints.
        dtype: the dtype (default `K.floatx()`).
        name: an optional name.

    Returns:
        A `Variable`.
    """
    return variable(np.ones(shape), dtype, name)


def eye(size, dtype=None, name=None):
    """A variable holding an identity matrix.

    Arguments:
        size: an int (a square matrix) or a pair `(rows, cols)`.
        dtype: the dtype (default `K.floatx()`).
        name: an optional name.

    Returns:
        A `Variable`.
    """
    rows, cols = (size, size) if isinstance(size, int) else tuple(size)
    return variable(np.eye(rows, cols), dtype, name)


def zeros_like(x, dtype=None, name=None):
    """A tensor of zeros with the shape (and, by default, dtype) of `x`.

    Arguments:
        x: a tensor.
        dtype: the dtype of the result (default: `x`'s).
        name: ignored (accepted as in Keras).

    Returns:
        A tensor.
    """
    out = apply('zeros_like', x)
    return out if dtype is None else cast(out, dtype)


def ones_like(x, dtype=None, name=None):
    """A tensor of ones with the shape (and, by default, dtype) of `x`.

    Arguments:
        x: a tensor.
        dtype: the dtype of the result (default: `x`'s).
        name: ignored (accepted as in Keras).

    Returns:
        A tensor.
    """
    out = apply('ones_like', x)
    return out if dtype is None else cast(out, dtype)


def identity(x, name=None):
    """A new tensor with the value of `x`.

    Arguments:
        x: a tensor.
        name: ignored (accepted as in Keras).

    Returns:
        A tensor.
    """
    return apply('identity', x)


def cast(x, dtype):
    """Casts a tensor to a dtype.

    Arguments:
        x: a tensor (or array or number).
        dtype: the target dtype, e.g. `'float32'` or `'int32'`.

    Returns:
        A tensor of that dtype (`x` itself if it has it already).
    """
    dtype = as_dtype_name(dtype)
    x = as_tensor(x)
    return x if x.dtype == dtype else apply('cast', x, dtype=dtype)


def stop_gradient(variables):
    """The same values, with no gradient flowing back through them.

    Arguments:
        variables: a tensor or a list of tensors.

    Returns:
        A tensor or a list of tensors, treated as constants by `K.gradients`.
    """
    if isinstance(variables, (list, tuple)):
        return [apply('stop_gradient', v) for v in variables]
    return apply('stop_gradient', variables)


# -- predicates and static facts ---------------------------------------------------

def is_variable(x):
    """Whether `x` is a `Variable`.

    Arguments:
        x: any object.

    Returns:
        A bool.
    """
    return isinstance(x, Variable)


def is_placeholder(x):
    """Whether `x` is a `Placeholder`.

    Arguments:
        x: any object.

    Returns:
        A bool.
    """
    return isinstance(x, Placeholder)


def is_keras_tensor(x):
    """Whether `x` is a Keras tensor: the output of a layer or of `Input`.

    Arguments:
        x: a tensor.

    Returns:
        A bool.

    Raises:
        ValueError: if `x` is not a symbolic tensor.
    """
    if not is_tensor(x):
        raise ValueError(f'Unexpectedly found an instance of type `{type(x)}`. '
                         'Expected a symbolic tensor instance.')
    return hasattr(x, '_keras_history')


def int_shape(x):
    """The static shape of a tensor (or array) as a tuple of ints and None.

    Arguments:
        x: a tensor or an array.

    Returns:
        A tuple; None marks a size not known until run time.

    Example::

        K.int_shape(K.placeholder(shape=(None, 3)))    # (None, 3)
    """
    if isinstance(x, Tensor):
        return x.shape
    return np.shape(x)


def ndim(x):
    """The rank of a tensor (or array): its number of axes.

    Arguments:
        x: a tensor or an array.

    Returns:
        An int.
    """
    return len(int_shape(x))


def dtype(x):
    """The dtype of a tensor (or array), as a string such as `'float32'`.

    Arguments:
        x: a tensor or an array.

    Returns:
        A string.
    """
    if isinstance(x, Tensor):
        return x.dtype
    return np.asarray(x).dtype.name


def shape(x):
    """The run-time shape of a tensor, as an int32 tensor.

    Use it for sizes that are only known when the graph runs (the batch
    size); `K.int_shape` gives the static shape.

    Arguments:
        x: a tensor.

    Returns:
        A 1D int32 tensor.
    """
    return apply('shape_of', x)


def count_params(x):
    """The number of scalar values in a tensor.

    Arguments:
        x: a tensor or an array.

    Returns:
        An int.

    Raises:
        ValueError: if the shape is not fully known.
    """
    n = num_elements(int_shape(x))
    if n is None:
        raise ValueError(f'count_params: the shape {fmt(int_shape(x))} of {x!r} is not fully known')
    return n


# -- values ------------------------------------------------------------------------

def eval(x):
    """The value of a tensor, computed now.

    Arguments:
        x: a tensor that depends on no placeholder left unfed (variables and
            constants only).

    Returns:
        A numpy array.

    Example::

        K.eval(K.variable(np.ones((2, 2))) * 3)    # array of 3s
    """
    if isinstance(x, Variable):
        return x.value.copy()
    return Function([], [as_tensor(x)])([])[0]


set_evaluator(eval)


def get_value(x):
    """The value of a variable, or of any tensor that needs no fed input (as
    Keras 2.3's TensorFlow backend evaluates it).

    Arguments:
        x: a `Variable` or any tensor.

    Returns:
        A numpy array (a copy for a variable).

    Raises:
        TypeError: if `x` is not a tensor.
        ValueError: if the tensor needs a fed placeholder.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f'get_value: expected a tensor or variable, got {x!r}')
    return eval(x)


def batch_get_value(ops):
    """The values of several tensors (variables are read, others evaluated).

    Arguments:
        ops: a list of tensors.

    Returns:
        A list of numpy arrays.
    """
    return [get_value(x) for x in ops]


def set_value(x, value):
    """Sets a variable's value.

    Arguments:
        x: a `Variable`.
        value: a numpy array (or number) of the variable's shape; it is cast
            to the variable's dtype.

    Raises:
        TypeError: if `x` is not a variable.
        ValueError: if the shape does not match, or the cast would change a
            value.
    """
    if not isinstance(x, Variable):
        raise TypeError(f'set_value: expected a variable, got {x!r}')
    x.assign_value(value)


def batch_set_value(tuples):
    """Sets the values of several variables.

    Arguments:
        tuples: a list of `(variable, value)` pairs.
    """
    for x, value in tuples:
        set_value(x, value)


def function(inputs, outputs, updates=None, **kwargs):
    """Compiles a function from placeholders to output tensors, with updates.

    The graph is pruned, constant parts folded, and one Python function is
    generated with a line per node; calling it feeds `inputs`, computes the
    outputs, then applies the updates (outputs are computed first).

    Arguments:
        inputs: a list of placeholders.
        outputs: a list of tensors to compute.
        updates: a list of update ops (`K.update`, ...) or `(variable, value)`
            pairs, applied after the outputs are computed.
        **kwargs: `name`, an optional name.

    Returns:
        A callable taking a list of numpy arrays (one per input) and returning
        a list of numpy arrays (one per output).

    Raises:
        ValueError: on an unknown keyword argument, or if an output depends on
            a placeholder not in `inputs`.

    Example::

        x = K.placeholder(shape=(None, 2))
        f = K.function([x], [K.sum(x, axis=1)])
        f([np.ones((3, 2))])      # [array([2., 2., 2.])]
    """
    name = kwargs.pop('name', None)
    if kwargs:
        raise ValueError(f'function: unknown arguments {sorted(kwargs)}')
    return Function(inputs, outputs, updates, name=name)


# -- updates ------------------------------------------------------------------------

def update(x, new_x):
    """An op that sets `x` to `new_x` when it runs (in a `K.function`'s updates).

    Arguments:
        x: a `Variable`.
        new_x: a tensor of the same shape.

    Returns:
        The update op (a tensor whose value is the new value).
    """
    return apply('assign', x, new_x)


def assigned_variable(x):
    """The variable that update op `x` sets when it runs, or None (kback's own).

    An update op is a result of `K.update`, `K.update_add`, `K.update_sub`,
    `K.moving_average_update`, or of any op that declares in the op table that
    its value is written into a variable.

    Arguments:
        x: a tensor.

    Returns:
        A `Variable`, or None when `x` sets none.

    Example::

        v = K.variable([1.0, 2.0])
        K.assigned_variable(K.update_add(v, 1.0)) is v     # True
    """
    if not isinstance(x, Tensor):
        raise TypeError(f'assigned_variable: expected a tensor, got {type(x).__name__} {x!r}')
    return _assigned_variable(x)


def update_add(x, increment):
    """An op that adds `increment` to the variable `x` when it runs.

    Arguments:
        x: a `Variable`.
        increment: a tensor of the same shape.

    Returns:
        The update op.
    """
    return update(x, x + increment)


def update_sub(x, decrement):
    """An op that subtracts `decrement` from the variable `x` when it runs.

    Arguments:
        x: a `Variable`.
        decrement: a tensor of the same shape.

    Returns:
        The update op.
    """
    return update(x, x - decrement)


def moving_average_update(x, value, momentum):
    """An op that sets `x` to `x * momentum + value * (1 - momentum)`.

    Arguments:
        x: a `Variable`, the moving average.
        value: a tensor of the same shape, the new observation.
        momentum: a float, the weight of the old average.

    Returns:
        The update op.
    """
    return update(x, x * momentum + value * (1.0 - momentum))


# -- session and learning phase ----------------------------------------------------

clear_session = graph_state.clear_session
get_uid = graph_state.get_uid
reset_uids = graph_state.reset_uids


def learning_phase():
    """The learning phase: 0 (test) or 1 (training).

    A fixed int when set by `set_learning_phase` (or within
    `learning_phase_scope`); otherwise a scalar bool placeholder that a
    `K.function` may be fed and that defaults to test.

    Returns:
        An int or a bool placeholder.
    """
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
    """Fixes the learning phase for the graphs built from now on.

    Arguments:
        value: 0 (test) or 1 (training).

    Raises:
        ValueError: if `value` is not 0 or 1.
    """
    graph_state.current_graph().learning_phase_value = _check_phase(value)


@contextlib.contextmanager
def learning_phase_scope(value):
    """A context manager within which the learning phase is fixed to `value`.

    Tensors built inside compute only that branch of `in_train_phase`; the
    phase before the block is restored after it (kback's own, as in tf.keras).

    Arguments:
        value: 0 (test) or 1 (training).

    Raises:
        ValueError: if `value` is not 0 or 1.

    Example::

        with K.learning_phase_scope(1):
            y = model(x)      # built in the training phase
    """
    graph = graph_state.current_graph()
    previous = graph.learning_phase_value
    graph.learning_phase_value = _check_phase(value)
    try:
        yield
    finally:
        graph.learning_phase_value = previous


# -- positions in the graph ---------------------------------------------------------

def graph_mark():
    """The graph's present position, for `created_after` (kback's own).

    Returns:
        An int, the id the next node will get.
    """
    return graph_state.next_node_id()


def created_after(mark, items):
    """The items built after a `graph_mark` (kback's own).

    Used to find the updates and losses that rerunning a model created.

    Arguments:
        mark: a value returned by `graph_mark()`.
        items: a list of tensors or `(variable, new_value)` update pairs (by
            the new value); an item that is no tensor counts as new.

    Returns:
        The list of those items created after the mark.
    """
    def new(item):
        t = item[1] if isinstance(item, tuple) else item
        return not isinstance(t, Tensor) or t.id > mark
    return [item for item in items if new(item)]


