"""Pooling kernels: max/average pool2d forward and backward and the max
'select' used by second derivatives, NHWC or NCHW.

Same arguments as the numpy reference (kback.backend._reference) plus
`data_format` and an optional `out` buffer.  Inputs of other dtypes or
layouts are converted; float16 and a missing extension use the reference.
"""
import numpy as np

from .. import _reference as R
from . import AVAILABLE, _FLOATS, _threads, _out

if AVAILABLE:
    from kback_core import pool as _pool

# Below this many elements one thread beats waking the team.
_MIN_PARALLEL = 1 << 14


def _geometry(name, x_shape, pool, strides, pads, data_format):
    """Checked (output shape, pool, strides, pads) in x's layout."""
    if data_format not in ('channels_last', 'channels_first'):
        raise ValueError(f'{name}: Unknown data_format {data_format!r}')
    if len(x_shape) != 4:
        raise ValueError(f'{name}: the input must have rank 4, got shape {tuple(x_shape)}')
    pool, strides = tuple(int(p) for p in pool), tuple(int(s) for s in strides)
    pads = tuple((int(a), int(b)) for a, b in pads)
    if len(pool) != 2 or len(strides) != 2 or len(pads) != 2:
        raise ValueError(f'{name}: pool {pool}, strides {strides} and pads {pads} must be pairs')
    if min(pool) < 1 or min(strides) < 1:
        raise ValueError(f'{name}: pool size {pool} and strides {strides} must be positive '
                         f'(input {tuple(x_shape)})')
    if min(min(p) for p in pads) < 0:
        raise ValueError(f'{name}: pads {pads} must not be negative (input {tuple(x_shape)})')
    hw = x_shape[1:3] if data_format == 'channels_last' else x_shape[2:4]
    out = []
    for length, k, s, (before, after) in zip(hw, pool, strides, pads):
        if length + before + after < k:
            raise ValueError(f'{name}: the pool size {pool} is larger than the padded input '
                             f'{tuple(x_shape)} (pads {pads})')
        if before >= k or after >= k:
            raise ValueError(f'{name}: pads {pads} must be smaller than the pool size {pool}')
        out.append((length + before + after - k) // s + 1)
    n = x_shape[0]
    c = x_shape[3] if data_format == 'channels_last' else x_shape[1]
    shape = (n, out[0], out[1], c) if data_format == 'channels_last' else (n, c, out[0], out[1])
    return shape, pool, strides, pads


def _common(*arrays):
    """The arrays as C-contiguous arrays of the first one's dtype, or None
    when the kernel does not apply (float16, non-float, empty, no extension)."""
    dtype = arrays[0].dtype
    if not AVAILABLE or dtype.type not in _FLOATS or any(a.size == 0 for a in arrays):
        return None
    return [np.ascontiguousarray(a, dtype=dtype) for a in arrays]






def _nhwc(a, data_format):
    return a if data_format == 'channels_last' else np.transpose(a, (0, 2, 3, 1))


def _back(a, data_format, out):
    """A reference (NHWC) result in data_format, copied into out if given."""
    if data_format != 'channels_last':
        a = np.transpose(a, (0, 3, 1, 2))
    if out is None:
        return np.ascontiguousarray(a)
    out[...] = a
    return out


def pool2d_forward(x, pool, strides, pads, mode, data_format='channels_last', out=None):
    name = 'pool2d_forward'
    if mode not in ('max', 'avg'):
        raise ValueError(f"{name}: mode must be 'max' or 'avg', got {mode!r}")
    x = np.asarray(x)
    shape, pool, strides, pads = _geometry(name, x.shape, pool, strides, pads, data_format)
    arrays = _common(x)
    if arrays is None:
        return _back(R.pool2d_forward(_nhwc(x, data_format), pool, strides, pads, mode),
                     data_format, out)
    x, = arrays
    out = _out(out, shape, x.dtype, name)
    _pool.pool2d_forward(x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                         pads[1][0], mode == 'max', data_format == 'channels_last',
                         _threads(x.size))
    return out


def pool2d_backward(g, x, pool, strides, pads, mode, data_format='channels_last', out=None):
    """d<g, pool(x)>/dx, shaped like x, of g's dtype."""
    name = 'pool2d_backward'
    if mode not in ('max', 'avg'):
        raise ValueError(f"{name}: mode must be 'max' or 'avg', got {mode!r}")
    g, x = np.asarray(g), np.asarray(x)
    shape, pool, strides, pads = _geometry(name, x.shape, pool, strides, pads, data_format)
    if g.shape != shape:
        raise ValueError(f'{name}: the gradient has shape {g.shape}; the pooled input '
                         f'{x.shape} has shape {shape}')
    arrays = _common(g, x)
    if arrays is None:
        dx = R.pool2d_backward(_nhwc(g, data_format), _nhwc(x, data_format), pool, strides,
                               pads, mode)
        return _back(dx, data_format, out)
    g, x = arrays
    out = _out(out, x.shape, g.dtype, name)
    _pool.pool2d_backward(g, x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                          pads[1][0], mode == 'max', data_format == 'channels_last',
                          _threads(x.size))
    return out


def max_pool2d_select(v, x, pool, strides, pads, data_format='channels_last', out=None):
    """v (shaped like x) read at the first maximum of each max-pool window of x."""
    name = 'max_pool2d_select'
    v, x = np.asarray(v), np.asarray(x)
    shape, pool, strides, pads = _geometry(name, x.shape, pool, strides, pads, data_format)
    if v.shape != x.shape:
        raise ValueError(f'{name}: values {v.shape} and input {x.shape} must have the same '
                         'shape')
    arrays = _common(v, x)
    if arrays is None:
        y = R.max_pool2d_select(_nhwc(v, data_format), _nhwc(x, data_format), pool, strides,
                                pads)
        return _back(y, data_format, out)
    v, x = arrays
    out = _out(out, shape, v.dtype, name)
    _pool.max_pool2d_select(v, x, out, pool[0], pool[1], strides[0], strides[1], pads[0][0],
                            pads[1][0], data_format == 'channels_last', _threads(x.size))
    return out
