"""Batch-normalisation primitives (compiled kernels of _kernels/batchnorm.py).

Channels lie on `axis`; statistics reduce over every other axis.
- batchnorm_stats(x) -> (2, C): mean and biased variance.
- batchnorm_normalize(x, stats, gamma, beta) -> x's shape.  When `stats` is
  batchnorm_stats of the same x (training), its gradient is the fused one:
  batchnorm_backprop_sums (one pass over dy and x) then batchnorm_backprop_input
  (one more), and nothing is sent to `stats` because the full dx already
  includes the path through the batch statistics.  Otherwise (inference with
  given mean/var) the gradient is that of the composed formula.
- The backprop ops' own gradients (second derivatives) are those of the
  composed formulas they compute (ByFormula: autodiff differentiates them),
  so every order stays exact.
"""
from .._shapes import fmt
from .._dtypes import is_float
from .._kernels import batchnorm as _bn
from ._registry import register, apply, ByFormula


def _others(nd, axis):
    return tuple(i for i in range(nd) if i != axis)


def _check_x(op, x, axis):
    if len(x.shape) < 2 or not 0 <= axis < len(x.shape):
        raise ValueError(f'{op}: channel axis {axis} does not fit an input of shape '
                         f'{fmt(x.shape)} (rank 2 or more)')
    if not is_float(x.dtype):
        raise ValueError(f'{op}: expects a float input, got {x.dtype}')


def _check_vec(op, name, t, shape):
    if len(t.shape) != len(shape) or any(
            a is not None and b is not None and a != b for a, b in zip(t.shape, shape)):
        raise ValueError(f'{op}: {name} has shape {fmt(t.shape)}, expected {fmt(shape)}')


# -- composed formulas (gradients of the fused ops) --------------------------------

def _bc(t, nd, axis):
    """A (C,) tensor shaped to broadcast along `axis` of a rank-nd tensor."""
    return apply('reshape', t, shape=tuple(-1 if i == axis else 1 for i in range(nd)))


def _row(t, i):
    return apply('getitem', t, index=(i,))


def _count(x, axis):
    return apply('reduce_count', x, axes=_others(len(x.shape), axis), keepdims=False)


def _csum(t, axis):
    return apply('sum', t, axes=_others(len(t.shape), axis), keepdims=False)


def _stack(a, b):
    return apply('concatenate', apply('expand_dims', a, axes=(0,)),
                 apply('expand_dims', b, axes=(0,)), axis=0)


def _composed_stats(x, axis):
    nd, n = len(x.shape), _count(x, axis)
    mean = _csum(x, axis) / n
    centred = x - _bc(mean, nd, axis)
    return _stack(mean, _csum(centred * centred, axis) / n)


def _composed_normalize(x, stats, gamma, beta, axis, epsilon):
    nd = len(x.shape)
    scale = gamma / apply('sqrt', _row(stats, 1) + epsilon)
    return x * _bc(scale, nd, axis) + _bc(beta - _row(stats, 0) * scale, nd, axis)


def _composed_sums(dy, x, stats, axis):
    centred = x - _bc(_row(stats, 0), len(x.shape), axis)
    return _stack(_csum(dy, axis), _csum(dy * centred, axis))


def _composed_input(dy, x, stats, gamma, sums, axis, epsilon):
    nd, n = len(x.shape), _count(x, axis)
    inv = 1. / apply('sqrt', _row(stats, 1) + epsilon)
    a = gamma * inv
    b = -a * inv * inv * _row(sums, 1) / n
    d = -a * _row(sums, 0) / n - b * _row(stats, 0)
    return dy * _bc(a, nd, axis) + x * _bc(b, nd, axis) + _bc(d, nd, axis)


# -- ops ------------------------------------------------------------------------------

def _stats_infer(inputs, axis):
    x, = inputs
    _check_x('batchnorm_stats', x, axis)
    return (2, x.shape[axis]), x.dtype


def _normalize_infer(inputs, axis, epsilon):
    x, stats, gamma, beta = inputs
    op = 'batchnorm_normalize'
    _check_x(op, x, axis)
    c = x.shape[axis]
    _check_vec(op, 'stats', stats, (2, c))
    _check_vec(op, 'gamma', gamma, (c,))
    _check_vec(op, 'beta', beta, (c,))
    return x.shape, x.dtype


def _normalize_grad(node, g, needs):
    x, stats, gamma, beta = node.inputs
    axis, epsilon = node.attrs['axis'], node.attrs['epsilon']
    if stats.op != 'batchnorm_stats' or stats.inputs[0] is not x or \
            stats.attrs['axis'] != axis:
        return ByFormula(_composed_normalize)
    sums = apply('batchnorm_backprop_sums', g, x, stats, axis=axis)
    dx = apply('batchnorm_backprop_input', g, x, stats, gamma, sums, axis=axis,
               epsilon=epsilon)
    dgamma = _row(sums, 1) / apply('sqrt', _row(stats, 1) + epsilon)
    return [dx, None, dgamma, _row(sums, 0)]


def _sums_infer(inputs, axis):
    dy, x, stats = inputs
    op = 'batchnorm_backprop_sums'
    _check_x(op, x, axis)
    _check_vec(op, 'the gradient', dy, x.shape)
    _check_vec(op, 'stats', stats, (2, x.shape[axis]))
    return (2, x.shape[axis]), dy.dtype


def _input_infer(inputs, axis, epsilon):
    dy, x, stats, gamma, sums = inputs
    op = 'batchnorm_backprop_input'
    _check_x(op, x, axis)
    c = x.shape[axis]
    _check_vec(op, 'the gradient', dy, x.shape)
    _check_vec(op, 'stats', stats, (2, c))
    _check_vec(op, 'gamma', gamma, (c,))
    _check_vec(op, 'sums', sums, (2, c))
    return x.shape, dy.dtype


register('batchnorm_stats', _stats_infer, lambda x, axis: _bn.stats(x, axis),
         ByFormula(_composed_stats))
register('batchnorm_normalize', _normalize_infer,
         lambda x, s, g, b, axis, epsilon: _bn.normalize(x, s, g, b, axis, epsilon),
         _normalize_grad)
register('batchnorm_backprop_sums', _sums_infer,
         lambda dy, x, s, axis: _bn.backprop_sums(dy, x, s, axis), ByFormula(_composed_sums))
register('batchnorm_backprop_input', _input_infer,
         lambda dy, x, s, g, sums, axis, epsilon: _bn.backprop_input(dy, x, s, g, sums, axis,
                                                                     epsilon),
         ByFormula(_composed_input))
