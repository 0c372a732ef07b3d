"""Batch normalisation (Keras-2 backend functions).

The common case (per-channel parameters along one kept axis, whose size is
known) runs on the fused batchnorm ops of ops/batchnorm.py; anything else
(several kept axes, parameters broadcast some other way) on the composed graph.
"""
import numpy as np

from . import _shapes
from ._shapes import fmt
from .ops import apply
from .core import stop_gradient
from .math import mean as _mean, square, _float
from .nn import _like, _check_broadcasts_into


def _normalize(x, mean, var, beta, gamma, epsilon):
    """TF's formula: inv = gamma / sqrt(var + eps); x * inv + (beta - mean * inv)."""
    inv = 1. / apply('sqrt', var + epsilon)
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv if beta is None else beta - mean * inv
    return x * inv + shift


def _channel_param(p, x, axis):
    """p (or None) as a (C,) tensor of x's dtype when it is per-channel along
    `axis`: shape (C,) or the broadcast shape (1, .., C, .., 1); else False."""
    c, nd = x.shape[axis], len(x.shape)
    if p is None:
        return None
    p = _like(p, x)
    if tuple(p.shape) == (c,):
        return p
    if tuple(p.shape) == tuple(c if i == axis else 1 for i in range(nd)):
        return apply('reshape', p, shape=(c,))
    return False


def _fused_params(x, axis, params):
    """The per-channel parameters for the fused ops, or None if one is not."""
    if x.shape[axis] is None or len(x.shape) < 2:
        return None
    out = [_channel_param(p, x, axis) for p in params]
    return None if any(p is False for p in out) else out


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """Normalizes `x` with given statistics: `(x - mean) / sqrt(var + epsilon)`,
    then `* gamma + beta`.

    Arguments:
        x: a tensor.
        mean: the mean, a tensor.
        var: the variance, a tensor.
        beta: the offset, a tensor or None.
        gamma: the scale, a tensor or None.
        axis: the feature axis: rank-1 parameters apply along it; others
            broadcast against `x` as given.
        epsilon: a small float added to the variance.

    Returns:
        A float tensor of `x`'s shape.

    Raises:
        ValueError: if a parameter's shape does not fit `x`.
    """
    fn = 'batch_normalization'
    x = _float(x)
    nd = len(x.shape)
    axis = _shapes.normalize_axis(fn, axis, nd)

    def param(p, name):
        if p is None:
            return None
        p = _like(p, x)
        if len(p.shape) == 1 and axis != nd - 1:
            if p.shape[0] not in (None, 1) and x.shape[axis] is not None and \
                    p.shape[0] != x.shape[axis]:
                raise ValueError(f'{fn}: {name} of shape {fmt(p.shape)} does not match axis '
                                 f'{axis} of x of shape {fmt(x.shape)}')
            return apply('expand_dims', p, axes=tuple(i for i in range(nd) if i != axis))
        _check_broadcasts_into(fn, name, p.shape, x.shape)
        return p

    fused = None if mean is None or var is None else \
        _fused_params(x, axis, [mean, var, beta, gamma])
    if fused is not None:
        m, v, b, g = fused
        c = x.shape[axis]
        b = _like(np.zeros(c), x) if b is None else b
        g = _like(np.ones(c), x) if g is None else g
        stats = apply('concatenate', apply('expand_dims', m, axes=(0,)),
                      apply('expand_dims', v, axes=(0,)), axis=0)
        return apply('batchnorm_normalize', x, stats, g, b, axis=axis, epsilon=float(epsilon))
    return _normalize(x, param(mean, 'mean'), param(var, 'var'), param(beta, 'beta'),
                      param(gamma, 'gamma'), epsilon)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Normalizes `x` with its own mean and variance over `reduction_axes`.

    This is what BatchNormalization does in training; the variance is the
    biased one.

    Arguments:
        x: a tensor.
        gamma: the scale (shaped like the kept axes, or broadcast to `x`), or
            None.
        beta: the offset, likewise, or None.
        reduction_axes: the list of axes the statistics are taken over.
        epsilon: a small float added to the variance.

    Returns:
        A tuple `(normalized, mean, variance)`; the statistics have the shape of
        the kept axes.

    Raises:
        ValueError: if `reduction_axes` is missing or a parameter's shape does
            not fit.
    """
    fn = 'normalize_batch_in_training'
    x = _float(x)
    nd = len(x.shape)
    if reduction_axes is None:
        raise ValueError(f'{fn}: reduction_axes must be given')
    axes = _shapes.normalize_axes(fn, reduction_axes, nd)
    kept = tuple(d for i, d in enumerate(x.shape) if i not in axes)
    if len(kept) == 1 and nd >= 2:
        axis = next(i for i in range(nd) if i not in axes)
        fused = _fused_params(x, axis, [beta, gamma])
        if fused is not None:
            c = x.shape[axis]
            b = _like(np.zeros(c), x) if fused[0] is None else fused[0]
            g = _like(np.ones(c), x) if fused[1] is None else fused[1]
            stats = apply('batchnorm_stats', x, axis=axis)
            normed = apply('batchnorm_normalize', x, stats, g, b, axis=axis,
                           epsilon=float(epsilon))
            return (normed, apply('getitem', stats, index=(0,)),
                    apply('getitem', stats, index=(1,)))
    mean = _mean(x, list(axes), keepdims=True)
    # The centre is a constant for the variance's gradient (as tf.nn.moments;
    # the dropped term sums to zero anyway).
    var = _mean(square(x - stop_gradient(mean)), list(axes), keepdims=True)

    def param(p, name):
        if p is None:
            return None
        p = _like(p, x)
        if len(p.shape) == len(kept) and len(p.shape) != nd:
            _check_broadcasts_into(fn, name, p.shape, kept)
            return apply('expand_dims', p, axes=axes) if axes else p
        if len(p.shape) == nd:
            _check_broadcasts_into(fn, name, p.shape, x.shape)
            return p
        raise ValueError(f'{fn}: {name} of shape {fmt(p.shape)} must have the shape of the '
                         f'kept axes {fmt(kept)} or the rank of x {fmt(x.shape)}')

    normed = _normalize(x, mean, var, param(beta, 'beta'), param(gamma, 'gamma'), epsilon)
    if axes:
        mean = apply('squeeze', mean, axes=axes)
        var = apply('squeeze', var, axes=axes)
    return normed, mean, var
