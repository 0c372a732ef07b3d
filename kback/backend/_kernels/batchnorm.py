"""Batch normalisation kernels: per-channel statistics, normalisation and the
fused backward, for any rank with the channels on `axis` (statistics reduce
over every other axis).  `stats` arrays are (2, C): mean, biased variance.

Inputs of other dtypes or layouts are converted; float16 and a missing
extension use the numpy reference (`_reference.batchnorm_*`, also the test
oracle).
"""
import math

import numpy as np

from .. import _reference as R
from ._common import AVAILABLE, FLOATS, threads_for, out_buffer

if AVAILABLE:
    from kback_core import batchnorm as _bn


def _axis(name, x, axis):
    if not -x.ndim <= axis < x.ndim or x.ndim < 2:
        raise ValueError(f'{name}: axis {axis} is out of range for input of shape {x.shape}')
    return axis % x.ndim


def _view3(x, axis):
    """x (C-contiguous) as (A, C, B) with C on `axis`."""
    a = math.prod(x.shape[:axis])
    return x.reshape(a, x.shape[axis], -1) if x.size else x.reshape(a, x.shape[axis], 0)


def _prepare(name, arrays, axis):
    """Arrays converted to the first one's dtype (C-contiguous), or None when
    the numpy version applies."""
    dtype = np.asarray(arrays[0]).dtype
    if not AVAILABLE or dtype.type not in FLOATS or np.asarray(arrays[0]).size == 0:
        return None
    return [np.ascontiguousarray(a, dtype=dtype) for a in arrays]


def _check_channels(name, what, p, c):
    if np.shape(p) != (c,):
        raise ValueError(f'{name}: {what} has shape {np.shape(p)}, expected ({c},)')


def _scratch(x3):
    rows = x3.shape[0] * (x3.shape[2] == 1)
    return np.empty((_bn.n_chunks(rows) if rows else 1, 2, x3.shape[1]))


def stats(x, axis):
    """(2, C) array of x's dtype: per-channel mean and biased variance."""
    name = 'batchnorm_stats'
    x = np.asarray(x)
    axis = _axis(name, x, axis)
    if x.size == 0:
        raise ValueError(f'{name}: cannot normalise an empty input of shape {x.shape}')
    arrays = _prepare(name, [x], axis)
    if arrays is None:
        return R.batchnorm_stats(x, axis)
    x3 = _view3(arrays[0], axis)
    out = np.empty((2, x3.shape[1]))
    _bn.channel_stats(x3, out, _scratch(x3), threads_for(x.size))
    return out.astype(x.dtype, copy=False)


def normalize(x, stats, gamma, beta, axis, epsilon, out=None):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta along channel `axis`."""
    name = 'batchnorm_normalize'
    x = np.asarray(x)
    axis = _axis(name, x, axis)
    c = x.shape[axis]
    _check_channels(name, 'stats[0]', np.asarray(stats)[0], c)
    _check_channels(name, 'gamma', gamma, c)
    _check_channels(name, 'beta', beta, c)
    arrays = _prepare(name, [x], axis)
    if arrays is None:
        return R.batchnorm_normalize(x, stats, gamma, beta, axis, epsilon)
    x, = arrays
    scale, shift = R.batchnorm_scale_shift(stats, gamma, beta, epsilon)
    out = out_buffer(out, x.shape, x.dtype, name)
    _bn.channel_scale_shift(_view3(x, axis), scale.astype(x.dtype), shift.astype(x.dtype),
                            _view3(out, axis), threads_for(x.size))
    return out


def backprop_sums(dy, x, stats, axis):
    """(2, C): sum(dy) and sum(dy * (x - mean)) per channel, dy's dtype."""
    name = 'batchnorm_backprop_sums'
    dy, x = np.asarray(dy), np.asarray(x)
    axis = _axis(name, x, axis)
    if dy.shape != x.shape:
        raise ValueError(f'{name}: the gradient {dy.shape} and the input {x.shape} differ')
    _check_channels(name, 'stats[0]', np.asarray(stats)[0], x.shape[axis])
    arrays = _prepare(name, [dy, x], axis)
    if arrays is None or x.size == 0:
        return R.batchnorm_backprop_sums(dy, x, stats, axis)
    dy, x = arrays
    x3 = _view3(x, axis)
    out = np.empty((2, x3.shape[1]))
    _bn.backprop_sums(_view3(dy, axis), x3, np.asarray(stats, np.float64)[0].copy(), out,
                      _scratch(x3), threads_for(x.size))
    return out.astype(dy.dtype, copy=False)


def backprop_input(dy, x, stats, gamma, sums, axis, epsilon, out=None):
    """The full input gradient of training batchnorm, given backprop_sums."""
    name = 'batchnorm_backprop_input'
    dy, x = np.asarray(dy), np.asarray(x)
    axis = _axis(name, x, axis)
    if dy.shape != x.shape:
        raise ValueError(f'{name}: the gradient {dy.shape} and the input {x.shape} differ')
    c = x.shape[axis]
    _check_channels(name, 'gamma', gamma, c)
    _check_channels(name, 'sums[0]', np.asarray(sums)[0], c)
    arrays = _prepare(name, [dy, x], axis)
    if arrays is None:
        return R.batchnorm_backprop_input(dy, x, stats, gamma, sums, axis, epsilon)
    dy, x = arrays
    a, b, d = (v.astype(dy.dtype) for v in
               R.batchnorm_input_coefficients(x.shape, stats, gamma, sums, axis, epsilon))
    out = out_buffer(out, x.shape, dy.dtype, name)
    _bn.channel_affine2(_view3(dy, axis), _view3(x, axis), a, b, d, _view3(out, axis),
                        threads_for(x.size))
    return out


def train_forward(x, gamma, beta, axis, epsilon):
    """(normalised x, stats) of training-mode batchnorm."""
    s = stats(x, axis)
    return normalize(x, s, gamma, beta, axis, epsilon), s


def train_backprop(dy, x, stats, gamma, axis, epsilon):
    """(dx, dgamma, dbeta) of training-mode batchnorm."""
    sums = backprop_sums(dy, x, stats, axis)
    return (backprop_input(dy, x, stats, gamma, sums, axis, epsilon),
            R.batchnorm_dgamma(stats, sums, epsilon).astype(sums.dtype), sums[0])
