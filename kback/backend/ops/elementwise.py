"""Elementwise primitives: arithmetic, unary maths, comparisons, where, cast."""
import numpy as np

from .. import _shapes
from .._kernels import elementwise as _ew
from .._dtypes import result_dtype, is_float, compute_dtype
from ._registry import register, apply, NOT_DIFFERENTIABLE


def unbroadcast(g, x):
    """g summed down to the shape of x (undoes broadcasting in the forward)."""
    if g.shape == x.shape and None not in x.shape:
        return g
    return apply('sum_to_like', g, x)


def _unary(inputs):
    x, = inputs
    return x.shape, x.dtype


def _binary_infer(name):
    def infer(inputs):
        a, b = inputs
        return _shapes.broadcast(name, a.shape, b.shape), result_dtype(a.dtype, b.dtype)
    return infer


def _compare_infer(name):
    def infer(inputs):
        a, b = inputs
        return _shapes.broadcast(name, a.shape, b.shape), 'bool'
    return infer


# The numpy ufuncs below take `out=` and return new arrays they keep no
# reference to, so the executor may write their result into a dying input.
FIRST, EITHER = (0,), (0, 1)

# -- arithmetic ---------------------------------------------------------------

register('add', _binary_infer('add'), np.add,
         lambda n, g, needs: [unbroadcast(g, n.inputs[0]), unbroadcast(g, n.inputs[1])],
         inplace=EITHER)
register('sub', _binary_infer('sub'), np.subtract,
         lambda n, g, needs: [unbroadcast(g, n.inputs[0]), unbroadcast(-g, n.inputs[1])],
         inplace=EITHER)


def _mul_grad(n, g, needs):
    a, b = n.inputs
    return [unbroadcast(g * b, a) if needs[0] else None,
            unbroadcast(g * a, b) if needs[1] else None]


register('mul', _binary_infer('mul'), np.multiply, _mul_grad, inplace=EITHER)


def _div_grad(n, g, needs):
    a, b = n.inputs
    return [unbroadcast(g / b, a) if needs[0] else None,
            unbroadcast(-g * n / b, b) if needs[1] else None]


def _div_infer(inputs):
    shape, dtype = _binary_infer('div')(inputs)
    # True division of integers gives floats (numpy's and Python's rule).
    return shape, dtype if is_float(dtype) else 'float64'


register('div', _div_infer, np.true_divide, _div_grad, inplace=EITHER)


def _pow_grad(n, g, needs):
    a, b = n.inputs
    ga = gb = None
    if needs[0]:
        ga = unbroadcast(g * b * apply('pow', a, b - 1), a)
    if needs[1]:
        # d/db a**b = a**b log a; 0 where a == 0 (the limit for b > 0).
        safe_log = apply('log', apply('where', apply('greater', a, 0), a, 1))
        gb = unbroadcast(g * n * safe_log, b)
    return [ga, gb]


register('pow', _binary_infer('pow'), np.power, _pow_grad, inplace=EITHER)


def _select_grads(n, g, needs, take_a):
    # Selected with where, not multiplied by a 0/1 mask: an infinite g on the
    # side not taken (sqrt of a clipped 0) must give 0, not nan, as in TF.
    a, b = n.inputs
    zero = apply('zeros_like', g)
    return [unbroadcast(apply('where', take_a, g, zero), a) if needs[0] else None,
            unbroadcast(apply('where', take_a, zero, g), b) if needs[1] else None]


def _maximum_grad(n, g, needs):
    return _select_grads(n, g, needs, apply('greater_equal', *n.inputs))


def _minimum_grad(n, g, needs):
    return _select_grads(n, g, needs, apply('less_equal', *n.inputs))


register('maximum', _binary_infer('maximum'), np.maximum, _maximum_grad, inplace=EITHER)
register('minimum', _binary_infer('minimum'), np.minimum, _minimum_grad, inplace=EITHER)

# -- unary maths --------------------------------------------------------------

