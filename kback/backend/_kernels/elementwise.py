"""Elementwise kernels: relu, bias_add (+ relu) forward and backward, dropout.

Each wrapper takes numpy arrays of any layout (converted to contiguous
float32/float64), an optional `out=` buffer, and runs the compiled kernel;
tiny arrays, other dtypes or a missing extension use the numpy reference
(_reference.py), which gives the same results.
"""
import math

import numpy as np

from .. import _reference as R, config
from ._common import (AVAILABLE, threads_for, kernel_dtype, use_kernel, contiguous,
                      out_buffer, into)

if AVAILABLE:
    from kback_core import elementwise as _ew
    from kback_core import _openmp


def set_openmp_threads(n):
    """The OpenMP team size of kback_core (and FTZ/DAZ in every worker)."""
    if AVAILABLE:
        _openmp.set_num_threads(int(n))


config.add_thread_listener(set_openmp_threads)


def _as3(shape, axis):
    """(outer, channels, inner) for a channel axis."""
    return math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1:])


def _checked_bias_axis(fn, x, bias, axis):
    if x.ndim < 1 or not -x.ndim <= axis < x.ndim:
        raise ValueError(f'{fn}: axis {axis} is out of range for x of shape {x.shape}')
    axis %= x.ndim
    if bias.shape != (x.shape[axis],):
        raise ValueError(f'{fn}: bias of shape {bias.shape} does not match the '
                         f'{x.shape[axis]} channels (axis {axis}) of x of shape {x.shape}')
    return axis


# -- relu ------------------------------------------------------------------------------

def relu(x, out=None):
    x = np.asarray(x)
    dt = kernel_dtype(x)
    if not use_kernel(x.size, dt):
        return into(out, R.relu(x))
    x = contiguous(x, dt)
    res = out_buffer(out, x.shape, dt, 'relu')
    _ew.relu_forward(x.reshape(-1), res.reshape(-1), threads_for(x.size))
    return res


def relu_backprop(x, g, out=None):
    """g where x > 0 or x is NaN, else 0."""
    x, g = np.asarray(x), np.asarray(g)
    dt = kernel_dtype(g)
    if x.shape != g.shape or not use_kernel(x.size, dt):
        return into(out, R.relu_backprop(x, g))
    x, g = contiguous(x, dt), contiguous(g, dt)
    res = out_buffer(out, g.shape, dt, 'relu_backprop')
    _ew.relu_backprop(x.reshape(-1), g.reshape(-1), res.reshape(-1), threads_for(x.size))
    return res


# -- bias_add, bias_add + relu ---------------------------------------------------------

def bias_add(x, bias, axis=-1, relu=False, out=None):
    """x + bias along the channel axis (then max(., 0) when relu), one pass."""
    fn = 'bias_add_relu' if relu else 'bias_add'
    x, bias = np.asarray(x), np.asarray(bias)
    axis = _checked_bias_axis(fn, x, bias, axis)
    dt = kernel_dtype(x, bias)
    if not use_kernel(x.size, dt):
        return into(out, R.bias_add(x, bias, axis, relu))
    x, bias = contiguous(x, dt), contiguous(bias, dt)
    res = out_buffer(out, x.shape, dt, fn)
    shape3 = _as3(x.shape, axis)
    _ew.bias_add_forward(x.reshape(shape3), bias, res.reshape(shape3), bool(relu),
                         threads_for(x.size))
    return res


def bias_add_relu(x, bias, axis=-1, out=None):
    return bias_add(x, bias, axis, relu=True, out=out)


def channel_sum(g, axis=-1, out=None):
    """Sum of g over every axis but `axis` (the gradient of bias_add)."""
    g = np.asarray(g)
    if g.ndim < 1 or not -g.ndim <= axis < g.ndim:
        raise ValueError(f'channel_sum: axis {axis} is out of range for shape {g.shape}')
    axis %= g.ndim
    dt = kernel_dtype(g)
    if not use_kernel(g.size, dt):
        return into(out, R.channel_sum(g, axis))
    g = contiguous(g, dt)
    res = out_buffer(out, (g.shape[axis],), dt, 'channel_sum')
    _ew.channel_sum(g.reshape(_as3(g.shape, axis)), res, threads_for(g.size))
    return res


