"""Batch normalisation kernels: per-channel statistics, normalisation and the
fused backward, for any rank with the channels on `axis` (statistics reduce
over every other axis).  `stats` arrays are (2, C): mean, biased variance.

Inputs of other dtypes or layouts are converted; float16 and a missing
extension use the numpy versions (`reference_*`, also the test oracle).
"""
import numpy as np

from . import AVAILABLE, _FLOATS, _threads, _out

if AVAILABLE:
    from kback_core import batchnorm as _bn

_MIN_PARALLEL = 1 << 14


# -- numpy reference ---------------------------------------------------------------

def _bshape(x, axis):
    axis %= x.ndim
    return [x.shape[axis] if i == axis else 1 for i in range(x.ndim)]


def _others(x, axis):
    axis %= x.ndim
    return tuple(i for i in range(x.ndim) if i != axis)


def _ftype(a):
    """a's dtype if it is a float type, else float64 (integer inputs)."""
    return a.dtype if np.issubdtype(a.dtype, np.floating) else np.dtype(np.float64)


def reference_stats(x, axis):
    x64 = np.asarray(x, dtype=np.float64)
    axes = _others(x64, axis)
    return np.stack([x64.mean(axis=axes), x64.var(axis=axes)]).astype(_ftype(x))


def _scale_shift(stats, gamma, beta, epsilon):
    """TF's form: y = x * scale + shift with scale = gamma / sqrt(var + eps)."""
    stats = np.asarray(stats, dtype=np.float64)
    scale = np.asarray(gamma, np.float64) / np.sqrt(stats[1] + epsilon)
    return scale, np.asarray(beta, np.float64) - stats[0] * scale


def reference_normalize(x, stats, gamma, beta, axis, epsilon):
    scale, shift = _scale_shift(stats, gamma, beta, epsilon)
    b = _bshape(x, axis)
    return (x * scale.reshape(b) + shift.reshape(b)).astype(_ftype(x))


def reference_backprop_sums(dy, x, stats, axis):
    axes = _others(x, axis)
    centred = x - np.asarray(stats, np.float64)[0].reshape(_bshape(x, axis))
    return np.stack([dy.sum(axis=axes, dtype=np.float64),
                     (dy * centred).sum(axis=axes, dtype=np.float64)]).astype(_ftype(dy))


def _input_coefficients(x_shape, stats, gamma, sums, axis, epsilon):
    """dx = dy * a + x * b + d: the full batchnorm input gradient per channel."""
    n = float(np.prod(x_shape)) / x_shape[axis % len(x_shape)]
    stats, sums = np.asarray(stats, np.float64), np.asarray(sums, np.float64)
    inv = 1.0 / np.sqrt(stats[1] + epsilon)
    a = np.asarray(gamma, np.float64) * inv
    b = -a * inv * inv * sums[1] / n
    return a, b, -a * sums[0] / n - b * stats[0]


def reference_backprop_input(dy, x, stats, gamma, sums, axis, epsilon):
    a, b, d = _input_coefficients(x.shape, stats, gamma, sums, axis, epsilon)
    s = _bshape(x, axis)
    return (dy * a.reshape(s) + x * b.reshape(s) + d.reshape(s)).astype(_ftype(dy))


def reference_train_forward(x, gamma, beta, axis, epsilon):
    stats = reference_stats(x, axis)
    return reference_normalize(x, stats, gamma, beta, axis, epsilon), stats


def reference_train_backward(dy, x, stats, gamma, axis, epsilon):
    """(dx, dgamma, dbeta) of training-mode batchnorm."""
    sums = reference_backprop_sums(dy, x, stats, axis)
    dgamma = sums[1] / np.sqrt(np.asarray(stats[1], np.float64) + epsilon)
    return (reference_backprop_input(dy, x, stats, gamma, sums, axis, epsilon),
            dgamma.astype(_ftype(dy)), sums[0])


# -- compiled ---------------------------------------------------------------------

def _axis(name, x, axis):
    if not -x.ndim <= axis < x.ndim or x.ndim < 2:
        raise ValueError(f'{name}: axis {axis} is out of range for input of shape {x.shape}')
    return axis % x.ndim


def _view3(x, axis):
    """x (C-contiguous) as (A, C, B) with C on `axis`."""
    a = int(np.prod(x.shape[:axis]))
    return x.reshape(a, x.shape[axis], -1) if x.size else x.reshape(a, x.shape[axis], 0)


def _prepare(name, arrays, axis):
    """Arrays converted to the first one's dtype (C-contiguous), or None when
    the numpy version applies."""
    dtype = np.asarray(arrays[0]).dtype
    if not AVAILABLE or dtype.type not in _FLOATS or np.asarray(arrays[0]).size == 0:
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
        return reference_stats(x, axis)
    x3 = _view3(arrays[0], axis)
    out = np.empty((2, x3.shape[1]))
    _bn.channel_stats(x3, out, _scratch(x3), _threads(x.size))
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
        return reference_normalize(x, stats, gamma, beta, axis, epsilon)
    x, = arrays
    scale, shift = _scale_shift(stats, gamma, beta, epsilon)
    out = _out(out, x.shape, x.dtype, name)
    _bn.channel_scale_shift(_view3(x, axis), scale.astype(x.dtype), shift.astype(x.dtype),
                            _view3(out, axis), _threads(x.size))
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
        return reference_backprop_sums(dy, x, stats, axis)
    dy, x = arrays
    x3 = _view3(x, axis)
    out = np.empty((2, x3.shape[1]))
    _bn.backprop_sums(_view3(dy, axis), x3, np.asarray(stats, np.float64)[0].copy(), out,
                      _scratch(x3), _threads(x.size))
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
        return reference_backprop_input(dy, x, stats, gamma, sums, axis, epsilon)
    dy, x = arrays
    a, b, d = (v.astype(dy.dtype) for v in
               _input_coefficients(x.shape, stats, gamma, sums, axis, epsilon))
    out = _out(out, x.shape, dy.dtype, name)
    _bn.channel_affine2(_view3(dy, axis), _view3(x, axis), a, b, d, _view3(out, axis),
                        _threads(x.size))
    return out


def train_forward(x, gamma, beta, axis, epsilon):
    """(normalised x, stats) of training-mode batchnorm."""
    s = stats(x, axis)
    return normalize(x, s, gamma, beta, axis, epsilon), s


def train_backward(dy, x, stats, gamma, axis, epsilon):
    """(dx, dgamma, dbeta) of training-mode batchnorm."""
    sums = backprop_sums(dy, x, stats, axis)
    dgamma = sums[1] / np.sqrt(np.asarray(stats[1], np.float64) + epsilon)
    return (backprop_input(dy, x, stats, gamma, sums, axis, epsilon),
            dgamma.astype(sums.dtype), sums[0])
