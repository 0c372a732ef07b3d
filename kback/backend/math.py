"""Keras-2 math functions, composed from the op table; Python operators on tensors."""
import builtins

import numpy as np

from . import _shapes
from ._shapes import fmt
from ._dtypes import is_float
from . import config
from .tensor import Tensor, as_tensor, as_operands
from .ops import apply
from .core import cast, learning_phase


def _float(x):
    """Maths on integer or bool tensors happens in floatx, as Keras users expect."""
    x = as_tensor(x)
    return x if is_float(x.dtype) else cast(x, config.floatx())


def _operands(*values):
    """as_operands, except that an int or bool tensor meeting a float number or
    array computes in floatx (numpy's promotion would give float64)."""
    if builtins.any(not isinstance(v, Tensor) and np.asarray(v).dtype.kind == 'f'
                    for v in values):
        values = [_float(v) if isinstance(v, Tensor) else v for v in values]
    return as_operands(*values)


def _binary(name, doc=None):
    def fn(x, y):
        x, y = _operands(x, y)
        return apply(name, x, y)
    fn.__name__ = name
    fn.__doc__ = doc
    return fn


add = _binary('add')
subtract = _binary('sub')
multiply = _binary('mul')


def divide(x, y):
    """Element-wise true division `x / y` (the `/` operator on tensors).

    Integer operands give a `K.floatx()` result, as Python's `/` gives floats.

    Arguments:
        x: a tensor (or array or number).
        y: a tensor (or array or number) broadcastable with `x`.

    Returns:
        A tensor of the broadcast shape.
    """
    x, y = _operands(x, y)
    if not is_float(x.dtype) and not is_float(y.dtype):
        x, y = _float(x), _float(y)
    return apply('div', x, y)


_BINARY_DOC = """{summary}

    Arguments:
        x: a tensor (or array or number).
        y: a tensor (or array or number) broadcastable with `x`.

    Returns:
        A {kind}tensor of the broadcast shape.

    Raises:
        ValueError: if the shapes do not broadcast.
    """


def _elementwise(name, summary, kind=''):
    return _binary(name, _BINARY_DOC.format(summary=summary, kind=kind))


maximum = _elementwise('maximum', 'Element-wise maximum of two tensors.')
minimum = _elementwise('minimum', 'Element-wise minimum of two tensors.')
equal = _elementwise('equal', 'Element-wise truth value of `x == y`.', 'bool ')
not_equal = _elementwise('not_equal', 'Element-wise truth value of `x != y`.', 'bool ')
greater = _elementwise('greater', 'Element-wise truth value of `x > y`.', 'bool ')
greater_equal = _elementwise('greater_equal', 'Element-wise truth value of `x >= y`.', 'bool ')
less = _elementwise('less', 'Element-wise truth value of `x < y`.', 'bool ')
less_equal = _elementwise('less_equal', 'Element-wise truth value of `x <= y`.', 'bool ')


def pow(x, a):
    """Element-wise power `x ** a`.

    Arguments:
        x: a tensor.
        a: the exponent: a number or a tensor broadcastable with `x`.

    Returns:
        A tensor of the broadcast shape.
    """
    x, a = _operands(x, a)
    return apply('pow', x, a)


def square(x):
    """Element-wise square.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A tensor of the same shape.
    """
    return apply('square', as_tensor(x))


def abs(x):
    """Element-wise absolute value.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A tensor of the same shape.
    """
    return apply('abs', as_tensor(x))


def sign(x):
    """Element-wise sign: -1, 0 or 1.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A tensor of the same shape.
    """
    return apply('sign', as_tensor(x))


def round(x):
    """Element-wise rounding to the nearest integer (halves to even).

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A tensor of the same shape.
    """
    return apply('round', as_tensor(x))


def exp(x):
    """Element-wise exponential.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A float tensor of the same shape (integers compute in `K.floatx()`).
    """
    return apply('exp', _float(x))


def log(x):
    """Element-wise natural logarithm.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A float tensor of the same shape (integers compute in `K.floatx()`).
    """
    return apply('log', _float(x))


def sqrt(x):
    """Element-wise square root; negative inputs are clipped to 0 first, as in
    Keras.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A float tensor of the same shape.
    """
    x = _float(x)
    return apply('sqrt', maximum(x, 0.0))


def sin(x):
    """Element-wise sine.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A float tensor of the same shape.
    """
    return apply('sin', _float(x))


def cos(x):
    """Element-wise cosine.

    Arguments:
        x: a tensor (or array or number).

    Returns:
        A float tensor of the same shape.
    """
    return apply('cos', _float(x))


