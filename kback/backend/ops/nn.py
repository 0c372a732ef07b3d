"""NN primitives: softmax, log_softmax, elu and in_top_k.

Everything else in K's nn functions composes from the elementwise, reduce and
shape primitives.
"""
import numpy as np

from .._shapes import fmt
from .._dtypes import is_float, is_int
from ._registry import register, apply, NOT_DIFFERENTIABLE


def _axis_infer(name):
    def infer(inputs, axis):
        x, = inputs
        if not is_float(x.dtype):
            raise ValueError(f'{name}: expects a float tensor, got dtype {x.dtype}')
        if not 0 <= axis < len(x.shape):
            raise ValueError(f'{name}: axis {axis} is out of range for shape {fmt(x.shape)}')
        return x.shape, x.dtype
    return infer


# -- softmax and log_softmax ----------------------------------------------------
# Both subtract the max along the axis first, so exp never overflows; the max
# starts at -inf so that a zero-length axis gives an empty result, as numpy.

def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _softmax_grad(n, g, needs):
    # d softmax: s * (g - sum(g * s)); written on n itself so it differentiates again.
    axis = n.attrs['axis']
    return [n * (g - apply('sum', g * n, axes=(axis,), keepdims=True))]


register('softmax', _axis_infer('softmax'), _softmax, _softmax_grad)


def _log_softmax(x, axis):
    shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _log_softmax_grad(n, g, needs):
    axis = n.attrs['axis']
    return [g - apply('exp', n) * apply('sum', g, axes=(axis,), keepdims=True)]


register('log_softmax', _axis_infer('log_softmax'), _log_softmax, _log_softmax_grad)

# -- elu --------------------------------------------------------------------------


def _elu_infer(inputs, alpha):
    x, = inputs
    return x.shape, x.dtype


def _elu(x, alpha):
    # expm1 of min(x, 0): exact near 0 and no overflow warning for large x.
    neg = np.expm1(np.minimum(x, 0))
    if alpha != 1:
        neg *= alpha
    return np.where(x > 0, x, neg).astype(x.dtype, copy=False)


def _elu_grad(n, g, needs):
    x = n.inputs[0]
    # For x <= 0: d/dx alpha * (e^x - 1) = alpha * e^x = elu(x) + alpha.
    return [apply('where', apply('greater', x, 0), g, g * (n + n.attrs['alpha']))]


register('elu', _elu_infer, _elu, _elu_grad)

# -- in_top_k ----------------------------------------------------------------------


def _in_top_k_infer(inputs, k):
    p, t = inputs
    if len(p.shape) != 2 or len(t.shape) != 1:
        raise ValueError(f'in_top_k: predictions must have rank 2 and targets rank 1, got '
                         f'{fmt(p.shape)} and {fmt(t.shape)}')
    if not is_int(t.dtype):
        raise ValueError(f'in_top_k: targets must be integers, got dtype {t.dtype}')
    if not is_float(p.dtype):
        raise ValueError(f'in_top_k: predictions must be floats, got dtype {p.dtype}')
    if p.shape[0] is not None and t.shape[0] is not None and p.shape[0] != t.shape[0]:
        raise ValueError(f'in_top_k: predictions {fmt(p.shape)} and targets {fmt(t.shape)} '
                         'have different batch sizes')
    return (p.shape[0] if p.shape[0] is not None else t.shape[0],), 'bool'


def _in_top_k(p, t, k):
    if p.shape[0] != t.shape[0]:
        raise ValueError(f'in_top_k: predictions of shape {p.shape} and targets of shape '
                         f'{t.shape} have different batch sizes')
    n, c = p.shape
    t = t.astype(np.int64)
    valid = (t >= 0) & (t < c)
    target = p[np.arange(n), np.where(valid, t, 0)]
    # Ties count as in (TF): only strictly larger scores push the target out.
    above = np.sum(p > target[:, None], axis=1)
    # TF cannot say for out-of-range targets or rows with a non-finite score.
    return valid & np.all(np.isfinite(p), axis=1) & (above < k)


register('in_top_k', _in_top_k_infer, _in_top_k, NOT_DIFFERENTIABLE)