register('neg', _unary, np.negative, lambda n, g, needs: [-g], inplace=FIRST)
register('exp', _unary, np.exp, lambda n, g, needs: [g * n], inplace=FIRST)
register('log', _unary, np.log, lambda n, g, needs: [g / n.inputs[0]], inplace=FIRST)
register('log1p', _unary, np.log1p, lambda n, g, needs: [g / (n.inputs[0] + 1)], inplace=FIRST)
register('sqrt', _unary, np.sqrt, lambda n, g, needs: [g / (n * 2)], inplace=FIRST)
register('square', _unary, np.square, lambda n, g, needs: [g * n.inputs[0] * 2], inplace=FIRST)
register('abs', _unary, np.abs, lambda n, g, needs: [g * apply('sign', n.inputs[0])], inplace=FIRST)
register('sign', _unary, np.sign, NOT_DIFFERENTIABLE, inplace=FIRST)
# Keras rounds half to even, as numpy does.
register('round', _unary, np.round, NOT_DIFFERENTIABLE)
register('floor', _unary, np.floor, NOT_DIFFERENTIABLE, inplace=FIRST)
register('sin', _unary, np.sin, lambda n, g, needs: [g * apply('cos', n.inputs[0])], inplace=FIRST)
register('cos', _unary, np.cos, lambda n, g, needs: [-g * apply('sin', n.inputs[0])], inplace=FIRST)
register('tanh', _unary, np.tanh, lambda n, g, needs: [g * (1 - apply('square', n))], inplace=FIRST)


def _sigmoid(x):
    # exp of -|x| never overflows; both branches are exact.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


register('sigmoid', _unary, _sigmoid, lambda n, g, needs: [g * n * (1 - n)])


def _softplus(x):
    return (np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)


register('softplus', _unary, _softplus,
         lambda n, g, needs: [g * apply('sigmoid', n.inputs[0])])


register('relu', _unary, _ew.relu,
         lambda n, g, needs: [apply('relu_backprop', n.inputs[0], g)])
# 0 where x <= 0, else g (NaN inputs pass g, so NaN propagates): relu's gradient in one pass.
register('relu_backprop', lambda inputs: (inputs[1].shape, inputs[1].dtype), _ew.relu_backprop,
         lambda n, g, needs: [None, apply('relu_backprop', n.inputs[0], g)])

# -- identity, casts, gradient stops ------------------------------------------

register('identity', _unary, lambda x: x, lambda n, g, needs: [g])
register('stop_gradient', _unary, lambda x: x, NOT_DIFFERENTIABLE)


def _cast_infer(inputs, dtype):
    x, = inputs
    return x.shape, dtype


def _cast(x, dtype):
    return x.astype(compute_dtype(dtype), copy=False)


def _cast_grad(n, g, needs):
    x, = n.inputs
    if not is_float(x.dtype):
        return [None]
    return [apply('cast', g, dtype=x.dtype)]


register('cast', _cast_infer, _cast, _cast_grad)

# -- comparisons and logic (boolean results, no gradient) ---------------------

for _name, _fn in (('equal', np.equal), ('not_equal', np.not_equal),
                   ('greater', np.greater), ('greater_equal', np.greater_equal),
                   ('less', np.less), ('less_equal', np.less_equal),
                   ('logical_and', np.logical_and), ('logical_or', np.logical_or)):
    register(_name, _compare_infer(_name), _fn, NOT_DIFFERENTIABLE)

register('logical_not', lambda inputs: (inputs[0].shape, 'bool'), np.logical_not,
         NOT_DIFFERENTIABLE)


def _where_infer(inputs):
    c, a, b = inputs
    return _shapes.broadcast('where', c.shape, a.shape, b.shape), result_dtype(a.dtype, b.dtype)


def _where_grad(n, g, needs):
    c, a, b = n.inputs
    zero = apply('zeros_like', g)
    return [None,
            unbroadcast(apply('where', c, g, zero), a) if needs[1] else None,
            unbroadcast(apply('where', c, zero, g), b) if needs[2] else None]


register('where', _where_infer, np.where, _where_grad)


def _zeros_like(x):
    return np.zeros_like(x)


register('zeros_like', _unary, _zeros_like, NOT_DIFFERENTIABLE)
register('ones_like', _unary, np.ones_like, NOT_DIFFERENTIABLE)