def clip(x, min_value, max_value):
    """Element-wise clipping of `x` to `[min_value, max_value]`.

    A `max_value` below `min_value` is raised to it, as in Keras.

    Arguments:
        x: a tensor.
        min_value: the lower bound (a number or tensor), or None for none.
        max_value: the upper bound (a number or tensor), or None for none.

    Returns:
        A tensor of the same shape.
    """
    if min_value is not None and max_value is not None and \
            not isinstance(max_value, Tensor) and not isinstance(min_value, Tensor):
        max_value = np.maximum(max_value, min_value)
    out = as_tensor(x)
    if min_value is None and max_value is None:
        return apply('identity', out)
    if min_value is not None:
        out = maximum(out, min_value)
    if max_value is not None:
        out = minimum(out, max_value)
    return out


# -- reductions ---------------------------------------------------------------

def _reduce(name, x, axis, keepdims, caller=None):
    x = as_tensor(x)
    axes = _shapes.normalize_axes(caller or name, axis, len(x.shape))
    return apply(name, x, axes=axes, keepdims=bool(keepdims))


def sum(x, axis=None, keepdims=False):
    """The sum of the values of a tensor along some axes.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A tensor with the reduced axes removed (kept with size 1 if `keepdims`).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _reduce('sum', x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    """The product of the values of a tensor along some axes.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A tensor with the reduced axes removed (kept with size 1 if `keepdims`).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _reduce('prod', x, axis, keepdims)


def max(x, axis=None, keepdims=False):
    """The maximum of the values of a tensor along some axes.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A tensor with the reduced axes removed (kept with size 1 if `keepdims`).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _reduce('max', x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    """The minimum of the values of a tensor along some axes.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A tensor with the reduced axes removed (kept with size 1 if `keepdims`).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _reduce('min', x, axis, keepdims)


def _bool(x):
    x = as_tensor(x)
    return x if x.dtype == 'bool' else cast(x, 'bool')


def any(x, axis=None, keepdims=False):
    """Logical OR along some axes (the values are taken as bools).

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A bool tensor with the reduced axes removed (or kept with size 1).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _reduce('any', _bool(x), axis, keepdims)


def all(x, axis=None, keepdims=False):
    """Logical AND along some axes (the values are taken as bools).

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A bool tensor with the reduced axes removed (or kept with size 1).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _reduce('all', _bool(x), axis, keepdims)


def _mean(x, axis, keepdims, caller):
    x = _float(x)
    total = _reduce('sum', x, axis, keepdims, caller)
    return total / _reduce('reduce_count', x, axis, keepdims)


def _var(x, axis, keepdims, caller):
    x = _float(x)
    centred = x - _mean(x, axis, True, caller)
    return _mean(square(centred), axis, keepdims, caller)


def mean(x, axis=None, keepdims=False):
    """The mean of the values of a tensor along some axes.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A float tensor with the reduced axes removed (or kept with size 1).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _mean(x, axis, keepdims, 'mean')


def var(x, axis=None, keepdims=False):
    """The variance of the values of a tensor along some axes (population
    variance, no Bessel correction).

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A float tensor with the reduced axes removed (or kept with size 1).

    Raises:
        ValueError: if an axis is out of range.
    """
    return _var(x, axis, keepdims, 'var')


def std(x, axis=None, keepdims=False):
    """The standard deviation of the values of a tensor along some axes.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A float tensor with the reduced axes removed (or kept with size 1).

    Raises:
        ValueError: if an axis is out of range.
    """
    return sqrt(_var(x, axis, keepdims, 'std'))


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` along some axes, computed without overflow.

    The maximum is subtracted before the exponential and added back after the
    logarithm.

    Arguments:
        x: a tensor.
        axis: an int or a list of ints, the axes to reduce (negative counts from
            the end); None reduces all of them.
        keepdims: whether to keep the reduced axes, with size 1.

    Returns:
        A float tensor with the reduced axes removed (or kept with size 1).

    Raises:
        ValueError: if an axis is out of range.
    """
    x = _float(x)
    top = _reduce('max', x, axis, True, 'logsumexp')
    # An infinite max (all -inf, or some +inf) is not subtracted, as TF does.
    top = apply('stop_gradient', switch(less(abs(top), np.inf), top, 0.0))
    total = log(sum(exp(x - top), axis, keepdims=True)) + top
    if keepdims:
        return total
    axes = _shapes.normalize_axes('logsumexp', axis, len(x.shape))
    return apply('squeeze', total, axes=axes)


def _arg(name, x, axis):
    x = as_tensor(x)
    return apply(name, x, axis=_shapes.normalize_axis(name, axis, len(x.shape)))