def bias_add_relu_backprop(y, g, axis=-1, out=None, db_out=None):
    """(dz, db): dz = g where y > 0 or y is NaN, else 0, db = channel_sum(dz), in one pass."""
    fn = 'bias_add_relu_backprop'
    y, g = np.asarray(y), np.asarray(g)
    if y.shape != g.shape:
        raise ValueError(f'{fn}: y of shape {y.shape} and g of shape {g.shape} differ')
    if g.ndim < 1 or not -g.ndim <= axis < g.ndim:
        raise ValueError(f'{fn}: axis {axis} is out of range for shape {g.shape}')
    axis %= g.ndim
    dt = kernel_dtype(g)
    if not use_kernel(g.size, dt):
        dz, db = R.bias_add_relu_backprop(y, g, axis)
        return into(out, dz), into(db_out, db)
    y, g = contiguous(y, dt), contiguous(g, dt)
    dz = out_buffer(out, g.shape, dt, fn)
    db = out_buffer(db_out, (g.shape[axis],), dt, fn)
    shape3 = _as3(g.shape, axis)
    _ew.bias_add_relu_backprop(y.reshape(shape3), g.reshape(shape3), dz.reshape(shape3), db,
                               threads_for(g.size))
    return dz, db


# -- dropout ----------------------------------------------------------------------------
# The mask is a pure function of (seed, counter, element index): the kernel and
# the numpy reference (_reference.dropout_keep) draw the very same masks.

def stream_start(seed, counter):
    """Start of the draw stream of call `counter` of a dropout seeded with `seed`."""
    return R.dropout_stream_start(seed, counter)


def _threshold(level):
    if not 0.0 <= level < 1.0:
        raise ValueError(f'dropout: level must be in [0, 1), got {level}')
    return min(int(round(level * 2.0 ** 32)), 2 ** 32 - 1)


def dropout_mask(shape, level, start, dtype=np.float32, out=None):
    """scale = 1 / (1 - level) where kept, else 0, for an array of `shape`."""
    shape = tuple(int(d) for d in shape)
    dt = np.dtype(dtype)
    threshold = _threshold(level)
    scale = 1.0 / (1.0 - level)
    n = math.prod(shape)
    if not use_kernel(n, kernel_dtype(np.empty(0, dt))):
        mask = (R.dropout_keep(n, start, threshold) * dt.type(scale)).astype(dt).reshape(shape)
        return into(out, mask)
    res = out_buffer(out, shape, dt, 'dropout_mask')
    _ew.dropout_forward(np.empty(0, dt), res.reshape(-1), start, threshold, scale,
                        threads_for(n))
    return res


def dropout(x, level, start, mask_shape=None, out=None):
    """x * mask / (1 - level), the mask drawn from stream `start`; a mask_shape
    (broadcasting to x) shares one draw along its size-1 axes."""
    x = np.asarray(x)
    dt = kernel_dtype(x)
    if dt is None:
        dt = np.dtype(np.float32 if x.dtype.itemsize <= 4 else np.float64)
    mask_shape = x.shape if mask_shape is None else tuple(int(d) for d in mask_shape)
    if mask_shape != x.shape:
        return into(out, x * dropout_mask(mask_shape, level, start, dt))
    threshold = _threshold(level)
    scale = 1.0 / (1.0 - level)
    if not use_kernel(x.size, dt):
        keep = R.dropout_keep(x.size, start, threshold).reshape(x.shape)
        return into(out, np.where(keep, x * dt.type(scale), dt.type(0)).astype(dt))
    x = contiguous(x, dt)
    res = out_buffer(out, x.shape, dt, 'dropout')
    _ew.dropout_forward(x.reshape(-1), res.reshape(-1), start, threshold, scale,
                        threads_for(x.size))
    return res
