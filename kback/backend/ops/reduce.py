"""Reductions and scans: sum, max, min, prod, any, all, argmax, cumsum, ..."""
import numpy as np

from .. import _shapes
from ._registry import register, apply, NOT_DIFFERENTIABLE


def _reduce_infer(name, dtype=None):
    def infer(inputs, axes, keepdims):
        x, = inputs
        for a in axes:
            if not 0 <= a < len(x.shape):
                raise ValueError(f'{name}: axis {a} out of range for shape {_shapes.fmt(x.shape)}')
        return _shapes.reduce(x.shape, axes, keepdims), dtype or x.dtype
    return infer


def restore_reduced(g, axes, keepdims):
    """A reduction's gradient with the reduced axes put back as size 1."""
    return g if keepdims or not axes else apply('expand_dims', g, axes=axes)


def _sum_grad(n, g, needs):
    x, = n.inputs
    return [apply('broadcast_like', restore_reduced(g, n.attrs['axes'], n.attrs['keepdims']), x)]


def _sum(x, axes, keepdims):
    return np.sum(x, axis=axes, keepdims=keepdims)


register('sum', _reduce_infer('sum'), _sum, _sum_grad)


def _extremum_grad(n, g, needs):
    """Gradient of max/min: shared equally between tied extrema, as TF does."""
    x, = n.inputs
    axes, keepdims = n.attrs['axes'], n.attrs['keepdims']
    hit = apply('cast', apply('equal', x, apply('broadcast_like',
                restore_reduced(n, axes, keepdims), x)), dtype=g.dtype)
    count = apply('sum', hit, axes=axes, keepdims=True)
    return [hit * apply('broadcast_like', restore_reduced(g, axes, keepdims) / count, x)]


def _max(x, axes, keepdims):
    return np.max(x, axis=axes, keepdims=keepdims)


def _min(x, axes, keepdims):
    return np.min(x, axis=axes, keepdims=keepdims)


register('max', _reduce_infer('max'), _max, _extremum_grad)
register('min', _reduce_infer('min'), _min, _extremum_grad)


def _prod(x, axes, keepdims):
    return np.prod(x, axis=axes, keepdims=keepdims)


def _prod_grad(n, g, needs):
    # prod / x: exact for non-zero inputs (a zero input gives nan/inf here).
    x, = n.inputs
    axes, keepdims = n.attrs['axes'], n.attrs['keepdims']
    full = apply('broadcast_like', restore_reduced(g * n, axes, keepdims), x)
    return [full / x]


register('prod', _reduce_infer('prod'), _prod, _prod_grad)


def _any(x, axes, keepdims):
    return np.any(x, axis=axes, keepdims=keepdims)


def _all(x, axes, keepdims):
    return np.all(x, axis=axes, keepdims=keepdims)


register('any', _reduce_infer('any', 'bool'), _any, NOT_DIFFERENTIABLE)
register('all', _reduce_infer('all', 'bool'), _all, NOT_DIFFERENTIABLE)


def _count_infer(inputs, axes, keepdims):
    x, = inputs
    return ((1,) * len(x.shape) if keepdims else ()), x.dtype


def _count(x, axes, keepdims):
    n = 1
    for a in axes:
        n *= x.shape[a]
    return np.full((1,) * x.ndim if keepdims else (), n, dtype=x.dtype)


# Number of elements a reduction over `axes` combines (for mean/var on
# tensors whose size is only known at run time).
register('reduce_count', _count_infer, _count, NOT_DIFFERENTIABLE)


def _arg_infer(name):
    def infer(inputs, axis):
        x, = inputs
        return tuple(d for i, d in enumerate(x.shape) if i != axis), 'int64'
    return infer


register('argmax', _arg_infer('argmax'), lambda x, axis: np.argmax(x, axis=axis),
         NOT_DIFFERENTIABLE)
register('argmin', _arg_infer('argmin'), lambda x, axis: np.argmin(x, axis=axis),
         NOT_DIFFERENTIABLE)


def _scan_infer(inputs, axis):
    x, = inputs
    return x.shape, x.dtype


def _reverse_cumsum(g, axis):
    return apply('reverse', apply('cumsum', apply('reverse', g, axes=(axis,)), axis=axis),
                 axes=(axis,))


def _cumsum_grad(n, g, needs):
    return [_reverse_cumsum(g, n.attrs['axis'])]


def _cumprod_grad(n, g, needs):
    # Exact for non-zero inputs: d out_j / d x_i = out_j / x_i for j >= i.
    x, = n.inputs
    return [_reverse_cumsum(g * n, n.attrs['axis']) / x]


register('cumsum', _scan_infer, lambda x, axis: np.cumsum(x, axis=axis), _cumsum_grad)
register('cumprod', _scan_infer, lambda x, axis: np.cumprod(x, axis=axis), _cumprod_grad)