def argmax(x, axis=-1):
    """The index of the largest value along an axis.

    Arguments:
        x: a tensor.
        axis: the axis (an int; negative counts from the end).

    Returns:
        An int64 tensor without that axis.

    Raises:
        ValueError: if the axis is out of range.
    """
    return _arg('argmax', x, axis)


def argmin(x, axis=-1):
    """The index of the smallest value along an axis.

    Arguments:
        x: a tensor.
        axis: the axis (an int; negative counts from the end).

    Returns:
        An int64 tensor without that axis.

    Raises:
        ValueError: if the axis is out of range.
    """
    return _arg('argmin', x, axis)


def cumsum(x, axis=0):
    """The cumulative sum along an axis.

    Arguments:
        x: a tensor.
        axis: the axis (an int; negative counts from the end).

    Returns:
        A tensor of the same shape.

    Raises:
        ValueError: if the axis is out of range.
    """
    return _arg('cumsum', x, axis)


def cumprod(x, axis=0):
    """The cumulative product along an axis.

    Arguments:
        x: a tensor.
        axis: the axis (an int; negative counts from the end).

    Returns:
        A tensor of the same shape.

    Raises:
        ValueError: if the axis is out of range.
    """
    return _arg('cumprod', x, axis)


# -- products -------------------------------------------------------------------

def dot(x, y):
    """The tensor product of `x` and `y` (the `@` operator on tensors).

    The last axis of `x` is contracted with the second-to-last axis of `y` (its
    only axis when `y` is 1D), as in Keras: the result's shape is
    `x.shape[:-1] + y.shape[:-2] + y.shape[-1:]`.

    Arguments:
        x: a tensor of rank >= 1.
        y: a tensor of rank >= 1.

    Returns:
        A tensor.

    Raises:
        ValueError: if the contracted sizes differ or a rank is 0.

    Example::

        x = K.placeholder(shape=(None, 4))
        w = K.variable(np.ones((4, 3)))
        K.int_shape(K.dot(x, w))      # (None, 3)
    """
    x, y = as_operands(x, y)
    if len(x.shape) == 0 or len(y.shape) == 0:
        raise ValueError(f'dot: operands must have rank >= 1, got {fmt(x.shape)} and {fmt(y.shape)}')
    kx, ky = x.shape[-1], y.shape[-1 if len(y.shape) == 1 else -2]
    if kx is not None and ky is not None and kx != ky:
        raise ValueError(f'dot: shapes {fmt(x.shape)} and {fmt(y.shape)} do not match: '
                         f'{kx} != {ky}')
    if len(x.shape) == 1:
        return apply('squeeze', dot(apply('expand_dims', x, axes=(0,)), y), axes=(0,))
    if len(y.shape) == 1:
        out = dot(x, apply('expand_dims', y, axes=(1,)))
        return apply('squeeze', out, axes=(len(out.shape) - 1,))
    if len(y.shape) == 2:
        return apply('matmul', x, y)
    # y of rank > 2: move its contracted axis first and flatten the rest.
    n, rest = y.shape[-2], y.shape[:-2] + y.shape[-1:]
    if None in rest or x.shape[:-1].count(None) > 1:
        raise ValueError(f'dot: y of shape {fmt(y.shape)} with rank > 2 needs known dims '
                         f'(and x {fmt(x.shape)} at most one unknown)')
    ny = len(y.shape)
    y2 = apply('reshape', apply('transpose', y, perm=(ny - 2,) + tuple(range(ny - 2)) + (ny - 1,)),
               shape=(n if n is not None else -1, _shapes.num_elements(rest)))
    out = apply('matmul', x, y2)
    lead = tuple(-1 if d is None else d for d in x.shape[:-1])
    return apply('reshape', out, shape=lead + rest)


