"""Pooling kernels: max/average pool2d forward and backprop and the max
'select' used by second derivatives, NHWC or NCHW.

Same arguments as the numpy reference (kback.backend._reference) plus
`data_format` and an optional `out` buffer; the ops have checked them (the
compiled entry points check their buffers).  Inputs of other layouts are
converted; float16 and a missing extension use the reference.
"""
import numpy as np

from .. import _reference as R
from .._shapes import padded_output_length
from ._common import AVAILABLE, FLOATS, threads_for, out_buffer

if AVAILABLE:
    from kback_core import pool as _pool


def _pooled_shape(x_shape, pool, strides, pads, data_format):
    cl = data_format == 'channels_last'
    hw = x_shape[1:3] if cl else x_shape[2:4]
    out = tuple(padded_output_length(hw[a], pool[a], strides[a], pads[a]) for a in (0, 1))
    return (x_shape[0],) + out + (x_shape[3],) if cl else x_shape[:2] + out


def _common(*arrays):
    """The arrays as C-contiguous arrays of the first one's dtype, or None
    when the kernel does not apply (float16, non-float, empty, no extension)."""
    dtype = arrays[0].dtype
    if not AVAILABLE or dtype.type not in FLOATS or any(a.size == 0 for a in arrays):
        return None
    return [np.ascontiguousarray(a, dtype=dtype) for a in arrays]


def _reference(ref, data_format, out, *arrays):
    """ref (NHWC) on arrays in data_format; the result in data_format, in out if given."""
    if data_format != 'channels_last':
        arrays = [np.transpose(a, (0, 2, 3, 1)) for a in arrays]
    y = ref(*arrays)
    if data_format != 'channels_last':
        y = np.transpose(y, (0, 3, 1, 2))
    if out is None:
        return np.ascontiguousarray(y)
    out[...] = y
    return out


def pool2d_forward(x, pool, strides, pads, mode, data_format='channels_last', out=None):
    x = np.asarray(x)
    arrays = _common(x)
    if arrays is None:
        return _reference(lambda a: R.pool2d_forward(a, pool, strides, pads, mode),
                          data_format, out, x)
    x, = arrays
    out = out_buffer(out, _pooled_shape(x.shape, pool, strides, pads, data_format), x.dtype,
               'pool2d_forward')
    _pool.pool2d_forward(x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                         pads[1][0], mode == 'max', data_format == 'channels_last',
                         threads_for(x.size))
    return out


def pool2d_backprop(g, x, pool, strides, pads, mode, data_format='channels_last', out=None):
    """d<g, pool(x)>/dx, shaped like x, of g's dtype."""
    g, x = np.asarray(g), np.asarray(x)
    arrays = _common(g, x)
    if arrays is None:
        return _reference(lambda a, b: R.pool2d_backprop(a, b, pool, strides, pads, mode),
                          data_format, out, g, x)
    g, x = arrays
    out = out_buffer(out, x.shape, g.dtype, 'pool2d_backprop')
    _pool.pool2d_backprop(g, x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                          pads[1][0], mode == 'max', data_format == 'channels_last',
                          threads_for(x.size))
    return out


def max_pool2d_select(v, x, pool, strides, pads, data_format='channels_last', out=None):
    """v (shaped like x) read at the first maximum of each max-pool window of x."""
    v, x = np.asarray(v), np.asarray(x)
    arrays = _common(v, x)
    if arrays is None:
        return _reference(lambda a, b: R.max_pool2d_select(a, b, pool, strides, pads),
                          data_format, out, v, x)
    v, x = arrays
    out = out_buffer(out, _pooled_shape(x.shape, pool, strides, pads, data_format), v.dtype,
               'max_pool2d_select')
    _pool.max_pool2d_select(v, x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                            pads[1][0], data_format == 'channels_last', threads_for(x.size))
    return out
