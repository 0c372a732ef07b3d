"""Tensors are graph nodes: an op, its inputs and attrs, a static shape and dtype.

Kinds: Variable (owns an array), Placeholder (fed at call time), Constant
(wraps an array) and op results.  Values are computed when evaluated.
"""
import numpy as np

from . import graph_state
from ._dtypes import as_dtype_name, compute_dtype, is_float
from ._shapes import fmt
from . import config


class Tensor:
    """A node of the graph: the symbolic result of an op.

    Tensors are made by K functions (`K.dot(a, b)`) and by the Python
    operators (`a + b`, `a @ b`, `a[1:]`, ...); their values are computed by
    `K.eval` or a `K.function`; the K functions make them, and each argument
    below is kept as the attribute of the same name.

    Arguments:
        op: the name of the op that computes the tensor.
        inputs: the tensors the op reads.
        attrs: the op's attributes (a dict).
        shape: the static shape, a tuple of ints and None (unknown sizes).
        dtype: the dtype, a string such as `'float32'`.
        name: a name unique in the graph (made from `op` when None).
    """
    # Make numpy defer to our operators in `ndarray + tensor`.
    __array_priority__ = 1000

    def __init__(self, op, inputs, attrs, shape, dtype, name=None):
        self.op = op
        self.inputs = tuple(inputs)
        self.attrs = attrs
        self.shape = tuple(shape)
        self.dtype = dtype
        self.id = graph_state.next_node_id()
        self.name = name if name is not None else graph_state.unique_name(op)
        self.scope = graph_state.scope

    @property
    def ndim(self):
        """The tensor's rank."""
        return len(self.shape)

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}' shape={fmt(self.shape)} dtype={self.dtype}>"

    def __bool__(self):
        raise TypeError(f"Using tensor '{self.name}' as a Python bool is not allowed: "
                        'use K.switch, K.any or K.all')

    def __iter__(self):
        raise TypeError(f"Tensor '{self.name}' is not iterable: index it or use K.unstack-style slicing")

    def __len__(self):
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"len() of tensor '{self.name}' with shape {self.shape} is unknown")
        return self.shape[0]

    def eval(self):
        """The tensor's value, computed now (as `K.eval`)."""
        return _evaluator(self)

    # Keras's TF tensors keep == as identity so tensors can be dict keys.
    __hash__ = object.__hash__


class Variable(Tensor):
    """A tensor that owns a numpy array; made by `K.variable` and the layers'
    `add_weight`.

    Its value changes only through `K.set_value` and the update ops.

    Arguments:
        value: the initial value (an array or number), copied.
        dtype: the dtype.
        name: a name unique in the graph (made when None).
        constraint: a function applied to the value after each optimizer
            update, or None.
    """
    def __init__(self, value, dtype, name=None, constraint=None):
        array = np.array(value, dtype=dtype)
        super().__init__('variable', (), {}, array.shape, dtype,
                         name=name if name is not None else graph_state.unique_name('variable'))
        self.value = array
        self.constraint = constraint
        self._uses_learning_phase = False

    def assign_value(self, value, op='set_value'):
        """Replaces the value (cast to the variable's dtype).

        Arguments:
            value: an array of the variable's shape.
            op: the name used in the error message.

        Raises:
            ValueError: if the shape differs.
        """
        value = np.asarray(value)
        if value.shape != self.shape:
            raise ValueError(f"{op}: variable '{self.name}' has shape {fmt(self.shape)}, "
                             f'got a value of shape {fmt(value.shape)}')
        self.value = value.astype(self.dtype, copy=True)

    def numpy(self):
        """A copy of the current value."""
        return self.value.copy()


class Placeholder(Tensor):
    """A tensor fed with a value when a `K.function` is called; made by
    `K.placeholder` and `Input`.

    Arguments:
        shape: the static shape, a tuple of ints and None.
        dtype: the dtype.
        name: a name unique in the graph (made when None).
        default: a function giving the value when the placeholder is not fed
            (the learning phase's), or None (it must be fed).
    """
    def __init__(self, shape, dtype, name=None, default=None):
        super().__init__('placeholder', (), {}, shape, dtype,
                         name=name if name is not None else graph_state.unique_name('placeholder'))
        self.default = default   # used when not fed (the learning phase)


class Constant(Tensor):
    """A tensor wrapping a fixed array; any array or number given to a K function
    becomes one.
    """
    def __init__(self, value, dtype, name=None):
        array = np.asarray(value, dtype=dtype)
        super().__init__('constant', (), {}, array.shape, dtype,
                         name=name if name is not None else graph_state.unique_name('constant'))
        # Stored in the compute dtype (float16 values are rounded first).
        self.value = array.astype(compute_dtype(dtype))


def _no_evaluator(tensor):
    raise RuntimeError(f"Tensor '{tensor.name}' cannot be evaluated: no evaluator is set "
                       '(importing kback.backend sets K.eval)')


# Evaluating compiles a function, and the executor sits above tensors: the
# K API hands its K.eval in with set_evaluator.
_evaluator = _no_evaluator


def set_evaluator(evaluate):
    """Makes Tensor.eval() call evaluate(tensor)."""
    global _evaluator
    _evaluator = evaluate


def is_tensor(x):
    """Whether `x` is a kback tensor (a graph node).

    Arguments:
        x: any object.

    Returns:
        A bool.
    """
    return isinstance(x, Tensor)


def as_tensor(x, dtype=None):
    """A tensor as is; anything else (array, number, list) becomes a Constant."""
    if isinstance(x, Tensor):
        return x
    if dtype is None:
        array = np.asarray(x)
        kind = array.dtype.kind
        if kind == 'f':
            dtype = config.floatx()
        elif kind in 'iub':
            dtype = array.dtype.name
        else:
            raise TypeError(f'Cannot convert {type(x).__name__} {x!r} to a tensor')
    return Constant(x, as_dtype_name(dtype))


def as_operands(*values):
    """Tensors for a binary/n-ary elementwise op.

    Python numbers and numpy arrays are weakly typed, as in Keras: they take
    the dtype of the tensor they meet (a float number meeting an int tensor
    gives floatx).
    """
    dtype = None
    for v in values:
        if isinstance(v, Tensor):
            dtype = v.dtype
            break
    out = []
    for v in values:
        if isinstance(v, Tensor):
            out.append(v)
            continue
        array = np.asarray(v)
        if array.dtype.kind not in 'fiub':
            raise TypeError(f'Cannot convert {type(v).__name__} {v!r} to a tensor')
        d = dtype
        if d is None or (array.dtype.kind == 'f' and not is_float(d)):
            d = config.floatx() if array.dtype.kind == 'f' else array.dtype.name
        out.append(Constant(array, d))
    return out