def batch_dot(x, y, axes=None):
    """A dot product per sample: `x[i]` with `y[i]` for each `i` of the batch axis.

    Arguments:
        x: a tensor of rank >= 2, batch axis first.
        y: a tensor of rank >= 2 with the same batch size.
        axes: an int or a pair of ints, the axes of `x` and `y` to contract
            (not 0); default: the last axis of `x` with the last of a 2D `y`
            or the second-to-last of a higher-rank `y`.

    Returns:
        A tensor of the remaining axes of `x` then of `y` (batch first); a
        result of rank 1 comes back as `(batch, 1)`, as in Keras 2.3.

    Raises:
        ValueError: if a rank is < 2, the batch sizes or contracted sizes
            differ, or an axis is 0.

    Example::

        x = K.placeholder(shape=(32, 20))
        y = K.placeholder(shape=(32, 30, 20))
        K.int_shape(K.batch_dot(x, y, axes=(1, 2)))    # (32, 30)
    """
    x, y = as_operands(x, y)
    xs, ys = x.shape, y.shape
    if len(xs) < 2 or len(ys) < 2:
        raise ValueError(f'batch_dot: inputs need rank >= 2, got {fmt(xs)} and {fmt(ys)}')
    if xs[0] is not None and ys[0] is not None and xs[0] != ys[0]:
        raise ValueError(f'batch_dot: batch sizes differ: {fmt(xs)} and {fmt(ys)}')
    if isinstance(axes, (int, np.integer)):
        axes = (axes, axes)
    if axes is None:
        axes = (len(xs) - 1, len(ys) - 1 if len(ys) == 2 else len(ys) - 2)
    if len(axes) != 2 or not isinstance(axes[0], (int, np.integer)) or \
            not isinstance(axes[1], (int, np.integer)):
        raise ValueError(f'batch_dot: axes must be an int or a pair of ints, got {axes!r}')
    a0 = _shapes.normalize_axis('batch_dot', axes[0], len(xs))
    a1 = _shapes.normalize_axis('batch_dot', axes[1], len(ys))
    if a0 == 0 or a1 == 0:
        raise ValueError('batch_dot: cannot contract over the batch axis 0')
    if xs[a0] is not None and ys[a1] is not None and xs[a0] != ys[a1]:
        raise ValueError(f'batch_dot: shapes {fmt(xs)} and {fmt(ys)} do not match on axes '
                         f'{(a0, a1)}: {xs[a0]} != {ys[a1]}')
    # x -> (batch, p, k) with k last; y -> (batch, k, q) with k second; dims
    # unknown when the graph is built are taken from K.shape at run time.
    from .shape import reshape
    from .core import shape
    x_axes = [i for i in range(1, len(xs)) if i != a0]
    y_axes = [i for i in range(1, len(ys)) if i != a1]
    xt = apply('transpose', x, perm=(0,) + tuple(x_axes) + (a0,))
    yt = apply('transpose', y, perm=(0, a1) + tuple(y_axes))

    def dim(t, axis):
        return t.shape[axis] if t.shape[axis] is not None else shape(t)[axis]

    if len(x_axes) != 1:
        xt = reshape(xt, (dim(x, 0), -1, dim(x, a0)))
    if len(y_axes) != 1:
        yt = reshape(yt, (dim(y, 0), dim(y, a1), -1))
    out = apply('matmul', xt, yt)
    if len(x_axes) == 1 and len(y_axes) == 1:
        return out
    final = [dim(x, i) for i in x_axes] + [dim(y, i) for i in y_axes]
    if not final:
        final = [1]
    return reshape(out, [dim(x, 0)] + final)


def transpose(x):
    """Reverses the axes of a tensor (a matrix's transpose).

    Arguments:
        x: a tensor.

    Returns:
        A tensor with its axes in reverse order.
    """
    x = as_tensor(x)
    return apply('transpose', x, perm=tuple(range(len(x.shape) - 1, -1, -1)))


def gather(reference, indices):
    """The entries of `reference` at `indices` along its first axis.

    Arguments:
        reference: a tensor.
        indices: an int tensor (or array or list) of indices.

    Returns:
        A tensor of shape `indices.shape` followed by the trailing axes of
        `reference` (all but its first).
    """
    indices = as_tensor(indices) if isinstance(indices, Tensor) else \
        as_tensor(np.asarray(indices, dtype='int64'))
    return apply('gather', as_tensor(reference), indices)


# -- control flow -----------------------------------------------------------------

def switch(condition, then_expression, else_expression):
    """Chooses between two tensors, element by element, by a condition.

    Arguments:
        condition: a bool tensor (a scalar, or of rank <= the expressions';
            a lower rank selects along the leading axes).
        then_expression: the tensor taken where the condition holds (or a
            function returning it).
        else_expression: the tensor taken elsewhere (or a function returning
            it).

    Returns:
        A tensor of the expressions' broadcast shape.

    Raises:
        ValueError: if the condition's rank exceeds the expressions'.
    """
    condition = _bool(condition)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    then_expression, else_expression = as_operands(then_expression, else_expression)
    expr_ndim = builtins.max(len(then_expression.shape), len(else_expression.shape))
    cond_ndim = len(condition.shape)
    # Scalar expressions broadcast to the condition's shape.
    if cond_ndim > expr_ndim > 0:
        raise ValueError(f'switch: rank of condition {fmt(condition.shape)} must be <= rank of '
                         f'the expressions {fmt(then_expression.shape)} and '
                         f'{fmt(else_expression.shape)}')
    if 0 < cond_ndim < expr_ndim:
        condition = apply('expand_dims', condition, axes=tuple(range(cond_ndim, expr_ndim)))
    return apply('where', condition, then_expression, else_expression)


def in_train_phase(x, alt, training=None):
    """`x` in the training phase, `alt` otherwise.

    Arguments:
        x: the tensor (or a function returning it) used in training.
        alt: the tensor (or function) used at inference.
        training: None (the learning phase, `K.learning_phase()`), a bool or
            0/1 (a fixed choice), or a bool tensor.

    Returns:
        A tensor that selects between `x` and `alt` at run time, or `x` or
        `alt` itself when the phase is fixed.
    """
    uses_learning_phase = training is None
    if training is None:
        training = learning_phase()
    if not isinstance(training, Tensor):   # a fixed phase: pick statically
        chosen = x if training else alt
        return chosen() if callable(chosen) else chosen
    out = switch(training, x, alt)
    if uses_learning_phase:
        out._uses_learning_phase = True
    return out


def in_test_phase(x, alt, training=None):
    """`x` at inference, `alt` in the training phase.

    Arguments:
        x: the tensor (or a function returning it) used at inference.
        alt: the tensor (or function) used in training.
        training: None (the learning phase), a bool, or a bool tensor.

    Returns:
        A tensor, as `in_train_phase(alt, x, training)`.
    """
    return in_train_phase(alt, x, training=training)


# -- Python operators ----------------------------------------------------------------

def _normalize_index(key):
    key = key if isinstance(key, tuple) else (key,)
    out = []
    for k in key:
        if k is None or k is Ellipsis:
            out.append(k)
        elif isinstance(k, slice):
            for part in (k.start, k.stop, k.step):
                if part is not None and not isinstance(part, (int, np.integer)):
                    raise TypeError(f'getitem: slice bounds must be ints or None, got {k!r}')
            out.append(slice(*(None if p is None else int(p) for p in (k.start, k.stop, k.step))))
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            out.append(int(k))
        else:
            raise TypeError(f'getitem: tensors can be indexed with ints, slices, None and ..., '
                            f'got {k!r} (use K.gather for index arrays)')
    if out.count(Ellipsis) > 1:
        raise IndexError('getitem: an index can only have a single ellipsis')
    return tuple(out)


def _getitem(self, key):
    key = key if isinstance(key, tuple) else (key,)
    if not builtins.any(isinstance(k, Tensor) for k in key):
        return apply('getitem', self, index=_normalize_index(key))
    # A scalar integer tensor picks one entry of its axis at run time (as
    # TensorFlow's x[i]): slice that axis whole first, then gather from it.
    n_real = builtins.sum(1 for k in key if k is not None and k is not Ellipsis)
    axis, picks = 0, []
    for k in key:
        if k is Ellipsis:
            axis += len(self.shape) - n_real
        elif isinstance(k, Tensor):
            if k.shape != () or not k.dtype.startswith(('int', 'uint')):
                raise TypeError(f'getitem: a tensor index must be an integer scalar, got shape '
                                f'{fmt(k.shape)} dtype {k.dtype} (use K.gather for index arrays)')
            picks.append((axis, k))
            axis += 1
        elif k is None or isinstance(k, slice):
            axis += 1
    x = _getitem(self, tuple(slice(None) if isinstance(k, Tensor) else k for k in key))
    for axis, index in reversed(picks):
        if axis:
            x = apply('transpose', x, perm=(axis,) + tuple(a for a in range(len(x.shape))
                                                           if a != axis))
        x = apply('gather', x, index)
    return x


def _reflected(fn):
    return lambda self, other: fn(other, self)


Tensor.__add__ = add
Tensor.__radd__ = _reflected(add)
Tensor.__sub__ = subtract
Tensor.__rsub__ = _reflected(subtract)
Tensor.__mul__ = multiply
Tensor.__rmul__ = _reflected(multiply)
Tensor.__truediv__ = divide
Tensor.__rtruediv__ = _reflected(divide)
Tensor.__pow__ = pow
Tensor.__rpow__ = _reflected(pow)
Tensor.__matmul__ = dot
Tensor.__rmatmul__ = _reflected(dot)
Tensor.__neg__ = lambda self: apply('neg', self)
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = abs
Tensor.__lt__ = less
Tensor.__le__ = less_equal
Tensor.__gt__ = greater
Tensor.__ge__ = greater_equal
Tensor.__and__ = _binary('logical_and')
Tensor.__or__ = _binary('logical_or')
Tensor.__invert__ = lambda self: apply('logical_not', self)
Tensor.__getitem__ = _getitem
